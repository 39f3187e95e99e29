"""The vote burst benchmark's baseline (tests/bench/vote_burst.py): the same server stack as
`wethi serve` (uvicorn with uvloop and httptools, FastAPI, the same database file), and for
each POST the same bearer-token lookup as the API (forum.accounts.actor_for_api_token) and
one committed insert, durable as a cast is (forum.db.durable) — no ballot, no checks, no
sealing, no receipt.

    python -m uvicorn _bare_cast:app --app-dir tests/bench ...   (WETHI_DATA_DIR set)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from forum import accounts, db
from forum.config import load_settings
from forum.models import LoginAttempt

settings = load_settings()
engine = db.make_engine(settings.database_url)


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # The request threads as wethi serve has them (WETHI_REQUEST_THREADS): the same stack.
    to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
    yield


app = FastAPI(lifespan=lifespan)


@app.get("/")
def hello() -> PlainTextResponse:
    return PlainTextResponse("ok")


def _cast(token: str) -> JSONResponse:
    with Session(engine, expire_on_commit=False) as session:
        actor = accounts.actor_for_api_token(session, token)
        if not actor.is_authenticated:
            return JSONResponse({"error": "login"}, status_code=401)
        db.durable(session)
        session.add(LoginAttempt(key=f"bench-cast:{actor.person_id}"))
        session.commit()
    return JSONResponse({"receipt": "x"}, status_code=201)


@app.post("/cast")
async def cast(request: Request) -> JSONResponse:
    await request.body()
    token = request.headers.get("authorization", "").removeprefix("Bearer ")
    return await run_in_threadpool(_cast, token)
