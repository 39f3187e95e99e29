"""forum.meetings: numbering, the form's rules, the lifecycle, listing, the page's read
model and the calendar — one test per outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from forum import calendar, meetings
from forum.dates import to_local
from forum.errors import Conflict, Forbidden, InvalidInput, NotFound, NotLoggedIn, StaleEdit
from forum.models import Attendance, AttendanceStatus, Meeting, MeetingStatus, Role
from forum.policy import ANONYMOUS
from tests import factories


@pytest.fixture
def secretary(session):
    body = factories.body(session)
    person = factories.member(session, body, Role.secretary)
    return body, factories.actor(session, person)


def create(session, actor, body, starts_at="2026-03-14T09:30", **extra):
    values = {"starts_at": starts_at, "venue": "ห้องประชุม"} | extra
    return meetings.create_meeting(session, actor, body_id=body.id, **values)


# -- numbering --------------------------------------------------------------------------


def test_numbers_follow_on_within_a_buddhist_year_and_restart_in_the_next(session, secretary):
    body, actor = secretary
    made = [
        create(session, actor, body, starts)
        for starts in ["2026-01-01T00:30", "2026-12-31T23:30", "2027-01-01T00:00"]
    ]
    assert [meetings.meeting_label(m) for m in made] == ["1/2569", "2/2569", "1/2570"]


def test_bangkok_new_year_decides_the_year_not_utc(session, secretary):
    body, actor = secretary
    # 1 Jan 2027 06:00 in Bangkok is still 31 Dec 2026 in UTC: the Thai year is 2570.
    assert create(session, actor, body, "2027-01-01T06:00").year_be == 2570


def test_each_body_numbers_its_own_meetings(session, secretary):
    body, actor = secretary
    other = factories.body(session)
    admin = factories.actor(session, factories.person(session, is_admin=True))
    create(session, actor, body)
    create(session, actor, body)
    assert create(session, admin, other).number == 1


def test_new_meeting_invites_every_member_and_gets_a_six_digit_code(session, secretary):
    body, actor = secretary
    factories.member(session, body, Role.member)
    meeting = create(session, actor, body)
    assert len(meeting.checkin_code) == 6 and meeting.checkin_code.isdigit()
    statuses = session.exec(
        select(Attendance.status).where(Attendance.meeting_id == meeting.id)
    ).all()
    assert statuses == [AttendanceStatus.invited, AttendanceStatus.invited]


def test_times_are_typed_in_bangkok_and_stored_in_utc(session, secretary):
    body, actor = secretary
    meeting = create(session, actor, body, "2026-03-14T09:30")
    assert meeting.starts_at == datetime(2026, 3, 14, 2, 30, tzinfo=UTC)
    assert meeting.ends_at - meeting.starts_at == timedelta(hours=3)


def test_a_time_with_an_offset_is_read_as_that_moment(session, secretary):
    body, actor = secretary
    meeting = create(session, actor, body, "2026-03-14T09:30+00:00")
    assert meeting.starts_at == datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


# -- who and when -----------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.member, Role.observer, Role.facilitator, Role.vice_chair])
def test_only_chair_secretary_or_admin_create(role, session):
    body = factories.body(session)
    actor = factories.actor(session, factories.member(session, body, role))
    with pytest.raises(Forbidden):
        create(session, actor, body)


def test_anonymous_is_asked_to_log_in(session):
    body = factories.body(session)
    with pytest.raises(NotLoggedIn):
        create(session, ANONYMOUS, body)
    with pytest.raises(NotLoggedIn):
        meetings.list_meetings(session, ANONYMOUS, body_id=body.id)


def test_archived_body_holds_no_new_meetings(session, secretary):
    body, actor = secretary
    body.archived_at = datetime.now(UTC)
    session.add(body)
    session.commit()
    with pytest.raises(Conflict):
        create(session, actor, body)
    with pytest.raises(Conflict):
        meetings.new_meeting_form(session, actor, body_id=body.id)


def test_unknown_body_is_not_found(session, secretary):
    _body, actor = secretary
    with pytest.raises(NotFound):
        meetings.create_meeting(
            session, actor, body_id=999999, starts_at="2026-03-14T09:30", venue="x"
        )


# -- the form's rules -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"starts_at": None}, "starts_at"),
        ({"starts_at": "14/03/2026"}, "starts_at"),
        ({"starts_at": "1999-12-31T09:00"}, "starts_at"),
        ({"starts_at": "2201-01-01T09:00"}, "starts_at"),
        ({"ends_at": "2026-03-14T09:30"}, "ends_at"),
        ({"ends_at": "2026-03-22T09:31"}, "ends_at"),
        ({"venue": "", "online_url": ""}, "venue"),
        ({"online_url": "ftp://example.org/x"}, "online_url"),
        ({"online_url": "https://example.org/" + "x" * 500}, "online_url"),
        ({"title": "x" * 301}, "title"),
        ({"venue": "x" * 301}, "venue"),
    ],
)
def test_bad_values_name_the_field_to_correct(values, field, session, secretary):
    body, actor = secretary
    data = {"starts_at": "2026-03-14T09:30", "venue": "ห้องประชุม"} | values
    with pytest.raises(InvalidInput) as raised:
        meetings.create_meeting(
            session, actor, body_id=body.id, **{k: v for k, v in data.items() if v is not None}
        )
    assert field in raised.value.fields
    assert session.exec(select(Meeting)).all() == []


def test_online_only_meeting_is_fine(session, secretary):
    body, actor = secretary
    meeting = create(session, actor, body, venue="", online_url="https://meet.example.org/abc")
    assert (meeting.venue, meeting.online_url) == ("", "https://meet.example.org/abc")


# -- editing ----------------------------------------------------------------------------


def test_edit_needs_the_current_version(session, secretary):
    body, actor = secretary
    meeting = create(session, actor, body)
    meetings.update_meeting(
        session,
        actor,
        meeting_id=meeting.id,
        version=1,
        starts_at="2026-03-15T09:00",
        venue="ห้องใหม่",
    )
    with pytest.raises(StaleEdit):
        meetings.update_meeting(
            session,
            actor,
            meeting_id=meeting.id,
            version=1,
            starts_at="2026-03-16T09:00",
            venue="ห้องเก่า",
        )
    session.refresh(meeting)
    assert (meeting.venue, meeting.version) == ("ห้องใหม่", 2)


def test_edit_into_another_year_takes_that_years_next_number(session, secretary):
    body, actor = secretary
    first = create(session, actor, body, "2026-11-01T09:00")
    create(session, actor, body, "2027-01-10T09:00")
    moved = meetings.update_meeting(
        session, actor, meeting_id=first.id, version=1, starts_at="2027-02-01T09:00", venue="x"
    )
    assert meetings.meeting_label(moved) == "2/2570"


def test_edit_within_the_year_keeps_the_number(session, secretary):
    body, actor = secretary
    meeting = create(session, actor, body, "2026-03-14T09:30")
    moved = meetings.update_meeting(
        session, actor, meeting_id=meeting.id, version=1, starts_at="2026-08-01T09:00", venue="x"
    )
    assert meetings.meeting_label(moved) == "1/2569"


def test_edit_form_values_are_bangkok_wall_clock(session, secretary):
    body, actor = secretary
    meeting = create(session, actor, body, "2026-03-14T09:30", ends_at="2026-03-14T16:00")
    _meeting, _body, values = meetings.edit_meeting_form(session, actor, meeting_id=meeting.id)
    assert (values["starts_at"], values["ends_at"], values["version"]) == (
        "2026-03-14T09:30",
        "2026-03-14T16:00",
        1,
    )


def test_closed_meeting_cannot_be_edited(session, secretary):
    body, actor = secretary
    meeting = create(session, actor, body)
    meeting.status = MeetingStatus.closed
    session.add(meeting)
    session.commit()
    with pytest.raises(Conflict):
        meetings.update_meeting(
            session,
            actor,
            meeting_id=meeting.id,
            version=1,
            starts_at="2026-03-15T09:00",
            venue="x",
        )
    with pytest.raises(Conflict):
        meetings.edit_meeting_form(session, actor, meeting_id=meeting.id)


# -- the lifecycle ----------------------------------------------------------------------


def test_lifecycle_goes_one_step_at_a_time_to_closed(session, secretary):
    body, actor = secretary
    meeting = create(session, actor, body)
    for version, to in enumerate(["agenda_open", "agenda_published", "live", "closed"], start=1):
        meeting = meetings.advance_status(
            session, actor, meeting_id=meeting.id, to=to, version=version
        )
    assert meeting.status == MeetingStatus.closed
    with pytest.raises(Conflict):
        meetings.advance_status(
            session, actor, meeting_id=meeting.id, to="draft", version=meeting.version
        )


@pytest.mark.parametrize("to", ["agenda_published", "live", "closed", "draft", "bogus"])
def test_skipping_or_going_back_is_refused(to, session, secretary):
    body, actor = secretary
    meeting = create(session, actor, body)
    with pytest.raises(Conflict):
        meetings.advance_status(session, actor, meeting_id=meeting.id, to=to, version=1)
    session.refresh(meeting)
    assert meeting.status == MeetingStatus.draft


def test_members_cannot_change_the_stage(session, secretary):
    body, actor = secretary
    meeting = create(session, actor, body)
    member = factories.actor(session, factories.member(session, body, Role.member))
    with pytest.raises(Forbidden):
        meetings.advance_status(session, member, meeting_id=meeting.id, to="agenda_open", version=1)


# -- reading ----------------------------------------------------------------------------


def test_list_is_newest_first_with_counts_and_pages(session, secretary):
    body, actor = secretary
    factories.member(session, body, Role.member)
    made = [create(session, actor, body, f"2026-03-{day:02d}T09:00") for day in range(1, 24)]
    line = session.exec(select(Attendance).where(Attendance.meeting_id == made[-1].id)).first()
    line.status = AttendanceStatus.present
    session.add(line)
    session.commit()
    first = meetings.list_meetings(session, actor, body_id=body.id)
    assert first.total == 23 and first.pages == 2 and len(first.items) == 20
    assert first.items[0].meeting.id == made[-1].id
    assert (first.items[0].present, first.items[0].invited) == (1, 2)
    assert (first.items[1].present, first.items[1].invited) == (0, 2)
    assert len(meetings.list_meetings(session, actor, body_id=body.id, page=2).items) == 3


def test_overview_gathers_the_page_and_hides_the_record_from_members(session, secretary):
    body, actor = secretary
    factories.member(session, body, Role.member)
    meeting = create(session, actor, body)
    overview = meetings.meeting_overview(session, actor, meeting_id=meeting.id)
    assert overview.body.id == body.id and overview.next_status == MeetingStatus.agenda_open
    assert overview.attendance_open and overview.attendance.invited == 2
    member = factories.actor(session, factories.member(session, body, Role.observer))
    assert meetings.meeting_overview(session, member, meeting_id=meeting.id).log == []
    with pytest.raises(NotFound):
        meetings.meeting_overview(session, actor, meeting_id=999999)


# -- the calendar -----------------------------------------------------------------------


def test_calendar_is_crlf_folded_escaped_and_gregorian(session, secretary):
    body, actor = secretary
    title = "ทบทวนแผนงานร่วม; งบประมาณ, ตัวชี้วัด และ\\ข้อเสนอโครงการของเครือข่ายพลังงานชุมชนทั้งภาค"
    meeting = create(session, actor, body, "2026-03-14T09:30", title=title)
    text = calendar.meeting_calendar(
        session, actor, meeting_id=meeting.id, base_url="https://wethi.example.org"
    )
    physical = text.split("\r\n")
    assert physical[-1] == "" and all("\n" not in line for line in physical)
    assert all(len(line.encode()) <= 75 for line in physical)
    logical = "\r\n".join(physical).replace("\r\n ", "").split("\r\n")
    assert "DTSTART:20260314T023000Z" in logical and "DTEND:20260314T053000Z" in logical
    summary = next(line for line in logical if line.startswith("SUMMARY:"))
    assert "\\;" in summary and "\\," in summary and "\\\\" in summary
    assert f"URL:https://wethi.example.org/meetings/{meeting.id}" in logical
    assert "STATUS:TENTATIVE" in logical  # a draft


def test_folding_never_splits_a_thai_character(session, secretary):
    body, actor = secretary
    meeting = create(session, actor, body, "2026-03-14T09:30", title="ประชุม" * 40)
    text = calendar.meeting_calendar(session, actor, meeting_id=meeting.id, base_url="")
    physical = text.encode().split(b"\r\n")
    assert all(len(line) <= 75 for line in physical)
    for line in physical:
        line.decode("utf-8")  # each folded line is whole UTF-8: no character split
    logical = text.replace("\r\n ", "")
    assert "ประชุม" * 40 in logical


def test_body_calendar_of_an_unknown_body_is_not_found(session, secretary):
    _body, actor = secretary
    with pytest.raises(NotFound):
        calendar.body_calendar(session, actor, body_id=999999, base_url="")
    with pytest.raises(NotFound):
        calendar.meeting_calendar(session, actor, meeting_id=999999, base_url="")


def test_a_buddhist_era_year_typed_by_hand_is_read_as_the_common_era(session):
    body = factories.body(session)
    secretary = factories.member(session, body, Role.secretary)
    meeting = meetings.create_meeting(
        session,
        factories.actor(session, secretary),
        body_id=body.id,
        starts_at="2569-12-09T09:30",
        venue="ศาลาประชาคม",
    )
    assert to_local(meeting.starts_at).replace(tzinfo=None) == datetime(2026, 12, 9, 9, 30)
    assert (meeting.year_be, meeting.number) == (2569, 1)
