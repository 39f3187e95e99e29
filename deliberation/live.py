"""The agenda page's live updates (channel "agenda:<meeting id>"): who may watch it, and
the frame an agenda change becomes — the time total, rendered once for everyone from the
page's own template, and a signal that has each page fetch its agenda again through its
own session (the items carry controls and forms that depend on who is looking)."""

from __future__ import annotations

import logging

from jinja2_fragments import render_block
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from deliberation import overview
from forum import i18n, live, meetings, policy
from forum.errors import NotFound
from forum.policy import Actor
from forum.web import ENVIRONMENTS

AGENDA_PAGE = "deliberation/agenda_page.html"

log = logging.getLogger(__name__)


def channel(meeting_id: int) -> str:
    return f"agenda:{meeting_id}"


def _may_watch(session: Session, actor: Actor, key: str) -> None:
    """Whoever may see the agenda may watch it. Raises Forbidden, NotFound."""
    if not key.isdigit() or len(key) > 9:
        raise NotFound()
    meeting = meetings.get_meeting(session, actor, meeting_id=int(key))
    policy.require(actor, "deliberation.agenda.view", meeting)


live.register_channel("agenda", _may_watch)


def agenda_changed(hub: live.Hub, session: Session, actor: Actor, *, meeting_id: int) -> int | None:
    """After the commit of any change to the agenda or its suggestions: tell every page
    showing it. Returns the frame's number; None if it could not be stored (the change is
    saved all the same: pages show it on their next load)."""
    token = i18n.current_locale.set(hub.locale)  # one rendering for every watcher
    try:
        view = overview.agenda_overview(session, actor, meeting_id=meeting_id)
        html = render_block(
            ENVIRONMENTS[hub.locale], AGENDA_PAGE, "live_agenda", view=view, oob=True
        )
    finally:
        i18n.current_locale.reset(token)
    try:
        return hub.publish(channel(meeting_id), html)
    except SQLAlchemyError:  # live updates are a convenience: never fail the saved change
        log.exception("could not publish the agenda of meeting %s", meeting_id)
        return None
