"""Journeys in a real Chromium against a real `wethi serve` on a free port of 127.0.0.1.

Debian's Chromium (/usr/bin/chromium) driven by Playwright; no browser is ever
downloaded. Without it these tests skip, unless WETHI_REQUIRE_BROWSER=1 (CI) makes that a
failure. The server is a separate process with its own data directory; each test seeds
what it needs straight into the server's SQLite database.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from forum import db, invitations
from forum.i18n import translate
from forum.models import Body, Person, Role
from tests import factories

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CLI = [sys.executable, "-c", "from forum.cli import main; main()"]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 3,
}


def th(msgid: str, **params: object) -> str:
    """The Thai the pages show for an English msgid (selectors follow the catalog)."""
    return translate(msgid, "th", **params)


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("WETHI_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (WETHI_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    data_dir: Path
    engine: Engine
    process: subprocess.Popen[bytes]
    log: Path

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _wait_until_up(server: LiveServer, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"`wethi serve` exited with {server.process.returncode}:\n{server.output()}"
            )
        try:
            with urllib.request.urlopen(f"{server.url}/login", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"`wethi serve` did not answer within {timeout} s:\n{server.output()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """`wethi migrate` then `wethi serve` on a free port, in a temporary data directory."""
    data_dir = Path(tempfile.mkdtemp(prefix="wethi-browser-"))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("WETHI_")}
    env |= {
        "WETHI_DATA_DIR": str(data_dir),
        "WETHI_SECRET_KEY": "browser-test-secret-key-0123456789-abcdefghij",
        "WETHI_BASE_URL": url,
    }
    migrated = subprocess.run(
        [*CLI, "migrate"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert migrated.returncode == 0, migrated.stderr
    log = data_dir / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    engine = db.make_engine(f"sqlite:///{data_dir / 'wethi.sqlite3'}")
    server = LiveServer(url, data_dir, engine, process, log)
    try:
        _wait_until_up(server)
        yield server
    finally:
        _stop(process)
        engine.dispose()
        shutil.rmtree(data_dir, ignore_errors=True)


@dataclass
class Site:
    """What a journey starts from, seeded in the server's database."""

    admin: Person
    body: Body
    member: Person
    secretary_invitation_token: str


@pytest.fixture
def site(live_server: LiveServer) -> Site:
    with live_server.session() as session:
        admin = factories.person(session, is_admin=True)
        body = factories.body(session)
        member = factories.member(session, body, Role.member)
        _invitation, token = invitations.create_invitation(
            session, factories.actor(session, admin), body_id=body.id, role=Role.secretary
        )
        return Site(admin, body, member, token)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Per module, not per session: Playwright's sync API keeps an asyncio loop running
    in this thread while it is open, which would break the async tests collected later."""
    if not CHROMIUM.exists():
        _skip_or_fail(f"Debian's Chromium is not installed ({CHROMIUM})")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("Playwright (python) is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Browsing:
    """Opens pages in fresh browser contexts and remembers every console error and CSP
    violation they report (a test fails on any, at the end)."""

    browser: Any
    base_url: str
    problems: list[str] = field(default_factory=list)
    contexts: list[Any] = field(default_factory=list)

    def new_page(self, **context_options: Any) -> Any:
        context = self.browser.new_context(
            base_url=self.base_url, locale="th-TH", timezone_id="Asia/Bangkok", **context_options
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: uncaught {error}"))
        return page

    def _console(self, page: Any, message: Any) -> None:
        if message.type in {"error", "assert"} or "Content Security Policy" in message.text:
            source = message.location.get("url") or page.url
            self.problems.append(f"{page.url}: console {message.type}: {message.text} ({source})")

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(browser: Any, live_server: LiveServer) -> Iterator[Browsing]:
    browsing = Browsing(browser, live_server.url)
    yield browsing
    browsing.close()
    assert browsing.problems == [], "console errors or CSP violations:\n" + "\n".join(
        browsing.problems
    )


def fill_form(page: Any, values: dict[str, str], *, form: str = "main form") -> None:
    """Type into the fields of the page's form by their names (the services' keywords)."""
    for name, value in values.items():
        page.locator(f'{form} [name="{name}"]').fill(value)


def submit(page: Any, *, form: str = "main form") -> None:
    """Press the form's submit button and wait for what it loads."""
    page.locator(f"{form} [type=submit]").last.click()
    page.wait_for_load_state()
