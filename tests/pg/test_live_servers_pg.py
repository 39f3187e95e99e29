"""Live updates across servers: two `wethi serve` processes (two machines, as far as they
know; the second with two workers) on one PostgreSQL database with
WETHI_LIVE_BACKEND=postgres. A page watching a meeting through the first server sees the
check-ins made through the second, in order and once each, and its own server's too."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session
from websockets.asyncio.client import connect

from forum import accounts, db, i18n, security
from forum.config import get_settings
from forum.middleware import CSRF_COOKIE
from forum.models import Role
from forum.web import SESSION_COOKIE
from tests import factories
from tests.unit.forum.test_migrations import CLI, free_port, run_cli

pytestmark = pytest.mark.anyio


@contextmanager
def served(database_url: str, data_dir: Path, *, workers: int = 1) -> Iterator[str]:
    """`wethi serve` on a free port of 127.0.0.1, stopped (by its process group) after."""
    port = free_port()
    env = os.environ | {
        "WETHI_DATABASE_URL": database_url,
        "WETHI_DATA_DIR": str(data_dir),
        "WETHI_LIVE_BACKEND": "postgres",
    }
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://{base}/login", timeout=2).raise_for_status()
                break
            except httpx.HTTPError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def cookies_for(session: Session, person) -> dict[str, str]:
    """A logged-in browser's cookies: the session and the CSRF nonce."""
    return {SESSION_COOKIE: accounts.start_session(session, person), CSRF_COOKIE: "test-nonce"}


async def check_in(server: str, session: Session, person, code: str) -> None:
    token = security.csrf_token(get_settings().secret_key, "test-nonce")
    async with httpx.AsyncClient(cookies=cookies_for(session, person)) as client:
        answer = await client.post(
            f"http://{server}/checkin", data={"code": code, "csrf_token": token}
        )
    assert answer.status_code == 303, answer.text


def seq_of(message: str) -> int:
    return int(re.match(r"<!--(\d+)", message).group(1))


def present(count: int) -> str:
    return i18n.translate("Present: %(count)s", "th", count=count)


async def test_a_page_on_one_server_sees_the_check_ins_made_through_another(
    empty_database, tmp_path
):
    assert run_cli("migrate", database_url=empty_database, data_dir=tmp_path).returncode == 0
    engine = db.make_engine(empty_database)
    with Session(engine, expire_on_commit=False) as session:
        body = factories.body(session)
        secretary = factories.member(session, body, Role.secretary)
        members = [factories.member(session, body, Role.member) for _ in range(3)]
        meeting = factories.meeting(session, body, starts_in=timedelta(minutes=20))
        watcher = cookies_for(session, secretary)
        with (
            served(empty_database, tmp_path) as one,
            served(empty_database, tmp_path, workers=2) as two,
        ):
            url = f"ws://{one}/live/ws?channel=meeting:{meeting.id}&after=0"
            cookie = "; ".join(f"{name}={value}" for name, value in watcher.items())
            async with connect(url, additional_headers={"Cookie": cookie}) as ws:
                assert seq_of(await asyncio.wait_for(ws.recv(), 10)) == 0

                await check_in(two, session, members[0], meeting.checkin_code)
                message = await asyncio.wait_for(ws.recv(), 10)
                assert seq_of(message) == 1 and present(1) in message

                await check_in(one, session, members[1], meeting.checkin_code)  # its own
                await check_in(two, session, members[2], meeting.checkin_code)
                received = ""
                while True:
                    message = await asyncio.wait_for(ws.recv(), 10)
                    received += message
                    if seq_of(message) == 3:
                        break
                assert received.index(present(2)) < received.index(present(3))
                assert received.count(present(2)) == received.count(present(3)) == 1
                with pytest.raises(TimeoutError):  # nothing twice
                    await asyncio.wait_for(ws.recv(), 0.5)
    engine.dispose()
