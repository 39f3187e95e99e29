"""What a route asks of the request: its database session (closed before the response
is sent), the person acting, whether htmx asked, the address it came from, the hub, and
the shared parameter types (`Id`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi import Path as PathParam
from sqlmodel import Session

from forum import accounts, config, events, forms, middleware
from forum.errors import NotLoggedIn
from forum.models import MAX_ID
from forum.policy import ANONYMOUS, Actor

SESSION_COOKIE = middleware.SESSION_COOKIE
LANG_COOKIE = "wethi_lang"
FLASH_COOKIE = "wethi_flash"


# -- dependencies -------------------------------------------------------------------


_SESSION_KEY = middleware.SESSION_SCOPE_KEY


def _request_session(request: Request) -> Session:
    """The request's database session, opened by the first dependency that needs it and
    closed when the route returns, before the response is sent (a slow client never keeps
    a connection out of the pool). The close is a callback on FastAPI's per-route exit
    stack rather than a `yield` dependency: same moment, without the async context
    manager and the extra dependency node a generator costs on every request."""
    scope = request.scope
    session = scope.get(_SESSION_KEY)
    if session is None:
        session = Session(request.app.state.engine, expire_on_commit=False)
        # FastAPI's per-route exit stack (an internal of 0.121+) closes it early; without
        # it, forum.middleware closes it once the response is sent.
        if stack := scope.get("fastapi_function_astack"):
            stack.callback(_close_request_session, scope)
        scope[_SESSION_KEY] = session
    return session


def _close_request_session(scope: dict[str, Any]) -> None:
    if (session := scope.pop(_SESSION_KEY, None)) is not None:
        session.close()


async def get_db(request: Request) -> Session:
    return _request_session(request)


SessionDep = Annotated[Session, Depends(get_db)]
# A record id in a page's path: anything else is a page not found (see install_error_handlers).
Id = Annotated[int, PathParam(ge=1, le=MAX_ID), forms.AS_WRITTEN]
# A page of a list, in a page's query (?page=2 or ?page=๒).
PageNumber = Annotated[int, Query(ge=1, le=100_000), forms.AS_WRITTEN]


def _actor(request: Request) -> Actor:
    """The person behind the request (session cookie, or a bearer token on the API),
    looked up once per request."""
    state = request.scope.setdefault("state", {})  # request.state, without its exception on a miss
    if (cached := state.get("actor")) is not None:
        return cached
    actor = ANONYMOUS
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        actor = accounts.actor_for_api_token(_request_session(request), authorization[7:].strip())
    elif token := request.cookies.get(SESSION_COOKIE):
        actor = accounts.actor_for_session_token(_request_session(request), token)
    state["actor"] = actor
    return actor


# Each is one dependency node with no sub-dependencies (FastAPI's cost is per node): they
# share the request's session through `_request_session`, whichever runs first.
async def current_actor(request: Request) -> Actor:
    return _actor(request)


ActorDep = Annotated[Actor, Depends(current_actor)]


async def signed_in_actor(request: Request) -> Actor:
    actor = _actor(request)
    if not actor.is_authenticated:
        raise NotLoggedIn()
    return actor


MemberDep = Annotated[Actor, Depends(signed_in_actor)]


def is_htmx(request: Request) -> bool:
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


def form_int(text: Any, field: str = "number") -> int | None:
    """A whole number from a form or query field, or None (the service then answers, so a
    request is authorised before its input is judged); digits other than 0–9 and ๐–๙ are
    refused (forum.forms.whole_number)."""
    return forms.whole_number(text, field=field)


def client_ip(request: Request) -> str:
    """The address the request came from (a hall's phones often share one)."""
    return request.client.host if request.client else ""


def hub(request: Request) -> Any:
    """The app's live hub (forum.live.Hub), for a route that publishes or reads a position."""
    return request.app.state.hub


def publish(request: Request, session: Session, actor: Actor) -> None:
    """After a service's commit: what it said happened goes out to the live pages
    (forum.events). Every route that calls a service with live effects ends with this."""
    events.publish(hub(request), session, actor)


def public_url() -> str:
    """The site's address for links that leave the browser, a QR code or a share link: the
    configured WETHI_BASE_URL, else the address the current request came to
    (forum.middleware.current_public_url); outside a request, the configured default."""
    return middleware.current_public_url.get() or str(config.get_settings().base_url).rstrip("/")


def form_values(form: Any) -> dict[str, Any]:
    """A submitted form as a dict (the last value of repeated names), csrf token dropped."""
    return {key: value for key, value in form.items() if key != "csrf_token"}
