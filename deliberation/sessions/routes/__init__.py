"""A live session's HTML routes: joining, ideas and votes, the console and the projector
(sessions.py), themes (clusters.py), polls and the timer (polls.py), follow-up
(followup.py). What they share is here: a session's code in a path, the phone's
participant, and the whole console for a change refused from a plain form."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.responses import Response
from sqlmodel import Session

from deliberation.sessions import pages
from deliberation.sessions.sessions import TOKEN_COOKIE, participant_in
from forum.i18n import current_locale
from forum.policy import Actor
from forum.web import client_ip, hub, public_url, render

Code = Annotated[str, Path(min_length=1, max_length=12)]


def participant_of(request: Request, session: Session, code: str) -> tuple[Any, Any]:
    """The session of `code` and this device's participant in it (None before it joined).
    Raises InvalidInput (no such session), RateLimited."""
    return participant_in(
        session,
        code=code,
        token=request.cookies.get(TOKEN_COOKIE),
        client_ip=client_ip(request),
    )


def console_response(
    request: Request,
    session: Session,
    actor: Actor,
    session_id: int,
    status: int = 200,
    **extra: Any,
) -> Response:
    """The console, whole (or its `console` block for htmx), with `extra` said in place."""
    context = pages.console_page(
        session,
        hub(request),
        actor,
        session_id=session_id,
        base_url=public_url(),
        locale=current_locale.get(),
    )
    return render(request, pages.CONSOLE_PAGE, context | extra, block="console", status_code=status)
