"""The live hub's LISTEN/NOTIFY backend (forum/live_postgres.py) on a real PostgreSQL: two
hubs in one test process, each with its own engine and listening connection, stand for two
workers sharing the database."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from forum import db, live, live_postgres
from forum.config import Settings
from forum.models import LiveFrame

pytestmark = pytest.mark.anyio

WINDOW = 0.05


def fragment(n: int, size: int = 0) -> str:
    return f'<p id="x{n}" hx-swap-oob="true">{n}{"ก" * size}</p>'


def make_hub(engine: Engine) -> live.Hub:
    return live.Hub(
        live.FrameStore(engine), live_postgres.PostgresBackend(engine.url), window=WINDOW
    )


@pytest.fixture
async def hubs(fresh_database) -> AsyncIterator[tuple[live.Hub, live.Hub]]:
    """Two started hubs on one database, as two workers would have."""
    engines = [db.make_engine(fresh_database) for _ in range(2)]
    started = [make_hub(engine) for engine in engines]
    for hub in started:
        await hub.start()
        assert hub.backend.listening
    yield started[0], started[1]
    for hub in started:
        await hub.close()
    for engine in engines:
        engine.dispose()


async def receive_until(messages, last: int, timeout: float = 10.0) -> str:
    """The text of the messages up to the one carrying number `last`."""
    received = ""
    async with asyncio.timeout(timeout):
        while True:
            message = await anext(messages)
            received += message.text
            if message.seq >= last:
                return received


def assert_once_in_order(received: str, numbers: range, size: int = 0) -> None:
    for n in numbers:
        assert received.count(fragment(n, size)) == 1, n
    places = [received.index(fragment(n, size)) for n in numbers]
    assert places == sorted(places)


async def test_a_frame_published_on_one_worker_reaches_a_subscriber_of_the_other(hubs):
    one, two = hubs
    async with two.subscribe("meeting:1", after=0) as subscription:
        messages = aiter(subscription)
        assert (await anext(messages)).seq == 0
        for n in range(1, 6):
            assert await asyncio.to_thread(one.publish, "meeting:1", fragment(n)) == n
        assert_once_in_order(await receive_until(messages, 5), range(1, 6))


async def test_both_workers_publishing_at_once_share_one_numbering_and_each_frame_comes_once(
    hubs, fresh_database
):
    one, two = hubs
    start = threading.Barrier(4)

    def publisher(hub: live.Hub, first: int) -> None:
        start.wait()
        for n in range(first, first + 20):
            hub.publish("agenda:7", fragment(n))

    async with (
        one.subscribe("agenda:7", after=0) as on_one,
        two.subscribe("agenda:7", after=0) as on_two,
    ):
        streams = [aiter(on_one), aiter(on_two)]
        for stream in streams:
            await anext(stream)
        # Two threads per worker: the numbering is shared across engines (processes).
        threads = [
            threading.Thread(target=publisher, args=(hub, first))
            for hub, first in ((one, 0), (two, 20), (one, 40), (two, 60))
        ]
        for thread in threads:
            thread.start()
        await asyncio.to_thread(lambda: [thread.join(30) for thread in threads])
        for stream in streams:
            received = await receive_until(stream, 80)
            for n in range(80):
                assert received.count(fragment(n)) == 1, n
            seqs = [int(s) for s in _markers(received)]
            assert seqs == sorted(seqs) and seqs[-1] == 80
    engine = db.make_engine(fresh_database)
    with Session(engine) as session:
        stored = session.exec(select(LiveFrame.seq).where(LiveFrame.channel == "agenda:7")).all()
    engine.dispose()
    assert sorted(stored) == list(range(1, 81))


def _markers(received: str) -> list[str]:
    return re.findall(r"<!--(\d+)", received)


async def test_a_frame_too_large_for_a_notification_is_read_from_the_store(hubs):
    one, two = hubs
    big = 4000  # Thai letters: 12,000 bytes, past PostgreSQL's 8,000-byte payloads
    assert len(live_postgres.payload("o", "meeting:2", 1, fragment(1, big)).encode()) < 100
    async with two.subscribe("meeting:2", after=0) as subscription:
        messages = aiter(subscription)
        await anext(messages)
        await asyncio.to_thread(one.publish, "meeting:2", fragment(1, big))
        await asyncio.to_thread(one.publish, "meeting:2", fragment(2))
        received = await receive_until(messages, 2)
        assert received.index(fragment(1, big)) < received.index(fragment(2))


async def test_a_workers_own_frames_come_once(hubs):
    one, _two = hubs
    async with one.subscribe("meeting:3", after=0) as subscription:
        messages = aiter(subscription)
        await anext(messages)
        for n in range(1, 4):
            await asyncio.to_thread(one.publish, "meeting:3", fragment(n))
            assert (await asyncio.wait_for(anext(messages), 5)).seq == n
        with pytest.raises(TimeoutError):  # no second copy through the notifications
            await asyncio.wait_for(anext(messages), WINDOW * 6)


async def test_the_newest_number_a_page_starts_from_follows_the_other_workers_frames(hubs):
    one, two = hubs
    assert two.position("meeting:4") == 0
    await asyncio.to_thread(one.publish, "meeting:4", fragment(1))
    async with asyncio.timeout(5):
        while two.position("meeting:4") != 1:  # remembered from the notification
            await asyncio.sleep(0.01)


async def test_a_dropped_listener_reconnects_and_the_frames_sent_meanwhile_arrive_once(
    hubs, fresh_database, monkeypatch
):
    one, two = hubs
    monkeypatch.setattr(live_postgres, "FIRST_RETRY", 1.0)  # a wide window to publish in
    admin = db.make_engine(fresh_database)
    async with (
        two.subscribe("meeting:5", after=0) as fifth,
        two.subscribe("agenda:6", after=0) as sixth,
    ):
        streams = {"meeting:5": aiter(fifth), "agenda:6": aiter(sixth)}
        for channel, messages in streams.items():
            await anext(messages)
            await asyncio.to_thread(one.publish, channel, fragment(1))
            assert_once_in_order(await receive_until(messages, 1), range(1, 2))

        with admin.connect() as connection:
            killed = connection.execute(
                text("SELECT pg_terminate_backend(:pid)"), {"pid": two.backend.pid}
            ).scalar()
        assert killed
        async with asyncio.timeout(5):
            while two.backend.listening:
                await asyncio.sleep(0.01)
        for n in range(2, 6):  # nobody on worker two hears these notifications
            for channel in streams:
                await asyncio.to_thread(one.publish, channel, fragment(n))
        assert not two.backend.listening
        assert two.position("meeting:5") == 1  # behind until it listens again

        for messages in streams.values():
            received = await receive_until(messages, 5)
            assert_once_in_order(received, range(2, 6))
            assert fragment(1) not in received
        assert two.backend.connections == 2
        assert two.position("meeting:5") == 5
        await asyncio.to_thread(one.publish, "meeting:5", fragment(6))  # and live again
        assert_once_in_order(await receive_until(streams["meeting:5"], 6), range(6, 7))
    admin.dispose()


async def test_a_listener_that_cannot_connect_keeps_trying_without_stopping_the_server(
    postgres_server, monkeypatch
):
    monkeypatch.setattr(live_postgres, "START_WAIT", 0.3)
    engine = db.make_engine(postgres_server.url("no_such_database"))
    hub = make_hub(engine)
    await hub.start()  # returns: the pages still work, live updates come when it can listen
    assert not hub.backend.listening
    await hub.close()
    engine.dispose()


def test_auto_chooses_postgres_on_postgresql(engine):
    hub = live.make_hub(Settings(live_backend="auto"), engine)
    assert isinstance(hub.backend, live_postgres.PostgresBackend)
    assert isinstance(live.make_hub(Settings(), engine).backend, live.InProcessBackend)
