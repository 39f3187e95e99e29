"""Meetings in the web UI: a body's list, the new/edit form, the meeting page, the stage
buttons, online join/leave, the calendar files and the check-in QR code."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from forum.i18n import translate
from forum.models import (
    Attendance,
    AttendanceEvent,
    AttendanceEventKind,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    Role,
)
from tests import factories

pytestmark = pytest.mark.anyio

ROLES = ["anonymous", "member", "secretary", "chair", "admin"]
OFFICERS = {"secretary", "chair", "admin"}


def meeting_form(**overrides: str) -> dict[str, str]:
    values = {
        "title": "ประชุมคณะทำงานภาคเหนือ",
        "starts_at": "2026-03-14T09:30",
        "ends_at": "2026-03-14T12:00",
        "venue": "ห้องประชุมสำนักงานพลังงานจังหวัดเชียงใหม่",
        "online_url": "",
    }
    return values | overrides


async def client_as(role: str, session, as_member, make_client, body):
    """A client for `role` in `body` (anonymous: no login; admin: no membership)."""
    if role == "anonymous":
        return make_client()
    if role == "admin":
        return await as_member("admin")
    return await as_member(Role(role), body=body)


def meetings_of(session, body) -> list[Meeting]:
    session.expire_all()
    return list(
        session.exec(select(Meeting).where(Meeting.body_id == body.id).order_by(Meeting.id)).all()
    )


# -- who may open what ------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
async def test_read_pages_need_an_account_and_officer_pages_need_an_officer(
    role, session, as_member, make_client
):
    body = factories.body(session)
    meeting = factories.meeting(session, body)
    web = await client_as(role, session, as_member, make_client, body)
    everyone = [
        f"/bodies/{body.id}/meetings",
        f"/meetings/{meeting.id}",
        f"/meetings/{meeting.id}/meeting.ics",
        f"/bodies/{body.id}/calendar.ics",
    ]
    officers = [
        f"/bodies/{body.id}/meetings/new",
        f"/meetings/{meeting.id}/edit",
        f"/meetings/{meeting.id}/qr.svg",
        f"/meetings/{meeting.id}/attendance/new",
    ]
    for url in everyone + officers:
        response = await web.get(url)
        if role == "anonymous":
            assert response.status_code == 303, url
            assert response.headers["location"].startswith("/login?next="), url
        elif url in officers and role not in OFFICERS:
            assert response.status_code == 403, url
            assert "ไม่มีสิทธิ์" in response.text
        else:
            assert response.status_code == 200, url


@pytest.mark.parametrize("role", ROLES)
async def test_creating_a_meeting_is_for_the_chair_the_secretary_and_admins(
    role, session, as_member, make_client
):
    body = factories.body(session)
    web = await client_as(role, session, as_member, make_client, body)
    response = await web.post(f"/bodies/{body.id}/meetings/new", meeting_form())
    expected = {"anonymous": 401, "member": 403}.get(role, 303)
    assert response.status_code == expected
    assert len(meetings_of(session, body)) == (1 if expected == 303 else 0)


async def test_unknown_meeting_and_body_are_404_and_absurd_ids_too(as_member):
    web = await as_member(Role.secretary)
    for url in [
        "/meetings/999999",
        "/bodies/999999/meetings",
        "/meetings/99999999999999999999",
        "/meetings/abc",
        "/bodies/999999/calendar.ics",
        "/meetings/999999/meeting.ics",
    ]:
        response = await web.get(url)
        assert response.status_code in {404, 422}, url
        assert "<html" in response.text


# -- creating and numbering -------------------------------------------------------------


async def test_new_meeting_form_has_bangkok_datetime_fields(as_member):
    web = await as_member(Role.secretary)
    response = await web.get(f"/bodies/{web.body.id}/meetings/new")
    assert response.status_code == 200
    assert 'type="datetime-local"' in response.text
    assert 'name="starts_at"' in response.text and 'name="ends_at"' in response.text
    assert 'name="version"' not in response.text
    assert "การประชุมใหม่" in response.text


async def test_created_meeting_opens_on_its_page_with_number_and_buddhist_date(session, as_member):
    web = await as_member(Role.secretary)
    response = await web.post(f"/bodies/{web.body.id}/meetings/new", meeting_form())
    assert response.status_code == 303
    meeting = meetings_of(session, web.body)[0]
    assert response.headers["location"] == f"/meetings/{meeting.id}"
    assert (meeting.number, meeting.year_be) == (1, 2569)
    assert (
        meeting.starts_at.hour == 2 and meeting.starts_at.minute == 30
    )  # 09.30 in Bangkok is 02.30 UTC
    page = await web.get(f"/meetings/{meeting.id}")
    assert "ครั้งที่ 1/2569" in page.text
    assert "14 มีนาคม 2569" in page.text
    assert "09.30 น." in page.text
    assert "สร้างการประชุมเรียบร้อยแล้ว" in page.text  # the flash


async def test_numbering_restarts_each_buddhist_year_and_each_body_counts_alone(session, as_member):
    web = await as_member(Role.secretary)
    other = await as_member(Role.secretary)
    for starts in ["2026-03-14T09:30", "2026-12-31T23:30", "2027-01-05T09:00"]:
        response = await web.post(
            f"/bodies/{web.body.id}/meetings/new", meeting_form(starts_at=starts, ends_at="")
        )
        assert response.status_code == 303
    response = await other.post(
        f"/bodies/{other.body.id}/meetings/new",
        meeting_form(starts_at="2026-06-01T13:00", ends_at=""),
    )
    assert response.status_code == 303
    labels = [f"{m.number}/{m.year_be}" for m in meetings_of(session, web.body)]
    assert labels == ["1/2569", "2/2569", "1/2570"]  # 31 Dec 23.30 in Bangkok is still 2569
    assert [f"{m.number}/{m.year_be}" for m in meetings_of(session, other.body)] == ["1/2569"]
    listing = await web.get(f"/bodies/{web.body.id}/meetings")
    assert re.search(r"ครั้งที่ 1/2570.*ครั้งที่ 2/2569.*ครั้งที่ 1/2569", listing.text, re.S)  # newest first


async def test_new_meeting_invites_the_members_of_the_body(session, as_member):
    web = await as_member(Role.secretary)
    factories.member(session, web.body, Role.member)
    await web.post(f"/bodies/{web.body.id}/meetings/new", meeting_form())
    meeting = meetings_of(session, web.body)[0]
    lines = session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id)).all()
    assert len(lines) == 2 and {line.status for line in lines} == {AttendanceStatus.invited}


@pytest.mark.parametrize(
    ("overrides", "field", "msgid"),
    [
        ({"starts_at": ""}, "starts_at", "This field is required."),
        ({"starts_at": "พรุ่งนี้"}, "starts_at", "Please enter a date and time."),
        ({"starts_at": "2026-02-30T09:00"}, "starts_at", "Please enter a date and time."),
        (
            {"starts_at": "0001-01-01T00:00", "ends_at": ""},
            "starts_at",
            "Please enter a real date: this one is too far in the past or the future.",
        ),
        (
            {"starts_at": "9999-12-31T23:59", "ends_at": ""},
            "starts_at",
            "Please enter a real date: this one is too far in the past or the future.",
        ),
        (
            {"starts_at": "2026-03-14T09:30+05:00", "ends_at": "2026-03-14T09:30"},
            "ends_at",
            "The meeting must end after it starts.",
        ),
        (
            {"starts_at": "2026-03-14T09:30", "ends_at": "2026-03-14T08:00"},
            "ends_at",
            "The meeting must end after it starts.",
        ),
        (
            {"starts_at": "2026-03-14T09:30", "ends_at": "2026-03-30T08:00"},
            "ends_at",
            "A meeting can last at most 7 days.",
        ),
        ({"venue": "", "online_url": ""}, "venue", "Give a venue, an online link, or both."),
        (
            {"online_url": "javascript:alert(1)"},
            "online_url",
            "Please enter a web address starting with https://",
        ),
        (
            {"online_url": "https://example.org/" + "a" * 600},
            "online_url",
            "Please enter a web address starting with https://",
        ),
        ({"title": "ก" * 301}, "title", "This is too long: at most %(max_length)s characters."),
    ],
)
async def test_bad_meeting_input_is_refused_field_by_field_and_nothing_is_created(
    overrides, field, msgid, session, as_member
):
    web = await as_member(Role.secretary)
    response = await web.post(f"/bodies/{web.body.id}/meetings/new", meeting_form(**overrides))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert translate(msgid, "th", max_length=300) in response.text
    assert meetings_of(session, web.body) == []


async def test_a_wrongly_typed_datetime_keeps_the_other_values_in_the_form(as_member):
    web = await as_member(Role.secretary)
    response = await web.post(
        f"/bodies/{web.body.id}/meetings/new", meeting_form(starts_at="14/03/2569 9.30")
    )
    assert response.status_code == 422
    assert 'value="ห้องประชุมสำนักงานพลังงานจังหวัดเชียงใหม่"' in response.text
    assert 'value="14/03/2569 9.30"' in response.text


async def test_invalid_form_over_htmx_returns_only_the_form(as_member):
    web = await as_member(Role.secretary)
    response = await web.post(
        f"/bodies/{web.body.id}/meetings/new", meeting_form(starts_at=""), htmx=True
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form id="meeting_form"')
    assert "<html" not in response.text


async def test_created_over_htmx_redirects_the_browser(session, as_member):
    web = await as_member(Role.secretary)
    response = await web.post(f"/bodies/{web.body.id}/meetings/new", meeting_form(), htmx=True)
    meeting = meetings_of(session, web.body)[0]
    assert response.headers.get("HX-Redirect") == f"/meetings/{meeting.id}"


async def test_an_oversized_form_is_refused_before_it_reaches_the_service(session, as_member):
    web = await as_member(Role.secretary)
    response = await web.post(
        f"/bodies/{web.body.id}/meetings/new", meeting_form(venue="ก" * 1_200_000)
    )
    assert response.status_code == 413
    assert meetings_of(session, web.body) == []


async def test_stray_form_fields_cannot_steer_the_service(session, as_member):
    web = await as_member(Role.secretary)
    other = factories.body(session)
    response = await web.post(
        f"/bodies/{web.body.id}/meetings/new",
        meeting_form(body_id=str(other.id), actor="x", session="y"),
    )
    assert response.status_code == 303
    assert len(meetings_of(session, web.body)) == 1 and meetings_of(session, other) == []


async def test_script_in_title_and_venue_is_shown_as_text(session, as_member):
    web = await as_member(Role.secretary)
    hostile = '<script>alert("x")</script>'
    await web.post(
        f"/bodies/{web.body.id}/meetings/new",
        meeting_form(title=hostile, venue=hostile + "<img src=x onerror=alert(1)>"),
    )
    meeting = meetings_of(session, web.body)[0]
    for url in [
        f"/meetings/{meeting.id}",
        f"/bodies/{web.body.id}/meetings",
        f"/meetings/{meeting.id}/edit",
    ]:
        text = (await web.get(url)).text
        assert "<script>alert" not in text and "<img src=x" not in text, url
        assert "&lt;script&gt;" in text, url


async def test_archived_body_cannot_hold_new_meetings(session, as_member):
    web = await as_member(Role.secretary)
    web.body.archived_at = factories.utcnow()
    session.add(web.body)
    session.commit()
    assert (await web.get(f"/bodies/{web.body.id}/meetings/new")).status_code == 409
    assert (
        await web.post(f"/bodies/{web.body.id}/meetings/new", meeting_form())
    ).status_code == 409


# -- editing ----------------------------------------------------------------------------


async def test_edit_form_shows_bangkok_wall_clock_time_and_the_version(session, as_member):
    web = await as_member(Role.secretary)
    await web.post(f"/bodies/{web.body.id}/meetings/new", meeting_form())
    meeting = meetings_of(session, web.body)[0]
    response = await web.get(f"/meetings/{meeting.id}/edit")
    assert 'value="2026-03-14T09:30"' in response.text
    assert 'name="version" value="1"' in response.text


async def test_edit_saves_and_moving_into_another_year_renumbers(session, as_member):
    web = await as_member(Role.secretary)
    await web.post(f"/bodies/{web.body.id}/meetings/new", meeting_form())
    await web.post(
        f"/bodies/{web.body.id}/meetings/new",
        meeting_form(starts_at="2027-02-01T09:00", ends_at=""),
    )
    first = meetings_of(session, web.body)[0]
    response = await web.post(
        f"/meetings/{first.id}/edit",
        meeting_form(title="วาระพิเศษ", starts_at="2027-03-01T09:00", ends_at="", version="1"),
    )
    assert response.status_code == 303
    first = meetings_of(session, web.body)[0]
    assert (first.title, first.number, first.year_be, first.version) == ("วาระพิเศษ", 2, 2570, 2)


async def test_stale_edit_is_refused_with_a_clear_message_and_changes_nothing(session, as_member):
    web = await as_member(Role.secretary)
    await web.post(f"/bodies/{web.body.id}/meetings/new", meeting_form())
    meeting = meetings_of(session, web.body)[0]
    assert (
        await web.post(f"/meetings/{meeting.id}/edit", meeting_form(title="ฉบับแรก", version="1"))
    ).status_code == 303
    response = await web.post(
        f"/meetings/{meeting.id}/edit", meeting_form(title="ฉบับที่ล้าสมัย", version="1")
    )
    assert response.status_code == 409
    assert "มีผู้อื่นแก้ไข" in response.text
    assert 'value="ฉบับที่ล้าสมัย"' in response.text  # what was typed is not lost
    assert meetings_of(session, web.body)[0].title == "ฉบับแรก"


async def test_edit_with_a_version_that_is_not_a_number_is_refused(session, as_member):
    web = await as_member(Role.secretary)
    meeting = factories.meeting(session, web.body)
    response = await web.post(f"/meetings/{meeting.id}/edit", meeting_form(version="abc"))
    assert response.status_code == 409  # not the version on record: nothing saved
    assert "ไม่ได้บันทึก" in response.text or "reload" in response.text
    assert meetings_of(session, web.body)[0].title == "การประชุมทดสอบ"


async def test_member_cannot_edit(session, as_member):
    web = await as_member(Role.member)
    meeting = factories.meeting(session, web.body)
    response = await web.post(f"/meetings/{meeting.id}/edit", meeting_form(version="1"))
    assert response.status_code == 403
    assert meetings_of(session, web.body)[0].title == "การประชุมทดสอบ"


# -- stages -----------------------------------------------------------------------------


async def test_stage_moves_only_to_the_next_step_through_to_closed(session, as_member):
    web = await as_member(Role.chair)
    meeting = factories.meeting(session, web.body)
    steps = ["agenda_open", "agenda_published", "live", "closed"]
    for version, to in enumerate(steps, start=1):
        page = await web.get(f"/meetings/{meeting.id}")
        assert f'name="to" value="{to}"' in page.text
        response = await web.post(
            f"/meetings/{meeting.id}/status", {"to": to, "version": str(version)}
        )
        assert response.status_code == 303
    session.expire_all()
    assert session.get(Meeting, meeting.id).status == MeetingStatus.closed
    page = await web.get(f"/meetings/{meeting.id}")
    assert 'name="to"' not in page.text
    assert "/edit" not in page.text


async def test_skipping_a_stage_is_409_and_changes_nothing(session, as_member):
    web = await as_member(Role.secretary)
    meeting = factories.meeting(session, web.body)
    response = await web.post(f"/meetings/{meeting.id}/status", {"to": "live", "version": "1"})
    assert response.status_code == 409
    assert "ไม่สามารถ" in response.text
    for to in ["draft", "nonsense", ""]:
        assert (
            await web.post(f"/meetings/{meeting.id}/status", {"to": to, "version": "1"})
        ).status_code in {409, 422}
    session.expire_all()
    assert session.get(Meeting, meeting.id).status == MeetingStatus.draft


async def test_stage_change_with_an_old_version_is_refused(session, as_member):
    web = await as_member(Role.secretary)
    meeting = factories.meeting(session, web.body)
    await web.post(f"/meetings/{meeting.id}/status", {"to": "agenda_open", "version": "1"})
    response = await web.post(
        f"/meetings/{meeting.id}/status", {"to": "agenda_published", "version": "1"}
    )
    assert response.status_code == 409
    session.expire_all()
    assert session.get(Meeting, meeting.id).status == MeetingStatus.agenda_open


async def test_stage_change_over_htmx_returns_the_stage_block(session, as_member):
    web = await as_member(Role.secretary)
    meeting = factories.meeting(session, web.body)
    response = await web.post(
        f"/meetings/{meeting.id}/status", {"to": "agenda_open", "version": "1"}, htmx=True
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="meeting_status"')
    assert 'name="to" value="agenda_published"' in response.text


@pytest.mark.parametrize("role", ["anonymous", "member"])
async def test_members_see_no_stage_button_and_cannot_change_it(
    role, session, as_member, make_client
):
    body = factories.body(session)
    meeting = factories.meeting(session, body)
    web = await client_as(role, session, as_member, make_client, body)
    response = await web.post(
        f"/meetings/{meeting.id}/status", {"to": "agenda_open", "version": "1"}
    )
    assert response.status_code == (401 if role == "anonymous" else 403)
    if role == "member":
        assert 'name="to"' not in (await web.get(f"/meetings/{meeting.id}")).text


# -- the list ---------------------------------------------------------------------------


async def test_list_shows_counts_status_and_online_and_pages_by_twenty(session, as_member):
    web = await as_member(Role.secretary)
    factories.member(session, web.body, Role.member)
    meetings = [
        factories.meeting(session, web.body, starts_in=timedelta(days=i), number=i + 1)
        for i in range(25)
    ]
    newest = meetings[-1]
    line = session.exec(select(Attendance).where(Attendance.meeting_id == newest.id)).first()
    line.status = AttendanceStatus.present
    session.add(line)
    newest.online_url = "https://meet.example.org/abc"
    session.add(newest)
    session.commit()
    first = await web.get(f"/bodies/{web.body.id}/meetings")
    assert first.status_code == 200
    assert first.text.count('href="/meetings/') == 20
    assert f"ครั้งที่ {newest.number}/" in first.text
    assert "1 / 2" in first.text
    assert "ออนไลน์" in first.text
    assert f'href="/bodies/{web.body.id}/meetings/new"' in first.text
    assert f'href="/bodies/{web.body.id}/calendar.ics"' in first.text
    assert 'rel="next"' in first.text
    second = await web.get(f"/bodies/{web.body.id}/meetings?page=2")
    assert second.text.count('href="/meetings/') == 5
    assert (await web.get(f"/bodies/{web.body.id}/meetings?page=0")).status_code == 422
    assert (await web.get(f"/bodies/{web.body.id}/meetings?page=9999999999999")).status_code == 422


async def test_list_over_htmx_is_only_the_list_block(session, as_member):
    web = await as_member(Role.member)
    factories.meeting(session, web.body)
    response = await web.get(f"/bodies/{web.body.id}/meetings", htmx=True)
    assert response.text.lstrip().startswith('<section id="meeting_list"')
    assert "<html" not in response.text
    assert (
        "/meetings/new" not in (await web.get(f"/bodies/{web.body.id}/meetings")).text
    )  # a member cannot create


async def test_empty_list_says_so(as_member):
    web = await as_member(Role.member)
    response = await web.get(f"/bodies/{web.body.id}/meetings")
    assert "ยังไม่มีการประชุม" in response.text


class QueryCounter:
    def __init__(self, engine) -> None:
        self.engine, self.count = engine, 0

    def __enter__(self) -> QueryCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *_args) -> None:
        self.count += 1


async def test_list_page_costs_the_same_queries_for_2_or_60_meetings(engine, session, as_member):
    web = await as_member(Role.secretary)
    few, many = factories.body(session), factories.body(session)
    for body, count in [(few, 2), (many, 60)]:
        factories.member(session, body, Role.secretary, person_row=web.person)
        factories.member(session, body, Role.member)
        for i in range(count):
            factories.meeting(session, body, starts_in=timedelta(days=i))
    costs = []
    for body in (few, many):
        await web.get(f"/bodies/{body.id}/meetings")  # warm up
        with QueryCounter(engine) as counter:
            assert (await web.get(f"/bodies/{body.id}/meetings")).status_code == 200
        costs.append(counter.count)
    assert costs[0] == costs[1]


async def test_meeting_page_costs_the_same_queries_for_3_or_50_attendees(
    engine, session, as_member
):
    web = await as_member(Role.secretary)
    costs = []
    for attendees in (3, 50):
        body = factories.body(session)
        factories.member(session, body, Role.secretary, person_row=web.person)
        org = factories.organisation(session)
        for _ in range(attendees):
            factories.member(
                session,
                body,
                Role.member,
                person_row=factories.person(session, organisation_id=org.id),
            )
        meeting = factories.meeting(session, body)
        await web.get(f"/meetings/{meeting.id}")
        with QueryCounter(engine) as counter:
            page = await web.get(f"/meetings/{meeting.id}")
        assert page.status_code == 200
        assert page.text.count('id="attendance_row_') == attendees + 1
        costs.append(counter.count)
    assert costs[0] == costs[1]


# -- the meeting page -------------------------------------------------------------------


async def test_officers_see_the_check_in_panel_with_code_qr_link_and_line_share(session, as_member):
    web = await as_member(Role.secretary)
    meeting = factories.meeting(session, web.body)
    text = (await web.get(f"/meetings/{meeting.id}")).text
    assert (
        f'<p class="code-display" aria-label="รหัสลงชื่อเข้าร่วม">{meeting.checkin_code}</p>' in text
        or meeting.checkin_code in text
    )
    assert 'class="code-display"' in text
    assert f'src="/meetings/{meeting.id}/qr.svg"' in text
    checkin_url = f"/checkin?code={meeting.checkin_code}"
    assert checkin_url in text
    assert "https://social-plugins.line.me/lineit/share?url=http%3A%2F%2F" in text
    assert f"checkin%3Fcode%3D{meeting.checkin_code}" in text
    assert "<script" not in text.split("</head>")[1]  # no inline script in the page body


async def test_members_do_not_see_the_check_in_code_or_the_traffic_record(session, as_member):
    web = await as_member(Role.member)
    meeting = factories.meeting(session, web.body)
    text = (await web.get(f"/meetings/{meeting.id}")).text
    assert meeting.checkin_code not in text
    assert "qr.svg" not in text
    assert "บันทึกการเข้าร่วม" not in text or "บันทึกการเข้า-ออก" not in text
    assert f'action="/meetings/{meeting.id}/attendance/' not in text


async def test_meeting_page_lists_attendance_with_organisation_and_status(session, as_member):
    web = await as_member(Role.secretary)
    org = factories.organisation(session, name="วิสาหกิจชุมชนบ้านแม่ทา")
    villager = factories.person(session, name="นายสมบัติ รักถิ่น", organisation_id=org.id)
    factories.member(session, web.body, Role.member, person_row=villager)
    meeting = factories.meeting(session, web.body)
    text = (await web.get(f"/meetings/{meeting.id}")).text
    assert "นายสมบัติ รักถิ่น" in text and "วิสาหกิจชุมชนบ้านแม่ทา" in text
    assert "ได้รับเชิญ" in text or "เชิญ" in text


async def test_meeting_page_over_htmx_returns_the_attendance_block(session, as_member):
    web = await as_member(Role.member)
    meeting = factories.meeting(session, web.body)
    response = await web.get(f"/meetings/{meeting.id}", htmx=True)
    assert response.text.lstrip().startswith('<section id="attendance"')


# -- online -----------------------------------------------------------------------------


async def test_join_online_records_the_join_and_gives_the_link_then_leave_is_recorded(
    session, as_member
):
    web = await as_member(Role.member)
    meeting = factories.meeting(session, web.body)
    meeting.online_url = "https://meet.example.org/wethi-1"
    session.add(meeting)
    session.commit()
    page = await web.get(f"/meetings/{meeting.id}")
    assert f'action="/meetings/{meeting.id}/join"' in page.text
    response = await web.post(f"/meetings/{meeting.id}/join")
    assert response.status_code == 200  # a page with the link: CSP form-action is 'self'
    assert 'href="https://meet.example.org/wethi-1"' in response.text
    response = await web.post(f"/meetings/{meeting.id}/leave")
    assert response.status_code == 303
    assert response.headers["location"] == f"/meetings/{meeting.id}"
    kinds = session.exec(
        select(AttendanceEvent.kind)
        .where(AttendanceEvent.meeting_id == meeting.id)
        .order_by(AttendanceEvent.id)
    ).all()
    assert kinds == [AttendanceEventKind.join_online, AttendanceEventKind.leave_online]
    line = session.exec(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.person_id == web.person.id
        )
    ).one()
    session.refresh(line)
    assert line.status == AttendanceStatus.present


async def test_join_without_an_online_link_is_409(session, as_member):
    web = await as_member(Role.member)
    meeting = factories.meeting(session, web.body)
    assert (await web.post(f"/meetings/{meeting.id}/join")).status_code == 409
    assert "join" not in (await web.get(f"/meetings/{meeting.id}")).text.split("<main")[1]


async def test_outsider_cannot_join_another_body_online(session, as_member):
    web = await as_member(Role.member)
    body = factories.body(session)
    meeting = factories.meeting(session, body)
    meeting.online_url = "https://meet.example.org/x"
    session.add(meeting)
    session.commit()
    assert (await web.post(f"/meetings/{meeting.id}/join")).status_code == 403


# -- calendar and QR --------------------------------------------------------------------


def ics_lines(text: str) -> list[str]:
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    return text.split("\r\n")[:-1]


def unfold(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if line.startswith(" "):
            out[-1] += line[1:]
        else:
            out.append(line)
    return out


async def test_meeting_ics_is_a_valid_calendar_attachment_in_gregorian_utc(session, as_member):
    web = await as_member(Role.member)
    long_title = "การประชุมเชิงปฏิบัติการเพื่อจัดทำแผนงานร่วมระหว่างสำนักงานพลังงานจังหวัดกับเครือข่ายพลังงานชุมชน; ระยะที่ 2, ภาคเหนือ"
    meeting = factories.meeting(session, web.body)
    meeting.title = long_title
    session.add(meeting)
    session.commit()
    response = await web.get(f"/meetings/{meeting.id}/meeting.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert ".ics" in response.headers["content-disposition"]
    lines = ics_lines(response.text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert all(len(line.encode()) <= 75 for line in lines)
    assert any(line.startswith(" ") for line in lines)  # the long summary is folded
    logical = unfold(lines)
    assert "VERSION:2.0" in logical and "BEGIN:VEVENT" in logical and "END:VEVENT" in logical
    start = next(line for line in logical if line.startswith("DTSTART:"))
    assert re.fullmatch(r"DTSTART:\d{8}T\d{6}Z", start)
    assert start[8:12] == str(meeting.starts_at.year)  # Gregorian, never the Buddhist year
    assert not start[8:12].startswith("25")
    summary = next(line for line in logical if line.startswith("SUMMARY:"))
    assert "\\;" in summary and "\\," in summary  # iCalendar escaping
    assert f"UID:meeting-{meeting.id}@wethi" in logical


async def test_body_calendar_has_every_meeting_of_the_body(session, as_member):
    web = await as_member(Role.member)
    for i in range(3):
        factories.meeting(session, web.body, starts_in=timedelta(days=i))
    factories.meeting(session, factories.body(session))
    response = await web.get(f"/bodies/{web.body.id}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert response.text.count("BEGIN:VEVENT") == 3
    assert "X-WR-CALNAME:" in response.text


async def test_qr_code_is_an_svg_of_the_check_in_link(session, as_member):
    web = await as_member(Role.secretary)
    meeting = factories.meeting(session, web.body)
    response = await web.get(f"/meetings/{meeting.id}/qr.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.text.lstrip().startswith("<svg")
    assert "<script" not in response.text
    assert (await web.get("/meetings/999999/qr.svg")).status_code == 404


async def test_a_draft_made_by_mistake_can_be_deleted_and_its_number_is_free_again(session, as_member):
    web = await as_member(Role.secretary)
    first = factories.meeting(session, web.body, number=1, year_be=2569)
    first_id = first.id
    duplicate = factories.meeting(session, web.body, number=2, year_be=2569)
    duplicate_id = duplicate.id
    response = await web.post(f"/meetings/{duplicate_id}/delete", {"version": str(duplicate.version)})
    assert response.status_code == 303
    assert response.headers["location"] == f"/bodies/{web.body.id}/meetings"
    assert [m.id for m in meetings_of(session, web.body)] == [first_id]
    assert session.exec(select(Attendance).where(Attendance.meeting_id == duplicate_id)).all() == []


async def test_an_announced_or_attended_meeting_cannot_be_deleted(session, as_member):
    web = await as_member(Role.secretary)
    announced = factories.meeting(session, web.body)
    announced.status = MeetingStatus.agenda_open
    session.add(announced)
    session.commit()
    response = await web.post(f"/meetings/{announced.id}/delete", {"version": str(announced.version)})
    assert response.status_code == 409
    member = factories.member(session, web.body, Role.member)
    attended = factories.meeting(session, web.body)
    line = session.exec(select(Attendance).where(Attendance.meeting_id == attended.id, Attendance.person_id == member.id)).one()
    line.status = AttendanceStatus.present
    session.add(line)
    session.commit()
    response = await web.post(f"/meetings/{attended.id}/delete", {"version": str(attended.version)})
    assert response.status_code == 409
    assert len(meetings_of(session, web.body)) == 2


async def test_a_member_cannot_delete_a_meeting(session, as_member):
    web = await as_member(Role.member)
    meeting = factories.meeting(session, web.body)
    response = await web.post(f"/meetings/{meeting.id}/delete", {"version": str(meeting.version)})
    assert response.status_code == 403
    assert len(meetings_of(session, web.body)) == 1


async def test_a_closed_meeting_no_longer_shows_its_check_in_code(session, as_member):
    web = await as_member(Role.secretary)
    meeting = factories.meeting(session, web.body)
    code = meeting.checkin_code
    assert code in (await web.get(f"/meetings/{meeting.id}")).text
    meeting.status = MeetingStatus.closed
    session.add(meeting)
    session.commit()
    assert code not in (await web.get(f"/meetings/{meeting.id}")).text
