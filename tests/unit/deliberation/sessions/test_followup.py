"""A session's follow-up: the Thai invitation and LINE's share address for the device, and
taking an idea or a theme forward into an agenda item or a proposal draft, linked back to
its ideas; bad input and double submits change nothing."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlmodel import func, select

from deliberation.agenda import agendas
from deliberation.agenda.models import AgendaItem, AgendaStatus
from deliberation.sessions import followup, ideas, sessions
from deliberation.sessions.models import (
    IdeaStatus,
    LiveCluster,
    LivePromotion,
    LivePromotionIdea,
    PromotionTarget,
)
from forum.errors import Forbidden, InvalidInput
from forum.models import AuditEvent, MeetingStatus, Role
from forum.policy import ANONYMOUS
from tests import factories

_keys = itertools.count(1)

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
LINE_ANDROID = "Mozilla/5.0 (Linux; Android 13; SM-A515F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 Line/13.21.0"
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


# -- sharing ---------------------------------------------------------------------------------


def invitation(**changes):
    values = {
        "prompt": "ชุมชนจะลดค่าไฟได้อย่างไร",
        "meeting_title": "เวทีรับฟังความคิดเห็นพลังงานชุมชน",
        "meeting_label": "3/2569",
        "starts_at": datetime(2026, 11, 26, 6, 30, tzinfo=UTC),  # 13:30 in Bangkok, a Thursday
        "venue": "ศาลาการเปรียญวัดศรีโคมคำ",
        "code": "123456",
        "url": "https://wethi.example/s/123456",
    }
    return followup.invitation_text(**(values | changes))


def test_the_invitation_is_thai_with_the_buddhist_era_venue_code_and_link():
    text = invitation()
    assert "ชุมชนจะลดค่าไฟได้อย่างไร" in text
    assert "เวทีรับฟังความคิดเห็นพลังงานชุมชน" in text
    assert "วันพฤหัสบดีที่ 26 พฤศจิกายน 2569 เวลา 13.30 น." in text
    assert "สถานที่: ศาลาการเปรียญวัดศรีโคมคำ" in text
    assert "123456" in text and text.endswith("https://wethi.example/s/123456")
    assert "ขอเชิญ" in text


def test_an_invitation_without_venue_or_title_leaves_the_venue_out_and_names_the_meeting():
    text = invitation(venue="  ", meeting_title="")
    assert "สถานที่" not in text
    assert "การประชุมครั้งที่ 3/2569" in text


def test_the_invitation_in_english():
    text = invitation(locale="en")
    assert "Thursday 26 November 2026" in text and "Venue:" in text


@pytest.mark.parametrize(
    ("agent", "phone"),
    [(IPHONE, True), (LINE_ANDROID, True), (DESKTOP, False), ("", False), (None, False)],
)
def test_phones_are_told_from_computers(agent, phone):
    assert followup.is_phone(agent) is phone


def test_a_phone_gets_lines_url_scheme_with_the_whole_text():
    text = invitation()
    url = followup.line_share_url(text, "https://wethi.example/s/123456", phone=True)
    assert url.startswith("https://line.me/R/share?text=")
    assert unquote(url.removeprefix("https://line.me/R/share?text=")) == text
    assert "\n" not in url and " " not in url


def test_a_computer_gets_lines_web_share_plugin_with_the_link_and_the_text():
    text = invitation()
    url = followup.line_share_url(text, "https://wethi.example/s/123456", phone=False)
    parts = urlsplit(url)
    assert (parts.netloc, parts.path) == ("social-plugins.line.me", "/lineit/share")
    query = parse_qs(parts.query)
    assert query["url"] == ["https://wethi.example/s/123456"] and query["text"] == [text]


# -- taking forward --------------------------------------------------------------------------


@pytest.fixture
def body(session):
    return factories.body(session)


@pytest.fixture
def secretary(session, body):
    return factories.actor(session, factories.member(session, body, Role.secretary))


@pytest.fixture
def meeting(session, body):
    return factories.meeting(session, body)


@pytest.fixture
def live(session, meeting, secretary):
    return sessions.open_session(
        session, secretary, meeting_id=meeting.id, prompt="ทำอย่างไรให้ชุมชนใช้ไฟน้อยลง"
    )


def idea(session, live, text="ติดโซลาร์เซลล์ที่วัด", votes=0):
    guest = sessions.join_session(
        session, ANONYMOUS, code=live.code, nickname=f"ป้าแดง{next(_keys)}", consent=True
    )[0]
    row = ideas.submit_idea(session, guest, text=text, key=f"key-{next(_keys):08d}")[0]
    row.votes = votes
    session.add(row)
    session.commit()
    return row


def cluster(session, live, name, *members):
    row = LiveCluster(session_id=live.id, name=name)
    session.add(row)
    session.flush()
    for member in members:
        member.cluster_id = row.id
        session.add(member)
    session.commit()
    return row


def count(session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def test_the_form_starts_from_the_idea_with_its_votes(session, live, secretary):
    first = idea(session, live, "ตั้งกองทุนโซลาร์ชุมชน", votes=7)
    form = followup.promote_form(session, secretary, session_id=live.id, idea_id=str(first.id))
    assert form.source.title == "ตั้งกองทุนโซลาร์ชุมชน"
    assert form.source.body == "- ตั้งกองทุนโซลาร์ชุมชน (7 โหวต)"
    assert [m.id for m in form.meetings][0] == live.meeting_id


def test_an_idea_becomes_a_proposal_draft_linked_back(session, live, secretary):
    first = idea(session, live)
    promotion, created = followup.promote(
        session,
        secretary,
        session_id=live.id,
        idea_id=first.id,
        title="โครงการโซลาร์วัด",
        body="- ติดโซลาร์",
        target="proposal_draft",
    )
    assert (
        created and promotion.target == PromotionTarget.proposal_draft and promotion.item_id is None
    )
    assert session.exec(select(LivePromotionIdea.idea_id)).all() == [first.id]
    assert session.exec(
        select(AuditEvent).where(AuditEvent.action == "deliberation.live_session.promote")
    ).first()
    rows = followup.promotions_of(session, live.id)
    assert [row.title for row in rows] == ["โครงการโซลาร์วัด"] and rows[0].ideas[0].id == first.id


def test_a_theme_becomes_an_agenda_item_of_the_sessions_meeting(session, live, secretary, meeting):
    ideas_of_theme = [
        idea(session, live, "ปิดไฟ", votes=2),
        idea(session, live, "ใช้หลอด LED", votes=5),
    ]
    theme = cluster(session, live, "ประหยัดไฟในบ้าน", *ideas_of_theme)
    form = followup.promote_form(session, secretary, session_id=live.id, cluster_id=theme.id)
    assert form.source.title == "ประหยัดไฟในบ้าน" and form.source.body.splitlines()[0].startswith(
        "- ใช้หลอด LED"
    )
    promotion, _ = followup.promote(
        session,
        secretary,
        session_id=live.id,
        cluster_id=str(theme.id),
        title=form.source.title,
        body=form.source.body,
        target="agenda_item",
        meeting_id=str(meeting.id),
    )
    item = session.get(AgendaItem, promotion.item_id)
    assert (
        item.title == "ประหยัดไฟในบ้าน"
        and item.kind == "consideration"
        and "ใช้หลอด LED" in item.description
    )
    assert sorted(session.exec(select(LivePromotionIdea.idea_id)).all()) == sorted(
        i.id for i in ideas_of_theme
    )
    assert promotion.cluster_id == theme.id
    assert (
        followup.promotions_of(session, live.id)[0].item_url
        == f"/meetings/{meeting.id}/agenda/items/{item.id}"
    )


def test_a_published_agenda_goes_to_a_new_version(session, live, secretary, meeting):
    agenda = agendas.agenda_of(session, meeting.id) or agendas.build_agenda(session, meeting)
    agenda.status = AgendaStatus.published
    session.add(agenda)
    session.commit()
    version = agenda.version
    first = idea(session, live)
    promotion, _ = followup.promote(
        session,
        secretary,
        session_id=live.id,
        idea_id=first.id,
        title="ติดโซลาร์ที่วัด",
        target="agenda_item",
        meeting_id=meeting.id,
    )
    session.expire_all()
    agenda = agendas.agenda_of(session, meeting.id)
    assert agenda.status == AgendaStatus.revising and agenda.version > version
    assert session.get(AgendaItem, promotion.item_id).agenda_id == agenda.id


def test_taking_forward_is_one_transaction(session, live, secretary, meeting, monkeypatch):
    """Issue 11, part 8: the agenda's new version, its item and the promotion's link are one
    commit: a failure before the end leaves the agenda as it was, with no item without its
    link (it was three commits)."""
    agenda = agendas.agenda_of(session, meeting.id) or agendas.build_agenda(session, meeting)
    agenda.status = AgendaStatus.published
    session.add(agenda)
    session.commit()
    version, items = agenda.version, count(session, AgendaItem)
    first = idea(session, live)
    recorded = followup.audit.record

    def failing(session_, actor, action, *args, **kwargs):
        if action == "deliberation.live_session.promote":
            raise RuntimeError("the database went away")
        return recorded(session_, actor, action, *args, **kwargs)

    monkeypatch.setattr(followup.audit, "record", failing)
    with pytest.raises(RuntimeError):
        followup.promote(
            session,
            secretary,
            session_id=live.id,
            idea_id=first.id,
            title="ติดโซลาร์ที่วัด",
            target="agenda_item",
            meeting_id=meeting.id,
        )
    session.rollback()
    session.expire_all()
    agenda = agendas.agenda_of(session, meeting.id)
    assert (agenda.status, agenda.version) == (AgendaStatus.published, version)
    assert count(session, AgendaItem) == items and count(session, LivePromotion) == 0


def test_another_meeting_of_the_body_that_has_not_ended(session, live, secretary, body):
    later = factories.meeting(session, body, starts_in=timedelta(days=30))
    first = idea(session, live)
    promotion, _ = followup.promote(
        session,
        secretary,
        session_id=live.id,
        idea_id=first.id,
        title="เรื่องต่อเนื่อง",
        target="agenda_item",
        meeting_id=later.id,
    )
    assert (
        agendas.agenda_of(session, later.id).id
        == session.get(AgendaItem, promotion.item_id).agenda_id
    )


def bad(session, live, actor, **data):
    before = (count(session, LivePromotion), count(session, AgendaItem))
    with pytest.raises(InvalidInput) as error:
        followup.promote(
            session,
            actor,
            session_id=live.id,
            **({"title": "หัวข้อ", "target": "agenda_item"} | data),
        )
    session.rollback()
    assert (count(session, LivePromotion), count(session, AgendaItem)) == before
    return error.value


def test_bad_input_changes_nothing(session, live, secretary, body, meeting):
    first = idea(session, live)
    other_body_meeting = factories.meeting(session, factories.body(session))
    ended = factories.meeting(session, body)
    ended.status = MeetingStatus.closed
    session.add(ended)
    session.commit()
    other_live = sessions.open_session(session, secretary, meeting_id=meeting.id, prompt="อีกเวที")
    stranger = idea(session, other_live)
    assert (
        bad(session, live, secretary, idea_id=999_999, meeting_id=meeting.id).message
        == "This idea is not in this session."
    )
    assert (
        bad(session, live, secretary, idea_id=stranger.id, meeting_id=meeting.id).message
        == "This idea is not in this session."
    )
    assert (
        bad(session, live, secretary, cluster_id=999_999, meeting_id=meeting.id).message
        == "This theme is not in this session."
    )
    assert (
        bad(session, live, secretary, meeting_id=meeting.id).message
        == "Choose an idea or a theme to take forward."
    )
    assert (
        "meeting_id"
        in bad(session, live, secretary, idea_id=first.id, meeting_id=other_body_meeting.id).fields
    )
    assert (
        "meeting_id" in bad(session, live, secretary, idea_id=first.id, meeting_id=ended.id).fields
    )
    assert "meeting_id" in bad(session, live, secretary, idea_id=first.id, meeting_id="abc").fields
    assert (
        "title"
        in bad(
            session, live, secretary, idea_id=first.id, meeting_id=meeting.id, title="   "
        ).fields
    )
    assert (
        "title"
        in bad(
            session, live, secretary, idea_id=first.id, meeting_id=meeting.id, title="ก" * 301
        ).fields
    )
    assert "target" in bad(session, live, secretary, idea_id=first.id, target="ballot").fields
    assert (
        "body"
        in bad(
            session,
            live,
            secretary,
            idea_id=first.id,
            meeting_id=meeting.id,
            body="<script>x</script>",
        ).fields
    )


def test_an_empty_theme_or_a_merged_idea_cannot_be_taken_forward(session, live, secretary):
    empty = cluster(session, live, "ว่าง")
    assert bad(
        session, live, secretary, cluster_id=empty.id, target="proposal_draft"
    ).message.startswith("This theme has no ideas")
    kept, duplicate = idea(session, live), idea(session, live, "ซ้ำ")
    ideas.merge_ideas(session, secretary, idea_id=duplicate.id, into_id=kept.id)
    assert (
        "merged"
        in bad(session, live, secretary, idea_id=duplicate.id, target="proposal_draft").message
    )


def test_only_what_the_hall_saw_is_taken_forward(session, live, secretary):
    """A pending or hidden idea is not public: it never goes onto an agenda or a draft."""
    shown, waiting, hidden = idea(session, live, "ไฟถนนโซลาร์"), idea(session, live, "ยังไม่อนุมัติ"), idea(session, live, "นอกเรื่อง")
    waiting.status = IdeaStatus.pending
    session.add(waiting)
    session.commit()
    ideas.moderate_idea(session, secretary, idea_id=hidden.id, action="hide")
    theme = cluster(session, live, "ไฟฟ้า", shown, waiting, hidden)
    form = followup.promote_form(session, secretary, session_id=live.id, cluster_id=theme.id)
    assert form.source.body == "- ไฟถนนโซลาร์ (0 โหวต)"
    promotion, _ = followup.promote(session, secretary, session_id=live.id, cluster_id=theme.id, title="ไฟฟ้า", target="proposal_draft")
    linked = session.exec(select(LivePromotionIdea.idea_id).where(LivePromotionIdea.promotion_id == promotion.id)).all()
    assert linked == [shown.id]
    for row in (waiting, hidden):
        assert "approve it first" in bad(session, live, secretary, idea_id=row.id, target="proposal_draft").message


def test_a_double_submit_makes_one_promotion(session, live, secretary, meeting):
    first = idea(session, live)
    data = {
        "session_id": live.id,
        "idea_id": first.id,
        "title": "ติดโซลาร์",
        "target": "agenda_item",
        "meeting_id": meeting.id,
    }
    one, created = followup.promote(session, secretary, **data)
    two, created_again = followup.promote(session, secretary, **data)
    assert created and not created_again and one.id == two.id
    assert count(session, LivePromotion) == 1 and count(session, AgendaItem) == 1
    # To another place, it is another promotion; the same place a minute later too.
    third, created_third = followup.promote(
        session, secretary, **(data | {"target": "proposal_draft"})
    )
    assert created_third and third.id != one.id
    one.created_at = one.created_at - timedelta(minutes=2)
    session.add(one)
    session.commit()
    assert followup.promote(session, secretary, **data)[1]
    assert count(session, LivePromotion) == 3


def test_a_facilitator_who_cannot_edit_the_agenda_makes_a_draft_only(session, live, body, meeting):
    facilitator = factories.actor(session, factories.member(session, body, Role.facilitator))
    first = idea(session, live)
    with pytest.raises(Forbidden):
        followup.promote(
            session,
            facilitator,
            session_id=live.id,
            idea_id=first.id,
            title="ก",
            target="agenda_item",
            meeting_id=meeting.id,
        )
    assert count(session, LivePromotion) == 0 and count(session, AgendaItem) == 0
    assert followup.promote(
        session,
        facilitator,
        session_id=live.id,
        idea_id=first.id,
        title="ก",
        target="proposal_draft",
    )[1]


def test_a_plain_member_cannot_take_forward(session, live, body):
    member = factories.actor(session, factories.member(session, body, Role.member))
    first = idea(session, live)
    with pytest.raises(Forbidden):
        followup.promote(
            session,
            member,
            session_id=live.id,
            idea_id=first.id,
            title="ก",
            target="proposal_draft",
        )
    with pytest.raises(Forbidden):
        followup.promote_form(session, member, session_id=live.id, idea_id=first.id)


def test_an_agenda_item_knows_the_ideas_it_came_from(session, live, secretary, meeting):
    first = idea(session, live, "ปลูกป่าชุมชน", votes=4)
    promotion, _ = followup.promote(
        session,
        secretary,
        session_id=live.id,
        idea_id=first.id,
        title="ปลูกป่า",
        target="agenda_item",
        meeting_id=meeting.id,
    )
    rows = followup.promotions_of_item(session, promotion.item_id)
    assert [(row.id, [i.text for i in row.ideas]) for row in rows] == [
        (promotion.id, ["ปลูกป่าชุมชน"])
    ]
    assert followup.promotions_of_item(session, 999_999) == []
