"""The meeting's frames (forum/meetings_live.py) show what the page itself shows."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from forum.models import Attendance, LiveFrame, Role
from tests import factories

pytestmark = pytest.mark.anyio


def squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


def cell(page: str, cell_id: str) -> str:
    found = re.search(rf'<td [^>]*id="{cell_id}">(.*?)</td>', page, re.S)
    assert found, cell_id
    return squeeze(found.group(1))


def swapped(frame: str, cell_id: str) -> str:
    found = re.search(rf'<div hx-swap-oob="innerHTML:#{cell_id}">(.*?)</div>', frame, re.S)
    assert found, cell_id
    return squeeze(found.group(1))


def counts(html: str) -> str:
    found = re.search(r'<p id="attendance_counts"[^>]*>(.*?)</p>', html, re.S)
    assert found
    return squeeze(found.group(1))


async def test_the_frames_cells_and_counts_are_the_pages_own(session, as_member, make_client):
    secretary = await as_member(Role.secretary)
    villager = factories.member(session, secretary.body, Role.member)
    absentee = factories.member(session, secretary.body, Role.member)
    meeting = factories.meeting(session, secretary.body)
    lines = {
        line.person_id: line.id
        for line in session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id))
    }

    member = make_client().log_in_as(session, villager)
    assert (await member.post("/checkin", {"code": meeting.checkin_code})).status_code == 303
    marked = await secretary.post(
        f"/meetings/{meeting.id}/attendance/{lines[absentee.id]}",
        {"status": "absent", "absence_reason": "ติดราชการ"},
    )
    assert marked.status_code == 303

    frames = session.exec(
        select(LiveFrame.html)
        .where(LiveFrame.channel == f"meeting:{meeting.id}")
        .order_by(LiveFrame.seq)
    ).all()
    assert len(frames) == 2
    page = (await secretary.get(f"/meetings/{meeting.id}")).text
    for frame, person in zip(frames, (villager, absentee), strict=True):
        for kind in ("status", "arrival"):
            cell_id = f"attendance_{kind}_{lines[person.id]}"
            assert swapped(frame, cell_id) == cell(page, cell_id)
    assert counts(frames[-1]) == counts(page)
    assert "ติดราชการ" in frames[-1]
