"""Issue 12, part 6: axe-core (through axe-playwright-python, a test dependency) on every
kind of page people use — a member's, a secretary's, an admin's, a phone participant's, the
console and the projector — in Chromium, as each of them sees it. Any serious or critical
violation of WCAG 2.1 A/AA fails the test, with the rule and the elements it found."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlmodel import select

from deliberation.agenda.models import AgendaItem
from forum.models import Meeting
from tests import factories
from tests.browser.conftest import PHONE
from tests.browser.test_checkin_journey import log_in
from tests.browser.test_session_views import join_by_code, send_idea
from tests.serving import open_live_session

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = {"serious", "critical"}


def violations(page) -> list[str]:
    """The page's serious and critical WCAG 2.1 A/AA violations, one line each."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    found = []
    for violation in results.response["violations"]:
        if violation.get("impact") in FAILING:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:4]
            found.append(f"{page.url}: {violation['id']} ({violation['impact']}): {targets}")
    return found


@pytest.fixture
def meeting_with_agenda(live_server, site):
    with live_server.session() as session:
        meeting = factories.meeting(session, site.body)
        item = factories.agenda_item(session, meeting)
        factories.post(session, item, site.member)
        return meeting.id, item.id


def test_every_kind_of_page_passes_axe(browsing, live_server, site, meeting_with_agenda):
    meeting_id, item_id = meeting_with_agenda
    found: list[str] = []

    member = browsing.new_page()
    log_in(member, site.member.email)
    for url in (
        "/",
        f"/bodies/{site.body.id}",
        f"/bodies/{site.body.id}/meetings",
        f"/meetings/{meeting_id}",
        f"/meetings/{meeting_id}/agenda",
        f"/meetings/{meeting_id}/agenda/items/{item_id}",
        "/search?q=พลังงาน",
        "/people",
        "/organisations",
        "/notifications",
        "/me",
        "/checkin",
        "/privacy",
    ):
        member.goto(url)
        found += violations(member)

    admin = browsing.new_page()
    log_in(admin, site.admin.email)
    for url in (
        "/admin/people",
        "/admin/invitations",
        "/admin/invitations/new",
        "/admin/provinces",
        "/bodies/new",
        f"/meetings/{meeting_id}/edit",
        f"/meetings/{meeting_id}/conduct",
        f"/meetings/{meeting_id}/proceedings",
        f"/meetings/{meeting_id}/attendance/new",
    ):
        admin.goto(url)
        found += violations(admin)

    anonymous = browsing.new_page()
    for url in ("/login", "/join", "/privacy"):
        anonymous.goto(url)
        found += violations(anonymous)

    opened = open_live_session(live_server.engine)
    phone = join_by_code(browsing, opened.code, "ป้าแดง")
    send_idea(phone, "ติดโซลาร์เซลล์ที่ศาลาหมู่บ้าน")
    found += violations(phone)
    visitor = browsing.new_page(**PHONE)
    visitor.goto(f"/s/{opened.code}")
    found += violations(visitor)
    facilitator = browsing.new_page()
    log_in(facilitator, opened.facilitator_email)
    for url in (f"/sessions/{opened.id}/console", f"/sessions/{opened.id}/projector"):
        facilitator.goto(url)
        found += violations(facilitator)

    assert found == [], "\n".join(found)


def test_the_check_finds_what_it_should(browsing, live_server, meeting_with_agenda):
    """The check itself: a page without a title, a language or a label fails it; and the
    walk above reads real pages (the meeting and its item are there)."""
    page = browsing.new_page()
    page.set_content("<html><body><form><input type=text name=q></form></body></html>")
    rules = {line.split(": ")[1].split(" ")[0] for line in violations(page)}
    assert {"document-title", "html-has-lang", "label"} <= rules
    meeting_id, item_id = meeting_with_agenda
    with live_server.session() as session:
        assert session.get(Meeting, meeting_id) is not None
        assert session.exec(select(AgendaItem).where(AgendaItem.id == item_id)).one()
