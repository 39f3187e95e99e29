"""The composition root: the only module that knows all the packages. It installs each
package's manifest (its `component.py`) in order, then the core's middleware, static files
and error pages."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import timedelta

from anyio import to_thread
from fastapi import FastAPI
from sqlalchemy.engine import Engine

from deliberation import component as deliberation_component
from forum import attempts, components, db, privacy
from forum import component as forum_component
from forum import live as live_hub
from forum import notifications as notices
from forum.config import Settings, get_settings
from forum.fragments import FragmentCache
from forum.live import make_hub
from forum.middleware import WebMiddleware
from forum.static import Static
from forum.web import STATIC_DIR, STATIC_VERSION, install_error_handlers
from voting import component as voting_component

# Each package's manifest, in the direction of the dependencies (DESIGN.md §1): a package
# fills the hooks of those to its left. minutes/ joins here with its issue.
MANIFESTS = (forum_component, deliberation_component, voting_component)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # The requests' worker threads (sync routes and dependencies, run_in_threadpool) for
    # this event loop: WETHI_REQUEST_THREADS (forum/config.py says why so few).
    to_thread.current_default_thread_limiter().total_tokens = app.state.settings.request_threads
    async with live_hub.lifespan(app):
        sweep = asyncio.create_task(notices.sweep_due_emails(app.state.engine))
        keep = timedelta(hours=app.state.settings.retain_login_attempts_hours)
        forget = asyncio.create_task(attempts.sweep_old_attempts(app.state.engine, keep=keep))
        expire = asyncio.create_task(
            privacy.sweep_retention(app.state.engine, app.state.settings)
        )
        catch_up = asyncio.create_task(components.run_startup_tasks(app.state.engine))
        try:
            yield
        finally:
            for task in (sweep, forget, expire, catch_up):
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
    app.state.routers = []
    for manifest in MANIFESTS:
        manifest.install(app)
    components.include_routers(app)
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
# phones on live sessions that is a million objects, and no live message leaves during
# the pause. Most of what a server makes lives briefly: young collections after 50,000
# allocations (not 700) let it go by reference counting, so full collections become rare;
# what the app loaded at start is frozen out of the collector's sight.
GC_THRESHOLDS = (50_000, 20, 10)


def create_served_app() -> FastAPI:
    """Uvicorn's factory for `wethi serve` (each worker builds its own app)."""
    app = create_app()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    return app
