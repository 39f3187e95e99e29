"""What the discussion's services say happened (forum.events); deliberation/discussion/
live.py turns it into the frame the item's pages follow."""

from __future__ import annotations

from dataclasses import dataclass

from forum.events import Event


@dataclass(frozen=True)
class ThreadChanged(Event):
    """A post written, edited, hidden or shown again in an item's thread."""

    meeting_id: int
    item_id: int
