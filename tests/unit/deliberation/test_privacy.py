"""PDPA for deliberation: the person's posts, suggestions, supports and read markers in
their data export; erasure neutralises their posts, removes their traces and their text
from search, and leaves other people's posts alone."""

from __future__ import annotations

import pytest
from sqlmodel import select

from deliberation import privacy as deliberation_privacy
from deliberation import search
from deliberation.agenda import agendas, suggestions
from deliberation.agenda.models import AgendaSuggestion, SuggestionSupport
from deliberation.discussion import thread_view, threads
from deliberation.discussion.models import Post, PostMention, PostRevision, ThreadRead
from deliberation.models import SearchEntry
from forum import privacy
from forum.models import AuditEvent, Person, Role
from forum.policy import ANONYMOUS
from tests import factories

REMOVED = "(ลบตามคำขอของผู้เขียน)"


@pytest.fixture
def body(session):
    return factories.body(session)


@pytest.fixture
def author(session, body):
    person = factories.person(session, name="สมศักดิ์ รักษ์โลก")
    return factories.actor(session, factories.member(session, body, Role.member, person_row=person))


@pytest.fixture
def colleague(session, body):
    person = factories.person(session, name="สมหญิง ใจดี")
    return factories.actor(session, factories.member(session, body, Role.member, person_row=person))


@pytest.fixture
def secretary(session, body):
    return factories.actor(session, factories.member(session, body, Role.secretary))


@pytest.fixture
def meeting(session, body):
    return factories.agenda_meeting(session, body)  # agenda_open: suggestions and posts


@pytest.fixture
def item(session, meeting):
    return factories.agenda_item(session, meeting)


def post(session, actor, meeting, item, body, **fields):
    values = {"stance": "for"} | fields
    return threads.create_post(
        session, actor, meeting_id=meeting.id, item_id=item.id, body=body, **values
    )


def suggest(session, actor, meeting, title, rationale="เหตุผลส่วนตัวของผู้เสนอ"):
    return suggestions.suggest_item(
        session, actor, meeting_id=meeting.id, title=title, rationale=rationale
    )


def found(session, actor, query):
    return [(hit.kind, hit.ref_id) for hit in search.search(session, actor, query=query).items]


def erase(session, actor):
    request = privacy.request_erasure(session, actor)
    admin = factories.actor(session, factories.person(session, is_admin=True))
    privacy.erase_person(session, admin, request_id=request.id)
    session.expire_all()


def test_the_hooks_are_registered_once():
    assert privacy.EXPORT_HOOKS.values().count(deliberation_privacy.export_rows) == 1
    assert privacy.ERASURE_HOOKS.values().count(deliberation_privacy.erase_rows) == 1


def test_the_export_holds_posts_revisions_suggestions_supports_and_read_markers(
    session, author, colleague, meeting, item
):
    mine = post(session, author, meeting, item, "ควรติดตั้งแผงโซลาร์บนหลังคาโรงเรียน")
    threads.edit_post(
        session, author, post_id=mine.id, version=mine.version, body="ฉบับแก้ไข", stance="against"
    )
    post(session, colleague, meeting, item, "ความเห็นของคนอื่น")
    suggestion = suggest(session, author, meeting, "เรื่องกังหันลมชุมชน")
    other = suggest(session, colleague, meeting, "เรื่องของสมหญิง")
    suggestions.support_suggestion(session, author, suggestion_id=other.id)
    thread_view.item_thread(session, author, meeting_id=meeting.id, item_id=item.id)
    data = privacy.export_data(session, author)
    [exported] = data["deliberation_posts"]
    assert (exported["id"], exported["item_id"], exported["meeting_id"]) == (
        mine.id,
        item.id,
        meeting.id,
    )
    assert (exported["body"], exported["stance"], exported["edit_count"]) == (
        "ฉบับแก้ไข",
        "against",
        1,
    )
    assert exported["created_at"] and exported["edited_at"]
    assert [row["body"] for row in data["deliberation_post_revisions"]] == [
        "ควรติดตั้งแผงโซลาร์บนหลังคาโรงเรียน"
    ]
    [mine_suggested] = data["deliberation_suggestions"]
    assert (mine_suggested["id"], mine_suggested["title"], mine_suggested["status"]) == (
        suggestion.id,
        "เรื่องกังหันลมชุมชน",
        "pending",
    )
    assert [row["suggestion_id"] for row in data["deliberation_suggestion_supports"]] == [other.id]
    assert [row["item_id"] for row in data["deliberation_thread_reads"]] == [item.id]
    # the core's sections are still there
    assert data["person"]["display_name"] == "สมศักดิ์ รักษ์โลก"


def test_erasure_neutralises_posts_and_leaves_others_alone(
    session, author, colleague, meeting, item
):
    mine = post(session, author, meeting, item, "ข้อมูลส่วนตัวเรื่องบ่อปลาของข้าพเจ้า @[สมหญิง ใจดี]")
    threads.edit_post(
        session, author, post_id=mine.id, version=mine.version, body="บ่อปลาฉบับแก้ไข", stance="for"
    )
    theirs = post(
        session, colleague, meeting, item, "ตอบเรื่องบ่อปลา @[สมศักดิ์ รักษ์โลก]", parent_id=mine.id
    )
    assert session.exec(select(PostMention)).all()
    assert ("post", mine.id) in found(session, colleague, "บ่อปลา")
    erase(session, author)

    erased = session.get(Post, mine.id)
    assert (
        erased.body == REMOVED and REMOVED in erased.body_html and "บ่อปลา" not in erased.body_html
    )
    assert erased.author_id == author.person_id and erased.stance == "for"  # the record stays
    assert [row.body for row in session.exec(select(PostRevision))] == [REMOVED]
    assert session.exec(select(PostMention)).all() == []  # of them and by them
    kept = session.get(Post, theirs.id)
    assert kept.body == "ตอบเรื่องบ่อปลา @[สมศักดิ์ รักษ์โลก]" and kept.parent_id == mine.id
    assert found(session, colleague, "บ่อปลา") == [("post", theirs.id)]
    assert (
        session.exec(
            select(SearchEntry).where(SearchEntry.kind == "post", SearchEntry.ref_id == mine.id)
        ).first()
        is None
    )
    # the audit log keeps the events, not the text
    for event in session.exec(
        select(AuditEvent).where(AuditEvent.target_type == "post", AuditEvent.target_id == mine.id)
    ):
        for side in (event.before, event.after):
            assert "บ่อปลา" not in str(side or {})
    assert session.get(Person, author.person_id).display_name.startswith("(erased")


def test_erasure_handles_suggestions_supports_and_read_markers(
    session, author, colleague, secretary, meeting, item
):
    pending = suggest(session, author, meeting, "เรื่องเตาชีวมวลรอพิจารณา")
    declined = suggest(session, author, meeting, "เรื่องเตาชีวมวลที่ไม่รับ")
    accepted = suggest(session, author, meeting, "เรื่องเตาชีวมวลที่รับแล้ว", rationale="เหตุผลลับเฉพาะ")
    suggestions.answer_suggestion(
        session, secretary, suggestion_id=declined.id, answer="decline", reason="ไม่อยู่ในอำนาจ"
    )
    agenda = agendas.agenda_of(session, meeting.id)
    part_id = item.part_id
    suggestions.answer_suggestion(
        session,
        secretary,
        suggestion_id=accepted.id,
        answer="accept",
        version=agenda.version,
        part_id=part_id,
    )
    others = suggest(session, colleague, meeting, "เรื่องของสมหญิง")
    suggestions.support_suggestion(session, author, suggestion_id=others.id)
    suggestions.support_suggestion(session, colleague, suggestion_id=pending.id)
    thread_view.item_thread(session, author, meeting_id=meeting.id, item_id=item.id)
    erase(session, author)

    assert session.get(AgendaSuggestion, pending.id) is None  # withdrawn, supports with it
    gone = session.get(AgendaSuggestion, declined.id)
    assert (gone.title, gone.rationale, gone.status, gone.answer_reason) == (
        REMOVED,
        "",
        "declined",
        "ไม่อยู่ในอำนาจ",
    )
    kept = session.get(AgendaSuggestion, accepted.id)
    assert (kept.title, kept.rationale) == ("เรื่องเตาชีวมวลที่รับแล้ว", "")
    assert session.exec(select(SuggestionSupport)).all() == []
    assert (
        session.exec(select(ThreadRead).where(ThreadRead.person_id == author.person_id)).all() == []
    )
    hits = found(session, colleague, "ชีวมวล")
    assert ("agenda_suggestion", pending.id) not in hits
    assert ("agenda_suggestion", declined.id) not in hits
    # the suggestion's entry no longer holds the rationale (the item made from it is the
    # office's text now, and keeps its description)
    assert ("agenda_suggestion", accepted.id) not in found(session, colleague, "ลับเฉพาะ")
    assert ("agenda_suggestion", accepted.id) in found(session, colleague, "รับแล้ว")
    assert session.get(AgendaSuggestion, others.id).title == "เรื่องของสมหญิง"
    for event in session.exec(
        select(AuditEvent).where(
            AuditEvent.target_type == "agenda_suggestion",
            AuditEvent.target_id.in_([pending.id, declined.id]),
        )
    ):
        assert "ชีวมวล" not in str(event.before or {}) + str(event.after or {})


def test_live_sessions_joined_as_oneself_are_exported_and_anonymised(session, body, author, secretary, meeting):
    from deliberation.sessions import ideas, sessions
    from deliberation.sessions.models import LiveIdea, LiveIdeaVote, LiveParticipant

    live = sessions.open_session(session, secretary, meeting_id=meeting.id, prompt="ชุมชนควรประหยัดพลังงานอย่างไร")
    mine, token = sessions.join_session(session, author, code=live.code, consent=True, show_account_name=True)
    guest, _guest_token = sessions.join_session(session, ANONYMOUS, code=live.code, nickname="ป้าแดง", consent=True)
    idea, _new = ideas.submit_idea(session, mine, text="ติดโซลาร์บนหลังคาศาลาหมู่บ้าน", category="พลังงาน", key="a" * 32)
    theirs, _new = ideas.submit_idea(session, guest, text="ปิดไฟเมื่อไม่ใช้", key="b" * 32)
    ideas.vote_idea(session, mine, idea_id=theirs.id)
    exported = deliberation_privacy.export_rows(session, author.person_id)
    assert [row["text"] for row in exported["deliberation_live_ideas"]] == ["ติดโซลาร์บนหลังคาศาลาหมู่บ้าน"]
    assert [row["idea_id"] for row in exported["deliberation_live_votes"]] == [theirs.id]
    assert "token_hash" not in exported["deliberation_live_participations"][0]
    old_hash = mine.token_hash
    erase(session, author)
    participant = session.get(LiveParticipant, mine.id)
    assert (participant.nickname, participant.show_account_name) == (REMOVED, False)
    assert participant.token_hash != old_hash  # that phone no longer comes back as them
    assert (session.get(LiveIdea, idea.id).text, session.get(LiveIdea, idea.id).category) == (REMOVED, "")
    # the session's record keeps its integrity: the guest's idea and the vote on it stay
    assert session.get(LiveIdea, theirs.id).text == "ปิดไฟเมื่อไม่ใช้"
    assert session.get(LiveIdea, theirs.id).votes == 1
    assert session.exec(select(LiveIdeaVote)).all()
    assert session.get(LiveParticipant, guest.id).nickname == "ป้าแดง"
