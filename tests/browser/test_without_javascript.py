"""Every core flow works with plain forms and links: log in and check in with JavaScript
switched off."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from forum.models import Attendance, AttendanceStatus
from tests import factories
from tests.browser.conftest import PHONE
from tests.browser.test_checkin_journey import check_in_with_code, log_in


def test_member_logs_in_and_checks_in_without_javascript(browsing, live_server, site):
    with live_server.session() as session:
        meeting = factories.meeting(session, site.body, starts_in=timedelta(minutes=20))
    page = browsing.new_page(java_script_enabled=False, **PHONE)

    log_in(page, site.member.email)
    check_in_with_code(page, meeting.checkin_code)

    with live_server.session() as session:
        attendance = session.exec(
            select(Attendance).where(
                Attendance.meeting_id == meeting.id, Attendance.person_id == site.member.id
            )
        ).one()
    assert attendance.checked_in_at is not None
    assert attendance.status == AttendanceStatus.present
    assert page.locator(".error-summary, .field-error").count() == 0
