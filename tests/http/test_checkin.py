"""Self check-in with the meeting's 6-digit code or its QR code: log in first, see the
meeting, check in once; every wrong code or wrong moment gets a clear Thai message."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
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


def events(session, meeting: Meeting) -> list[AttendanceEvent]:
    session.expire_all()
    return list(
        session.exec(select(AttendanceEvent).where(AttendanceEvent.meeting_id == meeting.id)).all()
    )


def line_of(session, meeting: Meeting, person_id: int) -> Attendance | None:
    session.expire_all()
    return session.exec(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.person_id == person_id
        )
    ).first()


async def member_and_meeting(session, as_member, starts_in: timedelta = timedelta(minutes=20)):
    web = await as_member(Role.member)
    meeting = factories.meeting(session, web.body, starts_in=starts_in)
    return web, meeting


async def test_anonymous_visitor_logs_in_first_and_comes_back_to_the_code(client, session):
    meeting = factories.meeting(session, factories.body(session))
    response = await client.get(f"/checkin?code={meeting.checkin_code}")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=" + quote(
        f"/checkin?code={meeting.checkin_code}", safe=""
    )
    assert (await client.get("/checkin")).headers["location"] == "/login?next=%2Fcheckin"


async def test_anonymous_post_changes_nothing(client, session):
    meeting = factories.meeting(session, factories.body(session))
    response = await client.post("/checkin", {"code": meeting.checkin_code})
    assert response.status_code == 401
    assert events(session, meeting) == []


async def test_check_in_page_has_a_big_numeric_code_field_for_phones(as_member):
    web = await as_member(Role.member)
    response = await web.get("/checkin")
    assert response.status_code == 200
    text = response.text
    for attribute in [
        'inputmode="numeric"',
        'autocomplete="one-time-code"',
        'pattern="[0-9]*"',
        'maxlength="6"',
        'name="code"',
        'method="post" action="/checkin"',
    ]:
        assert attribute in text, attribute
    assert (
        '<label for="code">' + translate("The 6-digit check-in code shown at the meeting", "th")
        in text
    )


async def test_code_from_the_qr_shows_the_meeting_and_a_check_me_in_button(session, as_member):
    web, meeting = await member_and_meeting(session, as_member)
    response = await web.get(f"/checkin?code={meeting.checkin_code}")
    assert response.status_code == 200
    assert web.body.name in response.text
    assert f"ครั้งที่ {meeting.number}/{meeting.year_be}" in response.text
    assert translate("Check me in", "th") in response.text
    assert f'name="code" value="{meeting.checkin_code}"' in response.text
    assert events(session, meeting) == []  # looking is not checking in


async def test_check_in_marks_the_member_present_and_shows_the_time(session, as_member):
    web, meeting = await member_and_meeting(session, as_member)
    response = await web.post("/checkin", {"code": meeting.checkin_code})
    assert response.status_code == 303
    assert response.headers["location"] == f"/checkin?code={meeting.checkin_code}"
    line = line_of(session, meeting, web.person.id)
    assert line.status == AttendanceStatus.present and line.checked_in_at is not None
    page = await web.get(response.headers["location"])
    assert "ท่านลงเวลาเข้าประชุม" in page.text
    assert f"ครั้งที่ {meeting.number}/{meeting.year_be}" in page.text
    assert " น." in page.text.split("ท่านลงเวลาเข้าประชุม")[1].split("</p>")[0]
    assert [e.kind for e in events(session, meeting)] == [AttendanceEventKind.check_in]


async def test_checking_in_twice_says_so_and_records_one_event(session, as_member):
    web, meeting = await member_and_meeting(session, as_member)
    await web.post("/checkin", {"code": meeting.checkin_code})
    response = await web.post("/checkin", {"code": meeting.checkin_code})
    assert response.status_code == 409
    assert translate("You are already checked in to this meeting.", "th") in response.text
    assert len(events(session, meeting)) == 1


async def test_code_typed_in_thai_digits_is_accepted(session, as_member):
    web, meeting = await member_and_meeting(session, as_member)
    thai = meeting.checkin_code.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    response = await web.post("/checkin", {"code": thai})
    assert response.status_code == 303
    assert len(events(session, meeting)) == 1


async def test_code_with_spaces_is_accepted(session, as_member):
    web, meeting = await member_and_meeting(session, as_member)
    code = meeting.checkin_code
    response = await web.post("/checkin", {"code": f" {code[:3]} {code[3:]} "})
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("code", "msgid"),
    [
        ("", "The check-in code has 6 digits."),
        ("12345", "The check-in code has 6 digits."),
        ("abcdef", "The check-in code has 6 digits."),
        ("๑๒๓๔๕", "The check-in code has 6 digits."),  # five Thai digits
        ("12345678901234567890", "The check-in code has 6 digits."),
        ("<script>", "The check-in code has 6 digits."),
    ],
)
async def test_malformed_codes_get_a_clear_message_and_change_nothing(
    code, msgid, session, as_member
):
    web, meeting = await member_and_meeting(session, as_member)
    response = await web.post("/checkin", {"code": code})
    assert response.status_code == 422
    assert translate(msgid, "th") in response.text
    assert 'aria-invalid="true"' in response.text
    assert "<script>" not in response.text.split("<main")[1]
    assert events(session, meeting) == []


async def test_unknown_code_gets_a_clear_message(session, as_member):
    web, meeting = await member_and_meeting(session, as_member)
    unknown = "000000" if meeting.checkin_code != "000000" else "000001"
    for response in [
        await web.post("/checkin", {"code": unknown}),
        await web.get(f"/checkin?code={unknown}"),
    ]:
        assert response.status_code == 422
        assert (
            translate("No meeting has this code. Check the code on the screen and try again.", "th")
            in response.text
        )
        assert f'value="{unknown}"' in response.text  # what was typed stays to be corrected
    assert events(session, meeting) == []


async def test_an_absurdly_long_code_is_refused(as_member):
    web = await as_member(Role.member)
    assert (await web.post("/checkin", {"code": "1" * 5000})).status_code == 422
    assert (await web.get("/checkin?code=" + "1" * 5000)).status_code == 422


@pytest.mark.parametrize(
    ("starts_in", "msgid"),
    [
        (timedelta(days=2), "Check-in opens 3 hours before the meeting starts."),
        (timedelta(hours=-10), "Check-in for this meeting has ended."),
    ],
)
async def test_too_early_or_too_late_is_refused_with_a_clear_message(
    starts_in, msgid, session, as_member
):
    web, meeting = await member_and_meeting(session, as_member, starts_in=starts_in)
    response = await web.post("/checkin", {"code": meeting.checkin_code})
    assert response.status_code == 409
    assert translate(msgid, "th") in response.text
    assert line_of(session, meeting, web.person.id).checked_in_at is None
    assert events(session, meeting) == []


async def test_a_live_meeting_takes_check_ins_whatever_the_clock(session, as_member):
    web, meeting = await member_and_meeting(session, as_member, starts_in=timedelta(days=2))
    meeting.status = MeetingStatus.live
    session.add(meeting)
    session.commit()
    assert (await web.post("/checkin", {"code": meeting.checkin_code})).status_code == 303


async def test_closed_meeting_refuses_check_in(session, as_member):
    web, meeting = await member_and_meeting(session, as_member)
    meeting.status = MeetingStatus.closed
    session.add(meeting)
    session.commit()
    response = await web.post("/checkin", {"code": meeting.checkin_code})
    assert response.status_code == 409
    assert (
        translate("This meeting is closed; its attendance can no longer be changed.", "th")
        in response.text
    )
    assert events(session, meeting) == []


async def test_someone_not_invited_is_checked_in_as_a_guest(session, as_member):
    meeting = factories.meeting(session, factories.body(session))
    web = await as_member(None)
    assert (await web.post("/checkin", {"code": meeting.checkin_code})).status_code == 303
    line = line_of(session, meeting, web.person.id)
    assert line.status == AttendanceStatus.guest and line.checked_in_at is not None


async def test_check_in_without_the_csrf_token_is_refused(session, as_member):
    web, meeting = await member_and_meeting(session, as_member)
    response = await web.post("/checkin", {"code": meeting.checkin_code}, csrf=False)
    assert response.status_code == 403
    assert events(session, meeting) == []


async def test_check_in_over_htmx_redirects_the_browser(session, as_member):
    web, meeting = await member_and_meeting(session, as_member)
    response = await web.post("/checkin", {"code": meeting.checkin_code}, htmx=True)
    assert response.headers.get("HX-Redirect") == f"/checkin?code={meeting.checkin_code}"
    bad = await web.post("/checkin", {"code": "x"}, htmx=True)
    assert bad.status_code == 422
    assert bad.text.lstrip().startswith('<section id="checkin"')


async def test_the_secretary_sees_the_checked_in_member_present(session, as_member):
    secretary = await as_member(Role.secretary)
    member = await as_member(Role.member, body=secretary.body)
    meeting = factories.meeting(session, secretary.body)
    await member.post("/checkin", {"code": meeting.checkin_code})
    page = (await secretary.get(f"/meetings/{meeting.id}")).text
    line = line_of(session, meeting, member.person.id)
    row = page.split(f'id="attendance_row_{line.id}"')[1].split("</tbody>")[0]
    assert translate("Present", "th") in row and " น." in row
    assert translate("Checked in", "th") in page  # the traffic record


async def test_guessing_codes_is_stopped_after_twenty_wrong_ones(session, as_member):
    web, meeting = await member_and_meeting(session, as_member)
    wrong = "000000" if meeting.checkin_code != "000000" else "000001"
    for _ in range(20):
        assert (await web.post("/checkin", {"code": wrong})).status_code == 422
    response = await web.post("/checkin", {"code": meeting.checkin_code})
    assert response.status_code == 429
    assert (
        translate("Too many attempts. Please wait a few minutes and try again.", "th")
        in response.text
    )
    assert events(session, meeting) == []
    other = await as_member(Role.member, body=web.body)  # counted per person
    assert (await other.post("/checkin", {"code": meeting.checkin_code})).status_code == 303


async def test_the_meeting_page_offers_check_in_only_while_it_is_open(session, as_member):
    web, meeting = await member_and_meeting(session, as_member)
    page = await web.get(f"/meetings/{meeting.id}")
    assert 'href="/checkin"' in page.text.split("<main")[1]
    meeting.starts_at = meeting.starts_at + timedelta(days=3)
    meeting.ends_at = meeting.ends_at + timedelta(days=3)
    session.add(meeting)
    session.commit()
    page = await web.get(f"/meetings/{meeting.id}")
    assert 'href="/checkin"' not in page.text.split("<main")[1]
