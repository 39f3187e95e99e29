"""A live session's snapshot (forum.live.register_channel): what a phone gets when the
frames it missed are gone or too many — back from ten minutes in a pocket, or after a
facilitator hid an idea whose frames were scrubbed. One message, rendered once for the
hall, that brings every page of the session to its current state: the session's state,
the shown ideas with their counts, the poll and the timer.

Bounded: the SNAPSHOT_IDEAS newest and the SNAPSHOT_IDEAS most voted (a phone shows one
order or the other; the tail beyond both comes with a reload). Nothing in it is per
reader: a phone keeps its own pressed vote buttons and its answer to a poll it already
shows (static/js/live-session.js).
"""

from __future__ import annotations

from sqlmodel import Session, select

from deliberation.sessions import ideas, polls_live
from deliberation.sessions.live import FRAMES
from deliberation.sessions.models import LiveSession
from forum import live

SNAPSHOT_IDEAS = 150  # of each order


def session_snapshot(hub: live.Hub, session: Session, code: str) -> str:
    """The out-of-band fragments of the session's current state ("" for no such session)."""
    live_session = session.exec(select(LiveSession).where(LiveSession.code == code)).first()
    if live_session is None:
        return ""
    session_id: int = live_session.id  # type: ignore[assignment]
    rows = {
        row.id: row
        for order in ("new", "top")
        for row in ideas.list_ideas(
            session, session_id=session_id, order=order, limit=SNAPSHOT_IDEAS
        )
    }
    state = live.render_shared(
        hub, FRAMES, "snapshot", live_session=live_session, ideas=list(rows.values())
    )
    return (
        state
        + polls_live.poll_area_html(hub, session, live_session)
        + polls_live.timer_html(hub, live_session)
    )
