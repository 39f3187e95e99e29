"""Meetings (การประชุม / เวที) of a body: numbering per body and Buddhist year, the status
lifecycle, listing, and the calendar (.ics)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, Field, HttpUrl, model_validator
from sqlalchemy import case
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from forum import audit, policy
from forum.dates import buddhist_year, from_local, to_local
from forum.db import utcnow
from forum.errors import Conflict, InvalidInput, NotFound, StaleEdit
from forum.forms import validate
from forum.models import Attendance, AttendanceStatus, Body, Meeting, MeetingStatus, Membership
from forum.paging import Page, paginate
from forum.policy import Actor
from forum.security import new_numeric_code

# draft → agenda_open → agenda_published → live → closed (later issues fill the middle)
NEXT_STATUS = {
    MeetingStatus.draft: MeetingStatus.agenda_open,
    MeetingStatus.agenda_open: MeetingStatus.agenda_published,
    MeetingStatus.agenda_published: MeetingStatus.live,
    MeetingStatus.live: MeetingStatus.closed,
}


def meeting_label(meeting: Meeting) -> str:
    """ครั้งที่ 3/2569 — the number the Thai minutes use."""
    return f"{meeting.number}/{meeting.year_be}"


@dataclass(frozen=True)
class MeetingRow:
    meeting: Meeting
    present: int
    invited: int


class MeetingFields(BaseModel):
    title: str | None = Field(default=None, max_length=300)
    starts_at: datetime  # Bangkok wall-clock time, as typed
    ends_at: datetime | None = None
    venue: str | None = Field(default=None, max_length=300)
    online_url: HttpUrl | None = None

    @model_validator(mode="after")
    def _sensible(self) -> MeetingFields:
        if self.ends_at is None:
            self.ends_at = self.starts_at + timedelta(hours=3)
        if self.ends_at <= self.starts_at:
            raise ValueError("The meeting must end after it starts.")
        if self.ends_at - self.starts_at > timedelta(days=7):
            raise ValueError("A meeting can last at most 7 days.")
        if not self.venue and not self.online_url:
            raise ValueError("Give a venue, an online link, or both.")
        return self


def _fields(data: dict[str, object]) -> MeetingFields:
    values = validate(MeetingFields, data)
    if values.online_url and values.online_url.scheme not in {"https", "http"}:
        raise InvalidInput({"online_url": "Please enter a web address starting with https://"})
    return values


def list_meetings(session: Session, actor: Actor, *, body_id: int, page: int = 1, per_page: int = 20) -> Page[MeetingRow]:
    """Newest first, with present/invited counts in the same query. Raises Forbidden."""
    policy.require(actor, "forum.meeting.view")
    counts = (
        select(
            Attendance.meeting_id,
            func.sum(case((col(Attendance.status).in_([AttendanceStatus.present, AttendanceStatus.guest]), 1), else_=0)).label("present"),
            func.count().label("invited"),
        )
        .group_by(col(Attendance.meeting_id))
        .subquery()
    )
    base = select(Meeting).where(Meeting.body_id == body_id).order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc())
    meetings = paginate(session, base, page=page, per_page=per_page)
    ids = [meeting.id for meeting in meetings.items]
    tallies = {row[0]: (row[1] or 0, row[2]) for row in session.exec(select(counts).where(counts.c.meeting_id.in_(ids or [-1])))}
    rows = [MeetingRow(m, *tallies.get(m.id, (0, 0))) for m in meetings.items]
    return Page(rows, meetings.total, meetings.page, meetings.per_page)


def upcoming_meetings(session: Session, actor: Actor, *, limit: int = 10) -> list[tuple[Meeting, Body]]:
    """The actor's bodies' meetings from today on (all bodies for an admin)."""
    policy.require(actor, "forum.meeting.view")
    query = select(Meeting, Body).join(Body, Body.id == Meeting.body_id).where(Meeting.ends_at >= utcnow() - timedelta(hours=12))
    if not actor.is_admin:
        query = query.where(col(Meeting.body_id).in_(list(actor.roles) or [-1]))
    return list(session.exec(query.order_by(col(Meeting.starts_at)).limit(limit)).all())


def get_meeting(session: Session, actor: Actor, *, meeting_id: int) -> Meeting:
    """Raises Forbidden, NotFound."""
    policy.require(actor, "forum.meeting.view")
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound()
    return meeting


def _unused_code(session: Session) -> str:
    while True:
        code = new_numeric_code(6)
        if not session.exec(select(Meeting.id).where(Meeting.checkin_code == code)).first():
            return code


def create_meeting(session: Session, actor: Actor, *, body_id: int, **data: object) -> Meeting:
    """Number it (next for the body in its Buddhist year) and invite the current members.
    Raises Forbidden, NotFound, Conflict (archived body), InvalidInput."""
    body = session.get(Body, body_id)
    if body is None:
        raise NotFound()
    policy.require(actor, "forum.meeting.create", body)
    if body.archived_at is not None:
        raise Conflict("This body is archived; it cannot hold new meetings.")
    values = _fields(data)
    assert values.ends_at is not None
    year_be = buddhist_year(values.starts_at)
    for _attempt in range(5):  # two secretaries creating at once: the unique key decides
        number = (session.exec(select(func.max(Meeting.number)).where(Meeting.body_id == body_id, Meeting.year_be == year_be)).one() or 0) + 1
        meeting = Meeting(
            body_id=body_id,
            year_be=year_be,
            number=number,
            title=values.title or "",
            starts_at=from_local(values.starts_at),
            ends_at=from_local(values.ends_at),
            venue=values.venue or "",
            online_url=str(values.online_url or ""),
            checkin_code=_unused_code(session),
            created_by=actor.person_id,
        )
        session.add(meeting)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            continue
        break
    else:
        raise Conflict("Please try again: another meeting was being created at the same moment.")
    members = session.exec(select(Membership.person_id).where(Membership.body_id == body_id)).all()
    session.add_all([Attendance(meeting_id=meeting.id, person_id=person_id) for person_id in members])
    audit.record(session, actor, "forum.meeting.create", meeting)
    session.commit()
    return meeting


def update_meeting(session: Session, actor: Actor, *, meeting_id: int, version: int, **data: object) -> Meeting:
    """Raises Forbidden, NotFound, StaleEdit, Conflict (closed), InvalidInput."""
    meeting = get_meeting(session, actor, meeting_id=meeting_id)
    policy.require(actor, "forum.meeting.edit", meeting)
    if meeting.version != version:
        raise StaleEdit()
    if meeting.status == MeetingStatus.closed:
        raise Conflict("This meeting is closed; it can no longer be changed.")
    values = _fields(data)
    assert values.ends_at is not None
    before = audit.snapshot(meeting)
    meeting.title = values.title or ""
    meeting.starts_at, meeting.ends_at = from_local(values.starts_at), from_local(values.ends_at)
    meeting.venue, meeting.online_url = values.venue or "", str(values.online_url or "")
    meeting.version += 1
    audit.record(session, actor, "forum.meeting.edit", meeting, before=before)
    session.commit()
    return meeting


def advance_status(session: Session, actor: Actor, *, meeting_id: int, to: str, version: int) -> Meeting:
    """Move the meeting one step along its lifecycle. Raises Forbidden, NotFound,
    StaleEdit, Conflict (not the next step)."""
    meeting = get_meeting(session, actor, meeting_id=meeting_id)
    policy.require(actor, "forum.meeting.change_status", meeting)
    if meeting.version != version:
        raise StaleEdit()
    if NEXT_STATUS.get(MeetingStatus(meeting.status)) != to:
        raise Conflict("The meeting cannot move to that stage from where it is now.")
    before = audit.snapshot(meeting)
    meeting.status = MeetingStatus(to)
    meeting.version += 1
    audit.record(session, actor, "forum.meeting.change_status", meeting, before=before)
    session.commit()
    return meeting


# -- calendar -------------------------------------------------------------------------


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_fold(line: str) -> list[str]:
    """RFC 5545 lines are at most 75 octets; fold longer ones without splitting a character."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > (75 if not out else 74):
            out.append(current)
            current = ""
        current += char
    out.append(current)
    return [out[0]] + [" " + part for part in out[1:]]


def ics_calendar(meetings: list[tuple[Meeting, Body]], *, base_url: str, name: str) -> str:
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Wethi//Wethi//TH", "CALSCALE:GREGORIAN", f"X-WR-CALNAME:{_ics_text(name)}"]
    for meeting, body in meetings:
        summary = f"{body.name} ครั้งที่ {meeting_label(meeting)}" + (f" — {meeting.title}" if meeting.title else "")
        location = meeting.venue or meeting.online_url
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{meeting.id}@wethi",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{meeting.starts_at:%Y%m%dT%H%M%SZ}",
            f"DTEND:{meeting.ends_at:%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{_ics_text(summary)}",
            f"LOCATION:{_ics_text(location)}",
            f"URL:{base_url}/meetings/{meeting.id}",
            f"DESCRIPTION:{_ics_text(meeting.online_url)}",
            "STATUS:CONFIRMED" if meeting.status != MeetingStatus.draft else "STATUS:TENTATIVE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(part for line in lines for part in _ics_fold(line)) + "\r\n"


def meetings_for_calendar(session: Session, actor: Actor, *, body_id: int | None = None, meeting_id: int | None = None) -> list[tuple[Meeting, Body]]:
    policy.require(actor, "forum.meeting.view")
    query = select(Meeting, Body).join(Body, Body.id == Meeting.body_id)
    if body_id is not None:
        query = query.where(Meeting.body_id == body_id)
    if meeting_id is not None:
        query = query.where(Meeting.id == meeting_id)
    return list(session.exec(query.order_by(col(Meeting.starts_at))).all())


def local_start(meeting: Meeting) -> datetime:
    return to_local(meeting.starts_at)
