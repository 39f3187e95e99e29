"""Attendance on the meeting page: marking each line (present / absent with a reason /
invited), guests and substitutes (มาประชุมแทน), and the traffic record."""

from __future__ import annotations

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


def line_of(session, meeting: Meeting, person_id: int) -> Attendance:
    session.expire_all()
    return session.exec(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.person_id == person_id
        )
    ).one()


def lines(session, meeting: Meeting) -> list[Attendance]:
    session.expire_all()
    return list(
        session.exec(
            select(Attendance).where(Attendance.meeting_id == meeting.id).order_by(Attendance.id)
        ).all()
    )


def events(session, meeting: Meeting) -> list[AttendanceEvent]:
    session.expire_all()
    return list(
        session.exec(
            select(AttendanceEvent)
            .where(AttendanceEvent.meeting_id == meeting.id)
            .order_by(AttendanceEvent.id)
        ).all()
    )


async def secretary_with_member(session, as_member, role: Role = Role.secretary):
    web = await as_member(role)
    villager = factories.member(session, web.body, Role.member)
    meeting = factories.meeting(session, web.body)
    return web, villager, meeting, line_of(session, meeting, villager.id)


def mark_url(meeting: Meeting, line: Attendance) -> str:
    return f"/meetings/{meeting.id}/attendance/{line.id}"


# -- marking ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.secretary, Role.chair, Role.vice_chair, Role.facilitator, "admin"]
)
async def test_attendance_keepers_mark_a_member_present(role, session, as_member):
    if role == "admin":
        web = await as_member("admin")
        body = factories.body(session)
    else:
        web = await as_member(role)
        body = web.body
    villager = factories.member(session, body, Role.member)
    meeting = factories.meeting(session, body)
    line = line_of(session, meeting, villager.id)
    response = await web.post(mark_url(meeting, line), {"status": "present"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/meetings/{meeting.id}#attendance_row_{line.id}"
    assert line_of(session, meeting, villager.id).status == AttendanceStatus.present
    assert [e.kind for e in events(session, meeting)] == [AttendanceEventKind.marked_present]


@pytest.mark.parametrize("role", ["anonymous", Role.member, Role.observer])
async def test_others_cannot_mark_and_see_no_marking_controls(
    role, session, as_member, make_client
):
    body = factories.body(session)
    villager = factories.member(session, body, Role.member)
    meeting = factories.meeting(session, body)
    line = line_of(session, meeting, villager.id)
    web = make_client() if role == "anonymous" else await as_member(role, body=body)
    response = await web.post(mark_url(meeting, line), {"status": "present"})
    assert response.status_code == (401 if role == "anonymous" else 403)
    assert line_of(session, meeting, villager.id).status == AttendanceStatus.invited
    if role != "anonymous":
        page = await web.get(f"/meetings/{meeting.id}")
        assert mark_url(meeting, line) not in page.text
        assert "/attendance/new" not in page.text


async def test_absent_needs_a_reason_and_nothing_changes_without_one(session, as_member):
    web, villager, meeting, line = await secretary_with_member(session, as_member)
    response = await web.post(mark_url(meeting, line), {"status": "absent", "absence_reason": "  "})
    assert response.status_code == 422
    assert translate("Please give the reason for the absence.", "th") in response.text
    assert "<html" in response.text  # without JavaScript: the whole page, the problem on its row
    assert line_of(session, meeting, villager.id).status == AttendanceStatus.invited
    assert events(session, meeting) == []


async def test_absent_with_a_reason_is_kept_and_shown(session, as_member):
    web, villager, meeting, line = await secretary_with_member(session, as_member)
    response = await web.post(
        mark_url(meeting, line), {"status": "absent", "absence_reason": "ติดภารกิจราชการ"}
    )
    assert response.status_code == 303
    saved = line_of(session, meeting, villager.id)
    assert (saved.status, saved.absence_reason) == (AttendanceStatus.absent, "ติดภารกิจราชการ")
    page = await web.get(f"/meetings/{meeting.id}")
    assert "ติดภารกิจราชการ" in page.text
    assert events(session, meeting)[-1].detail == "ติดภารกิจราชการ"


async def test_marking_back_to_invited_clears_the_reason(session, as_member):
    web, villager, meeting, line = await secretary_with_member(session, as_member)
    await web.post(mark_url(meeting, line), {"status": "absent", "absence_reason": "ป่วย"})
    await web.post(mark_url(meeting, line), {"status": "invited"})
    saved = line_of(session, meeting, villager.id)
    assert (saved.status, saved.absence_reason) == (AttendanceStatus.invited, "")
    assert [e.kind for e in events(session, meeting)] == [
        AttendanceEventKind.marked_absent,
        AttendanceEventKind.marked_invited,
    ]


@pytest.mark.parametrize("status", ["", "maybe", "<script>"])
async def test_an_unknown_status_is_refused(status, session, as_member):
    web, villager, meeting, line = await secretary_with_member(session, as_member)
    response = await web.post(mark_url(meeting, line), {"status": status})
    assert response.status_code == 422
    assert line_of(session, meeting, villager.id).status == AttendanceStatus.invited


async def test_marking_over_htmx_returns_the_row_and_the_counts_out_of_band(session, as_member):
    web, villager, meeting, line = await secretary_with_member(session, as_member)
    response = await web.post(mark_url(meeting, line), {"status": "present"}, htmx=True)
    assert response.status_code == 200
    text = response.text.lstrip()
    assert text.startswith(f'<tbody id="attendance_row_{line.id}">')
    assert "<html" not in text
    assert 'id="attendance_counts"' in text and 'hx-swap-oob="true"' in text
    assert translate("Present: %(count)s", "th", count=1) in text
    assert text.count("<tbody") == 1  # only that row


async def test_marking_over_htmx_without_a_reason_returns_the_row_with_its_problem(
    session, as_member
):
    web, villager, meeting, line = await secretary_with_member(session, as_member)
    response = await web.post(mark_url(meeting, line), {"status": "absent"}, htmx=True)
    assert response.status_code == 422
    assert response.text.lstrip().startswith(f'<tbody id="attendance_row_{line.id}">')
    assert translate("Please give the reason for the absence.", "th") in response.text
    assert 'aria-invalid="true"' in response.text


async def test_a_line_of_another_meeting_is_not_found(session, as_member):
    web, villager, meeting, line = await secretary_with_member(session, as_member)
    other = factories.meeting(session, web.body)
    assert (
        await web.post(f"/meetings/{other.id}/attendance/{line.id}", {"status": "present"})
    ).status_code == 404
    assert (
        await web.post(f"/meetings/{meeting.id}/attendance/999999", {"status": "present"})
    ).status_code == 404
    assert line_of(session, meeting, villager.id).status == AttendanceStatus.invited


async def test_closed_meeting_attendance_is_final(session, as_member):
    web, villager, meeting, line = await secretary_with_member(session, as_member)
    meeting.status = MeetingStatus.closed
    session.add(meeting)
    session.commit()
    response = await web.post(mark_url(meeting, line), {"status": "present"})
    assert response.status_code == 409
    assert (
        translate("This meeting is closed; its attendance can no longer be changed.", "th")
        in response.text
    )
    page = await web.get(f"/meetings/{meeting.id}")
    assert mark_url(meeting, line) not in page.text
    assert (await web.get(f"/meetings/{meeting.id}/attendance/new")).status_code == 409


# -- guests and substitutes -------------------------------------------------------------


async def test_guest_form_offers_accounts_not_on_the_list_and_members_to_substitute_for(
    session, as_member
):
    web, villager, meeting, _line = await secretary_with_member(session, as_member)
    outsider = factories.person(session, name="นางสาวมะลิ นอกคณะ")
    response = await web.get(f"/meetings/{meeting.id}/attendance/new")
    assert response.status_code == 200
    assert f'<option value="{outsider.id}">' in response.text
    assert f'<option value="{villager.id}">' in response.text  # as someone to substitute for
    assert 'name="guest_name"' in response.text and 'name="substitute_for_id"' in response.text


async def test_guest_by_name_is_added_present(session, as_member):
    web, _villager, meeting, _line = await secretary_with_member(session, as_member)
    response = await web.post(
        f"/meetings/{meeting.id}/attendance/new",
        {"guest_name": "นายทองดี มีสุข", "guest_organisation": "อบต.แม่ทา"},
    )
    assert response.status_code == 303
    guest = lines(session, meeting)[-1]
    assert (guest.person_id, guest.guest_name, guest.status) == (
        None,
        "นายทองดี มีสุข",
        AttendanceStatus.guest,
    )
    page = await web.get(f"/meetings/{meeting.id}")
    assert "นายทองดี มีสุข" in page.text and "อบต.แม่ทา" in page.text
    assert events(session, meeting)[-1].kind == AttendanceEventKind.guest_added


async def test_guest_by_account_is_added_once(session, as_member):
    web, _villager, meeting, _line = await secretary_with_member(session, as_member)
    outsider = factories.person(session)
    assert (
        await web.post(f"/meetings/{meeting.id}/attendance/new", {"person_id": str(outsider.id)})
    ).status_code == 303
    response = await web.post(
        f"/meetings/{meeting.id}/attendance/new", {"person_id": str(outsider.id)}
    )
    assert response.status_code == 409
    assert translate("This person is already on the attendance list.", "th") in response.text
    assert sum(1 for line in lines(session, meeting) if line.person_id == outsider.id) == 1


async def test_substitute_by_name_stands_in_for_a_member(session, as_member):
    web, villager, meeting, _line = await secretary_with_member(session, as_member)
    response = await web.post(
        f"/meetings/{meeting.id}/attendance/new",
        {"guest_name": "นางสาวสายใจ แทนคุณ", "substitute_for_id": str(villager.id)},
    )
    assert response.status_code == 303
    substitute = lines(session, meeting)[-1]
    assert substitute.substitute_for_id == villager.id
    page = await web.get(f"/meetings/{meeting.id}")
    row = page.text.split(f'id="attendance_row_{substitute.id}"')[1].split("</tbody>")[0]
    assert villager.display_name in row


async def test_marking_a_substitute_keeps_whom_they_stand_in_for(session, as_member):
    web, villager, meeting, _line = await secretary_with_member(session, as_member)
    await web.post(
        f"/meetings/{meeting.id}/attendance/new",
        {"guest_name": "ผู้แทน", "substitute_for_id": str(villager.id)},
    )
    substitute = lines(session, meeting)[-1]
    page = await web.get(f"/meetings/{meeting.id}")
    row = page.text.split(f'id="attendance_row_{substitute.id}"')[1].split("</tbody>")[0]
    assert f'name="substitute_for_id" value="{villager.id}"' in row  # the row's forms carry it
    await web.post(
        mark_url(meeting, substitute), {"status": "present", "substitute_for_id": str(villager.id)}
    )
    assert lines(session, meeting)[-1].substitute_for_id == villager.id


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "guest_name"),
        ({"guest_name": "   "}, "guest_name"),
        ({"guest_name": "ก" * 121}, "guest_name"),
        ({"person_id": "abc"}, "person_id"),
        ({"person_id": "999999"}, "person_id"),
        ({"person_id": "99999999999999999999"}, "person_id"),
        ({"guest_name": "ผู้แทน", "substitute_for_id": "999999"}, "substitute_for_id"),
    ],
)
async def test_bad_guest_input_is_refused_and_nothing_is_added(data, field, session, as_member):
    web, _villager, meeting, _line = await secretary_with_member(session, as_member)
    before = len(lines(session, meeting))
    response = await web.post(f"/meetings/{meeting.id}/attendance/new", data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert len(lines(session, meeting)) == before


async def test_two_substitutes_for_one_member_are_refused(session, as_member):
    web, villager, meeting, _line = await secretary_with_member(session, as_member)
    await web.post(
        f"/meetings/{meeting.id}/attendance/new",
        {"guest_name": "คนแรก", "substitute_for_id": str(villager.id)},
    )
    response = await web.post(
        f"/meetings/{meeting.id}/attendance/new",
        {"guest_name": "คนที่สอง", "substitute_for_id": str(villager.id)},
    )
    assert response.status_code == 422
    assert translate("Someone already substitutes for this member.", "th") in response.text


async def test_guest_form_over_htmx_returns_only_the_form(session, as_member):
    web, _villager, meeting, _line = await secretary_with_member(session, as_member)
    response = await web.post(f"/meetings/{meeting.id}/attendance/new", {}, htmx=True)
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form id="guest_form"')


async def test_hostile_guest_name_is_shown_as_text(session, as_member):
    web, _villager, meeting, _line = await secretary_with_member(session, as_member)
    await web.post(
        f"/meetings/{meeting.id}/attendance/new",
        {"guest_name": "<script>alert(1)</script>", "guest_organisation": '"><img src=x>'},
    )
    text = (await web.get(f"/meetings/{meeting.id}")).text
    assert "<script>alert(1)</script>" not in text and "<img src=x>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


@pytest.mark.parametrize("role", [Role.member, Role.observer])
async def test_members_cannot_add_guests(role, session, as_member):
    web = await as_member(role)
    meeting = factories.meeting(session, web.body)
    response = await web.post(f"/meetings/{meeting.id}/attendance/new", {"guest_name": "แขก"})
    assert response.status_code == 403
    assert len(lines(session, meeting)) == 1


# -- the traffic record -----------------------------------------------------------------


async def test_traffic_record_lists_markings_and_online_traffic_for_officers_only(
    session, as_member
):
    web, villager, meeting, line = await secretary_with_member(session, as_member)
    meeting.online_url = "https://meet.example.org/x"
    session.add(meeting)
    session.commit()
    await web.post(mark_url(meeting, line), {"status": "absent", "absence_reason": "ติดประชุมอื่น"})
    await web.post(f"/meetings/{meeting.id}/join")
    text = (await web.get(f"/meetings/{meeting.id}")).text
    heading = translate("Attendance and traffic record", "th")
    assert heading in text
    record = text.split(heading)[1]
    assert translate("Marked absent", "th") in record and translate("Joined online", "th") in record
    assert villager.display_name in record and "ติดประชุมอื่น" in record
    member = await as_member(Role.member, body=web.body)
    assert heading not in (await member.get(f"/meetings/{meeting.id}")).text
