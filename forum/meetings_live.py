"""The meeting page's live updates (channel "meeting:<id>"): who may watch it, and the
frames attendance events become — the new counts and the changed line's status, rendered
from the page's own template (block live_attendance) once for everyone watching."""

from __future__ import annotations

import logging

from jinja2_fragments import render_block
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from forum import attendance, i18n, live, meetings
from forum.errors import NotFound
from forum.models import Meeting
from forum.policy import Actor
from forum.web import ENVIRONMENTS

MEETING_PAGE = "forum/meeting_page.html"

log = logging.getLogger(__name__)


def channel(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def may_watch(session: Session, actor: Actor, key: str) -> None:
    """Whoever may see the meeting page may watch it. Raises Forbidden, NotFound."""
    if not key.isdigit() or len(key) > 9:
        raise NotFound()
    meetings.get_meeting(session, actor, meeting_id=int(key))



def attendance_changed(
    hub: live.Hub,
    session: Session,
    actor: Actor,
    *,
    meeting_id: int,
    attendance_id: int | None = None,
    person_id: int | None = None,
) -> int | None:
    """After the commit of a check-in, a marking, a guest or an online join: publish the
    meeting's counts and the line's status (`attendance_id`, or the line of `person_id`).
    Returns the frame's number; None if it could not be stored (the change itself is
    saved: pages then show it on their next load)."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        return None
    token = i18n.current_locale.set(hub.locale)  # one rendering for every watcher
    try:
        summary = attendance.list_attendance(session, actor, meeting=meeting)
        if attendance_id is None and person_id is not None:
            lines = attendance.attendance_lines(session, actor, meeting=meeting)
            attendance_id = next((line.id for line in lines if line.person_id == person_id), None)
        changed = next((row for row in summary.rows if row.id == attendance_id), None)
        html = render_block(
            ENVIRONMENTS[hub.locale],
            MEETING_PAGE,
            "live_attendance",
            summary=summary,
            changed=changed,
            oob=True,
        )
    finally:
        i18n.current_locale.reset(token)
    try:
        return hub.publish(channel(meeting_id), html)
    except SQLAlchemyError:  # live updates are a convenience: never fail the saved change
        log.exception("could not publish the attendance of meeting %s", meeting_id)
        return None
