"""The JSON API during the meeting: read the proceedings, set the item under consideration,
record an outcome with its version — the same services and errors as the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from deliberation.agenda import agendas
from forum.i18n import translate
from forum.models import LiveFrame, Role
from tests import factories

pytestmark = pytest.mark.anyio


@pytest.fixture
async def secretary(as_member):
    return await as_member(Role.secretary)


@pytest.fixture
async def member(as_member, secretary):
    return await as_member(Role.member, body=secretary.body)


@pytest.fixture
def meeting(session, secretary):
    meeting = factories.agenda_meeting(session, secretary.body, status="live", starts_in=timedelta(minutes=-20))
    factories.agenda_item(session, meeting, title="แจ้งผลการคัดเลือกต้นแบบ", part_kind="information", time_box_minutes=10)
    factories.agenda_item(session, meeting, title="ขออนุมัติโครงการโซลาร์รูฟท็อป", time_box_minutes=45)
    return meeting


def url(meeting, tail: str = "") -> str:
    return f"/api/v1/meetings/{meeting.id}/proceedings{tail}"


def item_ids(session, meeting) -> list[int]:
    session.expire_all()
    return [item.id for item in agendas.items_of(session, agendas.agenda_of(session, meeting.id).id)]


def current(session, meeting):
    session.expire_all()
    return agendas.agenda_of(session, meeting.id).current_item_id


async def test_read_the_proceedings(member, meeting):
    response = await member.json("GET", url(meeting))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "live" and body["current_item_id"] is None
    assert [(i["number"], i["outcome"], i["version"]) for i in body["items"]] == [("1.1", "pending", 0), ("4.1", "pending", 0)]
    assert body["items"][0]["outcome_text"] == translate("No resolution yet", "th")


async def test_set_the_current_item_and_record_an_outcome(session, secretary, meeting):
    first, second = item_ids(session, meeting)
    taken = await secretary.json("PUT", url(meeting, "/current"), {"to": "next", "seen_item_id": None})
    assert taken.status_code == 200, taken.text
    assert taken.json()["current_item_id"] == first and taken.json()["current_started_at"].endswith("+07:00")
    chosen = await secretary.json("PUT", url(meeting, "/current"), {"to": "item", "item_id": second})
    assert chosen.json()["current_item_id"] == second
    recorded = await secretary.json(
        "PUT",
        url(meeting, f"/items/{second}/outcome"),
        {"version": 0, "outcome": "approved", "discussion_summary": "อภิปรายเรื่องขนาดระบบ", "resolution": "ที่ประชุมเห็นชอบโครงการ"},
    )
    assert recorded.status_code == 200, recorded.text
    body = recorded.json()
    assert (body["outcome"], body["resolution"], body["version"], body["current"]) == ("approved", "ที่ประชุมเห็นชอบโครงการ", 1, True)
    session.expire_all()
    channel = f"meeting:{meeting.id}"
    assert len(session.exec(select(LiveFrame).where(LiveFrame.channel == channel)).all()) == 3


async def test_the_api_refuses_what_the_pages_refuse(session, secretary, member, meeting):
    first, second = item_ids(session, meeting)
    assert (await member.json("PUT", url(meeting, "/current"), {"to": "next"})).status_code == 403
    bad_move = await secretary.json("PUT", url(meeting, "/current"), {"to": "jump"})
    assert bad_move.status_code == 422 and "to" in bad_move.json()["fields"]
    await secretary.json("PUT", url(meeting, "/current"), {"to": "next"})
    stale = await secretary.json("PUT", url(meeting, "/current"), {"to": "next", "seen_item_id": second})
    assert stale.status_code == 409 and stale.json()["message"]
    assert current(session, meeting) == first

    outcome = url(meeting, f"/items/{second}/outcome")
    unknown = await secretary.json("PUT", outcome, {"version": 0, "outcome": "maybe"})
    assert unknown.status_code == 422 and unknown.json()["fields"]["outcome"] == translate("Please choose one of the options.", "th")
    too_long = await secretary.json("PUT", outcome, {"version": 0, "outcome": "noted", "resolution": "ก" * 10_001})
    assert too_long.status_code == 422 and "resolution" in too_long.json()["fields"]
    stale_outcome = await secretary.json("PUT", outcome, {"version": 3, "outcome": "noted"})
    assert stale_outcome.status_code == 409
    assert (await member.json("PUT", outcome, {"version": 0, "outcome": "noted"})).status_code == 403
    no_version = await secretary.json("PUT", outcome, {"outcome": "noted"})
    assert no_version.status_code == 422
    other = factories.agenda_meeting(session, secretary.body, status="live")
    stranger = factories.agenda_item(session, other)
    assert (await secretary.json("PUT", url(meeting, f"/items/{stranger.id}/outcome"), {"version": 0, "outcome": "noted"})).status_code == 404
    body = (await member.json("GET", url(meeting))).json()
    assert all(item["outcome"] == "pending" and item["version"] == 0 for item in body["items"])


async def test_not_in_session_is_a_conflict(session, secretary, meeting):
    meeting.status = "agenda_published"
    session.add(meeting)
    session.commit()
    first, _second = item_ids(session, meeting)
    assert (await secretary.json("PUT", url(meeting, "/current"), {"to": "next"})).status_code == 409
    refused = await secretary.json("PUT", url(meeting, f"/items/{first}/outcome"), {"version": 0, "outcome": "noted"})
    assert refused.status_code == 409 and refused.json()["message"] == translate("Outcomes are recorded once the meeting is in session.", "th")
    assert current(session, meeting) is None
