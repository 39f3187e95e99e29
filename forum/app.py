"""The composition root: the only module that knows all four packages."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from sqlalchemy.engine import Engine

import deliberation
import minutes
import voting
from deliberation import api as deliberation_api
from deliberation import demo as deliberation_demo  # noqa: F401  (registers its demo content)
from deliberation import privacy as deliberation_privacy  # noqa: F401  (registers its PDPA export and erasure)
from deliberation import rules as deliberation_rules  # noqa: F401  (registers its permissions)
from deliberation.routes import agenda as agenda_routes
from deliberation.routes import conduct as conduct_routes
from deliberation.routes import search as search_routes
from deliberation.routes import session_clusters, session_followup, session_polls
from deliberation.routes import sessions as session_routes
from deliberation.routes import threads as thread_routes
from forum import attempts, db, rules  # noqa: F401  (rules registers the core's permissions)
from forum import live as live_hub
from forum import notifications as notices
from forum.api import params as api_params
from forum.api import router as api_router
from forum.config import Settings, get_settings
from forum.fragments import FragmentCache
from forum.live import make_hub
from forum.middleware import WebMiddleware
from forum.routes import (
    accounts,
    admin,
    bodies,
    home,
    live,
    meetings,
    notifications,
    organisations,
    people,
    privacy,
)
from forum.static import Static
from forum.web import STATIC_DIR, STATIC_VERSION, install_error_handlers

PACKAGES = (deliberation, voting, minutes)  # their routers and rules arrive with their issues


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with live_hub.lifespan(app):
        sweep = asyncio.create_task(notices.sweep_due_emails(app.state.engine))
        forget = asyncio.create_task(attempts.sweep_old_attempts(app.state.engine))
        try:
            yield
        finally:
            for task in (sweep, forget):
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Wethi (เวที)",
        description="Participatory forum and deliberation platform — JSON API",
        version="1",
        docs_url=None,  # Swagger UI loads from a CDN, which the strict CSP forbids
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        lifespan=lifespan,  # the live hub and the email sweep start and stop with the server
    )
    app.state.settings = settings
    app.state.engine = engine or db.make_engine(settings.database_url)
    app.state.hub = make_hub(settings, app.state.engine)
    app.state.fragments = FragmentCache()
    # FastAPI tries the routes in turn, router by router, at about 2 µs a route: the
    # routers holding the busiest pages go first (a body's meetings and a meeting, a
    # meeting's agenda and its items' threads; benchmarked). No path of another router is
    # matched by one of their routes, so the order changes no route's answer.
    busiest_first = (meetings, agenda_routes, thread_routes, conduct_routes, live)
    rest = (
        home,
        accounts,
        organisations,
        people,
        bodies,
        privacy,
        admin,
        search_routes,
        notifications,
        session_routes,
        session_clusters,
        session_polls,
        session_followup,
    )
    for module in busiest_first + rest:
        app.include_router(
            module.router, include_in_schema=False
        )  # the OpenAPI document is the JSON API's
    app.include_router(api_router)
    app.include_router(deliberation_api.router, prefix="/api/v1", responses=api_params.ERRORS)
    app.include_router(deliberation_api.agenda_router, responses=api_params.ERRORS)
    app.mount("/static", Static(directory=STATIC_DIR, version=STATIC_VERSION), name="static")
    install_error_handlers(app)
    app.add_middleware(
        WebMiddleware,
        secret_key=settings.secret_key,
        default_locale=settings.default_locale,
        secure_cookies=settings.secure_cookies,
        base_url=settings.base_url,  # its WebSocket origin in the CSP's connect-src
        public_url=settings.base_url if "base_url" in settings.model_fields_set else "",
    )
    return app


# Python's cycle collector walks every tracked object in a full collection: with 2,000
# phones on live sessions that is a million objects and a pause of half a second, every
# few seconds, during which no live message leaves (the live benchmark's p99 went from
# 174 ms to 816 ms). A server keeps most of what it makes only briefly: young garbage gets
# the time to go by reference counting (a young collection after 50,000 allocations, not
# 700), so far less lives on into the old generation and full collections become rare;
# what the app loaded at start is frozen out of the collector's sight.
GC_THRESHOLDS = (50_000, 20, 10)


def create_served_app() -> FastAPI:
    """Uvicorn's factory for `wethi serve` (each worker builds its own app)."""
    app = create_app()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    return app
