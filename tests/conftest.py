"""Shared test fixtures: a fresh database per test, the app, and clients that act as a
given person through httpx's ASGI transport."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

os.environ.setdefault("WETHI_DATA_DIR", tempfile.mkdtemp(prefix="wethi-test-"))
os.environ.setdefault("WETHI_SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")

from forum import accounts, db, security  # noqa: E402
from forum.app import create_app  # noqa: E402
from forum.config import get_settings  # noqa: E402
from forum.models import Body, Person, Role  # noqa: E402
from forum.web import SESSION_COOKIE  # noqa: E402
from tests import factories, schema  # noqa: E402  (schema: every package's tables)


@pytest.fixture(scope="session", autouse=True)
def installed_packages() -> None:
    """The packages' manifests fill forum's registries (rules, hooks, kinds) when an app is
    made; tests that call services without an app need them filled too."""
    create_app(get_settings())


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def engine(tmp_path) -> Iterator[Engine]:
    """A fresh SQLite database (tests/pg overrides this with PostgreSQL)."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'test.sqlite3'}")
    schema.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        factories.load_reference(session)
        yield session


@pytest.fixture
def app(engine: Engine, session: Session):
    return create_app(get_settings(), engine=engine)


class WebClient:
    """An httpx client on the ASGI app that fills in the CSRF token like a browser would."""

    def __init__(self, app: Any) -> None:
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver", follow_redirects=False)
        self.person: Person | None = None
        self.body: Body | None = None

    async def _nonce(self) -> str:
        if "wethi_csrf" not in self.http.cookies:
            await self.http.get("/login")
        return self.http.cookies["wethi_csrf"]

    async def csrf_token(self) -> str:
        return security.csrf_token(get_settings().secret_key, await self._nonce())

    async def get(self, url: str, *, htmx: bool = False, **kwargs: Any) -> httpx.Response:
        headers = kwargs.pop("headers", {}) | ({"HX-Request": "true"} if htmx else {})
        return await self.http.get(url, headers=headers, **kwargs)

    async def post(self, url: str, data: dict[str, Any] | None = None, *, htmx: bool = False, csrf: bool = True, **kwargs: Any) -> httpx.Response:
        """A form POST (urlencoded) with the CSRF token, as the page's form would send it."""
        data = dict(data or {})
        headers = kwargs.pop("headers", {})
        if csrf:
            token = await self.csrf_token()
            if htmx:
                headers["X-CSRF-Token"] = token
            else:
                data.setdefault("csrf_token", token)
        if htmx:
            headers["HX-Request"] = "true"
        return await self.http.post(url, data=data, headers=headers, **kwargs)

    async def json(self, method: str, url: str, payload: Any = None, **kwargs: Any) -> httpx.Response:
        """An API call with the session cookie (so it needs the CSRF header, like a page)."""
        headers = kwargs.pop("headers", {})
        if method.upper() not in {"GET", "HEAD"} and "authorization" not in {k.lower() for k in headers}:
            headers["X-CSRF-Token"] = await self.csrf_token()
        return await self.http.request(method, url, json=payload, headers=headers, **kwargs)

    def log_in_as(self, session: Session, person: Person) -> WebClient:
        token = accounts.start_session(session, person)
        self.http.cookies.set(SESSION_COOKIE, token)
        self.person = person
        return self

    async def aclose(self) -> None:
        await self.http.aclose()


@pytest.fixture
async def client(app) -> AsyncIterator[WebClient]:
    web = WebClient(app)
    yield web
    await web.aclose()


@pytest.fixture
async def make_client(app) -> AsyncIterator[Callable[[], WebClient]]:
    made: list[WebClient] = []

    def make() -> WebClient:
        made.append(WebClient(app))
        return made[-1]

    yield make
    for web in made:
        await web.aclose()


AsMember = Callable[..., Awaitable[WebClient]]


@pytest.fixture
def as_member(session: Session, make_client) -> AsMember:
    """`await as_member(Role.secretary)`: a logged-in client whose person holds that role
    in a fresh body (`client.body`); `as_member("admin")` is a site admin, `as_member(None)`
    a person with no body."""

    async def login(role: Role | str | None = Role.member, *, body: Body | None = None) -> WebClient:
        web = make_client()
        if role == "admin":
            person = factories.person(session, is_admin=True)
        else:
            person = factories.person(session)
            if role is not None:
                body = body or factories.body(session)
                factories.member(session, body, Role(role), person_row=person)
        web.body = body
        return web.log_in_as(session, person)

    return login
