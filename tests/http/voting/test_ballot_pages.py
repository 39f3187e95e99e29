"""A ballot as people use it, in the browser without JavaScript: the chair sets it up and
opens it; a member opens its link, chooses, sees the choice in words, casts and gets a
receipt; a second cast is refused with a clear message; the chair closes it; anyone checks
the receipt on the public bulletin and downloads it; the results show as a chart with its
table."""

from __future__ import annotations

import json
import re

import pytest

from forum.models import Role
from tests import factories
from voting import ballots
from voting.models import Ballot

pytestmark = pytest.mark.anyio


async def test_a_secret_approval_ballot_from_set_up_to_bulletin(session, make_client):
    body = factories.body(session)
    chair = factories.member(session, body, Role.chair)
    voters = [factories.member(session, body) for _ in range(3)]
    observer = factories.member(session, body, Role.observer)
    web = make_client().log_in_as(session, chair)

    form = {
        "title": "เลือกโครงการนำร่องปี 2570",
        "method": "approval",
        "most": "๒",
        "secrecy": "secret",
        "options": "โซลาร์เซลล์บนหลังคาโรงเรียน\nเตาชีวมวลประสิทธิภาพสูง\nไบโอแก๊สจากมูลสุกร",
    }
    refused = await web.post(f"/bodies/{body.id}/ballots/new", form | {"results_shown": "live"})
    assert refused.status_code == 422 and "แสดงผลได้เมื่อปิด" in refused.text
    assert session.exec(ballots.select(Ballot)).all() == []
    created = await web.post(f"/bodies/{body.id}/ballots/new", form)
    assert created.status_code == 303
    url = created.headers["location"]
    ballot_id = int(url.rsplit("/", 1)[1])
    assert (await web.post(f"{url}/open")).status_code == 303
    options = [o.id for o in ballots.options_of(session, ballot_id)]

    receipts = []
    for voter, chosen in zip(voters, [[0, 1], [0], [2]], strict=True):
        phone = make_client().log_in_as(session, voter)
        page = await phone.get(url)
        assert "ทบทวนการลงคะแนน" in page.text  # "Review my vote"
        key = re.search(r'name="key" value="([^"]+)"', page.text).group(1)
        confirm = await phone.post(
            f"{url}/confirm", {"key": key, "option": [options[i] for i in chosen]}
        )
        assert confirm.status_code == 200 and "โซลาร์เซลล์" in confirm.text or chosen == [2]
        choice = re.search(r'name="choice" value="([^"]+)"', confirm.text).group(1)
        cast = await phone.post(
            f"{url}/cast",
            {"key": key, "choice": choice.replace("&#34;", '"').replace("&quot;", '"')},
        )
        assert cast.status_code == 200, cast.text[-500:]
        receipts.append(re.search(r'class="receipt"><strong>([A-Z2-7-]+)<', cast.text).group(1))
        again = await phone.post(f"{url}/confirm", {"key": "another", "option": [options[2]]})
        assert again.status_code == 200  # the confirm page only shows; the cast refuses:
        refused = await phone.post(
            f"{url}/cast", {"key": "another", "choice": json.dumps([options[2]])}
        )
        assert refused.status_code == 409 and "ท่านลงคะแนนแล้ว" in refused.text
    not_a_voter = await make_client().log_in_as(session, observer).get(url)
    assert "ท่านไม่อยู่ในรายชื่อผู้มีสิทธิลงคะแนน" in not_a_voter.text
    assert "ผลการลงคะแนน" not in (await web.get(url)).text  # secret: no results while open

    assert (await web.post(f"{url}/close")).status_code == 303
    page = await web.get(url)
    assert "<svg" in page.text and "<table" in page.text
    anyone = make_client()
    board = await anyone.get(f"{url}/bulletin", params={"receipt": receipts[0].lower()})
    assert board.status_code == 200 and "ถูกนับแล้ว" in board.text
    missing = await anyone.get(f"{url}/bulletin", params={"receipt": "AAAA-BBBB-CCCC-DDDD"})
    assert "ไม่พบ" in missing.text
    download = await anyone.get(f"{url}/bulletin.json")
    data = download.json()
    assert ballots.verify_bulletin(data) == []
    assert data["result"]["winners"] == [options[0]] and len(data["receipts"]) == 3


async def test_ballots_are_found_from_the_body_and_the_meeting(session, make_client):
    body = factories.body(session)
    chair = factories.member(session, body, Role.chair)
    member = factories.member(session, body)
    meeting = factories.meeting(session, body)
    web = make_client().log_in_as(session, chair)
    assert f'href="/bodies/{body.id}/ballots"' in (await web.get(f"/bodies/{body.id}")).text
    page = await web.get(f"/meetings/{meeting.id}")
    new = f"/bodies/{body.id}/ballots/new?meeting_id={meeting.id}"
    assert new.replace("&", "&amp;") in page.text or new in page.text
    form = await web.get(new)
    assert f'<option value="{meeting.id}" selected>' in form.text
    created = await web.post(
        f"/bodies/{body.id}/ballots/new",
        {
            "title": "รับรองแผนงานปี 2570",
            "method": "motion",
            "meeting_id": str(meeting.id),
            "secrecy": "named",
        },
    )
    assert created.status_code == 303
    reader = make_client().log_in_as(session, member)
    page = await reader.get(f"/meetings/{meeting.id}")
    assert (
        "รับรองแผนงานปี 2570" in page.text and "ตั้งการลงคะแนนใหม่" not in page.text
    )  # no "New ballot" for a member


async def test_tellers_enter_and_confirm_a_show_of_hands_from_the_page(session, make_client):
    body = factories.body(session)
    chair = factories.member(session, body, Role.chair)
    facilitator = factories.member(session, body, Role.facilitator)
    member = factories.member(session, body)
    for _ in range(10):  # who raise their hands in the hall
        factories.member(session, body)
    ballot = ballots.create_ballot(
        session,
        factories.actor(session, chair),
        body_id=body.id,
        title="ญัตติยกมือ",
        method="motion",
        secrecy_="named",
    )
    ballots.open_ballot(session, factories.actor(session, chair), ballot_id=ballot.id)
    url = f"/ballots/{ballot.id}"
    teller = make_client().log_in_as(session, facilitator)
    refused = await teller.post(f"{url}/counts", {"kind": "hands", "count-yes": "สิบ"})
    assert refused.status_code == 422 and "กรุณากรอกจำนวนแต่ละช่องเป็นจำนวนเต็ม" in refused.text
    entered = await teller.post(
        f"{url}/counts", {"kind": "hands", "count-yes": "๗", "count-no": "2", "count-abstain": "1"}
    )
    assert entered.status_code == 303
    page = await teller.get(url)
    assert "รอผู้นับคะแนนคนที่สอง" in page.text and "ยืนยันผลการนับนี้" not in page.text  # not their own
    assert "ญัตติยกมือ" in (await make_client().log_in_as(session, member).get(url)).text
    assert (
        "การยกมือ" not in (await make_client().log_in_as(session, member).get(url)).text
    )  # results after close
    second = make_client().log_in_as(session, chair)
    page = await second.get(url)
    count_id = ballots.teller_counts(session, ballot.id)[0].id
    assert f"{url}/counts/{count_id}/confirm" in page.text
    assert (await second.post(f"{url}/counts/{count_id}/confirm")).status_code == 303
    await second.post(f"{url}/close")
    page = await make_client().log_in_as(session, member).get(url)
    assert "การยกมือ" in page.text and "ยืนยันโดย" in page.text
    session.expire_all()
    assert ballots.result_of(session, session.get(Ballot, ballot.id)).yes == 7
