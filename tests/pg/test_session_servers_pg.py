"""A live session served by two `wethi serve` processes (two machines, as far as they know)
on one PostgreSQL database with WETHI_LIVE_BACKEND=postgres (issue 4, part 9): a
participant whose socket is on the first server sees the ideas and votes sent through the
second, and its own server's, in order and once each."""

from __future__ import annotations

import asyncio

import pytest

from forum import db
from tests.pg.test_live_servers_pg import served
from tests.serving import (
    Listener,
    Phone,
    first_seen_in_order,
    ideas_with_text,
    open_live_session,
    open_socket,
    stored_frames,
)
from tests.unit.forum.test_migrations import run_cli

pytestmark = pytest.mark.anyio


async def test_a_participant_on_one_server_sees_ideas_and_votes_sent_through_another(
    empty_database, tmp_path
):
    assert run_cli("migrate", database_url=empty_database, data_dir=tmp_path).returncode == 0
    engine = db.make_engine(empty_database)
    opened = open_live_session(engine)
    phones: list[Phone] = []
    try:
        with served(empty_database, tmp_path) as one, served(empty_database, tmp_path) as two:
            watcher = Phone(one, opened.code)
            sender, voter = Phone(two, opened.code), Phone(two, opened.code)
            phones += [watcher, sender, voter]
            for number, phone in enumerate(phones, 1):
                await phone.join(f"ผู้ร่วมเวที {number}")
            listener = Listener()
            async with open_socket(await watcher.socket_address(), one) as ws:
                await listener.receive(ws)
                start = listener.seq

                idea = "ตั้งโรงไฟฟ้าชีวมวลขนาดเล็กของชุมชน"
                await sender.send_idea(idea)  # through the other server
                await listener.until(ws, lambda got: idea in got.text)
                assert listener.seq == start + 1
                (idea_id,) = ideas_with_text(engine, opened.code, idea)

                await voter.vote(idea_id)  # through the other server: one vote
                await listener.until_seq(ws, start + 2)
                assert f'value="{idea_id}:1"' in listener.fragments[-1]  # the count, as the page applies it
                await watcher.vote(idea_id)  # through its own server: two
                await listener.until_seq(ws, start + 3)
                assert f'value="{idea_id}:2"' in listener.fragments[-1]

                mine, theirs = "ปลูกต้นไม้ให้ร่มเงาลดการใช้แอร์", "รวมกลุ่มซื้อแผงโซลาร์ราคาส่ง"
                await watcher.send_idea(mine)  # its own server, then the other one
                await sender.send_idea(theirs)
                await listener.until_seq(ws, start + 5)
                # Every frame of the session once, in order, whichever server stored it.
                assert listener.text == "".join(stored_frames(engine, opened.code, after=start))
                assert first_seen_in_order(listener.text, [idea, mine, theirs])
                assert all(listener.text.count(text) == 1 for text in (idea, mine, theirs))
                with pytest.raises(TimeoutError):  # nothing twice
                    await asyncio.wait_for(ws.recv(), 0.5)
    finally:
        for phone in phones:
            await phone.aclose()
        engine.dispose()
