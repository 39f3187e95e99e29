"""The agenda page's live updates (channel "agenda:<meeting id>"): who may watch it, and
the frame an agenda change becomes (AgendaChanged) — the time total, rendered once for
everyone from the page's own template, and a signal that has each page fetch its agenda
again through its own session (the items carry controls and forms that depend on who is
looking). During the meeting, the item under consideration (ProceedingsChanged) goes out
on the meeting's own channel."""

from __future__ import annotations

from sqlmodel import Session

from deliberation.agenda import overview
from deliberation.agenda.events import AgendaChanged, ProceedingsChanged
from forum import i18n, live, meetings, meetings_live, policy
from forum.errors import NotFound
from forum.policy import Actor

AGENDA_PAGE = "deliberation/agenda_page.html"
CONDUCT_PANEL = "deliberation/_conduct.html"


def channel(meeting_id: int) -> str:
    return f"agenda:{meeting_id}"


def may_watch_agenda(session: Session, actor: Actor, key: str) -> None:
    """Whoever may see the agenda may watch it. Raises Forbidden, NotFound."""
    if not key.isdigit() or len(key) > 9:
        raise NotFound()
    meeting = meetings.get_meeting(session, actor, meeting_id=int(key))
    policy.require(actor, "deliberation.agenda.view", meeting)


def agenda_changed(
    hub: live.Hub, session: Session, actor: Actor, event: AgendaChanged
) -> int | None:
    """forum.events: after the commit of any change to the agenda or its suggestions, tell
    every page showing it. Returns the frame's number; None if it could not be stored."""
    token = i18n.current_locale.set(hub.locale)  # one rendering for every watcher
    try:
        view = overview.agenda_overview(session, actor, meeting_id=event.meeting_id)
    finally:
        i18n.current_locale.reset(token)
    html = live.render_shared(hub, AGENDA_PAGE, "live_agenda", view=view, oob=True)
    return live.publish_safely(hub, channel(event.meeting_id), html)


def proceedings_changed(
    hub: live.Hub, _session: Session, _actor: Actor, event: ProceedingsChanged
) -> int | None:
    """forum.events: after the commit of a change of the item under consideration or of an
    outcome, every meeting page (channel "meeting:<id>", forum/meetings_live.py) fetches its
    panel again through its own session (the controls and the outcome form are only for
    the chair and the secretary), keeping what someone is typing there. Returns the frame's
    number; None if it could not be stored."""
    html = live.render_shared(hub, CONDUCT_PANEL, "live_conduct", meeting_id=event.meeting_id)
    return live.publish_safely(hub, meetings_live.channel(event.meeting_id), html)
