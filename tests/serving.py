"""`wethi serve` as a child process for end-to-end tests of live sessions, restartable on the
same port and database (a server restarted in the middle of a session), and what a phone or
a facilitator does there over HTTP and WebSocket, read from the pages like a browser would.

The process handling is tests/browser/conftest.py's (start, wait until up, stop by PID);
this module adds the restart and a fresh site for modules outside tests/browser.
"""

from __future__ import annotations

import asyncio
import html
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from websockets.asyncio.client import ClientConnection, connect

from deliberation.sessions import ideas, sessions
from deliberation.sessions.models import LiveIdea, LiveSession
from forum import db
from forum.models import LiveFrame, Person, Role
from tests import factories
from tests.browser.conftest import CLI, LiveServer, _free_port, _stop, _wait_until_up

SECRET = "live-session-test-secret-key-0123456789-abcdefghij"


# -- the server -------------------------------------------------------------------------------


@dataclass
class Site:
    """A migrated data directory served by `wethi serve` on 127.0.0.1:`port`."""

    data_dir: Path
    port: int
    env: dict[str, str]
    engine: Engine
    server: LiveServer | None = None
    starts: int = 0

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def start(self) -> None:
        self.starts += 1
        log = self.data_dir / f"server-{self.starts}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [*CLI, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.server = LiveServer(self.url, self.data_dir, self.engine, process, log)
        _wait_until_up(self.server)

    def stop(self) -> None:
        """SIGTERM to the server's PID (SIGKILL if it does not end within 10 s)."""
        if self.server is not None:
            _stop(self.server.process)

    def restart(self) -> None:
        """Stopped, then a new process on the same port and database."""
        self.stop()
        self.start()


@contextmanager
def served_site(**settings: str) -> Iterator[Site]:
    """`wethi migrate` in a fresh data directory (SQLite), then `wethi serve` on a free port
    (`settings`: more WETHI_ variables, `ws_compression="true"` for WETHI_WS_COMPRESSION)."""
    data_dir = Path(tempfile.mkdtemp(prefix="wethi-live-"))
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("WETHI_")}
    env |= {
        "WETHI_DATA_DIR": str(data_dir),
        "WETHI_SECRET_KEY": SECRET,
        "WETHI_BASE_URL": f"http://127.0.0.1:{port}",
    } | {f"WETHI_{name.upper()}": value for name, value in settings.items()}
    migrated = subprocess.run(
        [*CLI, "migrate"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert migrated.returncode == 0, migrated.stderr
    engine = db.make_engine(f"sqlite:///{data_dir / 'wethi.sqlite3'}")
    site = Site(data_dir, port, env, engine)
    try:
        site.start()
        yield site
    finally:
        site.stop()
        engine.dispose()
        shutil.rmtree(data_dir, ignore_errors=True)


# -- what the tests seed ------------------------------------------------------------------------


@dataclass(frozen=True)
class Opened:
    """A live session opened by a facilitator (seeded straight into the database)."""

    id: int
    code: str
    facilitator_id: int
    facilitator_email: str


def open_live_session(engine: Engine, prompt: str = "ชุมชนของเราจะลดค่าไฟฟ้าได้อย่างไร") -> Opened:
    with Session(engine, expire_on_commit=False) as session:
        body = factories.body(session)
        facilitator = factories.member(session, body, Role.facilitator)
        meeting = factories.meeting(session, body)
        live = sessions.open_session(
            session, factories.actor(session, facilitator), meeting_id=meeting.id, prompt=prompt
        )
        return Opened(live.id, live.code, facilitator.id, facilitator.email)  # type: ignore[arg-type]


def hide_idea(engine: Engine, opened: Opened, idea_id: int) -> None:
    """The facilitator hides an idea (through the service, as the console would)."""
    with Session(engine) as session:
        facilitator = factories.actor(session, session.get(Person, opened.facilitator_id))
        ideas.moderate_idea(
            session, facilitator, idea_id=idea_id, action="hide", session_id=opened.id
        )


def stored_frames(engine: Engine, code: str, after: int = 0) -> list[str]:
    """The session channel's stored frames after `after`, in order (forum.live's store)."""
    with Session(engine) as session:
        return list(
            session.exec(
                select(LiveFrame.html)
                .where(LiveFrame.channel == f"session:{code}", LiveFrame.seq > after)
                .order_by(col(LiveFrame.seq))
            ).all()
        )


def ideas_with_text(engine: Engine, code: str, text: str) -> list[int]:
    """The numbers of the session's ideas with this text (any status)."""
    with Session(engine) as session:
        return list(
            session.exec(
                select(LiveIdea.id)
                .join(LiveSession, col(LiveSession.id) == col(LiveIdea.session_id))
                .where(LiveSession.code == code, LiveIdea.text == text)
            ).all()
        )


# -- a phone over HTTP ------------------------------------------------------------------------


def _attribute(page: str, pattern: str) -> str:
    found = re.search(pattern, page)
    assert found, f"{pattern!r} not on the page:\n{page[:2000]}"
    return html.unescape(found.group(1))


@dataclass
class Phone:
    """A guest's phone: keeps its cookies, reads the CSRF token, the idea form's key and the
    live socket's address from the pages, as the browser does."""

    host: str
    code: str
    http: httpx.AsyncClient = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.AsyncClient(base_url=f"http://{self.host}", follow_redirects=False)

    async def page(self) -> str:
        response = await self.http.get(f"/s/{self.code}")
        assert response.status_code == 200, response.text[:500]
        return response.text

    async def join(self, nickname: str) -> httpx.Response:
        page = await self.page()
        response = await self.http.post(
            f"/s/{self.code}/join",
            data={"csrf_token": csrf_of(page), "nickname": nickname, "consent": "1"},
        )
        assert response.status_code == 303, response.text[:500]
        return response

    async def idea_form(self) -> tuple[str, str]:
        """(CSRF token, the idea form's idempotency key) of a freshly loaded page."""
        page = await self.page()
        key = _attribute(page, r'name="key" value="([^"]+)"')
        return csrf_of(page), key

    async def post_idea(
        self, text: str, *, key: str | None = None, token: str | None = None
    ) -> httpx.Response:
        """Submit the idea form (a fresh page's token and key unless given)."""
        if key is None or token is None:
            token, key = await self.idea_form()
        return await self.http.post(
            f"/s/{self.code}/ideas", data={"csrf_token": token, "key": key, "text": text}
        )

    async def send_idea(
        self, text: str, *, key: str | None = None, token: str | None = None
    ) -> None:
        """Submit the idea form; returns once the server acknowledged it (303)."""
        response = await self.post_idea(text, key=key, token=token)
        assert response.status_code == 303, response.text[:500]

    async def post_vote(self, idea_id: int) -> httpx.Response:
        page = await self.page()
        return await self.http.post(
            f"/s/{self.code}/vote", data={"csrf_token": csrf_of(page), "idea": str(idea_id)}
        )

    async def vote(self, idea_id: int) -> None:
        response = await self.post_vote(idea_id)
        assert response.status_code == 303, response.text[:500]

    async def socket_address(self) -> str:
        """The ws:// address the page's live element connects to (its ws-connect)."""
        return f"ws://{self.host}" + _attribute(await self.page(), r'ws-connect="([^"]+)"')

    async def ticket(self) -> str:
        """The pass to the session's channel the joined phone's page carries."""
        return _attribute(await self.page(), r'data-live-ticket="([^"]+)"')

    async def aclose(self) -> None:
        await self.http.aclose()


def csrf_of(page: str) -> str:
    return _attribute(page, r'name="csrf_token" value="([^"]+)"')


# -- the live socket --------------------------------------------------------------------------

MARKER = re.compile(r"^<!--(\d*)(?P<gap> gap)?-->")  # a message's number (forum.live.compose)


def socket_address(host: str, code: str, after: int | None, ticket: str | None = None) -> str:
    """A session's socket address, as a page resumes it (`ticket`: the joined phone's pass
    its page carries; without one only the facilitators are let in)."""
    return (
        f"ws://{host}/live/ws?channel=session:{code}"
        + (f"&ticket={quote(ticket)}" if ticket else "")
        + ("" if after is None else f"&after={after}")
    )


def open_socket(address: str, host: str):
    """A browser-like socket: the page's Origin, no cookie (the device's token cookie is
    scoped to /s/<code>: the browser does not send it to /live/ws)."""
    return connect(address, additional_headers={"Origin": f"http://{host}"}, open_timeout=10)


@dataclass
class Listener:
    """What one page's socket received: every message's fragments (markers taken out) and
    the last sequence number its markers gave."""

    seq: int = 0
    fragments: list[str] = field(default_factory=list)

    def take(self, message: str) -> None:
        markers = list(MARKER.finditer(message))
        assert markers, f"a message without the sequence marker: {message[:500]}"
        assert not any(marker.group("gap") for marker in markers), "the server lost frames"
        self.seq = int(markers[-1].group(1) or 0)
        body = MARKER.sub("", message)
        if body:
            self.fragments.append(body)

    @property
    def text(self) -> str:
        return "".join(self.fragments)

    async def receive(self, ws: ClientConnection, timeout: float = 10) -> str:
        message = await asyncio.wait_for(ws.recv(), timeout)
        assert isinstance(message, str)
        self.take(message)
        return message

    async def until(self, ws: ClientConnection, condition, timeout: float = 10) -> None:
        """Receive until `condition(self)` holds (checked before each wait, too)."""
        async with asyncio.timeout(timeout):
            while not condition(self):
                await self.receive(ws, timeout)

    async def until_seq(self, ws: ClientConnection, seq: int, timeout: float = 10) -> None:
        await self.until(ws, lambda listener: listener.seq >= seq, timeout)


def visible_text(fragment: str) -> str:
    """What a fragment shows (tags and attributes removed, spaces collapsed)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def first_seen_in_order(text: str, needles: list[str]) -> bool:
    positions = [text.find(html.escape(needle, quote=False)) for needle in needles]
    return all(position >= 0 for position in positions) and positions == sorted(positions)
