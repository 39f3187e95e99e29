"""During the meeting: taking up items (the current item and its clock), recording each
item's outcome, and closing the running turn when the meeting leaves `live`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from deliberation.agenda import agendas, conduct
from deliberation.agenda.models import Agenda, AgendaItem, ItemOutcome
from forum import meetings
from forum.db import utcnow
from forum.errors import Conflict, Forbidden, InvalidInput, NotFound, StaleEdit
from forum.models import AuditEvent, Meeting, Role
from tests import factories


@pytest.fixture
def body(session):
    return factories.body(session)


@pytest.fixture
def secretary(session, body):
    return factories.actor(session, factories.member(session, body, Role.secretary))


@pytest.fixture
def meeting(session, body):
    meeting = factories.agenda_meeting(session, body, status="live", starts_in=timedelta(minutes=-30))
    factories.agenda_item(session, meeting, title="แจ้งผลการคัดเลือกต้นแบบ", part_kind="information", time_box_minutes=10)
    factories.agenda_item(session, meeting, title="ขออนุมัติโครงการโซลาร์รูฟท็อป", time_box_minutes=45)
    factories.agenda_item(session, meeting, title="แผนอบรม อส.พน.", time_box_minutes=30)
    return meeting


def items(session, meeting) -> list[AgendaItem]:
    session.expire_all()
    return agendas.items_of(session, agendas.agenda_of(session, meeting.id).id)


def agenda(session, meeting) -> Agenda:
    session.expire_all()
    return agendas.agenda_of(session, meeting.id)


def turn_began_ago(session, meeting, seconds: int) -> None:
    """Pretend the running turn began `seconds` ago."""
    row = agenda(session, meeting)
    row.current_since = utcnow() - timedelta(seconds=seconds)
    session.add(row)
    session.commit()


def move(session, actor, meeting, to, **kwargs):
    return conduct.change_current_item(session, actor, meeting_id=meeting.id, to=to, **kwargs)


def outcome(session, actor, meeting, item, **values):
    values = {"outcome": "approved", "version": item.outcome_version} | values
    return conduct.record_outcome(session, actor, meeting_id=meeting.id, item_id=item.id, **values)


# -- taking up items ------------------------------------------------------------------------


def test_next_takes_up_the_first_item_and_marks_when_it_started(session, secretary, meeting):
    first = items(session, meeting)[0]
    move(session, secretary, meeting, "next")
    row = agenda(session, meeting)
    assert row.current_item_id == first.id and row.current_since is not None
    assert items(session, meeting)[0].started_at is not None
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "deliberation.meeting.conduct")).one().after == {"current_item_id": first.id}


def test_moving_on_adds_the_finished_turn_to_the_items_time(session, secretary, meeting):
    first, second, _third = items(session, meeting)
    move(session, secretary, meeting, "next")
    turn_began_ago(session, meeting, 90)
    move(session, secretary, meeting, "next", seen=first.id)
    first, second, _third = items(session, meeting)
    assert 89 <= first.time_spent_seconds <= 92
    assert agenda(session, meeting).current_item_id == second.id
    assert second.time_spent_seconds == 0 and second.started_at is not None


def test_going_back_to_an_item_adds_its_new_turn_and_keeps_its_first_start(session, secretary, meeting):
    first, second, _third = items(session, meeting)
    move(session, secretary, meeting, "next")
    turn_began_ago(session, meeting, 60)
    started = items(session, meeting)[0].started_at
    move(session, secretary, meeting, "next")
    move(session, secretary, meeting, "previous")
    turn_began_ago(session, meeting, 30)
    move(session, secretary, meeting, "item", item_id=str(second.id))
    first = items(session, meeting)[0]
    assert 89 <= first.time_spent_seconds <= 93
    assert first.started_at == started


def test_stop_leaves_no_item_under_consideration(session, secretary, meeting):
    move(session, secretary, meeting, "next")
    turn_began_ago(session, meeting, 20)
    move(session, secretary, meeting, "stop")
    row = agenda(session, meeting)
    assert (row.current_item_id, row.current_since) == (None, None)
    assert items(session, meeting)[0].time_spent_seconds >= 19
    # "next" from there takes up the first item not yet taken up
    move(session, secretary, meeting, "next")
    assert agenda(session, meeting).current_item_id == items(session, meeting)[1].id


def test_the_same_item_again_changes_nothing(session, secretary, meeting):
    first = items(session, meeting)[0]
    move(session, secretary, meeting, "item", item_id=first.id)
    since = agenda(session, meeting).current_since
    move(session, secretary, meeting, "item", item_id=first.id)
    assert agenda(session, meeting).current_since == since


@pytest.mark.parametrize("status", ["agenda_published", "closed"])
def test_items_are_taken_up_only_while_the_meeting_is_in_session(session, secretary, meeting, status):
    meeting.status = status
    session.add(meeting)
    session.commit()
    with pytest.raises(Conflict):
        move(session, secretary, meeting, "next")
    assert agenda(session, meeting).current_item_id is None


@pytest.mark.parametrize("role", [Role.member, Role.observer, Role.facilitator])
def test_only_the_chair_vice_chair_and_secretary_take_up_items(session, body, meeting, role):
    actor = factories.actor(session, factories.member(session, body, role))
    with pytest.raises(Forbidden):
        move(session, actor, meeting, "next")
    assert agenda(session, meeting).current_item_id is None


def test_the_vice_chair_may_preside(session, body, meeting):
    vice_chair = factories.actor(session, factories.member(session, body, Role.vice_chair))
    move(session, vice_chair, meeting, "next")
    assert agenda(session, meeting).current_item_id == items(session, meeting)[0].id


def test_a_page_that_saw_another_item_changes_nothing(session, secretary, meeting):
    first, second, _third = items(session, meeting)
    move(session, secretary, meeting, "next")
    move(session, secretary, meeting, "next", seen=first.id)
    with pytest.raises(StaleEdit):
        move(session, secretary, meeting, "next", seen=str(first.id))  # a second press from the old page
    with pytest.raises(StaleEdit):
        move(session, secretary, meeting, "next", seen="")
    assert agenda(session, meeting).current_item_id == second.id


def test_of_two_switches_from_the_same_state_the_second_is_refused(engine, session, secretary, meeting):
    """The compare-and-set: the other secretary's session read the agenda before the switch."""
    first, second, _third = items(session, meeting)
    move(session, secretary, meeting, "next")
    with Session(engine, expire_on_commit=False) as other:
        stale = agendas.agenda_of(other, meeting.id)
        assert stale.current_item_id == first.id
        move(session, secretary, meeting, "next")
        with pytest.raises(StaleEdit):
            move(other, secretary, meeting, "next")
    row = agenda(session, meeting)
    assert row.current_item_id == second.id
    assert items(session, meeting)[2].started_at is None  # not skipped to


def test_no_item_before_the_first_or_after_the_last(session, secretary, meeting):
    with pytest.raises(Conflict):
        move(session, secretary, meeting, "previous")
    move(session, secretary, meeting, "next")
    with pytest.raises(Conflict):
        move(session, secretary, meeting, "previous")
    move(session, secretary, meeting, "item", item_id=items(session, meeting)[2].id)
    with pytest.raises(Conflict):
        move(session, secretary, meeting, "next")
    assert agenda(session, meeting).current_item_id == items(session, meeting)[2].id


def test_unknown_moves_and_items_of_another_meeting_are_refused(session, body, secretary, meeting):
    other = factories.agenda_meeting(session, body, status="live")
    stranger = factories.agenda_item(session, other, title="วาระของการประชุมอื่น")
    with pytest.raises(InvalidInput) as refused:
        move(session, secretary, meeting, "jump")
    assert "to" in refused.value.fields
    for item_id in (stranger.id, "abc", "", None):
        with pytest.raises(InvalidInput) as refused:
            move(session, secretary, meeting, "item", item_id=item_id)
        assert "item_id" in refused.value.fields
    assert agenda(session, meeting).current_item_id is None


def test_closing_the_meeting_closes_the_running_turn(session, secretary, meeting):
    move(session, secretary, meeting, "next")
    turn_began_ago(session, meeting, 120)
    session.expire_all()
    live = session.get(Meeting, meeting.id)
    meetings.advance_status(session, secretary, meeting_id=meeting.id, to="closed", version=live.version)
    row = agenda(session, meeting)
    assert (row.current_item_id, row.current_since) == (None, None)
    assert items(session, meeting)[0].time_spent_seconds >= 119


def test_closing_a_meeting_without_a_current_item_is_untouched(session, secretary, meeting):
    session.expire_all()
    live = session.get(Meeting, meeting.id)
    meetings.advance_status(session, secretary, meeting_id=meeting.id, to="closed", version=live.version)
    assert all(item.time_spent_seconds == 0 for item in items(session, meeting))


# -- outcomes -------------------------------------------------------------------------------


def test_the_secretary_records_an_outcome(session, secretary, meeting):
    item = items(session, meeting)[1]
    outcome(
        session, secretary, meeting, item,
        discussion_summary="  ที่ประชุมอภิปรายเรื่องขนาดระบบ\r\nและการดูแลรักษา  ",
        resolution="ที่ประชุมเห็นชอบโครงการ\u200b และมอบหมาย สพจ. จัดทำแผนงานร่วม",
    )  # fmt: skip
    item = items(session, meeting)[1]
    assert item.outcome == ItemOutcome.approved
    assert item.discussion_summary == "ที่ประชุมอภิปรายเรื่องขนาดระบบ\nและการดูแลรักษา"
    assert item.resolution == "ที่ประชุมเห็นชอบโครงการ และมอบหมาย สพจ. จัดทำแผนงานร่วม"
    assert (item.outcome_version, item.outcome_by) == (1, secretary.person_id)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "deliberation.outcome.record")).one()
    assert event.after["outcome"] == "approved" and event.before["outcome"] == "pending"


def test_a_resolution_is_found_by_search_and_its_link_opens_the_proceedings(session, secretary, meeting):
    """Issue 12, part 1: มติที่ประชุม are indexed (kind "resolution"), again when changed."""
    from deliberation import search

    item = items(session, meeting)[1]
    outcome(session, secretary, meeting, item, resolution="มอบหมายสำนักงานพลังงานจังหวัดจัดทำแผนธนาคารน้ำใต้ดิน")
    [hit] = search.search(session, secretary, query="ธนาคารน้ำใต้ดิน").items
    assert (hit.kind, hit.ref_id, hit.kind_label) == ("resolution", item.id, "Resolution")
    assert hit.url == f"/meetings/{meeting.id}/proceedings#proceedings-item-{item.id}"
    item = items(session, meeting)[1]
    outcome(session, secretary, meeting, item, resolution="ที่ประชุมรับทราบ", outcome="noted")
    assert search.search(session, secretary, query="ธนาคารน้ำใต้ดิน").total == 0
    assert search.search(session, secretary, query="รับทราบ").total == 1


def test_an_outcome_from_an_older_version_changes_nothing(session, secretary, meeting):
    item = items(session, meeting)[1]
    outcome(session, secretary, meeting, item, resolution="ที่ประชุมเห็นชอบ")
    for version in (0, "0", "", None, "x"):
        with pytest.raises(StaleEdit):
            outcome(session, secretary, meeting, item, version=version, outcome="rejected", resolution="ไม่เห็นชอบ")
    item = items(session, meeting)[1]
    assert (item.outcome, item.resolution, item.outcome_version) == ("approved", "ที่ประชุมเห็นชอบ", 1)


def test_the_outcome_is_a_compare_and_set(engine, session, secretary, meeting):
    item = items(session, meeting)[1]
    with Session(engine, expire_on_commit=False) as other:
        stale = other.get(AgendaItem, item.id)
        assert stale.outcome_version == 0
        outcome(session, secretary, meeting, item, resolution="หนึ่ง")
        with pytest.raises(StaleEdit):
            conduct.record_outcome(other, secretary, meeting_id=meeting.id, item_id=item.id, version=0, outcome="noted", resolution="สอง")
    assert items(session, meeting)[1].resolution == "หนึ่ง"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"outcome": ""}, "outcome"),
        ({"resolution": "ก" * (conduct.MAX_RESOLUTION + 1)}, "resolution"),
        ({"discussion_summary": "ข" * (conduct.MAX_SUMMARY + 1)}, "discussion_summary"),
    ],
)
def test_bad_outcome_input_is_refused_and_changes_nothing(session, secretary, meeting, values, field):
    item = items(session, meeting)[1]
    with pytest.raises(InvalidInput) as refused:
        outcome(session, secretary, meeting, item, **values)
    assert field in refused.value.fields
    item = items(session, meeting)[1]
    assert (item.outcome, item.resolution, item.outcome_version) == ("pending", "", 0)


def test_outcomes_are_not_recorded_before_the_meeting_is_in_session(session, secretary, meeting):
    meeting.status = "agenda_published"
    session.add(meeting)
    session.commit()
    with pytest.raises(Conflict):
        outcome(session, secretary, meeting, items(session, meeting)[1])
    assert items(session, meeting)[1].outcome == "pending"


def test_the_secretary_completes_outcomes_after_the_meeting_closed(session, secretary, meeting):
    meeting.status = "closed"
    session.add(meeting)
    session.commit()
    outcome(session, secretary, meeting, items(session, meeting)[1], outcome="deferred")
    assert items(session, meeting)[1].outcome == "deferred"


def test_a_member_cannot_record_an_outcome(session, body, meeting):
    member = factories.actor(session, factories.member(session, body, Role.member))
    with pytest.raises(Forbidden):
        outcome(session, member, meeting, items(session, meeting)[1])
    assert items(session, meeting)[1].outcome == "pending"


def test_an_item_of_another_meeting_is_not_found(session, body, secretary, meeting):
    other = factories.agenda_meeting(session, body, status="live")
    stranger = factories.agenda_item(session, other)
    with pytest.raises(NotFound):
        conduct.record_outcome(session, secretary, meeting_id=meeting.id, item_id=stranger.id, version=0, outcome="noted")
    with pytest.raises(NotFound):
        conduct.record_outcome(session, secretary, meeting_id=meeting.id, item_id=999_999, version=0, outcome="noted")
    session.expire_all()
    assert session.get(AgendaItem, stranger.id).outcome == "pending"


# -- what the pages show --------------------------------------------------------------------


def test_the_proceedings_show_the_current_item_its_clock_and_every_outcome(session, body, secretary, meeting):
    first, second, third = items(session, meeting)
    move(session, secretary, meeting, "next")
    turn_began_ago(session, meeting, 11 * 60)  # over its 10 minutes
    outcome(session, secretary, meeting, first, outcome="noted", resolution="ที่ประชุมรับทราบ")
    member = factories.actor(session, factories.member(session, body, Role.member))
    view = conduct.proceedings(session, member, meeting_id=meeting.id)
    assert [line.number for line in view.items] == ["1.1", "4.1", "4.2"]
    current = view.current
    assert current.id == first.id and current.number == "1.1"
    assert 660 <= current.elapsed_seconds <= 662 and current.elapsed_text.startswith("11:0")
    assert current.over_time and current.time_box_minutes == 10
    assert current.recorded and current.resolution == "ที่ประชุมรับทราบ" and current.outcome_text
    assert abs((view.now - view.clock_start).total_seconds() - current.elapsed_seconds) < 2
    assert not view.has_previous and view.has_next and view.live and view.recordable
    assert [part.number for part in view.parts] == [1, 2, 3, 4, 5]
    assert [line.title for line in view.parts[3].items] == [second.title, third.title]
    assert not view.items[1].recorded and view.items[1].outcome == "pending"


def test_an_items_outcome_for_its_discussion_page(session, body, secretary, meeting):
    first, second, _third = items(session, meeting)
    member = factories.actor(session, factories.member(session, body, Role.member))
    assert conduct.item_outcome(session, member, item_id=second.id) is None
    outcome(session, secretary, meeting, second, resolution="ที่ประชุมเห็นชอบ")
    line = conduct.item_outcome(session, member, item_id=second.id)
    assert (line.number, line.outcome, line.resolution) == ("4.1", "approved", "ที่ประชุมเห็นชอบ")
    with pytest.raises(NotFound):
        conduct.item_outcome(session, member, item_id=999_999)


def test_elapsed_text():
    assert conduct.elapsed_text(0) == "0:00"
    assert conduct.elapsed_text(725) == "12:05"
    assert conduct.elapsed_text(3725) == "1:02:05"


def test_an_item_the_meeting_has_taken_up_stays_on_the_agenda(session, secretary, meeting):
    first, second, third = items(session, meeting)
    move(session, secretary, meeting, "next")
    outcome(session, secretary, meeting, second, outcome="deferred")
    for item in (first, second):
        with pytest.raises(Conflict):
            agendas.remove_item(session, secretary, item_id=item.id, version=agenda(session, meeting).version)
    agendas.remove_item(session, secretary, item_id=third.id, version=agenda(session, meeting).version)
    assert [item.id for item in items(session, meeting)] == [first.id, second.id]
    assert agenda(session, meeting).current_item_id == first.id


def test_the_demo_past_meeting_has_its_outcomes_and_the_next_carries_the_open_one(session):
    from sqlmodel import col

    from deliberation import demo as deliberation_demo  # noqa: F401  (registers its demo content)
    from forum import demo
    from forum.models import Body

    demo.seed(session, progress=lambda _text: None)
    north = session.exec(select(Body).where(Body.name.endswith("ภาคเหนือ"))).one()
    past, upcoming = (
        session.exec(select(Meeting).where(Meeting.body_id == north.id, Meeting.status == status).order_by(col(Meeting.starts_at).desc())).first()
        for status in ("closed", "agenda_open")
    )
    decided = {item.title: item for item in items(session, past)}
    solar = decided["ขออนุมัติโครงการโซลาร์รูฟท็อปศูนย์เรียนรู้ชุมชน"]
    assert solar.outcome == "approved" and solar.resolution.startswith("ที่ประชุมเห็นชอบ")
    assert solar.time_spent_seconds == 52 * 60 and solar.discussion_summary
    assert past.starts_at < solar.started_at < past.ends_at
    assert agenda(session, past).current_item_id is None
    carried = [item for item in items(session, upcoming) if item.kind == "follow_up"]
    assert [item.title for item in carried] == ["ขยายผลเตาชีวมวลประหยัดพลังงานสู่ครัวเรือนในจังหวัดน่าน"]
