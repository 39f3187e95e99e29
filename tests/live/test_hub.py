"""The hub (forum/live.py) on its own: numbering, storage and replay, coalescing,
pruning, slow sockets, shutdown, and who may listen."""

from __future__ import annotations

import asyncio
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from forum import live, meetings_live
from forum.db import utcnow
from forum.errors import Forbidden, NotFound, NotLoggedIn
from forum.models import LiveFrame, Role
from forum.policy import ANONYMOUS
from tests import factories

pytestmark = pytest.mark.anyio

WINDOW = 0.05


@pytest.fixture
def hub(engine) -> live.Hub:
    return live.Hub(live.FrameStore(engine), window=WINDOW)


def fragment(n: int) -> str:
    return f'<p id="x{n}" hx-swap-oob="true">{n}</p>'


def body(message: live.Message) -> str:
    """A message without its leading number (forum.live.compose)."""
    return re.sub(r"^<!--\d+( gap)?-->", "", message.text)


async def next_message(messages, timeout: float = 2.0) -> live.Message:
    return await asyncio.wait_for(anext(messages), timeout)


# -- numbering and storage -------------------------------------------------------------


def test_numbers_count_up_per_channel(hub):
    assert [hub.publish("meeting:1", fragment(n)) for n in range(3)] == [1, 2, 3]
    assert hub.publish("meeting:2", fragment(9)) == 1
    assert hub.publish("meeting:1", fragment(4)) == 4


def test_concurrent_publishers_in_threads_never_share_a_number(hub, engine):
    got: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def publisher(worker: int) -> None:
        start.wait()
        for n in range(15):
            seq = hub.publish("agenda:7", fragment(worker * 100 + n))
            with lock:
                got.append(seq)

    threads = [threading.Thread(target=publisher, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(got) == list(range(1, 121))
    with Session(engine) as session:
        stored = session.exec(select(LiveFrame.seq).where(LiveFrame.channel == "agenda:7")).all()
    assert sorted(stored) == list(range(1, 121))


def test_a_malformed_channel_name_is_a_programming_error(hub):
    for name in ("meeting", "meeting:", "Meeting:1", "meeting:1:2", "meeting:a b"):
        with pytest.raises(ValueError):
            hub.publish(name, fragment(1))


def test_old_frames_are_pruned_and_numbering_continues(engine):
    hub = live.Hub(live.FrameStore(engine, keep=5), window=WINDOW)
    for n in range(12):
        hub.publish("meeting:3", fragment(n))
    assert [frame.seq for frame in hub.store.after("meeting:3", 0)] == [8, 9, 10, 11, 12]
    assert hub.publish("meeting:3", fragment(12)) == 13


def test_position_is_read_once_then_kept_in_memory(hub, engine):
    hub.publish("meeting:4", fragment(1))
    fresh = live.Hub(hub.store, window=WINDOW)  # a restarted worker
    queries = []

    def count(*_args) -> None:
        queries.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert fresh.position("meeting:4") == 1
        assert fresh.position("meeting:4") == 1
        assert len(queries) == 1
        fresh.publish("meeting:4", fragment(2))
        del queries[:]
        assert fresh.position("meeting:4") == 2
        assert queries == []
    finally:
        event.remove(engine, "before_cursor_execute", count)


# -- subscribing -----------------------------------------------------------------------


async def test_a_subscriber_gets_the_stored_frames_after_its_number_then_live_ones(hub):
    for n in range(1, 6):
        hub.publish("meeting:5", fragment(n))
    async with hub.subscribe("meeting:5", after=2) as subscription:
        messages = aiter(subscription)
        replay = await next_message(messages)
        assert replay.seq == 5
        assert replay.text == "<!--5-->" + fragment(3) + fragment(4) + fragment(5)
        assert replay.text.startswith("<!--5-->")
        await asyncio.to_thread(hub.publish, "meeting:5", fragment(6))
        live_one = await next_message(messages)
        assert live_one.seq == 6
        assert live_one.text == "<!--6-->" + fragment(6)


async def test_a_hall_reconnecting_at_once_shares_one_read_of_the_store(hub, engine):
    """Hundreds of sockets asking for the frames after the same number at the same moment
    (the network came back) wait for one read; a newer frame makes the next ask read anew."""
    for n in range(1, 4):
        hub.publish("session:123456", fragment(n))
    reads = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if "liveframe" in statement:
            reads.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        answers = await asyncio.gather(*(hub.replay("session:123456", 1) for _ in range(200)))
        assert {(latest, tuple(f.seq for f in frames)) for latest, frames in answers} == {(3, (2, 3))}
        assert len(reads) <= 2  # the newest number and the frames: once for all 200
        hub.publish("session:123456", fragment(4))
        del reads[:]
        latest, frames = await hub.replay("session:123456", 1)
        assert (latest, [f.seq for f in frames]) == (4, [2, 3, 4]) and reads
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_a_new_subscriber_without_a_number_starts_from_now(hub):
    hub.publish("meeting:6", fragment(1))
    async with hub.subscribe("meeting:6") as subscription:
        messages = aiter(subscription)
        hello = await next_message(messages)
        assert (hello.seq, hello.text) == (1, "<!--1-->")
        hub.publish("meeting:6", fragment(2))
        assert body(await next_message(messages)) == fragment(2)


async def test_frames_within_one_window_go_out_as_one_message_composed_once(hub):
    async with (
        hub.subscribe("meeting:8", after=0) as first,
        hub.subscribe("meeting:8", after=0) as second,
    ):
        streams = [aiter(first), aiter(second)]
        for stream in streams:
            assert (await next_message(stream)).seq == 0
        await asyncio.to_thread(lambda: [hub.publish("meeting:8", fragment(n)) for n in (1, 2, 3)])
        got = [await next_message(stream) for stream in streams]
        assert got[0] is got[1]  # one Message object, shared
        assert got[0].seq == 3
        assert body(got[0]).startswith(fragment(1) + fragment(2) + fragment(3))
        with pytest.raises(TimeoutError):
            await next_message(streams[0], timeout=WINDOW * 4)  # nothing more was sent


async def test_a_channel_flushes_at_most_once_per_window(hub):
    loop = asyncio.get_running_loop()
    async with hub.subscribe("meeting:9", after=0) as subscription:
        messages = aiter(subscription)
        await next_message(messages)
        arrivals = []
        for n in range(1, 4):
            hub.publish("meeting:9", fragment(n))
            await next_message(messages)
            arrivals.append(loop.time())
        gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[1:], strict=False)]
        assert all(gap >= WINDOW * 0.9 for gap in gaps)


async def test_frames_published_while_catching_up_come_once_and_in_order(hub):
    for n in range(1, 4):
        hub.publish("meeting:10", fragment(n))
    async with hub.subscribe("meeting:10", after=0) as subscription:
        # Published after the subscription registered but before its catch-up read:
        # both in the store and on the way live. Each must arrive exactly once.
        hub.publish("meeting:10", fragment(4))
        messages = aiter(subscription)
        received = ""
        while True:
            message = await next_message(messages)
            received += message.text
            if message.seq == 5:
                break
            if message.seq == 4:
                await asyncio.to_thread(hub.publish, "meeting:10", fragment(5))
    for n in range(1, 6):
        assert received.count(fragment(n)) == 1
    assert [received.index(fragment(n)) for n in range(1, 6)] == sorted(
        received.index(fragment(n)) for n in range(1, 6)
    )


async def test_a_page_behind_the_kept_window_is_told_it_missed_updates(engine):
    hub = live.Hub(live.FrameStore(engine, keep=3), window=WINDOW)
    for n in range(1, 8):
        hub.publish("meeting:11", fragment(n))
    async with hub.subscribe("meeting:11", after=1) as subscription:
        message = await next_message(aiter(subscription))
        assert body(message).startswith(fragment(5) + fragment(6) + fragment(7))
        assert " gap-->" in message.text
    async with hub.subscribe("meeting:11", after=99) as subscription:  # the database was reset
        message = await next_message(aiter(subscription))
        assert (message.seq, " gap-->" in message.text) == (7, True)


async def test_a_socket_that_falls_too_far_behind_is_dropped(hub, monkeypatch):
    monkeypatch.setattr(live, "MAX_BEHIND", 2)
    async with hub.subscribe("meeting:12", after=0) as subscription:
        messages = aiter(subscription)
        await next_message(messages)
        for n in range(1, 5):  # four windows, never read
            hub.publish("meeting:12", fragment(n))
            await asyncio.sleep(WINDOW * 2)
        with pytest.raises(live.SubscriberTooSlow):
            await next_message(messages)


async def test_closing_the_hub_ends_every_subscription(hub):
    async with hub.subscribe("meeting:13", after=0) as subscription:
        messages = aiter(subscription)
        await next_message(messages)
        await hub.close()
        with pytest.raises(live.HubClosed):
            await next_message(messages)


# -- who may listen ----------------------------------------------------------------------


def test_unknown_or_malformed_channels_are_refused(session):
    actor = factories.actor(session, factories.person(session))
    for name in ("nosuchkind:1", "meeting", "meeting:", "../meeting:1"):
        with pytest.raises(NotFound):
            live.authorize(session, actor, name)


def test_a_channel_kind_decides_who_may_listen(session):
    def only_admins(_session, actor, _key):
        if not actor.is_admin:
            raise Forbidden()

    live.register_channel("testadmins", only_admins)
    live.register_channel("testadmins", only_admins)  # importing twice is harmless
    with pytest.raises(ValueError):
        live.register_channel("testadmins", lambda *_: None)
    live.authorize(
        session, factories.actor(session, factories.person(session, is_admin=True)), "testadmins:x"
    )
    with pytest.raises(Forbidden):
        live.authorize(session, factories.actor(session, factories.person(session)), "testadmins:x")


def test_a_meeting_may_be_watched_by_whoever_may_see_its_page(session):
    body = factories.body(session)
    member = factories.member(session, body, Role.member)
    meeting = factories.meeting(session, body)
    live.authorize(session, factories.actor(session, member), meetings_live.channel(meeting.id))
    with pytest.raises(NotLoggedIn):
        live.authorize(session, ANONYMOUS, meetings_live.channel(meeting.id))
    with pytest.raises(NotFound):
        live.authorize(session, factories.actor(session, member), "meeting:999999")
    with pytest.raises(NotFound):
        live.authorize(session, factories.actor(session, member), "meeting:abc")


# -- state, not history (issue 11, part 2) ---------------------------------------------------


def counts_frame(state: dict[int, int]):
    """A state render over `state` (what a vote count frame reads from the database)."""

    def render(_connection, keys: frozenset[int]) -> str:
        return "".join(f'<b id="c{key}" hx-swap-oob="true">{state[key]}</b>' for key in sorted(keys))

    return render


async def test_state_within_a_window_goes_out_as_one_frame_saying_the_last_state(hub):
    """Fifty votes a second must not be fifty frames: what changed within the window is
    one frame, read at its end, so it says the last count of every idea that moved."""
    await hub.start()
    hub.state_window = 0.2
    state: dict[int, int] = {}

    def voter(key: int) -> None:
        for _ in range(10):
            state[key] = state.get(key, 0) + 1
            hub.publish_state("session:654321", "votes", [key], counts_frame(state))

    threads = [threading.Thread(target=voter, args=(key,)) for key in range(1, 6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    await asyncio.sleep(0.6)
    frames = hub.store.after("session:654321", 0)
    assert len(frames) == 1, [frame.html for frame in frames]
    assert frames[0].html == "".join(f'<b id="c{key}" hx-swap-oob="true">10</b>' for key in range(1, 6))
    state[3] = 11  # a later change is a later frame
    hub.publish_state("session:654321", "votes", [3], counts_frame(state))
    await asyncio.sleep(0.5)
    assert [frame.html for frame in hub.store.after("session:654321", 1)] == ['<b id="c3" hx-swap-oob="true">11</b>']
    await hub.close()


def test_state_is_stored_at_once_without_a_running_server(hub):
    hub.publish_state("session:654322", "votes", [7], counts_frame({7: 2}))
    assert [frame.html for frame in hub.store.after("session:654322", 0)] == ['<b id="c7" hx-swap-oob="true">2</b>']


async def test_state_still_waiting_is_stored_when_the_server_stops(hub):
    await hub.start()
    hub.state_window = 30.0  # far longer than the test
    hub.publish_state("session:654323", "votes", [1], counts_frame({1: 4}))
    await asyncio.sleep(0.05)
    assert hub.store.after("session:654323", 0) == []
    await hub.close()
    assert [frame.html for frame in hub.store.after("session:654323", 0)] == ['<b id="c1" hx-swap-oob="true">4</b>']


# -- scrubbing and pruning (issue 11, part 3) ------------------------------------------------


def test_a_scrubbed_text_leaves_the_store_and_the_numbering_continues(hub, engine):
    hub.publish("session:222222", '<p id="idea-text-1">ความลับ</p>')
    hub.publish("session:222222", '<p id="idea-text-2">เปิดเผย</p>')
    hub.publish("session:222222", '<p id="idea-text-1">ความลับอีก</p>')
    seq = hub.publish("session:222222", '<i id="gone-1"></i>', scrub=['id="idea-text-1"'])
    assert seq == 4
    assert [frame.html for frame in hub.store.after("session:222222", 0)] == [
        '<p id="idea-text-2">เปิดเผย</p>',
        '<i id="gone-1"></i>',
    ]
    # In another transaction (an erasure): the newest frame keeps its number, not its text.
    with Session(engine) as session:
        assert live.scrub_frames(session, None, ["gone-1", "เปิดเผย"]) == 2
        session.commit()
    assert hub.store.after("session:222222", 0) == []
    assert hub.store.latest("session:222222") == 4
    assert hub.publish("session:222222", fragment(5)) == 5


def test_a_mark_is_matched_as_typed_not_as_a_pattern(hub, engine):
    hub.publish("meeting:31", "<p>100% ok</p>")
    hub.publish("meeting:31", "<p>1000 ok</p>")
    with Session(engine) as session:
        assert live.scrub_frames(session, "meeting:31", ["100%"]) == 1
        session.commit()
    assert [frame.html for frame in hub.store.after("meeting:31", 0)] == ["<p>1000 ok</p>"]


def test_the_sweep_prunes_old_frames_of_every_channel_even_a_silent_one(hub):
    """A closed session publishes nothing more: pruning must not wait for its next frame."""
    for n in range(3):
        hub.publish("session:333333", fragment(n))
    hub.publish("meeting:32", fragment(9))
    assert hub.store.prune() == 0  # nothing is old yet
    later = utcnow() + live.KEEP_FOR + timedelta(minutes=1)
    assert hub.store.prune(now=later) == 4  # 2 deleted, and each channel's newest emptied
    assert hub.store.after("session:333333", 0) == [] and hub.store.after("meeting:32", 0) == []
    assert hub.store.latest("session:333333") == 3
    assert hub.publish("session:333333", fragment(4)) == 4


async def test_the_sweep_runs_with_the_server(engine):
    store = live.FrameStore(engine, keep_for=timedelta(seconds=0))
    hub = live.Hub(store, window=WINDOW)
    hub.publish("meeting:33", fragment(1))
    hub.publish("meeting:33", fragment(2))
    sweeping = asyncio.create_task(live.prune_frames(store, every=timedelta(seconds=0.05)))
    try:
        await asyncio.sleep(0.3)
    finally:
        sweeping.cancel()
    assert store.after("meeting:33", 0) == [] and store.latest("meeting:33") == 2


# -- snapshots (issue 11, part 2) ----------------------------------------------------------


def snapshot_of(_hub, _session, key: str) -> str:
    return f'<div id="state-{key}" hx-swap-oob="true">now</div>'


def anyone(*_args) -> None:
    return None


@pytest.fixture
def snapshotted():
    """A channel kind with a snapshot (a live session's, in miniature)."""
    live.register_channel("snaptest", anyone, snapshot=snapshot_of)
    return "snaptest:1"


async def test_a_page_whose_frames_are_gone_gets_the_snapshot_then_the_live_frames(hub, snapshotted):
    for n in range(1, 4):
        hub.publish(snapshotted, fragment(n))
    hub.store.prune(now=utcnow() + live.KEEP_FOR + timedelta(minutes=1))
    async with hub.subscribe(snapshotted, after=1) as subscription:
        messages = aiter(subscription)
        first = await next_message(messages)
        assert first.seq == 3 and body(first).startswith('<div id="state-1" hx-swap-oob="true">now</div>')
        assert first.text.startswith("<!--3-->")  # and no gap
        await asyncio.to_thread(hub.publish, snapshotted, fragment(4))
        assert body(await next_message(messages)).startswith(fragment(4))


async def test_a_scrubbed_frame_in_the_middle_brings_the_snapshot(hub, snapshotted):
    hub.publish(snapshotted, fragment(1))
    hub.publish(snapshotted, '<p id="secret">x</p>')
    hub.publish(snapshotted, fragment(3), scrub=['id="secret"'])
    async with hub.subscribe(snapshotted, after=0) as subscription:
        first = await next_message(aiter(subscription))
    assert "secret" not in first.text and "state-1" in first.text and first.seq == 3


async def test_a_page_too_far_behind_gets_the_snapshot_not_the_history(hub, snapshotted, monkeypatch):
    monkeypatch.setattr(live, "SNAPSHOT_BEYOND", 3)
    for n in range(1, 6):
        hub.publish(snapshotted, fragment(n))
    async with hub.subscribe(snapshotted, after=0) as subscription:
        first = await next_message(aiter(subscription))
    assert first.seq == 5 and fragment(1) not in first.text and "state-1" in first.text
    async with hub.subscribe(snapshotted, after=3) as subscription:  # near: the frames
        near = await next_message(aiter(subscription))
    assert body(near).startswith(fragment(4) + fragment(5)) and "state-1" not in near.text


def test_a_polling_page_far_behind_gets_the_snapshot_too(hub, snapshotted):
    for n in range(1, 4):
        hub.publish(snapshotted, fragment(n))
    hub.store.prune(now=utcnow() + live.KEEP_FOR + timedelta(minutes=1))
    message = hub.catch_up_message(snapshotted, 1)
    assert message.seq == 3 and "state-1" in message.text and " gap-->" not in message.text
    hub.publish("meeting:34", fragment(1))
    hub.publish("meeting:34", fragment(2))
    hub.store.prune(now=utcnow() + live.KEEP_FOR + timedelta(minutes=1))
    assert " gap-->" in hub.catch_up_message("meeting:34", 0).text  # no snapshot: reload
