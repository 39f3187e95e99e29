"""The live channels' WebSocket (forum.live): `GET /live/ws?channel=meeting:12&after=41`.

The page's session cookie says who is listening, or the ticket its page was given (a live
session's joined phone: `&ticket=`); the channel's kind decides whether they may
(forum.live.register_channel). Refused: closed with 1008, which the page does not
retry. Then the frames after `after`, and the live ones. A socket that falls behind is
closed with 1013 and a server shutting down closes with 1012: htmx's ws extension
reconnects on both, resuming after its last number.

While the socket is open, the session and the channel's rule are checked again every
RECHECK_EVERY seconds and at the session's expiry, in a short-lived database session (the
session's one query and the channel's own rule, as at connection; never per frame): after a
log-out, an expiry, an archival or erasure, or the loss of what the rule asks for, the
socket is closed with 1008 within that interval.

Origin (the CSRF check does not see WebSockets): a browser's Origin must be the public
address (WETHI_BASE_URL) or the host the request was addressed to, as the proxy forwarded
it (X-Forwarded-Host, else Host); any other site's page is refused. Without an Origin
(not a browser) the cookie alone decides."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from forum import accounts, live
from forum.db import utcnow
from forum.errors import DomainError, Forbidden
from forum.policy import ANONYMOUS
from forum.web import SESSION_COOKIE, ActorDep, SessionDep, form_int

RECHECK_EVERY = 60.0  # seconds between checks of an open socket's session and channel

log = logging.getLogger(__name__)

router = APIRouter()


@router.websocket("/live/ws")
async def live_socket(websocket: WebSocket) -> None:
    channel = websocket.query_params.get("channel", "")
    after = form_int(websocket.query_params.get("after"))  # none: from now on
    # Accepted before refusing: a refused handshake reaches the page as 1006, which it
    # would retry forever; a 1008 close it does not retry.
    await websocket.accept()
    try:
        _check_origin(websocket)
        expires_at = await _authorized(websocket, channel)
    except DomainError:
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
        return
    async with live.get_hub(websocket.app).subscribe(channel, after=after) as subscription:
        code = await _stream(
            websocket, subscription, _keep_authorized(websocket, channel, expires_at)
        )
    if code is not None:
        await websocket.close(code=code)


@router.get("/live/poll")
def live_poll(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """The same messages as the socket, for a page whose socket cannot connect (a proxy
    that blocks WebSockets): the frames after `after` (at most a few hundred; the page asks
    again for the rest), or only the marker when it has them all, which costs no query
    beyond the check of who asks. Refused like the socket: 404 or 403."""
    channel = request.query_params.get("channel", "")
    after = form_int(request.query_params.get("after"))
    hub = live.get_hub(request.app)
    if not hub.admits(channel, request.query_params.get("ticket")):
        client = request.client.host if request.client else ""
        live.authorize(session, actor, channel, client_ip=client)
    newest = hub.position(channel)
    if after is None or newest is None or after == newest:
        message = live.compose(channel, [], seq=newest if after is None else after)
    else:
        message = hub.catch_up_message(channel, after)
    return HTMLResponse(message.text, headers={"Cache-Control": "no-store"})


def _check_origin(websocket: WebSocket) -> None:
    """Browsers send their page's origin: another site's page may not listen with the
    person's cookie. Accepted: the public address's origin, or the host the browser
    addressed (through a proxy: its X-Forwarded-Host; a browser's page cannot set it)."""
    origin = websocket.headers.get("origin")
    if not origin:
        return
    page = _origin(origin)
    if page is not None and page == _origin(str(websocket.app.state.settings.base_url)):
        return
    forwarded = websocket.headers.get("x-forwarded-host", "").split(",")[0].strip()
    host = forwarded or websocket.headers.get("host", "")
    if page is None or urlsplit(origin.strip()).netloc.lower() != host.strip().lower():
        raise Forbidden()


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) with the default port filled in; None if not a web origin."""
    try:
        parts = urlsplit(url.strip().lower())
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:  # a port that is not a number
        return None
    if not parts.hostname or port is None:
        return None
    return parts.scheme, parts.hostname, port


async def _authorized(websocket: WebSocket, channel: str) -> datetime | None:
    """A valid ticket (live.Hub.admits: a live session's joined phone) lets in without a
    visit to the database — a hall reconnecting at once costs nothing else; otherwise
    _authorize, on a worker thread."""
    ticket = websocket.query_params.get("ticket")
    if live.get_hub(websocket.app).admits(channel, ticket):
        return None
    return await asyncio.to_thread(_authorize, websocket, channel)


def _authorize(websocket: WebSocket, channel: str) -> datetime | None:
    """Raises DomainError unless the cookie's person (or a visitor) may listen; returns
    when the session ends (None: no session). One short-lived database session."""
    with Session(websocket.app.state.engine) as session:
        token = websocket.cookies.get(SESSION_COOKIE)
        actor, expires_at = (
            accounts.session_for_token(session, token) if token else (ANONYMOUS, None)
        )
        client = websocket.client.host if websocket.client else ""
        live.authorize(session, actor, channel, client_ip=client)
        return expires_at


async def _keep_authorized(
    websocket: WebSocket, channel: str, expires_at: datetime | None
) -> int | None:
    """Check again every RECHECK_EVERY seconds, and at the session's end: 1008 once
    refused; 1013 (the page reconnects, and is checked then) if the database fails."""
    while True:
        delay = RECHECK_EVERY
        if expires_at is not None:
            delay = min(delay, max((expires_at - utcnow()).total_seconds(), 0.0))
        await asyncio.sleep(delay)
        try:
            expires_at = await _authorized(websocket, channel)
        except DomainError:
            return status.WS_1008_POLICY_VIOLATION
        except SQLAlchemyError:
            log.warning("live channel %s: could not check a socket again", channel, exc_info=True)
            return status.WS_1013_TRY_AGAIN_LATER


async def _stream(
    websocket: WebSocket,
    subscription: live.Subscription,
    checking: Coroutine[Any, Any, int | None],
) -> int | None:
    """Send until the page goes away (None), the hub ends the subscription or the check
    refuses the listener (their close code)."""
    sending = asyncio.create_task(_send_all(websocket, subscription))
    listening = asyncio.create_task(_until_disconnected(websocket))
    rechecking = asyncio.create_task(checking)
    done, pending = await asyncio.wait(
        {sending, listening, rechecking}, return_when=asyncio.FIRST_COMPLETED
    )
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in (rechecking, sending):
        if task in done:
            return task.result()
    return None


async def _send_all(websocket: WebSocket, subscription: live.Subscription) -> int | None:
    try:
        async for message in subscription:
            await websocket.send_text(message.text)
    except live.SubscriberTooSlow:
        return status.WS_1013_TRY_AGAIN_LATER
    except live.HubClosed:
        return status.WS_1012_SERVICE_RESTART
    except (WebSocketDisconnect, OSError):  # the page went away mid-send
        return None
    return None


async def _until_disconnected(websocket: WebSocket) -> None:
    """The page sends nothing yet; reading notices when it goes away."""
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass
