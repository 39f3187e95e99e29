"""Polls and the timer on a session's channel (deliberation/sessions/live.py): each frame is
rendered once from templates/deliberation/_session_polls.html and holds nothing of any one
reader (no CSRF token, no "you chose this").

- An answer: the poll's results only (`#poll-results-<id>`), never the phone's own form.
- A poll opened or closed: the poll area (`#session-poll`) for everyone, nothing chosen.
- The timer: `#session-timer` with the instant it ends (static/js/session-timer.js ticks).

Answers can come by the thousand within seconds: results go out at most once per
RESULTS_EVERY per poll (see ResultsThrottle).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from deliberation.sessions import live as sessions_live
from deliberation.sessions import polls, timer
from deliberation.sessions.events import PollShown, TimerChanged
from deliberation.sessions.models import LiveSession
from forum import live
from forum.policy import Actor

TEMPLATE = "deliberation/_session_polls.html"
RESULTS_EVERY = 0.25  # seconds: the most often one poll's results go out

log = logging.getLogger(__name__)

Schedule = Callable[[float, Callable[[], None]], Any]


class ResultsThrottle:
    """At most one send per `interval` per key, and never a change left unsent.

    The first request in a quiet period is sent at once (a lone answer shows without
    delay). A request within `interval` of the last send is not sent: one trailing send is
    scheduled for the end of the interval instead, and any further request before it fires
    is folded into it. The trailing send reads the results when it fires, so it carries
    every answer committed before it. A thousand answers in a second thus make four or five
    frames, the last one exact. (Per worker: N workers may send N frames per interval.)"""

    def __init__(
        self, interval: float = RESULTS_EVERY, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.interval = interval
        self.clock = clock
        self._last: dict[Any, float] = {}
        self._trailing: set[Any] = set()
        self._lock = threading.Lock()

    def request(self, key: Any, send: Callable[[], None], schedule: Schedule) -> str:
        """Returns "sent", "scheduled" or "folded" (a trailing send was already coming)."""
        with self._lock:
            if key in self._trailing:
                return "folded"
            now = self.clock()
            last = self._last.get(key)
            if last is not None and now - last < self.interval:
                self._trailing.add(key)
                delay = last + self.interval - now
            else:
                self._remember(key, now)
                delay = None
        if delay is None:
            send()
            return "sent"
        schedule(delay, lambda: self._fire(key, send))
        return "scheduled"

    def _fire(self, key: Any, send: Callable[[], None]) -> None:
        with self._lock:
            # Cleared before reading: an answer committed after this read asks again.
            self._trailing.discard(key)
            self._remember(key, self.clock())
        send()

    def _remember(self, key: Any, now: float) -> None:
        if len(self._last) > 10_000:  # finished polls are forgotten
            self._last = {k: t for k, t in self._last.items() if now - t < self.interval}
        self._last[key] = now


_throttles: weakref.WeakKeyDictionary[live.Hub, ResultsThrottle] = weakref.WeakKeyDictionary()
_throttles_lock = threading.Lock()


def throttle_of(hub: live.Hub) -> ResultsThrottle:
    with _throttles_lock:
        found = _throttles.get(hub)
        if found is None:
            found = _throttles[hub] = ResultsThrottle()
        return found


def loop_schedule(loop: asyncio.AbstractEventLoop) -> Schedule:
    """Run `send` after `delay` seconds in a worker thread (it queries and stores a frame)."""

    def schedule(delay: float, send: Callable[[], None]) -> Any:
        # From any thread (a route's worker thread too): the loop sets its own timer.
        return loop.call_soon_threadsafe(
            loop.call_later, delay, lambda: loop.run_in_executor(None, send)
        )

    return schedule


# -- frames ------------------------------------------------------------------------------


def _base(live_session: LiveSession) -> str:
    return f"/s/{live_session.code}"


def results_html(hub: live.Hub, results: polls.PollResults) -> str:
    return live.render_shared(hub, TEMPLATE, "poll_results", poll=results, oob=True)


def publish_results(
    hub: live.Hub, session: Session, live_session: LiveSession, poll_id: int
) -> None:
    results = polls.poll_results(session, poll_id)
    if results is not None:
        sessions_live.publish(hub, live_session, results_html(hub, results))


def answers_changed(
    hub: live.Hub,
    engine: Engine,
    live_session: LiveSession,
    poll_id: int,
    schedule: Schedule,
) -> str:
    """After the commit of an answer: the poll's results, throttled (see ResultsThrottle).
    Each send reads the results in its own database session (a trailing one runs later,
    in a worker thread)."""

    def send() -> None:
        try:
            with Session(engine) as session:
                publish_results(hub, session, live_session, poll_id)
        except Exception:  # a live frame is a convenience: the answer is saved
            log.exception("could not publish the results of poll %s", poll_id)

    return throttle_of(hub).request((live_session.code, poll_id), send, schedule)


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
