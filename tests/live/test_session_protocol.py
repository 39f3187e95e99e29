"""A live session's WebSocket protocol end to end (issue 4, parts 8 and 9; bad input and
faults): `wethi serve` on 127.0.0.1, guests who join by code over HTTP and a real WebSocket
client that listens on the session's channel like the participant page does (its
ws-connect address, resuming after the last number its markers gave).

The frames' own markup is the pages' business: these tests look for what participants
typed, and compare what a socket received with the frames the server stored (each once, in
order, none left out)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import pytest
from websockets.exceptions import ConnectionClosed

from tests.serving import (
    Listener,
    Phone,
    Site,
    csrf_of,
    first_seen_in_order,
    hide_idea,
    ideas_with_text,
    open_live_session,
    open_socket,
    served_site,
    socket_address,
    stored_frames,
)

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    """One server for the module (each test opens its own session on it)."""
    with served_site() as site:
        yield site


@pytest.fixture
async def phones(site):
    """`phones(code, n)`: n guests joined to the session by its code (nicknames ผู้ร่วม 1…)."""
    made: list[Phone] = []

    async def join(code: str, count: int) -> list[Phone]:
        joined = []
        for _ in range(count):
            phone = Phone(site.host, code)
            made.append(phone)
            await phone.join(f"ผู้ร่วมเวที {len(made)}")
            joined.append(phone)
        return joined

    yield join
    for phone in made:
        await phone.aclose()


async def nothing_more(ws, within: float = 0.4) -> None:
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(ws.recv(), within)


async def test_a_guest_joins_by_code_and_sees_another_participants_idea_arrive(site, phones):
    opened = open_live_session(site.engine)
    guest, other = await phones(opened.code, 2)
    address = await guest.socket_address()
    after = re.search(rf"/live/ws\?channel=session%3A{opened.code}&ticket=[^&]+&after=(\d+)$", address)
    assert after, address  # the page subscribes from the number it was rendered at
    listener = Listener()
    async with open_socket(address, site.host) as ws:
        await listener.receive(ws)
        assert listener.seq == int(after.group(1))  # connected: where the page is
        assert listener.text == ""

        idea = "ติดตั้งโซลาร์เซลล์บนหลังคาศาลาวัด"
        await other.send_idea(idea)
        await listener.until(ws, lambda got: idea in got.text)
        assert listener.seq == int(after.group(1)) + 1  # one frame for one idea
        assert listener.text.count(idea) == 1
        assert "csrf_token" not in listener.text  # the same frame for every page
        await nothing_more(ws)


async def test_a_reconnect_with_the_last_number_gets_exactly_what_was_missed(site, phones):
    opened = open_live_session(site.engine)
    guest, other = await phones(opened.code, 2)
    address = await guest.socket_address()
    listener = Listener()
    before = "เปลี่ยนหลอดไฟในหมู่บ้านเป็นแอลอีดี"
    async with open_socket(address, site.host) as ws:
        await listener.receive(ws)
        await other.send_idea(before)
        await listener.until(ws, lambda got: before in got.text)
    seen = listener.seq

    missed = ["ตั้งกลุ่มออมทรัพย์พลังงานชุมชน", "อบรมช่างไฟฟ้าประจำหมู่บ้าน", "ปิดไฟเมื่อไม่ใช้งาน"]
    for text in missed:  # the phone is offline meanwhile
        await other.send_idea(text)
    latest = seen + len(missed)
    assert len(stored_frames(site.engine, opened.code)) == latest

    replay = Listener()
    async with open_socket(socket_address(site.host, opened.code, after=seen, ticket=await guest.ticket()), site.host) as ws:
        await replay.until_seq(ws, latest)
        assert replay.seq == latest
        # Exactly the frames after its number: each once, in order, nothing before it.
        assert replay.text == "".join(stored_frames(site.engine, opened.code, after=seen))
        assert first_seen_in_order(replay.text, missed)
        assert all(replay.text.count(text) == 1 for text in missed)
        assert before not in replay.text
        await nothing_more(ws)

        live = "ใช้เตาชีวมวลประหยัดพลังงาน"  # and it is live again
        await other.send_idea(live)
        await replay.until(ws, lambda got: live in got.text)
        assert replay.seq == latest + 1


async def refused_with(address: str, host: str) -> int | None:
    async with open_socket(address, host) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    return closed.value.rcvd.code if closed.value.rcvd else None


async def test_a_wrong_code_is_refused(site, phones):
    opened = open_live_session(site.engine)
    wrong = "000000" if opened.code != "000000" else "111111"
    for channel_code in (wrong, "12345", "1234567", "abcdef"):
        address = socket_address(site.host, channel_code, after=0)
        assert await refused_with(address, site.host) == 1008  # not retried by the page

    stranger = Phone(site.host, wrong)
    try:
        assert (await stranger.http.get(f"/s/{wrong}")).status_code == 404
        found = await stranger.http.get("/join")
        typed = await stranger.http.post(
            "/join", data={"csrf_token": csrf_of(found.text), "code": wrong}
        )
        assert typed.status_code == 422
        joined = await stranger.http.post(
            f"/s/{wrong}/join",
            data={"csrf_token": csrf_of(found.text), "nickname": "ผู้หลงทาง", "consent": "1"},
        )
        assert joined.status_code in (404, 422)
        assert "wethi_live" not in joined.cookies
    finally:
        await stranger.aclose()

    # The right code still works from the same address.
    (guest,) = await phones(opened.code, 1)
    async with open_socket(await guest.socket_address(), site.host) as ws:
        listener = Listener()
        await listener.receive(ws)
        assert listener.seq == 0


async def test_a_socket_dropped_mid_submit_and_a_form_sent_twice_make_one_idea(site, phones):
    opened = open_live_session(site.engine)
    (guest,) = await phones(opened.code, 1)
    listener = Listener()
    idea = "ขอให้เทศบาลติดไฟถนนพลังงานแสงอาทิตย์"
    token, key = await guest.idea_form()
    async with open_socket(await guest.socket_address(), site.host) as ws:
        await listener.receive(ws)
    # The socket dropped as the participant pressed send; the phone sends the same form
    # again (twice at once: the retry races the first attempt).
    await asyncio.gather(
        guest.send_idea(idea, key=key, token=token), guest.send_idea(idea, key=key, token=token)
    )
    await guest.send_idea(idea, key=key, token=token)  # and once more, later
    assert len(ideas_with_text(site.engine, opened.code, idea)) == 1
    assert (await guest.page()).count(idea) == 1

    replay = Listener()
    async with open_socket(
        socket_address(site.host, opened.code, after=listener.seq, ticket=await guest.ticket()), site.host
    ) as ws:
        latest = len(stored_frames(site.engine, opened.code))
        await replay.until_seq(ws, latest)
        assert replay.text.count(idea) == 1  # announced once, whatever was resent
        assert replay.text == "".join(stored_frames(site.engine, opened.code, after=listener.seq))
        await nothing_more(ws)


async def test_only_a_joined_phone_listens_a_visitor_with_the_code_does_not(site, phones):
    """Issue 11, part 4: the page shows a visitor who has not joined no ideas and no
    nicknames; the socket agrees. The joined phone's page carries its ticket."""
    opened = open_live_session(site.engine)
    (guest,) = await phones(opened.code, 1)
    await guest.send_idea("ความเห็นที่เห็นเฉพาะผู้เข้าร่วม")
    assert await refused_with(socket_address(site.host, opened.code, after=0), site.host) == 1008
    ticket = await guest.ticket()
    holder, expires, _signature = ticket.split(".")
    for forged in (f"{holder}.{expires}.AAAAAAAAAAAAAAAAAAAAAAAA", f"{int(holder) + 1}.{expires}.{_signature}", "x" * 300):
        address = socket_address(site.host, opened.code, after=0, ticket=forged)
        assert await refused_with(address, site.host) == 1008
    other = open_live_session(site.engine)  # a ticket opens its own session's channel only
    assert await refused_with(socket_address(site.host, other.code, after=0, ticket=ticket), site.host) == 1008
    listener = Listener()
    async with open_socket(socket_address(site.host, opened.code, after=0, ticket=ticket), site.host) as ws:
        await listener.until(ws, lambda got: "ความเห็นที่เห็นเฉพาะผู้เข้าร่วม" in got.text)


async def test_with_compression_on_a_phone_gets_its_frames_compressed_once_for_all():
    """WETHI_WS_COMPRESSION=true: the socket agrees on per-message compression as a browser
    offers it, each message compressed on its own (forum/live_socket.py: once for every
    phone), and the frames arrive whole."""
    with served_site(ws_compression="true") as compressed:
        opened = open_live_session(compressed.engine)
        guest, other = Phone(compressed.host, opened.code), Phone(compressed.host, opened.code)
        try:
            await guest.join("ยายศรี")
            await other.join("ลุงมี")
            listener = Listener()
            async with open_socket(await guest.socket_address(), compressed.host) as ws:
                extensions = ws.response.headers.get("Sec-WebSocket-Extensions", "")
                assert "permessage-deflate" in extensions and "server_no_context_takeover" in extensions
                await listener.receive(ws)
                idea = "ตั้งกองทุนพลังงานชุมชนเพื่อซ่อมแผงโซลาร์"
                await other.send_idea(idea)
                await listener.until(ws, lambda got: idea in got.text)
        finally:
            await guest.aclose()
            await other.aclose()


async def test_refused_input_sends_nothing_and_markup_arrives_as_plain_text(site, phones):
    opened = open_live_session(site.engine)
    guest, other = await phones(opened.code, 2)
    listener = Listener()
    async with open_socket(await guest.socket_address(), site.host) as ws:
        await listener.receive(ws)
        start = listener.seq
        script = '<script>alert("x")</script><img src=x onerror=alert(1)> ไฟดับบ่อย'
        await other.send_idea(script)
        await listener.until_seq(ws, start + 1)
        assert "<script" not in listener.text and "<img" not in listener.text
        assert "&lt;script&gt;" in listener.text  # shown as the characters typed

        # Refused, with a clear message each; nothing goes out on the channel.
        oversized = "ขอไฟฟ้า" * 50  # 350 characters: over the 280 limit
        for text, status in (("   ", 422), (oversized, 422)):
            refused = await other.post_idea(text)
            assert refused.status_code == status
            assert 'class="field-error"' in refused.text or "error-summary" in refused.text
        (idea_id,) = ideas_with_text(site.engine, opened.code, script)
        hide_idea(site.engine, opened, idea_id)
        assert (await guest.post_vote(idea_id)).status_code == 409
        for number in range(6):  # a person typing never needs more in a minute
            await guest.send_idea(f"ความคิดที่ {'ก' * (number + 1)}")
        flood = await guest.post_idea("ความคิดที่เจ็ดในนาทีเดียว")
        assert flood.status_code == 429
        await listener.until_seq(ws, start + 7)
        await nothing_more(ws)
    assert listener.text == "".join(stored_frames(site.engine, opened.code, after=start))
    assert "ความคิดที่เจ็ด" not in listener.text and "ขอไฟฟ้าขอไฟฟ้า" not in listener.text
    assert ideas_with_text(site.engine, opened.code, "ความคิดที่เจ็ดในนาทีเดียว") == []


async def test_a_server_restarted_mid_session_loses_nothing_acknowledged(site, phones):
    """Runs last in the module: it restarts the module's server."""
    opened = open_live_session(site.engine)
    guest, other = await phones(opened.code, 2)
    listener = Listener()
    first, second, third = (
        "จัดตลาดนัดพลังงานทุกเดือน",
        "ติดมิเตอร์อัจฉริยะในโรงเรียน",
        "ให้ อสม. ช่วยแนะนำการประหยัดไฟ",
    )
    async with open_socket(await guest.socket_address(), site.host) as ws:
        await listener.receive(ws)
        start = listener.seq
        await other.send_idea(first)
        await listener.until(ws, lambda got: first in got.text)
        await other.send_idea(second)  # acknowledged; the server goes down right after
        await asyncio.to_thread(site.stop)
        with pytest.raises(ConnectionClosed) as closed:  # the server ends the socket
            await listener.until(ws, lambda _got: False, timeout=15)
    # with a code the page's WebSocket extension retries by itself (none received: 1006)
    code = closed.value.rcvd.code if closed.value.rcvd else 1006
    assert code in (1006, 1011, 1012, 1013), code
    await asyncio.to_thread(site.start)  # the same database and port

    await other.send_idea(third)  # through the new server, before the phone is back
    latest = len(stored_frames(site.engine, opened.code))
    assert latest == start + 3
    async with open_socket(
        socket_address(site.host, opened.code, after=listener.seq, ticket=await guest.ticket()), site.host
    ) as ws:
        await listener.until_seq(ws, latest)
        # Over both connections: every stored frame once, in order; every idea is there.
        assert listener.text == "".join(stored_frames(site.engine, opened.code, after=start))
        assert first_seen_in_order(listener.text, [first, second, third])
        assert all(listener.text.count(text) == 1 for text in (first, second, third))
        await nothing_more(ws)
