"""/api/v1 meetings: list per body, create, read, edit, the status lifecycle — and who
may do each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from forum import i18n
from forum.models import Meeting, MeetingStatus, Role
from tests import factories

pytestmark = pytest.mark.anyio

MEETING = {
    "title": "ประชุมคณะทำงานภาคเหนือ",
    "starts_at": "2027-03-14T09:30:00+07:00",
    "venue": "ห้องประชุมสำนักงานพลังงานจังหวัดเชียงใหม่",
}


def th(msgid: str, **params: object) -> str:
    return i18n.translate(msgid, "th", **params)


def meeting_count(session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(Meeting)).one()


async def test_secretary_creates_a_numbered_meeting_in_bangkok_time(session, as_member):
    web = await as_member(Role.secretary)
    factories.member(session, web.body, Role.member)
    response = await web.json("POST", f"/api/v1/bodies/{web.body.id}/meetings", MEETING)
    assert response.status_code == 201
    meeting = response.json()
    assert (meeting["number"], meeting["year_be"], meeting["label"]) == (1, 2570, "1/2570")
    assert meeting["starts_at"] == "2027-03-14T09:30:00+07:00"
    assert meeting["ends_at"] == "2027-03-14T12:30:00+07:00"  # three hours when left out
    assert meeting["status"] == "draft"
    assert (
        meeting["checkin_code"] and len(meeting["checkin_code"]) == 6
    )  # the secretary keeps attendance
    stored = session.get(Meeting, meeting["id"])
    assert stored.starts_at == datetime(2027, 3, 14, 2, 30, tzinfo=UTC)
    attendance = (await web.get(f"/api/v1/meetings/{meeting['id']}/attendance")).json()
    assert attendance["invited"] == 2


async def test_a_time_without_offset_is_bangkok_wall_clock_time(as_member):
    web = await as_member(Role.chair)
    response = await web.json(
        "POST",
        f"/api/v1/bodies/{web.body.id}/meetings",
        MEETING | {"starts_at": "2027-03-14T09:30", "ends_at": "2027-03-14T16:00"},
    )
    assert response.status_code == 201
    assert (response.json()["starts_at"], response.json()["ends_at"]) == (
        "2027-03-14T09:30:00+07:00",
        "2027-03-14T16:00:00+07:00",
    )


async def test_member_cannot_create_a_meeting(session, as_member):
    web = await as_member(Role.member)
    before = meeting_count(session)
    response = await web.json("POST", f"/api/v1/bodies/{web.body.id}/meetings", MEETING)
    assert response.status_code == 403
    assert response.json()["message"] == th("You do not have permission to do that.")
    assert meeting_count(session) == before


async def test_secretary_cannot_create_a_meeting_in_another_body(session, as_member):
    web = await as_member(Role.secretary)
    other = factories.body(session)
    before = meeting_count(session)
    assert (
        await web.json("POST", f"/api/v1/bodies/{other.id}/meetings", MEETING)
    ).status_code == 403
    assert (
        await web.json("POST", f"/api/v1/bodies/{web.body.id}/meetings", MEETING)
    ).status_code == 201
    assert meeting_count(session) == before + 1


async def test_meeting_in_a_body_that_does_not_exist_is_404(as_member):
    web = await as_member("admin")
    assert (await web.json("POST", "/api/v1/bodies/777777/meetings", MEETING)).status_code == 404
    assert (await web.get("/api/v1/bodies/777777/meetings")).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "msgid"),
    [
        ({"starts_at": None}, "starts_at", "This field is required."),
        ({"starts_at": "พรุ่งนี้เช้า"}, "starts_at", "Please enter a date and time."),
        ({"starts_at": True}, "starts_at", "Please enter a date and time."),
        (
            {"ends_at": "2027-03-14T08:00:00+07:00"},
            "ends_at",
            "The meeting must end after it starts.",
        ),
        ({"venue": ""}, "venue", "Give a venue, an online link, or both."),
        (
            {"online_url": "javascript:alert(1)"},
            "online_url",
            "Please enter a web address starting with https://",
        ),
        ({"title": "ก" * 301}, "title", "This is too long: at most %(max_length)s characters."),
    ],
    ids=[
        "missing-start",
        "not-a-date",
        "wrong-type",
        "ends-before-start",
        "nowhere",
        "hostile-url",
        "oversized-title",
    ],
)
async def test_bad_meeting_input_is_explained_and_nothing_is_created(
    session, as_member, changes, field, msgid
):
    web = await as_member(Role.secretary)
    before = meeting_count(session)
    payload = {key: value for key, value in (MEETING | changes).items() if value is not None}
    response = await web.json("POST", f"/api/v1/bodies/{web.body.id}/meetings", payload)
    assert response.status_code == 422
    assert response.json()["fields"][field] == th(
        msgid, **({"max_length": 300} if "%(" in msgid else {})
    )
    assert meeting_count(session) == before


async def test_list_is_paginated_newest_first(session, as_member):
    web = await as_member(Role.member)
    for days in (1, 2, 3):
        factories.meeting(session, web.body, starts_in=timedelta(days=days))
    page = (await web.get(f"/api/v1/bodies/{web.body.id}/meetings?per_page=2")).json()
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (3, 1, 2, 2)
    starts = [item["starts_at"] for item in page["items"]]
    assert starts == sorted(starts, reverse=True)
    assert page["items"][0]["invited"] == 1
    assert page["items"][0]["checkin_code"] is None  # a member does not see the code
    assert (await web.get(f"/api/v1/bodies/{web.body.id}/meetings?page=0")).status_code == 422


async def test_get_one(session, as_member):
    web = await as_member(Role.member)
    meeting = factories.meeting(session, web.body)
    response = await web.get(f"/api/v1/meetings/{meeting.id}")
    assert response.status_code == 200
    assert response.json()["title"] == meeting.title
    assert response.json()["starts_at"].endswith("+07:00")
    assert (await web.get("/api/v1/meetings/31337")).status_code == 404


async def test_patch_moves_the_meeting_and_keeps_the_rest(session, as_member):
    web = await as_member(Role.secretary)
    created = (await web.json("POST", f"/api/v1/bodies/{web.body.id}/meetings", MEETING)).json()
    moved = await web.json(
        "PATCH",
        f"/api/v1/meetings/{created['id']}",
        {"version": 1, "venue": "ศาลาประชาคมบ้านแม่กำปอง"},
    )
    assert moved.status_code == 200
    body = moved.json()
    assert (body["venue"], body["title"], body["starts_at"], body["version"]) == (
        "ศาลาประชาคมบ้านแม่กำปอง",
        MEETING["title"],
        created["starts_at"],
        2,
    )

    stale = await web.json(
        "PATCH", f"/api/v1/meetings/{created['id']}", {"version": 1, "title": "ชื่อใหม่"}
    )
    assert stale.status_code == 409
    session.expire_all()
    assert session.get(Meeting, created["id"]).title == MEETING["title"]


async def test_member_cannot_edit_a_meeting(session, as_member):
    web = await as_member(Role.member)
    meeting = factories.meeting(session, web.body)
    response = await web.json(
        "PATCH", f"/api/v1/meetings/{meeting.id}", {"version": 1, "title": "แก้"}
    )
    assert response.status_code == 403


async def test_status_moves_one_step_at_a_time(session, as_member):
    web = await as_member(Role.chair)
    meeting = factories.meeting(session, web.body)
    opened = await web.json(
        "POST", f"/api/v1/meetings/{meeting.id}/status", {"to": "agenda_open", "version": 1}
    )
    assert opened.status_code == 200
    assert (opened.json()["status"], opened.json()["version"]) == ("agenda_open", 2)

    skipped = await web.json(
        "POST", f"/api/v1/meetings/{meeting.id}/status", {"to": "closed", "version": 2}
    )
    assert skipped.status_code == 409
    assert skipped.json()["message"] == th(
        "The meeting cannot move to that stage from where it is now."
    )

    stale = await web.json(
        "POST", f"/api/v1/meetings/{meeting.id}/status", {"to": "agenda_published", "version": 1}
    )
    assert stale.status_code == 409

    unknown = await web.json(
        "POST", f"/api/v1/meetings/{meeting.id}/status", {"to": "adjourned_forever", "version": 2}
    )
    assert unknown.status_code == 422
    assert unknown.json()["fields"] == {"to": th("Please choose one of the options.")}
    session.expire_all()
    assert session.get(Meeting, meeting.id).status == MeetingStatus.agenda_open


async def test_member_cannot_change_the_status(session, as_member):
    web = await as_member(Role.member)
    meeting = factories.meeting(session, web.body)
    assert (
        await web.json(
            "POST", f"/api/v1/meetings/{meeting.id}/status", {"to": "agenda_open", "version": 1}
        )
    ).status_code == 403
