"""A body's meeting list is kept per version (Body.revision, moved by the database on every
change to the body's meetings, attendance included) and class of reader: every change
reaches the next read, and no reader gets another's controls."""

from __future__ import annotations

import pytest
from sqlmodel import select

from forum.models import Attendance, AttendanceStatus, Body, Meeting, Role
from tests import factories

pytestmark = pytest.mark.anyio


def revision(session, body) -> int:
    session.expire_all()
    return session.exec(select(Body.revision).where(Body.id == body.id)).one()


async def test_every_change_to_a_meeting_moves_its_bodys_revision(session):
    body = factories.body(session)
    other = factories.body(session)
    factories.member(session, body, Role.member)
    start = revision(session, body)
    meeting = factories.meeting(session, body)  # with its members invited
    assert revision(session, body) > start
    start = revision(session, body)
    line = session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id)).first()
    line.status = AttendanceStatus.present  # a check-in moves the meeting's counts
    session.add(line)
    session.commit()
    assert revision(session, body) > start
    start, elsewhere = revision(session, body), revision(session, other)
    meeting.body_id = other.id  # moved to another body: both lists change
    session.add(meeting)
    session.commit()
    assert revision(session, body) > start and revision(session, other) > elsewhere
    spare = factories.meeting(session, other, invite_members=False)
    start = revision(session, other)
    session.delete(session.get(Meeting, spare.id))
    session.commit()
    assert revision(session, other) > start


async def test_the_list_follows_each_change_and_each_readers_controls(session, app, as_member):
    secretary = await as_member(Role.secretary)
    member = await as_member(Role.member, body=secretary.body)
    admin = await as_member("admin")
    meeting = factories.meeting(session, secretary.body, invite_members=True)
    url = f"/bodies/{secretary.body.id}/meetings"
    before = (await member.get(url)).text
    assert meeting.title in before
    meeting.title = "เวทีทบทวนแผนงานร่วม"
    session.add(meeting)
    session.commit()
    assert "เวทีทบทวนแผนงานร่วม" in (await member.get(url)).text
    line = session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id)).first()
    line.status = AttendanceStatus.present
    session.add(line)
    session.commit()
    session.expire_all()
    counts = session.get(Meeting, meeting.id)
    assert counts.attendance_present == 1
    assert f"{counts.attendance_present} / {counts.attendance_total}" in (await member.get(url)).text
    readers = [secretary, member, admin]
    for htmx in (False, True):
        headers = {"HX-Request": "true"} if htmx else {}
        for first in readers:
            for second in readers:
                app.state.fragments.clear()
                await first.get(url, headers=headers)
                served = (await second.get(url, headers=headers)).text
                app.state.fragments.clear()
                assert served == (await second.get(url, headers=headers)).text, (first, second, htmx)
    assert "/meetings/new" in (await secretary.get(url)).text
    assert "/meetings/new" not in (await member.get(url)).text
