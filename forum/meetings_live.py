"""The meeting page's live updates (channel "meeting:<id>"): who may watch it, and the
frames attendance events become (forum.attendance.AttendanceChanged) — the new counts and
the changed line's status, rendered from the page's own template (block live_attendance)
once for everyone watching."""

from __future__ import annotations

from sqlmodel import Session

from forum import attendance, i18n, live, meetings
from forum.errors import NotFound
from forum.models import Meeting
from forum.policy import Actor

MEETING_PAGE = "forum/meeting_page.html"


def channel(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def may_watch(session: Session, actor: Actor, key: str) -> None:
    """Whoever may see the meeting page may watch it. Raises Forbidden, NotFound."""
    if not key.isdigit() or len(key) > 9:
        raise NotFound()
    meetings.get_meeting(session, actor, meeting_id=int(key))



def attendance_changed(
    hub: live.Hub, session: Session, actor: Actor, event: attendance.AttendanceChanged
) -> int | None:
    """forum.events: after the commit of a check-in, a marking, a guest or an online join,
    the meeting's counts and the line's status, once for everyone watching. Returns the
    frame's number; None if it could not be stored."""
    meeting = session.get(Meeting, event.meeting_id)
    if meeting is None:
        return None
    token = i18n.current_locale.set(hub.locale)  # the summary's texts, in the site's language
    try:
        summary = attendance.list_attendance(session, actor, meeting=meeting)
    finally:
        i18n.current_locale.reset(token)
    changed = next((row for row in summary.rows if row.id == event.attendance_id), None)
    html = live.render_shared(
        hub, MEETING_PAGE, "live_attendance", summary=summary, changed=changed, oob=True
    )
    return live.publish_safely(hub, channel(event.meeting_id), html)
