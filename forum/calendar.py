"""Meetings as iCalendar (RFC 5545) files: one meeting, or all of a body's, for phones'
and desktops' calendars, written by the icalendar library. Times are UTC in the Gregorian
calendar, whatever the UI shows."""

from __future__ import annotations

from datetime import UTC

from icalendar import Calendar, Event
from sqlmodel import Session, col, select

from forum import policy
from forum.db import utcnow
from forum.errors import NotFound
from forum.i18n import gettext
from forum.meetings import meeting_label
from forum.models import Body, Meeting, MeetingStatus
from forum.policy import Actor


def ics_calendar(meetings: list[tuple[Meeting, Body]], *, base_url: str, name: str) -> str:
    """The meetings as one calendar (icalendar writes the escaping, the UTF-8-safe line
    folding and the CRLFs of RFC 5545)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Wethi//Wethi//TH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = utcnow().astimezone(UTC)
    for meeting, body in meetings:
        summary = f"{body.name} {gettext('No. %(number)s', number=meeting_label(meeting))}" + (
            f" — {meeting.title}" if meeting.title else ""
        )
        event = Event()
        event.add("uid", f"meeting-{meeting.id}@wethi")
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.starts_at.astimezone(UTC))  # the Gregorian calendar, UTC
        event.add("dtend", meeting.ends_at.astimezone(UTC))
        event.add("summary", summary)
        event.add("location", meeting.venue or meeting.online_url)
        event.add("url", f"{base_url}/meetings/{meeting.id}")
        event.add("description", meeting.online_url)
        event.add("status", "TENTATIVE" if meeting.status == MeetingStatus.draft else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


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
