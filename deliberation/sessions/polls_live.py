"""Polls and the timer on a session's channel (deliberation/sessions/live.py): each frame is
rendered once from templates/deliberation/_session_polls.html and holds nothing of any one
reader (no CSRF token, no "you chose this").

- An answer: the poll's results only (`#poll-results-<id>`), never the phone's own form —
  state, not history: the answers of a moment make one frame (forum.live.Hub.publish_state).
- A poll opened or closed: the poll area (`#session-poll`) for everyone, nothing chosen.
- The timer: `#session-timer` with the instant it ends (static/js/session-timer.js ticks).
"""

from __future__ import annotations

from sqlalchemy.engine import Connection
from sqlmodel import Session

from deliberation.sessions import live as sessions_live
from deliberation.sessions import polls, timer
from deliberation.sessions.events import PollShown, TimerChanged
from deliberation.sessions.models import LiveSession
from forum import live
from forum.policy import Actor

TEMPLATE = "deliberation/_session_polls.html"


# -- frames ------------------------------------------------------------------------------


def _base(live_session: LiveSession) -> str:
    return f"/s/{live_session.code}"


def results_html(hub: live.Hub, results: polls.PollResults) -> str:
    return live.render_shared(hub, TEMPLATE, "poll_results", poll=results, oob=True)


def answers_changed(hub: live.Hub, live_session: LiveSession, poll_id: int) -> None:
    """After the commit of an answer: the poll's results are state, not history — those of
    a moment go out as one frame, read as it is numbered (forum.live.Hub.publish_state):
    a thousand answers in a second make four frames, the last one exact."""

    def frame(connection: Connection, poll_ids: frozenset[int]) -> str:
        with Session(bind=connection) as session:
            found = (polls.poll_results(session, poll) for poll in sorted(poll_ids))
            return "".join(results_html(hub, results) for results in found if results)

    hub.publish_state(sessions_live.channel(live_session.code), "poll-results", [poll_id], frame)


def poll_area_html(hub: live.Hub, session: Session, live_session: LiveSession) -> str:
    """Every page's poll area as it is now: the form for everyone (nothing chosen) or the
    final results; also part of a session's snapshot (deliberation/sessions/snapshot.py)."""
    return live.render_shared(
        hub,
        TEMPLATE,
        "session_poll",
        poll_current=polls.current_poll(session, live_session.id),  # type: ignore[arg-type]
        poll_chosen=frozenset(),
        poll_base=_base(live_session),
        poll_live_status=live_session.status,
        poll_shared=True,
        poll_oob=True,
        poll_errors={},
        poll_message="",
    )


def timer_html(hub: live.Hub, live_session: LiveSession) -> str:
    """The countdown with the instant it ends (static/js/session-timer.js)."""
    return live.render_shared(
        hub,
        TEMPLATE,
        "session_timer",
        session_timer=timer.timer_view(live_session),
        timer_oob=True,
    )


def poll_shown(hub: live.Hub, session: Session, _actor: Actor, event: PollShown) -> int | None:
    """forum.events: after a poll opened or closed, every page's poll area."""
    live_session = session.get(LiveSession, event.session_id)
    if live_session is None:
        return None
    return sessions_live.publish(hub, live_session, poll_area_html(hub, session, live_session))


def timer_changed(
    hub: live.Hub, session: Session, _actor: Actor, event: TimerChanged
) -> int | None:
    """forum.events: the countdown changed (started, stopped, extended)."""
    live_session = session.get(LiveSession, event.session_id)
    if live_session is None:
        return None
    return sessions_live.publish(hub, live_session, timer_html(hub, live_session))
