"""A member votes from a ballot's link on a phone, with JavaScript and without: chooses,
sees the choice in words, casts, keeps the receipt — and, once the ballot closes, finds the
receipt on the public bulletin."""

from __future__ import annotations

import re

import pytest

from forum.models import Role
from tests import factories
from tests.browser.conftest import PHONE, th
from tests.browser.test_checkin_journey import log_in
from voting import ballots
from voting.ballots import OptionSpec
from voting.models import BallotMethod


@pytest.mark.parametrize("javascript", [True, False])
def test_a_member_votes_on_a_phone_and_finds_the_receipt(browsing, live_server, site, javascript):
    with live_server.session() as session:
        chair = factories.actor(session, factories.member(session, site.body, Role.chair))
        options = [
            OptionSpec("โซลาร์เซลล์บนหลังคาโรงเรียน"),
            OptionSpec("เตาชีวมวล"),
            OptionSpec("ไบโอแก๊ส"),
        ]
        ballot = ballots.create_ballot(
            session,
            chair,
            body_id=site.body.id,
            title="จัดลำดับโครงการ",
            method=BallotMethod.ranked,
            options=options,
        )
        ballots.open_ballot(session, chair, ballot_id=ballot.id)
        ids = [option.id for option in ballots.options_of(session, ballot.id)]
    page = browsing.new_page(java_script_enabled=javascript, **PHONE)
    log_in(page, site.member.email)
    page.goto(f"/ballots/{ballot.id}")
    page.get_by_label("เตาชีวมวล").fill("1")
    page.get_by_label("โซลาร์เซลล์บนหลังคาโรงเรียน").fill("2")
    page.get_by_role("button", name=th("Review my vote")).click()
    assert page.get_by_role("heading", name=th("Check your vote")).is_visible()
    assert page.get_by_role("listitem").filter(has_text="1. เตาชีวมวล").count() == 1
    page.get_by_role("button", name=th("Cast my vote")).click()
    receipt = page.locator(".receipt strong").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", receipt)

    with live_server.session() as session:
        assert ballots.voters_count(session, ballot.id) == 1
        secretary = factories.member(session, site.body, Role.secretary)
    office = browsing.new_page()  # the secretary closes it from the ballot's page
    log_in(office, secretary.email)
    office.goto(f"/ballots/{ballot.id}")
    office.get_by_role("button", name=th("Close the ballot and publish the bulletin")).click()
    assert office.get_by_role("heading", name=th("Ballot results"), exact=True).is_visible()
    page.goto(f"/ballots/{ballot.id}/bulletin")
    page.get_by_label(th("Your receipt")).fill(receipt.lower())
    page.get_by_role("button", name=th("Check")).click()
    assert page.get_by_role("status").inner_text() == th(
        "Found: this receipt's ballot was counted."
    )
    assert ids  # the options were the ballot's
