"""/api/v1 attendance: the list, the secretary's marking, guests and substitutes, and
self check-in with the meeting's code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from forum import i18n
from forum.models import Attendance, AttendanceStatus, MeetingStatus, Role
from tests import factories

pytestmark = pytest.mark.anyio


def th(msgid: str, **params: object) -> str:
    return i18n.translate(msgid, "th", **params)


def line_of(session, meeting_id: int, person_id: int) -> Attendance:
    session.expire_all()
    return session.exec(
        select(Attendance).where(
            Attendance.meeting_id == meeting_id, Attendance.person_id == person_id
        )
    ).one()


async def test_attendance_list_with_names_and_counts(session, as_member):
    web = await as_member(Role.secretary)
    somsri = factories.member(
        session, web.body, Role.member, person_row=factories.person(session, name="สมศรี ใจดี")
    )
    meeting = factories.meeting(session, web.body)
    response = await web.get(f"/api/v1/meetings/{meeting.id}/attendance")
    assert response.status_code == 200
    listed = response.json()
    assert (listed["invited"], listed["present"], listed["absent"], listed["guests"]) == (
        2,
        0,
        0,
        0,
    )
    assert {item["person_id"]: item["name"] for item in listed["items"]}[somsri.id] == "สมศรี ใจดี"


async def test_secretary_marks_absent_with_a_reason(session, as_member):
    web = await as_member(Role.secretary)
    somchai = factories.member(session, web.body, Role.member)
    meeting = factories.meeting(session, web.body)
    line = line_of(session, meeting.id, somchai.id)

    no_reason = await web.json("PATCH", f"/api/v1/attendance/{line.id}", {"status": "absent"})
    assert no_reason.status_code == 422
    assert no_reason.json()["fields"] == {
        "absence_reason": th("Please give the reason for the absence.")
    }
    assert line_of(session, meeting.id, somchai.id).status == AttendanceStatus.invited

    marked = await web.json(
        "PATCH", f"/api/v1/attendance/{line.id}", {"status": "absent", "absence_reason": "ติดราชการ"}
    )
    assert marked.status_code == 200
    assert (marked.json()["status"], marked.json()["absence_reason"]) == ("absent", "ติดราชการ")
    assert marked.json()["updated_at"].endswith("+07:00")


async def test_facilitator_may_mark_but_a_member_may_not(session, as_member):
    member = await as_member(Role.member)
    facilitator = factories.member(session, member.body, Role.facilitator)
    meeting = factories.meeting(session, member.body)
    line = line_of(session, meeting.id, member.person.id)
    refused = await member.json("PATCH", f"/api/v1/attendance/{line.id}", {"status": "present"})
    assert refused.status_code == 403
    assert line_of(session, meeting.id, member.person.id).status == AttendanceStatus.invited

    keeper = await as_member(None)
    keeper.log_in_as(session, facilitator)
    assert (
        await keeper.json("PATCH", f"/api/v1/attendance/{line.id}", {"status": "present"})
    ).status_code == 200


async def test_marking_refuses_bad_input(session, as_member):
    web = await as_member(Role.secretary)
    meeting = factories.meeting(session, web.body)
    line = line_of(session, meeting.id, web.person.id)
    for payload, field, msgid in [
        ({}, "status", "This field is required."),
        ({"status": "asleep"}, "status", "Please choose one of the options."),
        (
            {"status": "present", "absence_reason": "ก" * 301},
            "absence_reason",
            "This is too long: at most %(max_length)s characters.",
        ),
        (
            {"status": "guest", "substitute_for_id": 999999},
            "substitute_for_id",
            "Choose a member invited to this meeting.",
        ),
    ]:
        response = await web.json("PATCH", f"/api/v1/attendance/{line.id}", payload)
        assert response.status_code == 422, payload
        assert response.json()["fields"][field] == th(
            msgid, **({"max_length": 300} if "%(" in msgid else {})
        )
    assert line_of(session, meeting.id, web.person.id).status == AttendanceStatus.invited
    assert (
        await web.json("PATCH", "/api/v1/attendance/999999", {"status": "present"})
    ).status_code == 404


async def test_guests_and_substitutes(session, as_member):
    web = await as_member(Role.secretary)
    absent_member = factories.member(session, web.body, Role.member)
    meeting = factories.meeting(session, web.body)

    guest = await web.json(
        "POST",
        f"/api/v1/meetings/{meeting.id}/guests",
        {"guest_name": "นายช่างไฟ", "guest_organisation": "อบต.แม่ริม"},
    )
    assert guest.status_code == 201
    assert (guest.json()["status"], guest.json()["guest_name"], guest.json()["person_id"]) == (
        "guest",
        "นายช่างไฟ",
        None,
    )

    substitute = factories.person(session, name="ผู้มาแทน")
    added = await web.json(
        "POST",
        f"/api/v1/meetings/{meeting.id}/guests",
        {"person_id": substitute.id, "substitute_for_id": absent_member.id},
    )
    assert added.status_code == 201
    assert added.json()["substitute_for_id"] == absent_member.id

    listed = (await web.get(f"/api/v1/meetings/{meeting.id}/attendance")).json()
    assert listed["guests"] == 2
    assert {item["name"]: item["substitute_for_name"] for item in listed["items"]}[
        "ผู้มาแทน"
    ] == absent_member.display_name

    nameless = await web.json(
        "POST", f"/api/v1/meetings/{meeting.id}/guests", {"guest_organisation": "อบต."}
    )
    assert nameless.status_code == 422
    assert nameless.json()["fields"] == {
        "guest_name": th("Give the guest's name, or choose a person.")
    }

    twice = await web.json(
        "POST", f"/api/v1/meetings/{meeting.id}/guests", {"person_id": substitute.id}
    )
    assert twice.status_code == 409
    assert (await web.get(f"/api/v1/meetings/{meeting.id}/attendance")).json()["guests"] == 2


async def test_member_cannot_add_guests(session, as_member):
    web = await as_member(Role.member)
    meeting = factories.meeting(session, web.body)
    assert (
        await web.json("POST", f"/api/v1/meetings/{meeting.id}/guests", {"guest_name": "แขก"})
    ).status_code == 403


async def test_closed_meeting_attendance_cannot_change(session, as_member):
    web = await as_member(Role.secretary)
    meeting = factories.meeting(session, web.body)
    meeting.status = MeetingStatus.closed
    session.add(meeting)
    session.commit()
    line = line_of(session, meeting.id, web.person.id)
    response = await web.json("PATCH", f"/api/v1/attendance/{line.id}", {"status": "present"})
    assert response.status_code == 409
    assert response.json()["message"] == th(
        "This meeting is closed; its attendance can no longer be changed."
    )


async def test_check_in_with_the_code(session, as_member):
    web = await as_member(Role.member)
    meeting = factories.meeting(session, web.body, starts_in=timedelta(minutes=30))
    response = await web.json("POST", "/api/v1/checkin", {"code": f" {meeting.checkin_code} "})
    assert response.status_code == 200
    body = response.json()
    assert body["meeting"]["id"] == meeting.id
    assert body["meeting"]["checkin_code"] is None  # checking in does not reveal the code to others
    assert body["attendance"]["status"] == "present"
    assert body["attendance"]["checked_in_at"].endswith("+07:00")

    again = await web.json("POST", "/api/v1/checkin", {"code": meeting.checkin_code})
    assert again.status_code == 409
    assert again.json()["message"] == th("You are already checked in to this meeting.")


async def test_check_in_refuses_bad_codes(session, as_member):
    web = await as_member(Role.member)
    meeting = factories.meeting(session, web.body)
    unused = next(code for code in ("000000", "111111", "222222") if code != meeting.checkin_code)
    for payload, msgid in [
        ({"code": "12ab"}, "The check-in code has 6 digits."),
        ({"code": 123456}, "Please enter text."),
        ({}, "This field is required."),
    ]:
        response = await web.json("POST", "/api/v1/checkin", payload)
        assert response.status_code == 422, payload
        assert response.json()["fields"] == {"code": th(msgid)}
    unknown = await web.json("POST", "/api/v1/checkin", {"code": unused})  # no meeting has it
    assert unknown.status_code == 404
    assert unknown.json()["message"] == th("No meeting has this code. Check the code on the screen and try again.")
    assert line_of(session, meeting.id, web.person.id).checked_in_at is None


async def test_check_in_opens_three_hours_before(session, as_member):
    web = await as_member(Role.member)
    meeting = factories.meeting(session, web.body, starts_in=timedelta(days=2))
    response = await web.json("POST", "/api/v1/checkin", {"code": meeting.checkin_code})
    assert response.status_code == 409
    assert line_of(session, meeting.id, web.person.id).checked_in_at is None
