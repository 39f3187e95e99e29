"""The live channel end to end: the app served by uvicorn on 127.0.0.1, a real WebSocket
client, check-ins and markings over HTTP, reconnecting with the last number."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest
import uvicorn
from sqlmodel import delete, select
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from forum import accounts, i18n, live
from forum.db import utcnow
from forum.errors import Forbidden
from forum.models import Attendance, LoginSession, Membership, Role
from forum.routes import live as live_route
from forum.security import token_hash
from forum.web import SESSION_COOKIE
from tests import factories
from tests.conftest import WebClient

pytestmark = pytest.mark.anyio


@pytest.fixture
def served(app) -> Iterator[str]:
    """The test's app on a free port of 127.0.0.1 (lifespan included), stopped after."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    host, port = listener.getsockname()
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield f"{host}:{port}"
    server.should_exit = True
    thread.join(10)
    listener.close()


@pytest.fixture
async def browser(app, served) -> AsyncIterator:
    """`await browser(person)`: a WebClient (conftest) talking to the served app over TCP."""
    made: list[WebClient] = []

    def make(session, person) -> WebClient:
        web = WebClient(app)
        web.http = httpx.AsyncClient(base_url=f"http://{served}", follow_redirects=False)
        made.append(web)
        return web.log_in_as(session, person)

    yield make
    for web in made:
        await web.aclose()


def socket_url(served: str, channel: str, after: int | None = None) -> str:
    query = f"channel={channel}" + ("" if after is None else f"&after={after}")
    return f"ws://{served}/live/ws?{query}"


def cookie_for(session, person) -> dict[str, str]:
    return {"Cookie": f"{SESSION_COOKIE}={accounts.start_session(session, person)}"}


async def receive(ws, timeout: float = 5.0) -> str:
    return await asyncio.wait_for(ws.recv(), timeout)


def seq_of(message: str) -> int:
    found = re.match(r"<!--(\d+)-->", message)
    assert found, message
    return int(found.group(1))


def present(count: int) -> str:
    return i18n.translate("Present: %(count)s", "th", count=count)


@pytest.fixture
def meeting_with_members(session):
    body = factories.body(session)
    secretary = factories.member(session, body, Role.secretary)
    villagers = [factories.member(session, body, Role.member) for _ in range(2)]
    meeting = factories.meeting(session, body)
    return meeting, secretary, villagers


def line_of(session, meeting, person) -> Attendance:
    return next(
        line
        for line in session.query(Attendance).filter_by(meeting_id=meeting.id)
        if line.person_id == person.id
    )


async def test_the_meeting_page_subscribes_to_its_channel_from_its_current_number(
    session, meeting_with_members, browser
):
    meeting, secretary, _villagers = meeting_with_members
    page = await browser(session, secretary).get(f"/meetings/{meeting.id}")
    assert page.status_code == 200
    assert f'ws-connect="/live/ws?channel=meeting%3A{meeting.id}&amp;after=0"' in page.text
    assert f'id="live-seq-meeting-{meeting.id}" data-seq="0"' in page.text
    assert "<script" not in page.text.split("</head>")[1]


async def test_a_check_in_reaches_the_watching_page_and_a_reconnect_gets_what_it_missed(
    session, meeting_with_members, browser, served
):
    meeting, secretary, (first, second) = meeting_with_members
    channel = f"meeting:{meeting.id}"
    async with connect(
        socket_url(served, channel, after=0), additional_headers=cookie_for(session, secretary)
    ) as ws:
        assert seq_of(await receive(ws)) == 0  # connected: the page learns where it is

        checked_in = await browser(session, first).post("/checkin", {"code": meeting.checkin_code})
        assert checked_in.status_code == 303
        message = await receive(ws)
        assert seq_of(message) == 1
        assert 'id="attendance_counts"' in message and present(1) in message
        line = line_of(session, meeting, first)
        assert f'hx-swap-oob="innerHTML:#attendance_status_{line.id}"' in message
        assert f'hx-swap-oob="innerHTML:#attendance_arrival_{line.id}"' in message
        assert "csrf_token" not in message  # the same frame for everyone: nothing personal

    # The phone drops; meanwhile the secretary marks the other member present.
    marked = await browser(session, secretary).post(
        f"/meetings/{meeting.id}/attendance/{line_of(session, meeting, second).id}",
        {"status": "present"},
    )
    assert marked.status_code == 303

    async with connect(
        socket_url(served, channel, after=1), additional_headers=cookie_for(session, secretary)
    ) as ws:
        missed = await receive(ws)
        assert seq_of(missed) == 2
        assert present(2) in missed and present(1) not in missed

    async with connect(
        socket_url(served, channel, after=0), additional_headers=cookie_for(session, secretary)
    ) as ws:
        everything = await receive(ws)
        assert seq_of(everything) == 2
        assert everything.index(present(1)) < everything.index(present(2))  # in order


async def test_the_page_served_after_an_update_starts_after_it(
    session, meeting_with_members, browser
):
    meeting, secretary, (first, _second) = meeting_with_members
    await browser(session, first).post("/checkin", {"code": meeting.checkin_code})
    page = await browser(session, secretary).get(f"/meetings/{meeting.id}")
    assert f'id="live-seq-meeting-{meeting.id}" data-seq="1"' in page.text


async def refused_code(url: str, headers: dict[str, str] | None = None) -> int | None:
    async with connect(url, additional_headers=headers or {}) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
    return closed.value.rcvd.code if closed.value.rcvd else None


async def test_listeners_who_may_not_see_the_meeting_are_refused_with_policy_violation(
    session, meeting_with_members, served
):
    meeting, secretary, _villagers = meeting_with_members
    channel = f"meeting:{meeting.id}"
    assert await refused_code(socket_url(served, channel)) == 1008  # not logged in
    signed_in = cookie_for(session, secretary)
    assert await refused_code(socket_url(served, "meeting:999999"), signed_in) == 1008
    assert await refused_code(socket_url(served, "nosuchkind:1"), signed_in) == 1008
    assert await refused_code(socket_url(served, "meeting"), signed_in) == 1008
    other_site = signed_in | {"Origin": "https://elsewhere.example"}
    assert await refused_code(socket_url(served, channel), other_site) == 1008


async def test_every_watcher_gets_the_same_frame(session, meeting_with_members, browser, served):
    meeting, secretary, (first, second) = meeting_with_members
    url = socket_url(served, f"meeting:{meeting.id}", after=0)
    async with (
        connect(url, additional_headers=cookie_for(session, secretary)) as one,
        connect(url, additional_headers=cookie_for(session, second)) as two,
    ):
        await receive(one), await receive(two)
        await browser(session, first).post("/checkin", {"code": meeting.checkin_code})
        assert await receive(one) == await receive(two)


async def test_a_check_in_through_the_json_api_reaches_the_page_too(
    session, meeting_with_members, browser, served
):
    meeting, secretary, (first, _second) = meeting_with_members
    url = socket_url(served, f"meeting:{meeting.id}", after=0)
    async with connect(url, additional_headers=cookie_for(session, secretary)) as ws:
        await receive(ws)
        response = await browser(session, first).json(
            "POST", "/api/v1/checkin", {"code": meeting.checkin_code}
        )
        assert response.status_code == 200
        message = await receive(ws)
        assert seq_of(message) == 1 and present(1) in message


# -- an open socket is checked again -------------------------------------------------


@pytest.fixture
def quick_rechecks(monkeypatch) -> float:
    """Open sockets checked every 0.2 s instead of every minute."""
    monkeypatch.setattr(live_route, "RECHECK_EVERY", 0.2)
    return 0.2


async def closed_code(ws, within: float = 3.0) -> int | None:
    """The close code the server ends the socket with, within `within` seconds."""
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(within):
            while True:
                await ws.recv()
    return closed.value.rcvd.code if closed.value.rcvd else None


async def test_logging_out_closes_the_open_socket(
    session, meeting_with_members, browser, served, quick_rechecks
):
    meeting, secretary, _villagers = meeting_with_members
    page = browser(session, secretary)
    cookie = {"Cookie": f"{SESSION_COOKIE}={page.http.cookies[SESSION_COOKIE]}"}
    async with connect(
        socket_url(served, f"meeting:{meeting.id}"), additional_headers=cookie
    ) as ws:
        await receive(ws)
        assert (await page.post("/logout")).status_code == 303
        assert await closed_code(ws) == 1008


async def test_a_deleted_session_row_closes_the_open_socket(
    session, meeting_with_members, served, quick_rechecks
):
    meeting, secretary, _villagers = meeting_with_members
    token = accounts.start_session(session, secretary)
    cookie = {"Cookie": f"{SESSION_COOKIE}={token}"}
    async with connect(
        socket_url(served, f"meeting:{meeting.id}"), additional_headers=cookie
    ) as ws:
        await receive(ws)
        session.exec(delete(LoginSession).where(LoginSession.token_hash == token_hash(token)))
        session.commit()
        assert await closed_code(ws) == 1008


async def test_the_socket_closes_when_its_session_expires_even_between_checks(
    session, meeting_with_members, served
):
    meeting, secretary, _villagers = meeting_with_members
    token = accounts.start_session(session, secretary)
    row = session.exec(
        select(LoginSession).where(LoginSession.token_hash == token_hash(token))
    ).one()
    row.expires_at = utcnow() + timedelta(seconds=1)
    session.add(row)
    session.commit()
    cookie = {"Cookie": f"{SESSION_COOKIE}={token}"}
    assert live_route.RECHECK_EVERY >= 60  # the expiry, not the interval, ends it
    async with connect(
        socket_url(served, f"meeting:{meeting.id}"), additional_headers=cookie
    ) as ws:
        await receive(ws)
        assert await closed_code(ws, within=4) == 1008


async def test_an_archived_or_erased_person_loses_the_open_socket(
    session, meeting_with_members, served, quick_rechecks
):
    meeting, _secretary, (first, second) = meeting_with_members
    url = socket_url(served, f"meeting:{meeting.id}")
    for person, column in ((first, "archived_at"), (second, "erased_at")):
        async with connect(url, additional_headers=cookie_for(session, person)) as ws:
            await receive(ws)
            setattr(person, column, utcnow())
            session.add(person)
            session.commit()
            assert await closed_code(ws) == 1008


def _members_only(session, actor, key: str) -> None:
    """A channel kind for the test: only the body's members may listen."""
    if actor.role_in(int(key)) is None:
        raise Forbidden()


live.register_channel("testmembers", _members_only)


async def test_a_member_removed_from_the_body_loses_a_members_only_channel(
    session, meeting_with_members, served, quick_rechecks
):
    meeting, _secretary, (first, second) = meeting_with_members
    url = socket_url(served, f"testmembers:{meeting.body_id}")
    async with (
        connect(url, additional_headers=cookie_for(session, first)) as removed,
        connect(url, additional_headers=cookie_for(session, second)) as staying,
    ):
        await receive(removed), await receive(staying)
        membership = session.exec(
            select(Membership).where(
                Membership.person_id == first.id, Membership.body_id == meeting.body_id
            )
        ).one()
        session.delete(membership)
        session.commit()
        assert await closed_code(removed) == 1008
        await asyncio.sleep(0.5)  # a few more checks: the remaining member keeps listening
        assert staying.state is State.OPEN


# -- the Origin behind a reverse proxy ------------------------------------------------


async def test_an_origin_matching_the_public_address_is_accepted_whatever_the_host(
    session, meeting_with_members, served, app, monkeypatch
):
    meeting, secretary, _villagers = meeting_with_members
    # The proxy rewrote Host (the server sees 127.0.0.1:port); the page is on the public address.
    monkeypatch.setattr(app.state.settings, "base_url", "https://wethi.example.go.th/")
    url = socket_url(served, f"meeting:{meeting.id}")
    for origin in ("https://wethi.example.go.th", "https://WETHI.example.go.th:443"):
        headers = cookie_for(session, secretary) | {"Origin": origin}
        async with connect(url, additional_headers=headers) as ws:
            assert seq_of(await receive(ws)) == 0
    for origin in ("http://wethi.example.go.th", "https://elsewhere.example", "null"):
        headers = cookie_for(session, secretary) | {"Origin": origin}
        assert await refused_code(url, headers) == 1008


async def test_an_origin_matching_the_forwarded_host_is_accepted(
    session, meeting_with_members, served
):
    meeting, secretary, _villagers = meeting_with_members
    url = socket_url(served, f"meeting:{meeting.id}")
    forwarded = {"X-Forwarded-Host": "forum.example.org"}
    headers = cookie_for(session, secretary) | forwarded | {"Origin": "https://forum.example.org"}
    async with connect(url, additional_headers=headers) as ws:
        assert seq_of(await receive(ws)) == 0
    foreign = cookie_for(session, secretary) | forwarded | {"Origin": "https://elsewhere.example"}
    assert await refused_code(url, foreign) == 1008
    same_host = cookie_for(session, secretary) | {"Origin": f"http://{served}"}
    async with connect(url, additional_headers=same_host) as ws:
        assert seq_of(await receive(ws)) == 0
