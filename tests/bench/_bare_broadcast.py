"""The live fan-out benchmark's baseline (tests/bench/live_fanout.py): the same server stack
as `wethi serve` (uvicorn with uvloop and the sans-I/O WebSockets, FastAPI), no application
logic — no database, no templates. A socket at /live/ws joins the audience; each POST
/submit is acknowledged at once and then fanned out as one message to every socket; POST
/vote is acknowledged and counted only (Wethi folds votes into the frames it already sends).

    python -m uvicorn _bare_broadcast:app --app-dir tests/bench --ws websockets-sansio \
        --ws-per-message-deflate false ...
"""

from __future__ import annotations

import asyncio
import html

from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import PlainTextResponse

app = FastAPI()
audience: set[WebSocket] = set()
state = {"seq": 0, "votes": 0}
sending: set[asyncio.Task] = set()


@app.get("/")
def hello() -> PlainTextResponse:
    return PlainTextResponse("ok")


@app.websocket("/live/ws")
async def listen(websocket: WebSocket) -> None:
    await websocket.accept()
    audience.add(websocket)
    try:
        while (await websocket.receive())["type"] != "websocket.disconnect":
            pass
    finally:
        audience.discard(websocket)


async def _fan_out(message: str) -> None:
    for websocket in list(audience):
        try:
            await websocket.send_text(message)
        except Exception:  # noqa: BLE001 (a socket that went away: the next one)
            audience.discard(websocket)


@app.post("/submit")
async def submit(request: Request) -> PlainTextResponse:
    text = (await request.body()).decode()
    state["seq"] += 1
    message = (
        f'<!--{state["seq"]}--><li id="idea-{state["seq"]}" hx-swap-oob="afterbegin:#list">{html.escape(text)}</li>'
    )
    task = asyncio.get_running_loop().create_task(_fan_out(message))
    sending.add(task)
    task.add_done_callback(sending.discard)
    return PlainTextResponse("ok")


@app.post("/vote")
async def vote() -> PlainTextResponse:
    state["votes"] += 1
    return PlainTextResponse("ok")
