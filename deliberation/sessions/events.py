"""What a live session's services say happened (forum.events); deliberation/sessions/live.py
and polls_live.py turn each into the one frame every page of the session follows."""

from __future__ import annotations

from dataclasses import dataclass

from forum.events import Event


@dataclass(frozen=True)
class IdeasChanged(Event):
    """Ideas now `shown` (new, approved, restored), `gone` (hidden, merged), or whose text
    or pin `changed`; `votes`: ideas whose count moved with it (a merge)."""

    session_id: int
    shown: tuple[int, ...] = ()
    gone: tuple[int, ...] = ()
    changed: tuple[int, ...] = ()
    votes: tuple[int, ...] = ()


@dataclass(frozen=True)
class IdeaAdded(Event):
    """A participant sent an idea (shown at once, or waiting for the facilitator)."""

    session_id: int
    idea_id: int
    shown: bool


@dataclass(frozen=True)
class VotesChanged(Event):
    """An idea's count moved (a vote, or one taken back)."""

    session_id: int
    idea_id: int


@dataclass(frozen=True)
class SessionStateChanged(Event):
    """The session was paused, resumed or closed."""

    session_id: int


@dataclass(frozen=True)
class PollShown(Event):
    """A poll was opened or closed: the poll area changes for everyone."""

    session_id: int


@dataclass(frozen=True)
class TimerChanged(Event):
    """The countdown was started, paused, resumed or stopped."""

    session_id: int
