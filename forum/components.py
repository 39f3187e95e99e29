"""How a package's manifest (its `component.py`) plugs its routers into the app.

`forum/app.py` calls each manifest's `install(app)` in the packages' order; a manifest
registers its rules, channels, hooks and kinds in forum's registries (forum.registry) and
hands its routers here with the place each takes. FastAPI tries the routes in turn, router
by router, at about 2 µs a route: the routers of the busiest pages state a low `order`
(a body's meetings and a meeting, a meeting's agenda and its items' threads), so they are
tried first. No path of one router is matched by another's routes, so the order changes no
answer, only how soon it is found.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy.engine import Engine

from forum.registry import Registry

log = logging.getLogger(__name__)

BUSIEST = 10  # the orders a manifest states for its routers
PAGES = 100
API = 1000


@dataclass(frozen=True)
class _Router:
    router: APIRouter
    order: int
    options: dict[str, Any]


def add_router(app: FastAPI, router: APIRouter, *, order: int = PAGES, **options: Any) -> None:
    """Include `router` when the app is complete, after those of a lower `order`. The HTML
    routes stay out of the OpenAPI document (it is the JSON API's) unless `options` say
    otherwise."""
    if order < API:
        options.setdefault("include_in_schema", False)
    pending: list[_Router] = app.state.routers  # set by forum.app.create_app
    if any(added.router is router for added in pending):
        raise ValueError(f"router {router!r} is added twice")
    pending.append(_Router(router, order, options))


def include_routers(app: FastAPI) -> None:
    """Include the routers the manifests added, in their order (stable: in the order they
    were added within one)."""
    for added in sorted(app.state.routers, key=lambda added: added.order):
        app.include_router(added.router, **added.options)
    app.state.routers = []


# -- work a package does once the server is up --------------------------------------------

# `task(engine)`, run in a thread when the server starts, in the background (the server
# answers meanwhile): what an upgrade left for a package's own code to do (search cuts again
# the entries an older version indexed). Each must be quick when there is nothing to do.
STARTUP_TASKS: Registry[Callable[[Engine], Any]] = Registry("start-up tasks")


async def run_startup_tasks(engine: Engine) -> None:
    """Each start-up task in turn, in a thread; a failed one is logged, the others still run."""
    for name, task in STARTUP_TASKS.items():
        try:
            await asyncio.to_thread(task, engine)
        except Exception:  # one package's failure must not stop the server or the others
            log.exception("start-up task %s failed", name)



# -- commands a package adds to `wethi` ---------------------------------------------------

# `command(engine, settings, argument) -> (exit code, lines to print)`: run by `wethi NAME
# ARGUMENT` after the manifests are installed (voting's `verify BALLOT`).
COMMANDS: Registry[Callable[[Engine, Any, str], tuple[int, list[str]]]] = Registry("commands")
