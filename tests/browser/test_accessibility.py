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
from tests.browser.conftest import PHONE, th
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

    found += _ballot_pages(browsing, live_server, site, member, admin, anonymous)
    assert found == [], "\n".join(found)


def _ballot_pages(browsing, live_server, site, member, admin, anonymous) -> list[str]:
    """A ballot's pages: its voting form for each method, the confirm step, the receipt, the
    results (chart and tables) and the public bulletin."""
    from voting import ballots
    from voting.ballots import OptionSpec
    from voting.models import BallotMethod

    found: list[str] = []
    options = [
        OptionSpec("โซลาร์เซลล์", 60_000_00),
        OptionSpec("เตาชีวมวล", 30_000_00),
        OptionSpec("ไบโอแก๊ส", 20_000_00),
    ]
    made = {}
    with live_server.session() as session:
        actor = factories.actor(session, site.admin)
        for method, extra in (
            (BallotMethod.motion, {}),
            (BallotMethod.approval, {"most": 2}),
            (BallotMethod.score, {}),
            (BallotMethod.dots, {"dots": 5}),
            (BallotMethod.ranked, {}),
            (BallotMethod.budget, {"budget_satang": 100_000_00}),
        ):
            ballot = ballots.create_ballot(
                session,
                actor,
                body_id=site.body.id,
                title=f"ทดสอบ {method}",
                method=method,
                options=options,
                **extra,
            )
            ballots.open_ballot(session, actor, ballot_id=ballot.id)
            made[method] = ballot.id
    for ballot_id in made.values():
        member.goto(f"/ballots/{ballot_id}")
        found += violations(member)
    member.goto(f"/ballots/{made[BallotMethod.ranked]}")
    member.get_by_label("เตาชีวมวล").fill("1")
    member.get_by_role("button", name=th("Review my vote")).click()
    found += violations(member)  # the confirm step
    member.get_by_role("button", name=th("Cast my vote")).click()
    found += violations(member)  # the receipt
    admin.goto(f"/ballots/{made[BallotMethod.ranked]}")
    admin.get_by_role("button", name=th("Close the ballot and publish the bulletin")).click()
    found += violations(admin)  # results: chart, pairwise table
    for url in (f"/bodies/{site.body.id}/ballots", f"/bodies/{site.body.id}/ballots/new"):
        admin.goto(url)
        found += violations(admin)
    anonymous.goto(f"/ballots/{made[BallotMethod.ranked]}/bulletin?receipt=AAAA")
    found += violations(anonymous)
    return found


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
