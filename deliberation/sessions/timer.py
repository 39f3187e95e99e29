"""The session's countdown timer (shown big on the projector, small on the phones): the
facilitator starts it for 1 to 120 minutes, pauses it (the seconds left are kept), resumes,
adds a minute, or stops it.

Running: `timer_ends_at` is the instant it reaches zero (pages count down to it). Paused:
`timer_left` holds the seconds left. Stopped: both empty. Each change bumps the session's
version, so a console showing an older state is refused (StaleEdit) rather than, say,
adding a minute to a timer someone else already stopped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from deliberation.sessions import sessions
from deliberation.sessions.events import TimerChanged
from deliberation.sessions.models import LiveSession, LiveSessionStatus
from forum import events
from forum.db import utcnow
from forum.errors import Conflict, InvalidInput, StaleEdit
from forum.forms import whole_number
from forum.policy import Actor

PRESETS = (1, 2, 3, 5, 10)  # minutes, the console's quick buttons
MAX_MINUTES = 120
MAX_SECONDS = 3 * 3600  # adding minutes stops here
ACTIONS = ("pause", "resume", "add_minute", "stop")


@dataclass(frozen=True)
class TimerView:
    """The timer ready to show. `left` is the seconds left (None: no timer)."""

    ends_at: datetime | None
    left: int | None
    running: bool

    @property
    def shown(self) -> bool:
        return self.left is not None

    @property
    def clock(self) -> str:
        """mm:ss (h:mm:ss past an hour) of the seconds left."""
        total = self.left or 0
        hours, rest = divmod(total, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"

    @property
    def minutes_left(self) -> int:
        return math.ceil((self.left or 0) / 60)

    @property
    def ends_at_iso(self) -> str:
        return self.ends_at.isoformat().replace("+00:00", "Z") if self.ends_at else ""


def _aware(value: datetime) -> datetime:
    """SQLite hands datetimes back naive: they are UTC (forum.db)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=utcnow().tzinfo)


def _seconds_to(ends_at: datetime, now: datetime) -> int:
    return max(0, math.ceil((_aware(ends_at) - now).total_seconds()))


def timer_view(live: LiveSession, now: datetime | None = None) -> TimerView:
    now = now or utcnow()
    if live.timer_ends_at is not None:
        return TimerView(_aware(live.timer_ends_at), _seconds_to(live.timer_ends_at, now), True)
    if live.timer_left is not None:
        return TimerView(None, live.timer_left, False)
    return TimerView(None, None, False)


def _facilitated(session: Session, actor: Actor, session_id: int, version: Any) -> LiveSession:
    live = sessions.get_session(session, actor, session_id=session_id).live  # Forbidden, NotFound
    if version not in (None, "") and str(version) != str(live.version):
        raise StaleEdit()
    if live.status == LiveSessionStatus.closed:
        raise Conflict("This session has ended: its timer can no longer be changed.")
    return live


def _minutes(value: Any) -> int:
    minutes = whole_number(value, digits=3, field="minutes") or 0
    if not 1 <= minutes <= MAX_MINUTES:
        raise InvalidInput({"minutes": "Please give a number of minutes from 1 to 120."})
    return minutes


def _saved(session: Session, live: LiveSession) -> LiveSession:
    live.version += 1
    session.add(live)
    session.commit()
    events.record(session, TimerChanged(live.id))  # type: ignore[arg-type]
    return live


def start_timer(
    session: Session, actor: Actor, *, session_id: int, minutes: Any, version: Any = None
) -> LiveSession:
    """Start (or restart) the countdown. Raises Forbidden, NotFound, StaleEdit, Conflict
    (session closed), InvalidInput (minutes outside 1–120)."""
    live = _facilitated(session, actor, session_id, version)
    count = _minutes(minutes)
    live.timer_ends_at, live.timer_left = utcnow() + timedelta(minutes=count), None
    return _saved(session, live)


def change_timer(
    session: Session, actor: Actor, *, session_id: int, action: str, version: Any = None
) -> LiveSession:
    """pause (keeps the seconds left), resume, add_minute or stop. Pausing a paused timer
    (and the like) changes nothing. Raises Forbidden, NotFound, StaleEdit, Conflict (no
    timer; session closed), InvalidInput (unknown action)."""
    live = _facilitated(session, actor, session_id, version)
    if action not in ACTIONS:
        raise InvalidInput({"action": "Please choose one of the options."})
    now = utcnow()
    running, paused = live.timer_ends_at is not None, live.timer_left is not None
    if action == "stop":
        if not (running or paused):
            return live
        live.timer_ends_at = live.timer_left = None
    elif not (running or paused):
        raise Conflict("No timer is set: start one first.")
    elif action == "pause":
        if not running:
            return live
        live.timer_left, live.timer_ends_at = _seconds_to(live.timer_ends_at, now), None  # type: ignore[arg-type]
    elif action == "resume":
        if running:
            return live
        live.timer_ends_at = now + timedelta(seconds=live.timer_left or 0)
        live.timer_left = None
    elif running:  # add_minute
        left = _seconds_to(live.timer_ends_at, now)  # type: ignore[arg-type]
        live.timer_ends_at = now + timedelta(seconds=min(left + 60, MAX_SECONDS))
    else:
        live.timer_left = min((live.timer_left or 0) + 60, MAX_SECONDS)
    return _saved(session, live)
