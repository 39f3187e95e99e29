"""The agenda page's live updates (channel "agenda:<meeting id>"): who may watch it, and
the frame an agenda change becomes — the time total, rendered once for everyone from the
page's own template, and a signal that has each page fetch its agenda again through its
own session (the items carry controls and forms that depend on who is looking). During the
meeting, the item under consideration goes out on the meeting's own channel."""

from __future__ import annotations

import logging

from jinja2_fragments import render_block
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from deliberation.agenda import overview
from forum import i18n, live, meetings, meetings_live, policy
from forum.errors import NotFound
from forum.policy import Actor
from forum.web import ENVIRONMENTS

AGENDA_PAGE = "deliberation/agenda_page.html"

log = logging.getLogger(__name__)


def channel(meeting_id: int) -> str:
    return f"agenda:{meeting_id}"


def may_watch_agenda(session: Session, actor: Actor, key: str) -> None:
    """Whoever may see the agenda may watch it. Raises Forbidden, NotFound."""
    if not key.isdigit() or len(key) > 9:
        raise NotFound()
    meeting = meetings.get_meeting(session, actor, meeting_id=int(key))
    policy.require(actor, "deliberation.agenda.view", meeting)


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


# -- during the meeting: the item under consideration (on the meeting's own channel) --------

CONDUCT_PANEL = "deliberation/_conduct.html"


def conduct_changed(hub: live.Hub, *, meeting_id: int) -> int | None:
    """After the commit of a change of the item under consideration or of an outcome: every
    meeting page (channel "meeting:<id>", forum/meetings_live.py) fetches its panel again
    through its own session (the controls and the outcome form are only for the chair and
    the secretary), keeping what someone is typing there. Returns the frame's number; None
    if it could not be stored."""
    token = i18n.current_locale.set(hub.locale)
    try:
        html = render_block(
            ENVIRONMENTS[hub.locale], CONDUCT_PANEL, "live_conduct", meeting_id=meeting_id
        )
    finally:
        i18n.current_locale.reset(token)
    try:
        return hub.publish(meetings_live.channel(meeting_id), html)
    except SQLAlchemyError:  # live updates are a convenience: never fail the saved change
        log.exception("could not publish the proceedings of meeting %s", meeting_id)
        return None
