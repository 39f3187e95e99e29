"""forum.attendance: self check-in, marking, guests and substitutes, online traffic and
the attendance record — one test per outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from forum import attendance
from forum.errors import Conflict, Forbidden, InvalidInput, NotFound, RateLimited
from forum.models import (
    Attendance,
    AttendanceEvent,
    AttendanceEventKind,
    AttendanceStatus,
    MeetingStatus,
    Role,
)
from tests import factories


@pytest.fixture
def setting(session):
    """A body with a secretary and a member, and a meeting starting in 20 minutes."""
    body = factories.body(session)
    secretary = factories.actor(session, factories.member(session, body, Role.secretary))
    member_person = factories.member(session, body, Role.member)
    meeting = factories.meeting(session, body, starts_in=timedelta(minutes=20))
    return body, secretary, factories.actor(session, member_person), meeting


def line_of(session, meeting, person_id):
    session.expire_all()
    return session.exec(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.person_id == person_id
        )
    ).one()


def kinds(session, meeting):
    session.expire_all()
    return list(
        session.exec(
            select(AttendanceEvent.kind)
            .where(AttendanceEvent.meeting_id == meeting.id)
            .order_by(AttendanceEvent.id)
        ).all()
    )


def set_status(session, meeting, status):
    meeting.status = status
    session.add(meeting)
    session.commit()


# -- self check-in ----------------------------------------------------------------------


def test_check_in_makes_an_invited_member_present_with_the_time(session, setting):
    _body, _secretary, member, meeting = setting
    found, line = attendance.check_in(session, member, code=meeting.checkin_code)
    assert found.id == meeting.id
    assert line.status == AttendanceStatus.present and line.checked_in_at is not None
    assert kinds(session, meeting) == [AttendanceEventKind.check_in]


def test_second_check_in_is_refused_and_logged_once(session, setting):
    _body, _secretary, member, meeting = setting
    attendance.check_in(session, member, code=meeting.checkin_code)
    with pytest.raises(Conflict, match="already checked in"):
        attendance.check_in(session, member, code=meeting.checkin_code)
    assert kinds(session, meeting) == [AttendanceEventKind.check_in]


def test_check_in_turns_an_absence_into_presence(session, setting):
    _body, secretary, member, meeting = setting
    line = line_of(session, meeting, member.person_id)
    attendance.mark_attendance(
        session, secretary, attendance_id=line.id, status="absent", absence_reason="ป่วย"
    )
    _meeting, line = attendance.check_in(session, member, code=meeting.checkin_code)
    assert (line.status, line.absence_reason) == (AttendanceStatus.present, "")


def test_outsider_checking_in_becomes_a_guest(session, setting):
    _body, _secretary, _member, meeting = setting
    outsider = factories.actor(session, factories.person(session))
    _meeting, line = attendance.check_in(session, outsider, code=meeting.checkin_code)
    assert line.status == AttendanceStatus.guest


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5x", "๑๒๓๔๕"])
def test_malformed_code_is_invalid_input(code, session, setting):
    _body, _secretary, member, meeting = setting
    with pytest.raises(InvalidInput) as raised:
        attendance.check_in(session, member, code=code)
    assert raised.value.fields["code"].msgid == "The check-in code has 6 digits."
    assert kinds(session, meeting) == []


def test_unknown_code_is_invalid_input(session, setting):
    _body, _secretary, member, meeting = setting
    unknown = "000000" if meeting.checkin_code != "000000" else "000001"
    with pytest.raises(InvalidInput) as raised:
        attendance.check_in(session, member, code=unknown)
    assert "No meeting has this code" in raised.value.fields["code"].msgid


@pytest.mark.parametrize(
    ("starts_in", "message"),
    [(timedelta(hours=4), "opens 3 hours"), (timedelta(hours=-7), "has ended")],
)
def test_check_in_window_opens_3_hours_before_and_closes_3_hours_after(starts_in, message, session):
    body = factories.body(session)
    member = factories.actor(session, factories.member(session, body, Role.member))
    meeting = factories.meeting(session, body, starts_in=starts_in)
    with pytest.raises(Conflict, match=message):
        attendance.check_in(session, member, code=meeting.checkin_code)


def test_closed_meeting_refuses_check_in(session, setting):
    _body, _secretary, member, meeting = setting
    set_status(session, meeting, MeetingStatus.closed)
    with pytest.raises(Conflict, match="closed"):
        attendance.check_in(session, member, code=meeting.checkin_code)


def test_preview_shows_the_meeting_and_whether_already_in(session, setting):
    body, _secretary, member, meeting = setting
    preview = attendance.preview_check_in(session, member, code=meeting.checkin_code)
    assert (preview.meeting.id, preview.body.id, preview.attendance.checked_in_at) == (
        meeting.id,
        body.id,
        None,
    )
    attendance.check_in(session, member, code=meeting.checkin_code)
    assert (
        attendance.preview_check_in(
            session, member, code=meeting.checkin_code
        ).attendance.checked_in_at
        is not None
    )


# -- marking ----------------------------------------------------------------------------


def test_absent_requires_a_reason(session, setting):
    _body, secretary, member, meeting = setting
    line = line_of(session, meeting, member.person_id)
    with pytest.raises(InvalidInput) as raised:
        attendance.mark_attendance(session, secretary, attendance_id=line.id, status="absent")
    assert "absence_reason" in raised.value.fields
    assert line_of(session, meeting, member.person_id).status == AttendanceStatus.invited


def test_marking_is_logged_with_its_kind(session, setting):
    _body, secretary, member, meeting = setting
    line = line_of(session, meeting, member.person_id)
    attendance.mark_attendance(session, secretary, attendance_id=line.id, status="present")
    attendance.mark_attendance(
        session, secretary, attendance_id=line.id, status="absent", absence_reason="ลา"
    )
    attendance.mark_attendance(session, secretary, attendance_id=line.id, status="invited")
    assert kinds(session, meeting) == [
        AttendanceEventKind.marked_present,
        AttendanceEventKind.marked_absent,
        AttendanceEventKind.marked_invited,
    ]


def test_members_cannot_mark(session, setting):
    _body, _secretary, member, meeting = setting
    line = line_of(session, meeting, member.person_id)
    with pytest.raises(Forbidden):
        attendance.mark_attendance(session, member, attendance_id=line.id, status="present")


def test_marking_a_line_through_another_meeting_is_not_found(session, setting):
    body, secretary, member, meeting = setting
    other = factories.meeting(session, body)
    line = line_of(session, meeting, member.person_id)
    with pytest.raises(NotFound):
        attendance.mark_attendance(
            session, secretary, attendance_id=line.id, meeting_id=other.id, status="present"
        )


def test_closed_meeting_attendance_is_final(session, setting):
    _body, secretary, member, meeting = setting
    set_status(session, meeting, MeetingStatus.closed)
    line = line_of(session, meeting, member.person_id)
    with pytest.raises(Conflict):
        attendance.mark_attendance(session, secretary, attendance_id=line.id, status="present")


# -- guests and substitutes -------------------------------------------------------------


def test_guest_by_name_and_by_account(session, setting):
    _body, secretary, _member, meeting = setting
    by_name = attendance.add_guest(
        session, secretary, meeting_id=meeting.id, guest_name="นายทองดี", guest_organisation="อบต."
    )
    person = factories.person(session)
    by_account = attendance.add_guest(
        session, secretary, meeting_id=meeting.id, person_id=person.id
    )
    assert (by_name.person_id, by_name.status) == (None, AttendanceStatus.guest)
    assert (by_account.person_id, by_account.guest_name) == (person.id, "")
    with pytest.raises(Conflict):
        attendance.add_guest(session, secretary, meeting_id=meeting.id, person_id=person.id)


def test_substitute_must_stand_in_for_an_invited_member_and_only_one(session, setting):
    _body, secretary, member, meeting = setting
    substitute = attendance.add_guest(
        session,
        secretary,
        meeting_id=meeting.id,
        guest_name="ผู้แทน",
        substitute_for_id=member.person_id,
    )
    assert substitute.substitute_for_id == member.person_id
    with pytest.raises(InvalidInput):
        attendance.add_guest(
            session,
            secretary,
            meeting_id=meeting.id,
            guest_name="อีกคน",
            substitute_for_id=member.person_id,
        )
    outsider = factories.person(session)
    with pytest.raises(InvalidInput):
        attendance.add_guest(
            session,
            secretary,
            meeting_id=meeting.id,
            guest_name="คนนอก",
            substitute_for_id=outsider.id,
        )


def test_guest_form_lists_people_not_on_the_list_and_members_to_substitute_for(session, setting):
    _body, secretary, member, meeting = setting
    outsider = factories.person(session)
    form = attendance.guest_form(session, secretary, meeting_id=meeting.id)
    people = {person_id for person_id, _ in form.people}
    assert outsider.id in people and member.person_id not in people
    assert member.person_id in {person_id for person_id, _ in form.members}


# -- online and the record --------------------------------------------------------------


def test_joining_online_marks_present_and_leaving_is_recorded(session, setting):
    _body, _secretary, member, meeting = setting
    meeting.online_url = "https://meet.example.org/x"
    session.add(meeting)
    session.commit()
    attendance.record_online(session, member, meeting_id=meeting.id, joining=True)
    attendance.record_online(session, member, meeting_id=meeting.id, joining=False)
    assert line_of(session, meeting, member.person_id).status == AttendanceStatus.present
    assert kinds(session, meeting) == [
        AttendanceEventKind.join_online,
        AttendanceEventKind.leave_online,
    ]


def test_no_online_link_no_join(session, setting):
    _body, _secretary, member, meeting = setting
    with pytest.raises(Conflict):
        attendance.record_online(session, member, meeting_id=meeting.id, joining=True)


def test_attendance_list_counts_and_names_in_one_go(session, setting):
    _body, secretary, member, meeting = setting
    attendance.check_in(session, member, code=meeting.checkin_code)
    attendance.add_guest(session, secretary, meeting_id=meeting.id, guest_name="แขก")
    summary = attendance.list_attendance(session, secretary, meeting=meeting)
    assert (summary.present, summary.invited, summary.guests, summary.absent) == (1, 1, 1, 0)
    assert summary.rows[-1].name == "แขก"  # guests after members
    assert attendance.row_of(summary, summary.rows[0].id) is summary.rows[0]
    with pytest.raises(NotFound):
        attendance.row_of(summary, 999999)


def test_record_is_for_attendance_keepers_only(session, setting):
    _body, secretary, member, meeting = setting
    attendance.check_in(session, member, code=meeting.checkin_code)
    log = attendance.attendance_log(session, secretary, meeting=meeting)
    assert [(event.kind, name) for event, name in log] == [
        (AttendanceEventKind.check_in, member.display_name)
    ]
    with pytest.raises(Forbidden):
        attendance.attendance_log(session, member, meeting=meeting)


def test_qr_is_svg_of_the_check_in_link_for_keepers_only(session, setting):
    _body, secretary, member, meeting = setting
    svg = attendance.checkin_qr_svg(
        session, secretary, meeting_id=meeting.id, base_url="https://wethi.example.org/"
    )
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert (
        attendance.checkin_url("https://wethi.example.org/", meeting)
        == f"https://wethi.example.org/checkin?code={meeting.checkin_code}"
    )
    with pytest.raises(Forbidden):
        attendance.checkin_qr_svg(session, member, meeting_id=meeting.id, base_url="")


def test_wrong_codes_are_counted_and_guessing_is_stopped(session, setting):
    _body, _secretary, member, meeting = setting
    for _ in range(attendance.WRONG_CODES_PER_15_MIN):
        with pytest.raises(InvalidInput):
            attendance.check_in(session, member, code="12345x")
    with pytest.raises(RateLimited):
        attendance.check_in(session, member, code=meeting.checkin_code)
    with pytest.raises(RateLimited):
        attendance.preview_check_in(session, member, code=meeting.checkin_code)


# -- the counts a meeting list shows ------------------------------------------------------


def stored_counts(session, meeting):
    """The meeting's counts as the database keeps them, and as counted from its lines."""
    session.expire_all()
    row = session.get(type(meeting), meeting.id)
    lines = session.exec(select(Attendance.status).where(Attendance.meeting_id == meeting.id)).all()
    present = sum(status in (AttendanceStatus.present, AttendanceStatus.guest) for status in lines)
    return (row.attendance_present, row.attendance_total), (present, len(lines))


def test_meeting_counts_follow_every_change_of_its_lines(session, setting):
    _body, secretary, member, meeting = setting
    assert stored_counts(session, meeting) == ((0, 2), (0, 2))  # both members invited
    attendance.check_in(session, member, code=meeting.checkin_code)
    assert stored_counts(session, meeting) == ((1, 2), (1, 2))
    guest = attendance.add_guest(session, secretary, meeting_id=meeting.id, guest_name="แขก")
    assert stored_counts(session, meeting) == ((2, 3), (2, 3))
    secretary_line = line_of(session, meeting, secretary.person_id)
    attendance.mark_attendance(
        session,
        secretary,
        attendance_id=secretary_line.id,
        status="absent",
        absence_reason="ติดราชการ",
    )
    attendance.mark_attendance(
        session, secretary, attendance_id=guest.id, status="absent", absence_reason="กลับก่อน"
    )
    assert stored_counts(session, meeting) == ((1, 3), (1, 3))
    # A reason changed without the status leaves the counts alone.
    attendance.mark_attendance(
        session, secretary, attendance_id=guest.id, status="absent", absence_reason="ป่วย"
    )
    assert stored_counts(session, meeting) == ((1, 3), (1, 3))
    # Written by anything else (a bulk load, a deletion), the counts still follow.
    extra = Attendance(meeting_id=meeting.id, guest_name="ผู้สังเกตการณ์", status="guest")
    session.add(extra)
    session.commit()
    assert stored_counts(session, meeting) == ((2, 4), (2, 4))
    session.delete(extra)
    session.commit()
    assert stored_counts(session, meeting) == ((1, 3), (1, 3))
