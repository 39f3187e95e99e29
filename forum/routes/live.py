"""The live channels' WebSocket (forum.live): `GET /live/ws?channel=meeting:12&after=41`.

The page's session cookie says who is listening; the channel's kind decides whether they
may (forum.live.register_channel). Refused: closed with 1008, which the page does not
retry. Then the frames after `after`, and the live ones. A socket that falls behind is
closed with 1013 and a server shutting down closes with 1012: htmx's ws extension
reconnects on both, resuming after its last number."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status
from sqlmodel import Session

from forum import accounts, live
from forum.errors import DomainError, Forbidden
from forum.policy import ANONYMOUS
from forum.web import SESSION_COOKIE, form_int

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
        await asyncio.to_thread(_authorize, websocket, channel)
    except DomainError:
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
        return
    async with live.get_hub(websocket.app).subscribe(channel, after=after) as subscription:
        code = await _stream(websocket, subscription)
    if code is not None:
        await websocket.close(code=code)


def _check_origin(websocket: WebSocket) -> None:
    """Browsers send their page's origin: another site's page may not listen with the
    person's cookie (the CSRF check does not see WebSockets)."""
    origin = websocket.headers.get("origin")
    if origin and urlsplit(origin).netloc != websocket.headers.get("host"):
        raise Forbidden()


def _authorize(websocket: WebSocket, channel: str) -> None:
    with Session(websocket.app.state.engine) as session:
        token = websocket.cookies.get(SESSION_COOKIE)
        actor = accounts.actor_for_session_token(session, token) if token else ANONYMOUS
        live.authorize(session, actor, channel)


async def _stream(websocket: WebSocket, subscription: live.Subscription) -> int | None:
    """Send until the page goes away (None) or the hub ends the subscription (its close
    code)."""
    sending = asyncio.create_task(_send_all(websocket, subscription))
    listening = asyncio.create_task(_until_disconnected(websocket))
    done, pending = await asyncio.wait({sending, listening}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return sending.result() if sending in done else None


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
