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


def test_a_guest_joins_sends_an_idea_and_votes_without_javascript(browsing, live_server):
    """The live session's one vote form (`form="vote"` on each idea's button) works as a
    plain form: the vote counts, the button says so, and pressing it again takes it back."""
    from tests.browser.conftest import th
    from tests.serving import open_live_session

    opened = open_live_session(live_server.engine)
    page = browsing.new_page(java_script_enabled=False, **PHONE)
    page.goto(f"/s/{opened.code}")
    page.get_by_label(th("Your nickname")).fill("ยายศรี")
    page.get_by_label(th("I agree to take part on these terms")).check()
    page.get_by_role("button", name=th("Join")).click()
    idea = "ปลูกต้นไม้ให้ร่มเงาบ้านเพื่อลดการใช้แอร์"
    page.get_by_label(th("Your idea")).fill(idea)
    page.get_by_role("button", name=th("Send the idea")).click()
    row = page.get_by_role("listitem").filter(has_text=idea)
    row.get_by_role("button", name=th("Vote")).click()
    assert row.get_by_role("button", name=th("Voted")).get_attribute("aria-pressed") == "true"
    assert row.locator("b").inner_text() == "1"
    row.get_by_role("button", name=th("Voted")).click()
    assert row.locator("b").inner_text() == "0"
    assert row.get_by_role("button", name=th("Vote")).get_attribute("aria-pressed") == "false"
