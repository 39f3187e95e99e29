"""Discussion on agenda items: posts with a stance, one level of replies, edits kept as
revisions, @mentions, hiding by the chair, the for/against summary and unread markers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import select

from deliberation.discussion import thread_view, threads
from deliberation.discussion.models import Post, PostMention, PostRevision, ThreadRead
from deliberation.models import SearchEntry
from forum.errors import Conflict, Forbidden, InvalidInput, NotFound, StaleEdit
from forum.models import AuditEvent, MeetingStatus, Role
from tests import factories


@pytest.fixture
def body(session):
    return factories.body(session)


@pytest.fixture
def chair(session, body):
    return factories.actor(session, factories.member(session, body, Role.chair))


@pytest.fixture
def member(session, body):
    return factories.actor(session, factories.member(session, body, Role.member))


@pytest.fixture
def colleague(session, body):
    person = factories.person(session, name="สมหญิง ใจดี")
    return factories.actor(session, factories.member(session, body, Role.member, person_row=person))


@pytest.fixture
def meeting(session, body):
    return factories.agenda_meeting(session, body, status="agenda_published")


@pytest.fixture
def item(session, meeting):
    return factories.agenda_item(session, meeting)


def write(session, actor, meeting, item, **fields):
    values = {"body": "สนับสนุนโครงการโซลาร์เซลล์ **ที่ศูนย์เรียนรู้**", "stance": "for"} | fields
    return threads.create_post(session, actor, meeting_id=meeting.id, item_id=item.id, **values)


def posts(session):
    session.expire_all()
    return session.exec(select(Post)).all()


# -- posting --------------------------------------------------------------------------------


def test_a_member_posts_with_a_stance_rendered_and_indexed(session, member, meeting, item):
    post = write(session, member, meeting, item)
    assert (post.stance, post.author_id, post.parent_id) == ("for", member.person_id, None)
    assert "<strong>ที่ศูนย์เรียนรู้</strong>" in post.body_html
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "deliberation.post.create")).one()
    entry = session.exec(select(SearchEntry).where(SearchEntry.kind == "post")).one()
    assert (entry.ref_id, entry.title) == (post.id, item.title)


def test_a_first_post_needs_a_stance(session, member, meeting, item):
    with pytest.raises(InvalidInput) as refused:
        write(session, member, meeting, item, stance="")
    assert "stance" in refused.value.fields
    with pytest.raises(InvalidInput):
        write(session, member, meeting, item, stance="maybe")
    assert posts(session) == []


@pytest.mark.parametrize("text", ["", "   \n ", "ก" * 10_001])
def test_an_empty_or_oversized_post_is_refused(session, member, meeting, item, text):
    with pytest.raises(InvalidInput) as refused:
        write(session, member, meeting, item, body=text)
    assert "body" in refused.value.fields
    assert posts(session) == []


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "ดูที่ <a href=x onclick=alert(1)",
        "[คลิก](javascript:alert(1))",
    ],
)
def test_html_scripts_and_unsafe_links_are_refused(session, member, meeting, item, text):
    with pytest.raises(InvalidInput) as refused:
        write(session, member, meeting, item, body=text)
    assert "body" in refused.value.fields
    assert posts(session) == []


def test_a_non_member_cannot_post(session, meeting, item):
    outsider = factories.actor(session, factories.person(session))
    with pytest.raises(Forbidden) as refused:
        write(session, outsider, meeting, item)
    assert "Only members" in refused.value.message
    assert posts(session) == []


def test_posting_on_a_closed_meeting_is_refused(session, body, member):
    closed = factories.agenda_meeting(session, body, status="closed")
    item = factories.agenda_item(session, closed)
    with pytest.raises(Conflict):
        write(session, member, closed, item)
    assert posts(session) == []


def test_an_item_of_another_meeting_is_not_found(session, body, member, meeting):
    other = factories.agenda_item(session, factories.agenda_meeting(session, body))
    with pytest.raises(NotFound):
        write(session, member, meeting, other)


# -- replies ----------------------------------------------------------------------------------


def test_a_reply_sits_under_its_post_without_a_stance(session, member, colleague, meeting, item):
    post = write(session, member, meeting, item)
    reply = write(session, colleague, meeting, item, body="ขอบคุณค่ะ", stance="", parent_id=str(post.id))
    assert (reply.parent_id, reply.stance) == (post.id, None)
    view = thread_view.item_thread(session, member, meeting_id=meeting.id, item_id=item.id)
    [(top, replies)] = view.posts
    assert top.id == post.id and [r.id for r in replies] == [reply.id]


def test_replying_to_a_reply_is_refused(session, member, colleague, meeting, item):
    post = write(session, member, meeting, item)
    reply = write(session, colleague, meeting, item, stance="", parent_id=post.id)
    with pytest.raises(InvalidInput) as refused:
        write(session, member, meeting, item, stance="", parent_id=reply.id)
    assert "parent_id" in refused.value.fields
    assert len(posts(session)) == 2


def test_replying_to_a_post_of_another_item_is_refused(session, member, meeting, item):
    other_item = factories.agenda_item(session, meeting, title="อีกเรื่อง")
    elsewhere = write(session, member, meeting, other_item)
    with pytest.raises(InvalidInput) as refused:
        write(session, member, meeting, item, parent_id=elsewhere.id)
    assert "parent_id" in refused.value.fields


def test_replying_to_a_hidden_post_is_refused(session, chair, member, meeting, item):
    post = write(session, member, meeting, item)
    threads.hide_post(session, chair, post_id=post.id, reason="นอกประเด็น")
    with pytest.raises(Conflict):
        write(session, chair, meeting, item, stance="", parent_id=post.id)


# -- mentions -----------------------------------------------------------------------------------


def test_a_mention_of_a_thai_name_is_stored_and_linked(session, member, colleague, meeting, item):
    post = write(session, member, meeting, item, body="ขอความเห็น @[สมหญิง  ใจดี] ด้วยครับ")
    mention = session.exec(select(PostMention)).one()
    assert (mention.post_id, mention.person_id) == (post.id, colleague.person_id)
    assert f'<a class="mention" href="/people/{colleague.person_id}">@สมหญิง ใจดี</a>' in post.body_html


def test_a_mention_of_someone_not_in_the_body_is_refused(session, member, meeting, item):
    factories.person(session, name="คนนอก ไม่ใช่สมาชิก")
    with pytest.raises(InvalidInput) as refused:
        write(session, member, meeting, item, body="@[คนนอก ไม่ใช่สมาชิก] ว่าอย่างไร")
    assert refused.value.fields["body"].params == {"name": "คนนอก ไม่ใช่สมาชิก"}
    assert posts(session) == []


def test_a_name_with_markup_in_a_mention_is_escaped(session, body, member, meeting, item):
    odd = factories.person(session, name="A&B <3")
    factories.member(session, body, person_row=odd)
    post = write(session, member, meeting, item, body="@[A&B <3]")
    assert "@A&amp;B &lt;3</a>" in post.body_html


# -- edits and their history ---------------------------------------------------------------------


def test_an_edit_keeps_the_previous_text_as_a_revision(session, member, meeting, item):
    post = write(session, member, meeting, item, body="ข้อความแรก")
    edited = threads.edit_post(session, member, post_id=post.id, version=post.version, body="ข้อความใหม่", stance="against")
    assert (edited.body, edited.stance, edited.edit_count, edited.version) == ("ข้อความใหม่", "against", 1, 2)
    revision = session.exec(select(PostRevision)).one()
    assert (revision.number, revision.body, revision.stance) == (1, "ข้อความแรก", "for")
    history = thread_view.post_history(session, member, meeting_id=meeting.id, post_id=post.id)
    assert [(r.number, r.current) for r in history.revisions] == [(1, False), (2, True)]
    assert "ข้อความแรก" in history.revisions[0].body_html


def test_editing_someone_elses_post_is_refused(session, member, colleague, chair, meeting, item):
    post = write(session, member, meeting, item, body="ของฉัน")
    for other in (colleague, chair):
        with pytest.raises(Forbidden):
            threads.edit_post(session, other, post_id=post.id, version=1, body="แก้", stance="for")
    assert posts(session)[0].body == "ของฉัน"


def test_an_edit_from_an_old_version_is_refused(session, member, meeting, item):
    post = write(session, member, meeting, item)
    threads.edit_post(session, member, post_id=post.id, version=1, body="หนึ่ง", stance="for")
    with pytest.raises(StaleEdit):
        threads.edit_post(session, member, post_id=post.id, version=1, body="สอง", stance="for")
    assert posts(session)[0].body == "หนึ่ง"


def test_editing_after_the_meeting_closed_is_refused(session, member, meeting, item):
    post = write(session, member, meeting, item)
    meeting.status = MeetingStatus.closed
    session.add(meeting)
    session.commit()
    with pytest.raises(Conflict):
        threads.edit_post(session, member, post_id=post.id, version=1, body="แก้", stance="for")


def test_an_edit_that_mentions_someone_new_adds_the_mention(session, member, colleague, meeting, item):
    post = write(session, member, meeting, item, body="ก่อน")
    threads.edit_post(session, member, post_id=post.id, version=1, body="@[สมหญิง ใจดี] ดูด้วย", stance="for")
    assert [m.person_id for m in session.exec(select(PostMention)).all()] == [colleague.person_id]


# -- hiding ----------------------------------------------------------------------------------------


def test_the_chair_hides_a_post_with_a_reason_kept_with_the_text_in_the_audit_log(session, chair, member, meeting, item):
    post = write(session, member, meeting, item, body="ข้อความที่ไม่เหมาะสม")
    threads.hide_post(session, chair, post_id=post.id, reason="ไม่สุภาพ")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "deliberation.post.hide")).one()
    assert event.after["hidden_reason"] == "ไม่สุภาพ"
    create = session.exec(select(AuditEvent).where(AuditEvent.action == "deliberation.post.create")).one()
    assert create.after["body"] == "ข้อความที่ไม่เหมาะสม"
    assert session.exec(select(SearchEntry).where(SearchEntry.kind == "post")).first() is None
    view = thread_view.item_thread(session, member, meeting_id=meeting.id, item_id=item.id)
    [(row, _replies)] = view.posts
    assert (row.hidden, row.hidden_reason, row.body, str(row.body_html)) == (True, "ไม่สุภาพ", "", "")
    assert dict((s, c) for s, _t, c in view.counts)["for"] == 0
    with pytest.raises(Conflict):
        thread_view.post_history(session, member, meeting_id=meeting.id, post_id=post.id)
    threads.unhide_post(session, chair, post_id=post.id)
    assert session.exec(select(SearchEntry).where(SearchEntry.kind == "post")).one().ref_id == post.id


def test_hiding_needs_a_reason_and_the_chair(session, chair, member, meeting, item):
    post = write(session, member, meeting, item)
    with pytest.raises(InvalidInput) as refused:
        threads.hide_post(session, chair, post_id=post.id, reason="  ")
    assert "reason" in refused.value.fields
    with pytest.raises(Forbidden):
        threads.hide_post(session, member, post_id=post.id, reason="ไม่ชอบ")
    assert posts(session)[0].hidden_at is None


# -- the summary and unread markers ------------------------------------------------------------------


def test_the_summary_counts_first_posts_by_stance(session, member, colleague, meeting, item):
    first = write(session, member, meeting, item, stance="for")
    write(session, colleague, meeting, item, stance="against")
    write(session, colleague, meeting, item, stance="question")
    write(session, member, meeting, item, stance="against", parent_id=first.id)  # a reply: not counted
    view = thread_view.item_thread(session, member, meeting_id=meeting.id, item_id=item.id)
    assert {s: c for s, _t, c in view.counts} == {"for": 1, "against": 1, "question": 1, "information": 0}
    assert thread_view.stance_counts(session, item.id) == view.counts
    assert view.total == 4


def test_posts_are_new_until_read(session, member, colleague, meeting, item):
    write(session, member, meeting, item)
    write(session, colleague, meeting, item)
    first = thread_view.item_thread(session, colleague, meeting_id=meeting.id, item_id=item.id)
    assert first.new == 1  # their own post is never new to them
    again = thread_view.item_thread(session, colleague, meeting_id=meeting.id, item_id=item.id)
    assert again.new == 0
    assert session.exec(select(ThreadRead)).one().person_id == colleague.person_id


def test_thread_counts_for_the_agenda_from_its_contents_and_one_query(session, engine, member, colleague, meeting, item):
    from deliberation.agenda import overview

    other = factories.agenda_item(session, meeting, title="เรื่องที่สอง")
    write(session, member, meeting, item)
    write(session, member, meeting, other)
    write(session, member, meeting, other)
    thread_view.item_thread(session, colleague, meeting_id=meeting.id, item_id=item.id)
    write(session, member, meeting, item)
    posts = overview.agenda_overview(session, colleague, meeting_id=meeting.id).posts
    statements = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    counts = thread_view.thread_counts(session, colleague, agenda_id=item.agenda_id, posts=posts)
    assert counts == {item.id: (2, 1), other.id: (2, 2)}
    assert len(statements) == 1  # the reader's read markers; the posts came with the agenda
    assert thread_view.thread_counts(session, member, agenda_id=item.agenda_id, posts=posts) == {
        item.id: (2, 0),  # their own posts are never new to them
        other.id: (2, 0),
    }


# -- notifications -----------------------------------------------------------------------------


def test_a_reply_tells_the_posts_author_and_a_mention_the_member_named(session, member, colleague, chair, meeting, item):
    from forum.models import Notification

    post = write(session, member, meeting, item)
    write(session, chair, meeting, item, stance="", parent_id=post.id, body="ตอบ @[สมหญิง ใจดี] และผู้เขียน")
    told = {(n.person_id, n.kind, n.url) for n in session.exec(select(Notification)).all()}
    url = f"/meetings/{meeting.id}/agenda/items/{item.id}#post-"
    assert {(person, kind) for person, kind, _url in told} == {(member.person_id, "reply"), (colleague.person_id, "mention")}
    assert all(link.startswith(url) for _p, _k, link in told)
    assert all(n.params["topic"] == item.title for n in session.exec(select(Notification)).all())


def test_the_writer_is_never_told_and_an_edit_tells_only_the_newly_mentioned(session, member, colleague, meeting, item):
    from forum.models import Notification

    post = write(session, member, meeting, item, body="@[สมหญิง ใจดี] ดูด้วย")
    threads.edit_post(session, member, post_id=post.id, version=1, body="@[สมหญิง ใจดี] ดูอีกที", stance="for")
    write(session, member, meeting, item, stance="", parent_id=post.id, body="ตอบตัวเอง")
    assert [(n.person_id, n.kind) for n in session.exec(select(Notification)).all()] == [(colleague.person_id, "mention")]


def test_an_item_with_a_discussion_cannot_be_removed_and_keeps_every_post(
    session, body, member, colleague
):
    from deliberation.agenda import agendas

    secretary = factories.actor(session, factories.member(session, body, Role.secretary))
    draft = factories.agenda_meeting(session, body)  # agenda_open: items may still be removed
    item = factories.agenda_item(session, draft)
    post = write(session, member, draft, item, body="@[สมหญิง ใจดี] ว่าไง")
    write(session, colleague, draft, item, stance="", parent_id=post.id)
    version = agendas.agenda_of(session, draft.id).version
    with pytest.raises(Conflict):
        agendas.remove_item(session, secretary, item_id=item.id, version=version)
    assert len(posts(session)) == 2
    assert agendas.agenda_of(session, draft.id).version == version  # nothing changed


def test_an_item_only_read_can_be_removed(session, body, member, colleague):
    from deliberation.agenda import agendas

    secretary = factories.actor(session, factories.member(session, body, Role.secretary))
    draft = factories.agenda_meeting(session, body)
    item = factories.agenda_item(session, draft)
    thread_view.item_thread(session, colleague, meeting_id=draft.id, item_id=item.id)  # a read marker
    agendas.remove_item(session, secretary, item_id=item.id, version=agendas.agenda_of(session, draft.id).version)
    assert session.get(type(item), item.id) is None
    assert session.exec(select(PostRevision)).all() == [] and session.exec(select(ThreadRead)).all() == []
    assert session.exec(select(SearchEntry).where(SearchEntry.kind == "post")).all() == []


def test_the_items_live_channel_is_open_to_whoever_may_see_the_meeting(session, member, item):
    from forum import live
    from forum.errors import NotLoggedIn
    from forum.policy import ANONYMOUS

    live.authorize(session, member, f"item:{item.id}")
    for key in ("0", "99999", "x1"):
        with pytest.raises(NotFound):
            live.authorize(session, member, f"item:{key}")
    with pytest.raises(NotLoggedIn):
        live.authorize(session, ANONYMOUS, f"item:{item.id}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[x](https://example.org "@[Som Chai]")', 'title="@Som Chai"'),
        ("[@[Som Chai]](https://example.org)", ">@Som Chai</a>"),
        ('@[Som Chai"><script>]', "&lt;script&gt;"),
    ],
)
def test_a_mention_becomes_a_link_only_in_plain_text(text, expected):
    from deliberation.discussion import mentions

    known = {mentions._key("Som Chai"): [7], mentions._key('Som Chai"><script>'): [8]}
    html = str(mentions.render(text, known))
    assert expected in html
    assert "<script>" not in html
    assert html.count("<a ") <= 1  # never a link inside a link or inside a tag
