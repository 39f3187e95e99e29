"""A meeting page's attendance list is kept per revision of the list (Meeting.attendance_revision,
moved by the database whenever what the list shows changes) and class of reader: every change
reaches the next read — a marking, a reason, a check-in, a name, an organisation's name — and
no reader gets another's controls or CSRF token."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from forum.models import Attendance, AttendanceStatus, Meeting, Organisation, Person, Role
from tests import factories

pytestmark = pytest.mark.anyio


def revision(session, meeting) -> int:
    session.expire_all()
    return session.exec(select(Meeting.attendance_revision).where(Meeting.id == meeting.id)).one()


def line_of(session, meeting, person) -> Attendance:
    session.expire_all()
    return session.exec(
        select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.person_id == person.id)
    ).one()


async def test_every_change_to_what_the_list_shows_moves_the_revision(session):
    body = factories.body(session)
    somchai = factories.member(session, body, Role.member)
    meeting = factories.meeting(session, body)
    other = factories.meeting(session, body)
    start, elsewhere = revision(session, meeting), revision(session, other)
    line = line_of(session, meeting, somchai)
    line.absence_reason = "ติดราชการ"  # the counts stay: the list does not
    session.add(line)
    session.commit()
    assert revision(session, meeting) > start
    start = revision(session, meeting)
    person = session.get(Person, somchai.id)
    person.display_name = "สมชาย ใจดี (เปลี่ยนชื่อ)"
    session.add(person)
    session.commit()
    assert revision(session, meeting) > start and revision(session, other) > elsewhere
    start = revision(session, meeting)
    organisation = factories.organisation(session)
    person = session.get(Person, somchai.id)
    person.organisation_id = organisation.id
    session.add(person)
    session.commit()
    assert revision(session, meeting) > start
    start = revision(session, meeting)
    renamed = session.get(Organisation, organisation.id)
    renamed.name = "สำนักงานพลังงานจังหวัดน่าน (ชื่อใหม่)"
    session.add(renamed)
    session.commit()
    assert revision(session, meeting) > start
    start = revision(session, meeting)
    session.delete(line_of(session, meeting, somchai))
    session.commit()
    assert revision(session, meeting) > start


async def test_the_page_follows_each_change_and_each_readers_controls(session, as_member):
    secretary = await as_member(Role.secretary)
    member = await as_member(Role.member, body=secretary.body)
    meeting = factories.meeting(session, secretary.body, invite_members=True)
    url = f"/meetings/{meeting.id}"
    first = await member.get(url)
    assert member.person.display_name in first.text
    assert f'action="/meetings/{meeting.id}/attendance/' not in first.text  # a member: no marking
    kept = await secretary.get(url)
    assert f'action="/meetings/{meeting.id}/attendance/' in kept.text  # the keeper's forms
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', kept.text))
    assert tokens == {await secretary.csrf_token()}  # the reader's own token, in every form
    assert "ติดภารกิจด่วน" not in (await member.get(url)).text

    marked = await secretary.post(
        f"/meetings/{meeting.id}/attendance/{line_of(session, meeting, member.person).id}",
        {"status": "absent", "absence_reason": "ติดภารกิจด่วน"},
    )
    assert marked.status_code in (200, 303)
    again = await member.get(url)
    assert "ติดภารกิจด่วน" in again.text
    assert f'action="/meetings/{meeting.id}/attendance/' not in again.text

    person = session.get(Person, member.person.id)
    person.display_name = "ชื่อที่แก้ไขแล้ว"
    session.add(person)
    session.commit()
    assert "ชื่อที่แก้ไขแล้ว" in (await member.get(url)).text

    line = line_of(session, meeting, member.person)
    line.status = AttendanceStatus.present  # a check-in written elsewhere (another worker)
    line.absence_reason = ""
    session.add(line)
    session.commit()
    page = (await secretary.get(url)).text
    cell = re.search(rf'id="attendance_status_{line.id}">(.*?)</td>', page, re.S).group(1)
    assert "status-present" in cell and "ติดภารกิจด่วน" not in cell  # the log keeps the history
