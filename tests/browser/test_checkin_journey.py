"""The issue's journey, in Chromium against a running server: an invited secretary signs
up (Thai UI), creates a meeting for her working group and shows its check-in code; a
member checks in with that code on his phone; the secretary sees him present."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from forum.dates import to_local
from forum.db import utcnow
from forum.labels import LABELS
from forum.models import Attendance, AttendanceStatus, Meeting
from tests import factories
from tests.browser.conftest import PHONE, fill_form, submit, th

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"  # what a datetime-local field holds


def log_in(page, email: str, password: str = factories.PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label(th("Email")).fill(email)
    page.get_by_label(th("Password")).fill(password)
    page.get_by_role("button", name=th("Log in")).click()
    page.wait_for_url(re.compile(r"/$"))


def check_in_with_code(page, code: str) -> None:
    page.goto("/checkin")
    page.get_by_label(th("The 6-digit check-in code shown at the meeting")).fill(code)
    page.get_by_role("button", name=th("Check in"), exact=True).click()
    page.get_by_role("heading", name=th("You are checked in")).wait_for()


def test_invited_secretary_opens_a_meeting_and_a_member_checks_in_by_code(
    browsing, live_server, site
):
    secretary = browsing.new_page()
    secretary.goto(f"/invite/{site.secretary_invitation_token}")
    assert secretary.locator("html").get_attribute("lang") == "th"
    assert secretary.locator("h1").inner_text() == th("Create your account")
    fill_form(
        secretary,
        {
            "display_name": "นางสาวสมศรี ใจดี",
            "email": "somsri@example.org",
            "password": "ป่าชุมชน-2569-ok",
            "password_again": "ป่าชุมชน-2569-ok",
        },
    )
    secretary.get_by_label(
        th("I have read the privacy notice and agree that Wethi keeps my data for these purposes.")
    ).check()
    submit(secretary)
    secretary.get_by_role("status").filter(
        has_text=th("Welcome to Wethi! Your account is ready.")
    ).wait_for()

    starts = to_local(utcnow() + timedelta(minutes=30))
    secretary.goto("/bodies")
    secretary.get_by_role("link", name=site.body.name).click()
    secretary.get_by_role("link", name=th("New meeting")).click()
    assert secretary.locator("h1").inner_text() == th("New meeting")
    fill_form(
        secretary,
        {
            "title": "ประชุมคณะทำงานภาคเหนือ",
            "starts_at": starts.strftime(LOCAL_MINUTE),
            "ends_at": (starts + timedelta(hours=3)).strftime(LOCAL_MINUTE),
            "venue": "ห้องประชุมสำนักงานพลังงานจังหวัดเชียงใหม่",
        },
    )
    secretary.get_by_role("button", name=th("Create meeting")).click()
    secretary.wait_for_url(re.compile(r"/meetings/\d+$"))
    with live_server.session() as session:
        meeting = session.exec(select(Meeting).where(Meeting.body_id == site.body.id)).one()
    assert secretary.url.endswith(f"/meetings/{meeting.id}")
    shown_code = re.sub(r"\s", "", secretary.get_by_label(th("Check-in code")).inner_text())
    assert re.fullmatch(r"\d{6}", shown_code)
    assert shown_code == meeting.checkin_code

    member = browsing.new_page(**PHONE)
    log_in(member, site.member.email)
    check_in_with_code(member, shown_code)
    with live_server.session() as session:
        attendance = session.exec(
            select(Attendance).where(
                Attendance.meeting_id == meeting.id, Attendance.person_id == site.member.id
            )
        ).one()
    assert attendance.checked_in_at is not None
    assert attendance.status == AttendanceStatus.present

    secretary.reload()
    row = secretary.locator("#attendance tr").filter(has_text=site.member.display_name)
    assert th(LABELS[AttendanceStatus.present]) in row.inner_text()
