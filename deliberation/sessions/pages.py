"""The read side of a live session's three pages — the phone, the facilitator's console and
the projector — and of the parts they re-render alone (the poll on a phone, the console's
polls). Each page asks the session's parts for what it shows: the ideas, the quick poll and
the timer, the themes and the word cloud, and what was taken forward. Routes call these
and render; nothing here knows the web.

A page also says from which frame of the session's channel it continues (`live_after`):
read from the hub *before* the page's data (forum.live.Hub.position_and), so an idea
committed while the page renders reaches it as a frame.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlmodel import Session

from deliberation.sessions import (
    clusters,
    followup,
    ideas,
    polls,
    sessions,
    timer,
    wordcloud,
)
from deliberation.sessions import live as sessions_live
from deliberation.sessions.models import IdeaStatus, LiveSessionStatus
from forum import live
from forum.db import utcnow
from forum.policy import Actor

JOIN_PAGE = "deliberation/session_join_page.html"
PARTICIPANT_PAGE = "deliberation/session_page.html"
CONSOLE_PAGE = "deliberation/session_console_page.html"
PROJECTOR_PAGE = "deliberation/session_projector_page.html"


def _channel(view: sessions.SessionView) -> str:
    return sessions_live.channel(view.live.code)


def new_key() -> str:
    """Each rendered idea form carries a fresh key: a resent form is one idea."""
    return secrets.token_urlsafe(16)


# -- the phone ---------------------------------------------------------------------------------


def participant_form(view: sessions.SessionView, participant: Any) -> dict[str, Any]:
    """What the idea form alone needs (an htmx answer to a sent idea)."""
    return {
        "view": view,
        "participant": participant,
        "new_key": new_key(),
        "values": {},
        "errors": {},
        "guest_notice": sessions.GUEST_NOTICE,  # the consent's text, versioned in the ledger
    }


def participant_page(
    session: Session,
    hub: live.Hub,
    view: sessions.SessionView,
    participant: Any,
    *,
    order: str = "new",
) -> dict[str, Any]:
    """The phone's page: the shown ideas in the order asked for (a closed session stays
    readable by whoever has its code; an open one once joined), the poll and the timer."""
    order = order if order in ideas.ORDERS else "new"
    readable = participant is not None or view.live.status == LiveSessionStatus.closed

    def read() -> dict[str, Any]:
        rows = (
            ideas.list_ideas(session, session_id=view.id, order=order, viewer=participant)
            if readable
            else []
        )
        return {"order": order, "ideas": rows} | participant_poll(session, view, participant)

    live_after, data = hub.position_and(_channel(view), read)
    live_ticket = sessions_live.ticket(hub, view.live, participant)
    return participant_form(view, participant) | data | {
        "live_after": live_after,
        "live_ticket": live_ticket,
    }


def participant_poll(
    session: Session, view: sessions.SessionView, participant: Any
) -> dict[str, Any]:
    """The poll on a phone. Two queries at most (2,000 phones load this page): the poll
    shown with its results, and the participant's own answer."""
    context = _poll_and_timer(view, "participant") | {
        "poll_current": None,
        "poll_chosen": frozenset(),
    }
    if participant is None:
        return context
    current = polls.current_poll(session, view.id)
    chosen = (
        polls.chosen_options(session, participant, current.id)
        if current is not None and current.is_open
        else frozenset()
    )
    return context | {"poll_current": current, "poll_chosen": chosen}


# -- the console -------------------------------------------------------------------------------


def console_page(
    session: Session,
    hub: live.Hub,
    actor: Actor,
    *,
    session_id: int,
    base_url: str,
    locale: str,
) -> dict[str, Any]:
    """The facilitator's console: every idea by its moderation state, the counts, the
    themes, the polls and the timer, the share link and what was taken forward. Raises
    Forbidden, NotFound (deliberation.sessions.sessions.get_session)."""
    view = sessions.get_session(session, actor, session_id=session_id)
    every = (IdeaStatus.pending, IdeaStatus.shown, IdeaStatus.hidden)

    def read() -> dict[str, Any]:
        rows = ideas.list_ideas(session, session_id=view.id, order="top", statuses=every)
        return {
            "view": view,
            "pending": [row for row in rows if row.status == IdeaStatus.pending],
            "shown": [row for row in rows if row.status == IdeaStatus.shown],
            "hidden": [row for row in rows if row.status == IdeaStatus.hidden],
            "counts": sessions.counts(session, view.id),
            "blocked": sessions.blocked_addresses(session),
            "errors": {},
            "themes_panel": clusters.ClustersPanel(session, view),  # read only if shown
            "share": followup.share_links(view, base_url=base_url, locale=locale),
            "promotions": followup.promotions_of(session, view.id),
        } | console_polls(session, view)

    console_after = hub.position(sessions_live.console_channel(view.id))  # before the data too
    live_after, data = hub.position_and(_channel(view), read)
    return data | {"live_after": live_after, "console_after": console_after}


def console_polls(session: Session, view: sessions.SessionView) -> dict[str, Any]:
    """The console's polls and timer (also re-rendered alone after a change to a poll)."""
    return _poll_and_timer(view, "console") | {
        "poll_current": polls.current_poll(session, view.id),
        "poll_chosen": frozenset(),
        "poll_list": polls.session_polls(session, view.id),
        "poll_form_errors": {},
        "poll_form_values": {},
        "poll_problem_id": None,
        "timer_presets": timer.PRESETS,
        "timer_errors": {},
        "timer_values": {},
    }


# -- the projector -----------------------------------------------------------------------------


def projector_page(
    session: Session, hub: live.Hub, actor: Actor, *, session_id: int, base_url: str
) -> dict[str, Any]:
    """The big screen: how to join, the top ideas, the word cloud, the poll and the timer.
    Raises Forbidden, NotFound."""
    view = sessions.get_session(session, actor, session_id=session_id)

    def read() -> dict[str, Any]:
        return _poll_and_timer(view, "projector") | {
            "view": view,
            "live_session": view.live,
            "top": sessions_live.projector_ideas(session, view.live),
            "join_url": sessions.join_url(base_url, view.live),
            "projector_words": wordcloud.words_of(session, view.id),
            "poll_current": polls.current_poll(session, view.id),
            "poll_chosen": frozenset(),
        }

    live_after, data = hub.position_and(_channel(view), read)
    return data | {"live_after": live_after}


# -- shared by the three -----------------------------------------------------------------------


def _poll_and_timer(view: sessions.SessionView, page: str) -> dict[str, Any]:
    return {
        "polls_page": page,
        "session_timer": timer.timer_view(view.live),
        "timer_now": utcnow().isoformat().replace("+00:00", "Z"),
        "timer_oob": False,
        "poll_base": f"/s/{view.live.code}",
        # The console and the projector show the poll without its form ("display").
        "poll_live_status": view.live.status if page == "participant" else "display",
        "poll_shared": page != "participant",
        "poll_oob": False,
        "poll_errors": {},
        "poll_message": "",
    }
