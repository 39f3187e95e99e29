"""A live session's updates (channel "session:<code>"): the projector's top ideas, rendered
once for everyone from the projector page's own template, and signals that have each
participant page and each console fetch its own list again (vote buttons and moderation
controls differ per viewer).

The channel is named by the session's code, not its id: guests are not logged in, and the
code is the session's invitation — whoever has it may open the participant page, which
shows the same public content (shown ideas, nicknames only) as the channel. An id is
guessable; a code is the capability the hall was given. Pending and hidden ideas never go
out on the channel: the console fetches them through its own, authorised, request.
"""

from __future__ import annotations

import logging

from jinja2_fragments import render_block
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from deliberation import ideas
from deliberation.models import LiveSession
from forum import i18n, live
from forum.errors import NotFound
from forum.policy import Actor
from forum.web import ENVIRONMENTS

PROJECTOR_PAGE = "deliberation/session_projector.html"
TOP_IDEAS = 10  # on the projector: readable from the back of a hall

log = logging.getLogger(__name__)


def channel(code: str) -> str:
    return f"session:{code}"


def _may_watch(session: Session, _actor: Actor, key: str) -> None:
    """Anyone with the code. Raises NotFound."""
    if not (key.isdigit() and len(key) == 6):
        raise NotFound()
    if session.exec(select(LiveSession.id).where(LiveSession.code == key)).first() is None:
        raise NotFound()


live.register_channel("session", _may_watch)


def projector_ideas(session: Session, live_session: LiveSession) -> list[ideas.IdeaRow]:
    session_id: int = live_session.id  # type: ignore[assignment]
    return ideas.list_ideas(session, session_id=session_id, order="top", limit=TOP_IDEAS)


def render_shared(hub: live.Hub, template: str, block: str, **context: object) -> str:
    """A block rendered once for everyone on a session's channel, in the site's language:
    it must hold nothing that differs per reader (no CSRF token, no "you voted" state;
    htmx sends the page's token in a header)."""
    token = i18n.current_locale.set(hub.locale)
    try:
        return render_block(ENVIRONMENTS[hub.locale], template, block, **context)
    finally:
        i18n.current_locale.reset(token)


def publish(hub: live.Hub, live_session: LiveSession, html: str) -> int | None:
    """Send out-of-band fragments (elements with hx-swap-oob) to every page of the session,
    after the commit of the change they show. Returns the frame's number; None if it could
    not be stored (the change is saved all the same)."""
    try:
        return hub.publish(channel(live_session.code), html)
    except SQLAlchemyError:  # live updates are a convenience: never fail the saved change
        log.exception("could not publish live session %s", live_session.id)
        return None


def session_changed(hub: live.Hub, session: Session, live_session: LiveSession) -> int | None:
    """After the commit of anything in the session: the projector's ideas and status, and a
    signal to every participant page and console. Returns the frame's number; None if it
    could not be stored (the change is saved all the same)."""
    token = i18n.current_locale.set(hub.locale)  # one rendering for every watcher
    try:
        html = render_block(
            ENVIRONMENTS[hub.locale],
            PROJECTOR_PAGE,
            "live_session",
            live_session=live_session,
            top=projector_ideas(session, live_session),
            oob=True,
        )
    finally:
        i18n.current_locale.reset(token)
    try:
        return hub.publish(channel(live_session.code), html)
    except SQLAlchemyError:  # live updates are a convenience: never fail the saved change
        log.exception("could not publish live session %s", live_session.id)
        return None
