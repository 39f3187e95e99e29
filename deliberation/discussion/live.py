"""An agenda item's discussion, live (channel "item:<item id>"): who may watch it, and the
frame a change in its thread becomes (ThreadChanged)."""

from __future__ import annotations

from sqlmodel import Session

from deliberation.agenda.models import Agenda, AgendaItem
from deliberation.discussion import thread_view
from deliberation.discussion.events import ThreadChanged
from forum import live, meetings, policy
from forum.errors import NotFound
from forum.policy import Actor

ITEM_PAGE = "deliberation/item_thread_page.html"


def item_channel(item_id: int) -> str:
    return f"item:{item_id}"


def may_watch_item(session: Session, actor: Actor, key: str) -> None:
    """Whoever may read the item's thread (see its meeting) may watch it. Raises
    Forbidden, NotFound."""
    item = session.get(AgendaItem, int(key)) if key.isdigit() and len(key) <= 9 else None
    agenda = session.get(Agenda, item.agenda_id) if item is not None else None
    if agenda is None:
        raise NotFound()
    meeting = meetings.get_meeting(session, actor, meeting_id=agenda.meeting_id)
    policy.require(actor, "deliberation.post.view", meeting)


def thread_changed(
    hub: live.Hub, session: Session, _actor: Actor, event: ThreadChanged
) -> int | None:
    """forum.events: after the commit of a post, a reply, an edit or a hiding, every page
    showing the item gets the new for/against summary (the same for everyone) and a signal
    to fetch its thread again through its own session (edit and hide controls differ per
    reader). Returns the frame's number; None if it could not be stored."""
    html = live.render_shared(
        hub,
        ITEM_PAGE,
        "live_thread",
        counts=thread_view.stance_counts(session, event.item_id),
        meeting_id=event.meeting_id,
        item_id=event.item_id,
        oob=True,
    )
    return live.publish_safely(hub, item_channel(event.item_id), html)
