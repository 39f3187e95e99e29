"""A live session's updates (channel "session:<code>"). Every page of the session — the
phones, the projector, the console — follows one stream of frames, each rendered once for
everyone (templates/deliberation/_session_frames.html): a new idea, an idea gone, a changed
text or pin, new vote counts, the session's state. A frame holds nothing per reader: the
phones keep their own "voted" buttons, and a frame never has them fetch their page again
(2,000 phones refetching on every vote is what this design exists to avoid). The console,
one or two per hall, fetches its own view again.

The channel is named by the session's code. What it carries (shown ideas with nicknames,
counts, the poll) is what the participant page shows a phone that joined and consented,
so only such a phone listens: its page carries a ticket (forum.live.Hub.ticket) signed
for its participant, checked without a database visit. The facilitators' console and
projector listen as themselves. Pending and hidden ideas never go out on the channel: the
console fetches them through its own, authorised, request (and its own channel).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from deliberation.sessions import ideas, sessions
from deliberation.sessions.events import IdeaAdded, IdeasChanged, SessionStateChanged, VotesChanged
from deliberation.sessions.models import IdeaStatus, LiveSession
from forum import live
from forum.errors import DomainError, NotFound
from forum.policy import Actor

FRAMES = "deliberation/_session_frames.html"

log = logging.getLogger(__name__)


def channel(code: str) -> str:
    return f"session:{code}"


def console_channel(session_id: int) -> str:
    """The facilitators' own channel: what only the console shows (an idea waiting for
    approval) goes out here, never to the phones."""
    return f"console:{session_id}"


def may_watch(session: Session, actor: Actor, key: str) -> None:
    """Without a ticket: the session's facilitators (its console, its projector). A phone
    listens with the ticket its page got once it joined and consented (the page of a
    visitor who has not shows no ideas and no nicknames: nor does the channel). Anyone
    else, like an unknown code, raises NotFound: no answer tells a guesser that a code
    exists (forum.live counts each refusal against the address)."""
    if not (key.isdigit() and len(key) == 6):
        raise NotFound()
    found = session.exec(select(LiveSession.id).where(LiveSession.code == key)).first()
    if found is None:
        raise NotFound()
    try:
        sessions.get_session(session, actor, session_id=found)
    except DomainError:
        raise NotFound() from None


def ticket(hub: live.Hub, live_session: LiveSession, participant: Any) -> str | None:
    """The pass a joined participant's page listens with (forum.live.Hub.ticket); None
    before joining."""
    if participant is None:
        return None
    return hub.ticket(channel(live_session.code), str(participant.id))


def may_watch_console(session: Session, actor: Actor, key: str) -> None:
    """The session's facilitators. Raises NotLoggedIn, Forbidden, NotFound."""
    if not key.isdigit() or len(key) > 9:
        raise NotFound()
    sessions.get_session(session, actor, session_id=int(key))


def projector_ideas(session: Session, live_session: LiveSession) -> list[ideas.IdeaRow]:
    """Every shown idea, most votes first (the projector shows the first ten; the others
    are there for the frames to move up)."""
    session_id: int = live_session.id  # type: ignore[assignment]
    return ideas.list_ideas(session, session_id=session_id, order="top")


def publish(hub: live.Hub, live_session: LiveSession, html: str | live.Render) -> int | None:
    """Send out-of-band fragments (elements with hx-swap-oob) to every page of the session,
    after the commit of the change they show. Returns the frame's number; None if it could
    not be stored (the change is saved all the same)."""
    return live.publish_safely(hub, channel(live_session.code), html)


def idea_mark(idea_id: int) -> str:
    """What every frame holding an idea's text (and its author's nickname) contains: its
    row's id. The frames with it are scrubbed when the idea is hidden, merged, corrected or
    erased (forum.live.scrub_frames)."""
    return f'id="idea-{idea_id}"'


def session_changed(
    hub: live.Hub,
    session: Session,
    live_session: LiveSession,
    *,
    shown: Iterable[int] = (),
    gone: Iterable[int] = (),
    changed: Iterable[int] = (),
    votes: Iterable[int] = (),
    state: bool = False,
) -> int | None:
    """After the commit of a change in the session: one frame with the ideas now `shown`
    (new, approved, restored), those `gone` (hidden, merged), those whose text or pin
    `changed`, and the session's `state` when it moved; the earlier frames with the text of
    a gone or changed idea are scrubbed in the same transaction. The counts of the ideas
    whose `votes` moved are state, not history: they go out coalesced (votes_changed).
    Returns the frame's number; None if there was none or it could not be stored."""
    gone, changed = list(gone), list(changed)
    if votes := set(votes):
        counts_changed(hub, live_session, votes)
    wanted = {*shown, *changed}
    rows = {  # never a pending or hidden idea's text on the channel
        row.id: row
        for row in (ideas.rows_by_id(session, wanted) if wanted else [])
        if row.status == IdeaStatus.shown
    }
    parts = {
        "live_session": live_session,
        "state": state,
        "gone": gone,
        "shown": [rows[idea_id] for idea_id in shown if idea_id in rows],
        "changed": [rows[idea_id] for idea_id in changed if idea_id in rows],
    }
    if not (state or parts["gone"] or parts["shown"] or parts["changed"]):
        return None
    html = live.render_shared(hub, FRAMES, "frame", **parts)
    scrub = [idea_mark(idea_id) for idea_id in [*gone, *changed]]
    try:
        return hub.publish(channel(live_session.code), html, scrub=scrub)
    except SQLAlchemyError:
        log.exception("could not publish on session %s", live_session.id)
        return None


def counts_changed(hub: live.Hub, live_session: LiveSession, idea_ids: Iterable[int]) -> None:
    """The vote counts of these ideas go out with the others of the same moment: one frame
    per channel and live.STATE_WINDOW, read as it is numbered (forum.live.publish_state),
    so whichever worker took the last vote, the last frame says the last count."""

    def frame(connection: Connection, keys: frozenset[int]) -> str:
        counts = ideas.vote_counts(connection, set(keys))
        return live.render_shared(hub, FRAMES, "votes", votes=sorted(counts.items()))

    hub.publish_state(channel(live_session.code), "votes", idea_ids, frame)


# -- what the services said happened (forum.events; registered by the manifest) -------------


def idea_added(hub: live.Hub, session: Session, _actor: Actor, event: IdeaAdded) -> None:
    """A shown idea goes to every page; one waiting for approval to the console only (a
    frame to every phone would say nothing but when someone wrote)."""
    if not event.shown:
        html = live.render_shared(hub, FRAMES, "console_frame", idea_id=event.idea_id)
        live.publish_safely(hub, console_channel(event.session_id), html)
    elif (found := session.get(LiveSession, event.session_id)) is not None:
        session_changed(hub, session, found, shown=[event.idea_id])


def ideas_changed(hub: live.Hub, session: Session, _actor: Actor, event: IdeasChanged) -> None:
    if (found := session.get(LiveSession, event.session_id)) is not None:
        session_changed(
            hub,
            session,
            found,
            shown=event.shown,
            gone=event.gone,
            changed=event.changed,
            votes=event.votes,
        )


def votes_changed(hub: live.Hub, session: Session, _actor: Actor, event: VotesChanged) -> None:
    if (found := session.get(LiveSession, event.session_id)) is not None:
        counts_changed(hub, found, [event.idea_id])


def state_changed(
    hub: live.Hub, session: Session, _actor: Actor, event: SessionStateChanged
) -> None:
    if (found := session.get(LiveSession, event.session_id)) is not None:
        session_changed(hub, session, found, state=True)
