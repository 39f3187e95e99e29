"""Meetings as iCalendar (RFC 5545) files: one meeting, or all of a body's, for phones'
and desktops' calendars. Times are UTC in the Gregorian calendar, whatever the UI shows."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, col, select

from forum import policy
from forum.db import utcnow
from forum.errors import NotFound
from forum.i18n import gettext
from forum.meetings import meeting_label
from forum.models import Body, Meeting, MeetingStatus
from forum.policy import Actor


def _ics_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )


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


def _ics_time(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"  # the Gregorian calendar, in UTC


def ics_calendar(meetings: list[tuple[Meeting, Body]], *, base_url: str, name: str) -> str:
    stamp = _ics_time(utcnow())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Wethi//Wethi//TH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_ics_text(name)}",
    ]
    for meeting, body in meetings:
        summary = f"{body.name} {gettext('No. %(number)s', number=meeting_label(meeting))}" + (
            f" — {meeting.title}" if meeting.title else ""
        )
        location = meeting.venue or meeting.online_url
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{meeting.id}@wethi",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_ics_time(meeting.starts_at)}",
            f"DTEND:{_ics_time(meeting.ends_at)}",
            f"SUMMARY:{_ics_text(summary)}",
            f"LOCATION:{_ics_text(location)}",
            f"URL:{base_url}/meetings/{meeting.id}",
            f"DESCRIPTION:{_ics_text(meeting.online_url)}",
            "STATUS:CONFIRMED" if meeting.status != MeetingStatus.draft else "STATUS:TENTATIVE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(part for line in lines for part in _ics_fold(line)) + "\r\n"


def meetings_for_calendar(
    session: Session, actor: Actor, *, body_id: int | None = None, meeting_id: int | None = None
) -> list[tuple[Meeting, Body]]:
    policy.require(actor, "forum.meeting.view")
    query = select(Meeting, Body).join(Body, Body.id == Meeting.body_id)
    if body_id is not None:
        query = query.where(Meeting.body_id == body_id)
    if meeting_id is not None:
        query = query.where(Meeting.id == meeting_id)
    return list(session.exec(query.order_by(col(Meeting.starts_at))).all())


def body_calendar(session: Session, actor: Actor, *, body_id: int, base_url: str) -> str:
    """All of a body's meetings as one iCalendar file. Raises Forbidden, NotFound."""
    policy.require(actor, "forum.meeting.view")
    body = session.get(Body, body_id)
    if body is None:
        raise NotFound()
    return ics_calendar(
        meetings_for_calendar(session, actor, body_id=body_id), base_url=base_url, name=body.name
    )


def meeting_calendar(session: Session, actor: Actor, *, meeting_id: int, base_url: str) -> str:
    """One meeting as an iCalendar file. Raises Forbidden, NotFound."""
    rows = meetings_for_calendar(session, actor, meeting_id=meeting_id)
    if not rows:
        raise NotFound()
    meeting, body = rows[0]
    return ics_calendar(
        rows,
        base_url=base_url,
        name=f"{body.name} {gettext('No. %(number)s', number=meeting_label(meeting))}",
    )
