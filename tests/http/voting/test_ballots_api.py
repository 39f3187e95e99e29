"""The ballots' JSON API as a committee's app would use it: set a ballot up, open it, cast
(a retry is the same cast), read it, close it, fetch the bulletin — with the page's rules."""

from __future__ import annotations

import pytest

from forum.models import Role
from tests import factories
from voting import ballots

pytestmark = pytest.mark.anyio


async def test_a_ranked_ballot_through_the_api(session, make_client):
    body = factories.body(session)
    secretary = factories.member(session, body, Role.secretary)
    members = [factories.member(session, body) for _ in range(3)]
    observer = factories.member(session, body, Role.observer)
    app = make_client().log_in_as(session, secretary)
    payload = {
        "title": "จัดลำดับโครงการ",
        "method": "ranked",
        "secrecy": "secret",
        "options": [{"label": "ก"}, {"label": "ข"}, {"label": "ค"}],
    }

    refused = await app.json(
        "POST", f"/api/v1/bodies/{body.id}/ballots", payload | {"results_shown": "live"}
    )
    assert refused.status_code == 422
    created = await app.json("POST", f"/api/v1/bodies/{body.id}/ballots", payload)
    assert created.status_code == 201, created.text
    ballot = created.json()
    assert ballot["status"] == "draft" and len(ballot["options"]) == 3
    url = f"/api/v1/ballots/{ballot['id']}"
    opened = await app.json("POST", f"{url}/status", {"to": "open"})
    assert opened.json()["eligible"] == 4  # the secretary and three members; not the observer
    a, b, c = (option["id"] for option in ballot["options"])

    phone = make_client().log_in_as(session, members[0])
    first = await phone.json("POST", f"{url}/votes", {"choice": [a, b], "key": "app-1"})
    assert first.status_code == 201
    again = await phone.json("POST", f"{url}/votes", {"choice": [a, b], "key": "app-1"})
    assert again.status_code == 200 and again.json() == first.json() | {"again": True}
    other = await phone.json("POST", f"{url}/votes", {"choice": [c], "key": "app-2"})
    assert other.status_code == 409
    unknown = (
        await make_client()
        .log_in_as(session, members[1])
        .json("POST", f"{url}/votes", {"choice": [a, 999_999], "key": "x"})
    )
    assert unknown.status_code == 404
    watcher = make_client().log_in_as(session, observer)
    assert (
        await watcher.json("POST", f"{url}/votes", {"choice": [a], "key": "y"})
    ).status_code == 403
    seen = (await watcher.json("GET", url)).json()
    assert (
        seen["standing"]
        == {"may_vote": False, "voted": False, "reason": seen["standing"]["reason"]}
        and seen["standing"]["reason"]
    )
    assert seen["result"] is None and seen["voters"] == 1

    await (
        make_client()
        .log_in_as(session, members[1])
        .json("POST", f"{url}/votes", {"choice": [b, a], "key": "z"})
    )
    await (
        make_client()
        .log_in_as(session, members[2])
        .json("POST", f"{url}/votes", {"choice": [a], "key": "w"})
    )
    closed = await app.json("POST", f"{url}/status", {"to": "close"})
    assert closed.json()["result"]["winners"] == [a]
    board = await make_client().json("GET", f"{url}/bulletin")  # anyone, no account
    assert board.status_code == 200 and ballots.verify_bulletin(board.json()) == []
    assert board.json()["head"] == closed.json()["bulletin_head"]
