"""An agenda item's discussion, live (channel "item:<item id>"): who may watch it, and the
frame a change in its thread becomes."""

from __future__ import annotations

import logging

from jinja2_fragments import render_block
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from forum import i18n, live, meetings, policy
from forum.errors import NotFound
from forum.policy import Actor
from forum.web import ENVIRONMENTS

log = logging.getLogger(__name__)

ITEM_PAGE = "deliberation/item_page.html"


def item_channel(item_id: int) -> str:
    return f"item:{item_id}"


def may_watch_item(session: Session, actor: Actor, key: str) -> None:
    """Whoever may read the item's thread (see its meeting) may watch it. Raises
    Forbidden, NotFound."""
    from deliberation.agenda.models import Agenda, AgendaItem

    item = session.get(AgendaItem, int(key)) if key.isdigit() and len(key) <= 9 else None
    agenda = session.get(Agenda, item.agenda_id) if item is not None else None
    if agenda is None:
        raise NotFound()
    meeting = meetings.get_meeting(session, actor, meeting_id=agenda.meeting_id)
    policy.require(actor, "deliberation.post.view", meeting)


def thread_changed(hub: live.Hub, session: Session, *, meeting_id: int, item_id: int) -> int | None:
    """After the commit of a post, a reply, an edit or a hiding: every page showing the
    item gets the new for/against summary (the same for everyone) and a signal to fetch
    its thread again through its own session (edit and hide controls differ per reader).
    Returns the frame's number; None if it could not be stored."""
    from deliberation.discussion import thread_view

    token = i18n.current_locale.set(hub.locale)
    try:
        html = render_block(
            ENVIRONMENTS[hub.locale],
            ITEM_PAGE,
            "live_thread",
            counts=thread_view.stance_counts(session, item_id),
            meeting_id=meeting_id,
            item_id=item_id,
            oob=True,
        )
    finally:
        i18n.current_locale.reset(token)
    try:
        return hub.publish(item_channel(item_id), html)
    except SQLAlchemyError:  # live updates are a convenience: never fail the saved change
        log.exception("could not publish the thread of item %s", item_id)
        return None
