"""Attendance: invited members, self check-in with the meeting's code or QR, marking by
the secretary (present / absent with a reason / guest), substitutes (มาประชุมแทน), and
online join/leave — each kept with its time in the append-only attendance record."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import segno
from pydantic import BaseModel, Field
from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from forum import attempts, audit, events, i18n, labels, policy
from forum.dates import format_time
from forum.db import utcnow
from forum.errors import (
    Conflict,
    Conflicting,
    InvalidInput,
    NotAChoice,
    NotFound,
    RateLimited,
)
from forum.forms import ascii_digits, validate
from forum.models import (
    MAX_ID,
    Attendance,
    AttendanceEvent,
    AttendanceEventKind,
    AttendanceStatus,
    Body,
    LoginAttempt,
    Meeting,
    MeetingStatus,
    Organisation,
    Person,
)
from forum.people import person_choices
from forum.policy import Actor


@dataclass(frozen=True)
class AttendanceChanged(events.Event):
    """A line of the meeting's attendance changed: a check-in, a marking, a guest, an
    online join (the meeting page's counts and that line's status move)."""

    meeting_id: int
    attendance_id: int

CHECK_IN_OPENS_BEFORE = timedelta(hours=3)
CHECK_IN_CLOSES_AFTER = timedelta(hours=3)


class AttendanceRow(NamedTuple):
    """One line of the list, display-ready in the request's language. A tuple of plain
    values: the page shows fifty at a time, and reading a database row's attributes in a
    template costs many times more than a tuple's."""

    id: int
    status: str
    name: str
    organisation_name: str
    status_text: str
    absence_reason: str
    arrival_iso: str
    arrival_text: str
    substitute_for_id: int | None
    substitute_for_name: str


@dataclass(frozen=True)
class AttendanceSummary:
    rows: list[AttendanceRow]
    present: int
    absent: int
    invited: int
    guests: int


_SUBSTITUTE_FOR = Person.__table__.alias("substitute_for")  # type: ignore[attr-defined]
# Built once: only the parameters change from one request to the next.
_ATTENDANCE_OF_MEETING = (
    select(
        # In the order list_attendance unpacks them.
        Attendance.id,
        Attendance.status,
        Attendance.absence_reason,
        Attendance.checked_in_at,
        Attendance.substitute_for_id,
        Attendance.guest_name,
        Attendance.guest_organisation,
        col(Person.display_name).label("person_name"),
        col(Organisation.name).label("organisation_name"),
        _SUBSTITUTE_FOR.c.display_name.label("substitute_for_name"),
        # Only what the page shows: each date column costs a conversion per row. The API
        # reads whole lines with attendance_lines.
    )
    .join(Person, Person.id == Attendance.person_id, isouter=True)
    .join(Organisation, Organisation.id == Person.organisation_id, isouter=True)
    .join(_SUBSTITUTE_FOR, _SUBSTITUTE_FOR.c.id == Attendance.substitute_for_id, isouter=True)
    .where(Attendance.meeting_id == bindparam("meeting_id"))
)


def _by_name(row: AttendanceRow) -> str:
    return row.name


def list_attendance(session: Session, actor: Actor, *, meeting: Any) -> AttendanceSummary:
    """Everyone on the meeting's list, with names, in one query; members first, then
    guests, each by name. Rows are read-only records. Raises Forbidden."""
    policy.require(actor, "forum.meeting.view", meeting)
    lines = session.connection().execute(_ATTENDANCE_OF_MEETING, {"meeting_id": meeting.id}).all()
    status_text = {status: i18n.gettext(labels.LABELS[status]) for status in AttendanceStatus}
    locale = i18n.current_locale.get()
    members: list[AttendanceRow] = []
    guests: list[AttendanceRow] = []
    count: Counter[str] = Counter()
    for line in lines:
        # By position: a database row's attributes cost more than the tuple's items.
        (id, status, reason, arrived, substitute_for_id, guest_name, guest_organisation,
         person_name, organisation_name, substitute_for_name) = line  # fmt: skip
        count[status] += 1
        (guests if status == AttendanceStatus.guest else members).append(
            AttendanceRow(
                id,
                status,
                person_name or guest_name,
                organisation_name or guest_organisation,
                status_text[status],
                reason,
                arrived.isoformat() if arrived else "",
                format_time(arrived, locale) if arrived else "",
                substitute_for_id,
                substitute_for_name or "",
            )
        )
    members.sort(key=_by_name)
    guests.sort(key=_by_name)
    return AttendanceSummary(
        members + guests,
        count[AttendanceStatus.present],
        count[AttendanceStatus.absent],
        count[AttendanceStatus.invited],
        count[AttendanceStatus.guest],
    )


def attendance_lines(session: Session, actor: Actor, *, meeting: Any) -> list[Attendance]:
    """The meeting's attendance lines with all their columns (for the API). Raises
    Forbidden."""
    policy.require(actor, "forum.meeting.view", meeting)
    return list(session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id)))


def row_of(summary: AttendanceSummary, attendance_id: int) -> AttendanceRow:
    """One line of a listed attendance. Raises NotFound."""
    for row in summary.rows:
        if row.id == attendance_id:
            return row
    raise NotFound()


def _log(
    session: Session,
    actor: Actor,
    attendance: Attendance,
    kind: AttendanceEventKind,
    detail: str = "",
) -> None:
    session.add(
        AttendanceEvent(
            meeting_id=attendance.meeting_id,
            attendance_id=attendance.id,
            kind=kind,
            by_person_id=actor.person_id,
            detail=detail[:300],
        )
    )


def _open_for_changes(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.closed:
        raise Conflict("This meeting is closed; its attendance can no longer be changed.")


# -- self check-in --------------------------------------------------------------------




class UnknownCode(InvalidInput):
    """A well-formed check-in code no meeting has: the form says so beside the field; the
    JSON API answers it as what it is, a meeting not found (404)."""

    MESSAGE = "No meeting has this code. Check the code on the screen and try again."

    def __init__(self) -> None:
        super().__init__({"code": self.MESSAGE})


def meeting_for_code(session: Session, code: str) -> Meeting:
    """Raises InvalidInput (not a code) or UnknownCode (no meeting has it)."""
    # Thai digits (๑๒๓…) are what a Thai keyboard types first: read them as 0-9.
    code = ascii_digits("".join(ch for ch in (code or "") if not ch.isspace()))
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        raise InvalidInput({"code": "The check-in code has 6 digits."})
    meeting = session.exec(select(Meeting).where(Meeting.checkin_code == code)).first()
    if meeting is None:
        raise UnknownCode()
    return meeting


# A code has a million values: a person who keeps typing wrong ones is guessing.
WRONG_CODES_PER_15_MIN = 20


def _meeting_for_person(session: Session, actor: Actor, code: str) -> Meeting:
    """meeting_for_code, with each wrong code counted against the person. Raises
    RateLimited, InvalidInput."""
    key = f"checkin:{actor.person_id}"
    if attempts.recent_attempts(session, key, minutes=15) >= WRONG_CODES_PER_15_MIN:
        raise RateLimited()
    try:
        return meeting_for_code(session, code)
    except InvalidInput:
        session.add(LoginAttempt(key=key))
        session.commit()
        raise


@dataclass(frozen=True)
class CheckInPreview:
    meeting: Meeting
    body: Body
    attendance: Attendance | None  # the person's line, if they are on the list


def preview_check_in(session: Session, actor: Actor, *, code: str) -> CheckInPreview:
    """The meeting a code opens (from the QR), before the person confirms. Raises
    Forbidden, InvalidInput, RateLimited."""
    policy.require(actor, "forum.meeting.check_in")
    meeting = _meeting_for_person(session, actor, code)
    body = session.get(Body, meeting.body_id)
    assert body is not None
    line = session.exec(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.person_id == actor.person_id
        )
    ).first()
    return CheckInPreview(meeting, body, line)


def checkin_url(base_url: str, meeting: Meeting) -> str:
    """The address the QR code opens: the check-in page with the code filled in."""
    return f"{base_url.rstrip('/')}/checkin?code={meeting.checkin_code}"


def checkin_qr_svg(session: Session, actor: Actor, *, meeting_id: int, base_url: str) -> str:
    """The check-in QR code as SVG, for the projector or a printed sheet. Raises
    Forbidden, NotFound."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound()
    policy.require(actor, "forum.meeting.manage_attendance", meeting)
    buffer = io.BytesIO()
    qr = segno.make(checkin_url(base_url, meeting), error="m", micro=False)
    qr.save(
        buffer, kind="svg", scale=8, border=2, xmldecl=False, svgns=True, title=meeting.checkin_code
    )
    return buffer.getvalue().decode()


def check_in_is_open(meeting: Any, now: datetime | None = None) -> bool:
    """From 3 hours before the start to 3 hours after the end, or while it is in session."""
    if meeting.status == MeetingStatus.closed:
        return False
    if meeting.status == MeetingStatus.live:
        return True
    now = now or utcnow()
    return (
        meeting.starts_at - CHECK_IN_OPENS_BEFORE <= now <= meeting.ends_at + CHECK_IN_CLOSES_AFTER
    )


def check_in(session: Session, actor: Actor, *, code: str) -> tuple[Meeting, Attendance]:
    """A person checks themselves in at the venue with the code (or its QR). A person not on
    the list is recorded as a guest. Raises Forbidden, InvalidInput, Conflict (too early,
    too late, closed, already checked in), RateLimited (guessing codes)."""
    policy.require(actor, "forum.meeting.check_in")
    meeting = _meeting_for_person(session, actor, code)
    _open_for_changes(meeting)
    now = utcnow()
    if not check_in_is_open(meeting, now):
        if now < meeting.starts_at - CHECK_IN_OPENS_BEFORE:
            raise Conflict("Check-in opens 3 hours before the meeting starts.")
        raise Conflict("Check-in for this meeting has ended.")
    attendance = session.exec(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.person_id == actor.person_id
        )
    ).first()
    if attendance is not None and attendance.checked_in_at is not None:
        raise Conflict("You are already checked in to this meeting.")
    if attendance is None:
        attendance = Attendance(
            meeting_id=meeting.id, person_id=actor.person_id, status=AttendanceStatus.guest
        )
    elif attendance.status != AttendanceStatus.guest:
        attendance.status = AttendanceStatus.present
        attendance.absence_reason = ""
    attendance.checked_in_at = attendance.updated_at = now
    session.add(attendance)
    try:
        session.flush()
    except IntegrityError:  # the same person, twice at the same moment
        session.rollback()
        raise Conflict("You are already checked in to this meeting.") from None
    _log(session, actor, attendance, AttendanceEventKind.check_in, "code")
    audit.record(session, actor, "forum.meeting.check_in", attendance)
    session.commit()
    events.record(session, AttendanceChanged(meeting.id, attendance.id))  # type: ignore[arg-type]
    return meeting, attendance


# -- the secretary's marking ----------------------------------------------------------


class Marking(BaseModel):
    status: AttendanceStatus
    absence_reason: str | None = Field(default=None, max_length=300)
    substitute_for_id: int | None = Field(default=None, ge=1, le=MAX_ID)


def mark_attendance(
    session: Session,
    actor: Actor,
    *,
    attendance_id: int,
    meeting_id: int | None = None,
    **data: object,
) -> Attendance:
    """Mark one line present / absent (with a reason) / invited, or as substituting for a
    member; `meeting_id`, when given, must be the line's meeting. Raises Forbidden,
    NotFound, Conflict, InvalidInput."""
    attendance = session.get(Attendance, attendance_id)
    if attendance is None or (meeting_id is not None and attendance.meeting_id != meeting_id):
        raise NotFound()
    meeting = session.get(Meeting, attendance.meeting_id)
    assert meeting is not None
    policy.require(actor, "forum.meeting.manage_attendance", meeting)
    _open_for_changes(meeting)
    values = validate(Marking, data)
    if values.status == AttendanceStatus.absent and not values.absence_reason:
        raise InvalidInput({"absence_reason": "Please give the reason for the absence."})
    if (
        values.status == AttendanceStatus.guest
        and attendance.person_id is not None
        and not values.substitute_for_id
    ):
        raise Conflicting({"status": "Please choose one of the options."})
    if values.substitute_for_id is not None:
        _check_substitute(session, meeting, attendance, values.substitute_for_id)
    before = audit.snapshot(attendance)
    attendance.status = values.status
    attendance.absence_reason = (
        values.absence_reason or "" if values.status == AttendanceStatus.absent else ""
    )
    attendance.substitute_for_id = values.substitute_for_id
    attendance.updated_at = utcnow()
    kind = {
        AttendanceStatus.present: AttendanceEventKind.marked_present,
        AttendanceStatus.absent: AttendanceEventKind.marked_absent,
        AttendanceStatus.invited: AttendanceEventKind.marked_invited,
        AttendanceStatus.guest: AttendanceEventKind.marked_present,
    }[values.status]
    _log(session, actor, attendance, kind, attendance.absence_reason)
    audit.record(session, actor, "forum.meeting.mark_attendance", attendance, before=before)
    session.commit()
    events.record(session, AttendanceChanged(attendance.meeting_id, attendance.id))  # type: ignore[arg-type]
    return attendance


def _check_substitute(
    session: Session, meeting: Meeting, attendance: Attendance, member_id: int
) -> None:
    member_line = session.exec(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.person_id == member_id
        )
    ).first()
    if member_line is None or member_id == attendance.person_id:
        raise InvalidInput({"substitute_for_id": "Choose a member invited to this meeting."})
    taken = session.exec(
        select(Attendance.id).where(
            Attendance.meeting_id == meeting.id,
            Attendance.substitute_for_id == member_id,
            Attendance.id != attendance.id,
        )
    ).first()
    if taken:
        raise InvalidInput({"substitute_for_id": "Someone already substitutes for this member."})


@dataclass(frozen=True)
class GuestForm:
    meeting: Meeting
    body: Body
    people: list[tuple[int, str]]  # accounts not yet on the list
    members: list[tuple[int, str]]  # members on the list, whom a substitute may stand in for


def guest_form(session: Session, actor: Actor, *, meeting_id: int) -> GuestForm:
    """The choices for adding a guest or a substitute. Raises Forbidden, NotFound, Conflict."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound()
    policy.require(actor, "forum.meeting.manage_attendance", meeting)
    _open_for_changes(meeting)
    body = session.get(Body, meeting.body_id)
    assert body is not None
    listed = session.exec(
        select(Attendance.person_id, Person.display_name, Attendance.status)
        .join(Person, Person.id == Attendance.person_id)
        .where(Attendance.meeting_id == meeting_id)
        .order_by(col(Person.display_name))
    ).all()
    on_list = {person_id for person_id, _name, _status in listed}
    members = [
        (person_id, name) for person_id, name, status in listed if status != AttendanceStatus.guest
    ]
    people = [
        (person_id, text) for person_id, text in person_choices(session) if person_id not in on_list
    ]
    return GuestForm(meeting, body, people, members)


class GuestFields(BaseModel):
    person_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    guest_name: str | None = Field(default=None, max_length=120)
    guest_organisation: str | None = Field(default=None, max_length=200)
    substitute_for_id: int | None = Field(default=None, ge=1, le=MAX_ID)


def add_guest(session: Session, actor: Actor, *, meeting_id: int, **data: object) -> Attendance:
    """Add a guest or a substitute, by account or by name; marked present. Raises
    Forbidden, NotFound, Conflict, InvalidInput."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound()
    policy.require(actor, "forum.meeting.manage_attendance", meeting)
    _open_for_changes(meeting)
    values = validate(GuestFields, data)
    if values.person_id is None and not values.guest_name:
        raise InvalidInput({"guest_name": "Give the guest's name, or choose a person."})
    if values.person_id is not None:
        if session.get(Person, values.person_id) is None:
            raise NotAChoice({"person_id": "Please choose one of the options."})
        if session.exec(
            select(Attendance.id).where(
                Attendance.meeting_id == meeting_id, Attendance.person_id == values.person_id
            )
        ).first():
            raise Conflict("This person is already on the attendance list.")
    attendance = Attendance(
        meeting_id=meeting_id,
        person_id=values.person_id,
        guest_name="" if values.person_id else values.guest_name or "",
        guest_organisation=values.guest_organisation or "",
        status=AttendanceStatus.guest,
    )
    if values.substitute_for_id is not None:
        _check_substitute(session, meeting, attendance, values.substitute_for_id)
        attendance.substitute_for_id = values.substitute_for_id
    session.add(attendance)
    session.flush()
    _log(session, actor, attendance, AttendanceEventKind.guest_added)
    audit.record(session, actor, "forum.meeting.add_guest", attendance)
    session.commit()
    events.record(session, AttendanceChanged(attendance.meeting_id, attendance.id))  # type: ignore[arg-type]
    return attendance


# -- online ---------------------------------------------------------------------------


def record_online(session: Session, actor: Actor, *, meeting_id: int, joining: bool) -> Meeting:
    """Keep an online join or leave with its time. Raises Forbidden, NotFound, Conflict."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound()
    policy.require(actor, "forum.meeting.join_online", meeting)
    _open_for_changes(meeting)
    if not meeting.online_url:
        raise Conflict("This meeting has no online link.")
    attendance = session.exec(
        select(Attendance).where(
            Attendance.meeting_id == meeting_id, Attendance.person_id == actor.person_id
        )
    ).first()
    if attendance is None:
        attendance = Attendance(
            meeting_id=meeting_id, person_id=actor.person_id, status=AttendanceStatus.guest
        )
        session.add(attendance)
        session.flush()
    if joining and attendance.status == AttendanceStatus.invited:
        attendance.status = AttendanceStatus.present
        attendance.updated_at = utcnow()
    _log(
        session,
        actor,
        attendance,
        AttendanceEventKind.join_online if joining else AttendanceEventKind.leave_online,
    )
    if joining:
        events.record(session, AttendanceChanged(meeting_id, attendance.id))  # type: ignore[arg-type]
    session.commit()
    return meeting


_EVENTS_OF_MEETING = (
    select(
        *AttendanceEvent.__table__.columns,  # type: ignore[attr-defined]
        col(Person.display_name).label("person_name"),
        col(Attendance.guest_name).label("guest_name"),
    )
    .join(Attendance, Attendance.id == AttendanceEvent.attendance_id)
    .join(Person, Person.id == Attendance.person_id, isouter=True)
    .where(AttendanceEvent.meeting_id == bindparam("meeting_id"))
    .order_by(col(AttendanceEvent.id))
)


def attendance_log(session: Session, actor: Actor, *, meeting: Any) -> list[tuple[Any, str]]:
    """The traffic record, oldest first: (event, name), the event a read-only row.
    Raises Forbidden."""
    policy.require(actor, "forum.meeting.manage_attendance", meeting)
    rows = session.connection().execute(_EVENTS_OF_MEETING, {"meeting_id": meeting.id}).all()
    return [(row, row.person_name or row.guest_name) for row in rows]
