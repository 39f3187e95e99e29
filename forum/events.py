"""What a service says happened, and the one place that turns it into live frames.

A service that changes something a live page shows records a small past-tense event on
its database session once its commit has succeeded (`record`: `AgendaChanged`,
`IdeasChanged`, `AttendanceChanged` …): a change rolled back never leaves one behind, and
a press that changes nothing (pausing a paused session) records nothing. After the
service returns, its caller — an HTML route or a JSON route — calls `publish`, which
hands each event to the publisher its package's manifest registered for that kind
(`on`): the package's live module renders the frame once for everyone and sends it. So
the JSON API moves the open pages exactly as the forms do, and no front door needs to
know which frame a change becomes.

Services never publish (the commit comes first, and only the hub knows sockets); a
caller that publishes nothing leaves the change saved and the pages to catch up on
their next load.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from forum.policy import Actor
from forum.registry import Registry

_PENDING = "wethi.events"  # the key in Session.info

log = logging.getLogger(__name__)


class Event:
    """A thing that happened, told to the live pages (subclasses: frozen dataclasses, named
    in the past tense; their fields say what changed, never who reads it)."""


Publisher = Callable[[Any, Session, Actor, Any], object]  # (hub, session, actor, event)

PUBLISHERS: Registry[Publisher] = Registry("live event publishers")


def _kind(event_type: type[Event]) -> str:
    return f"{event_type.__module__}.{event_type.__qualname__}"


def on(event_type: type[Event], publisher: Publisher) -> None:
    """Register the publisher of one kind of event (from a package's manifest)."""
    PUBLISHERS.add(_kind(event_type), publisher)


def record(session: Session, *events: Event) -> None:
    """Say what happened, after the commit that saved it (or from a hook that runs inside
    the caller's transaction, such as a meeting's stage hooks)."""
    session.info.setdefault(_PENDING, []).extend(events)


def pending(session: Session) -> list[Event]:
    """The events recorded on the session and not yet published."""
    return list(session.info.get(_PENDING, ()))


def publish(hub: Any, session: Session, actor: Actor) -> None:
    """After the commit: each recorded event (the same one twice, once) to its publisher,
    in the order they happened. A publisher that fails is logged and the others still run:
    the change is saved, and pages catch up on their next load. Raises LookupError for an
    event no manifest publishes (a programming error, found before anything is sent)."""
    events: list[Event] = []
    for event in session.info.pop(_PENDING, []):
        if event not in events:
            events.append(event)
    publishers = []
    for event in events:
        publisher = PUBLISHERS.get(_kind(type(event)))
        if publisher is None:
            raise LookupError(f"no publisher for {_kind(type(event))}: register one with on()")
        publishers.append(publisher)
    for event, publisher in zip(events, publishers, strict=True):
        try:
            publisher(hub, session, actor, event)
        except Exception:  # live updates are a convenience: never fail the saved change
            log.exception("could not publish %r", event)
