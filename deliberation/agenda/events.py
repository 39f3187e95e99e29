"""What the agenda's services say happened (forum.events); deliberation/agenda/live.py turns
each into the frame its pages follow."""

from __future__ import annotations

from dataclasses import dataclass

from forum.events import Event


@dataclass(frozen=True)
class AgendaChanged(Event):
    """The agenda or its suggestions changed: an item added, edited, moved or removed, a
    paper attached, a suggestion made, supported or answered, a version published."""

    meeting_id: int


@dataclass(frozen=True)
class ProceedingsChanged(Event):
    """During the meeting: another item taken up, or an item's outcome recorded."""

    meeting_id: int
