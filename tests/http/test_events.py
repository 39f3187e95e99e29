"""One place publishes (forum.events): a service says what happened, and whichever front
door called it — a page's form or the JSON API — the open pages receive the same frame."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from deliberation.agenda import agendas
from deliberation.agenda.events import AgendaChanged
from forum import events, policy
from forum.models import Role
from tests import factories

pytestmark = pytest.mark.anyio


def frames(app, channel: str) -> list[str]:
    return [frame.html for frame in app.state.hub.store.after(channel, 0)]


def same_but_ids(html: str, *ids: int) -> str:
    """A frame with the meeting's and the item's ids taken out of its addresses."""
    for number in ids:
        html = re.sub(rf"(/|:|-){number}\b", r"\1#", html)
    return html


def consideration_part(session, meeting) -> int:
    agenda = agendas.agenda_of(session, meeting.id)
    return next(p.id for p in agendas.parts_of(session, agenda.id) if p.kind == "consideration")


async def test_an_item_added_through_the_api_moves_the_agenda_pages_as_the_form_does(app, session, as_member):
    secretary = await as_member(Role.secretary)
    by_form = factories.agenda_meeting(session, secretary.body)
    by_api = factories.agenda_meeting(session, secretary.body)
    for meeting in (by_form, by_api):
        await secretary.get(f"/meetings/{meeting.id}/agenda")  # the agenda is made on first sight
    fields = {"title": "ขออนุมัติโครงการ", "time_box_minutes": 200}
    form = await secretary.post(
        f"/meetings/{by_form.id}/agenda/items",
        fields | {"version": agendas.agenda_of(session, by_form.id).version, "part_id": consideration_part(session, by_form)},
    )
    api = await secretary.json(
        "POST",
        f"/api/v1/meetings/{by_api.id}/agenda/items",
        fields | {"version": agendas.agenda_of(session, by_api.id).version, "part_id": consideration_part(session, by_api)},
    )
    assert (form.status_code, api.status_code) == (303, 201)
    [from_form] = frames(app, f"agenda:{by_form.id}")
    [from_api] = frames(app, f"agenda:{by_api.id}")
    assert 'id="agenda_time"' in from_api and "badge-warn" in from_api  # 200 minutes: over time
    assert same_but_ids(from_api, by_api.id) == same_but_ids(from_form, by_form.id)


async def test_a_post_through_the_api_moves_the_item_pages_as_the_form_does(app, session, as_member):
    chair = await as_member(Role.chair)
    member = await as_member(Role.member, body=chair.body)
    meeting = factories.agenda_meeting(session, chair.body, status="agenda_published")
    by_form = factories.agenda_item(session, meeting, title="ก")
    by_api = factories.agenda_item(session, meeting, title="ข")
    form = await member.post(f"/meetings/{meeting.id}/agenda/items/{by_form.id}/posts", {"stance": "against", "body": "แพงไป"})
    api = await member.json("POST", f"/api/v1/meetings/{meeting.id}/agenda/items/{by_api.id}/posts", {"stance": "against", "body": "แพงไป"})
    assert (form.status_code, api.status_code) == (303, 201)
    [from_form] = frames(app, f"item:{by_form.id}")
    [from_api] = frames(app, f"item:{by_api.id}")
    ids = (meeting.id, by_form.id, by_api.id)
    assert same_but_ids(from_api, *ids) == same_but_ids(from_form, *ids)


async def test_an_item_taken_up_through_the_api_moves_the_meeting_pages_as_the_form_does(app, session, as_member):
    chair = await as_member(Role.chair)
    by_form, by_api = (
        factories.agenda_meeting(session, chair.body, status="live", starts_in=timedelta(minutes=-20)) for _ in range(2)
    )
    for meeting in (by_form, by_api):
        factories.agenda_item(session, meeting, time_box_minutes=30)
    form = await chair.post(f"/meetings/{by_form.id}/conduct", {"to": "next", "seen": ""})
    api = await chair.json("PUT", f"/api/v1/meetings/{by_api.id}/proceedings/current", {"to": "next", "seen_item_id": None})
    assert (form.status_code, api.status_code) == (303, 200)
    [from_form] = frames(app, f"meeting:{by_form.id}")
    [from_api] = frames(app, f"meeting:{by_api.id}")
    assert same_but_ids(from_api, by_api.id) == same_but_ids(from_form, by_form.id)


def test_a_service_says_what_happened_and_the_caller_publishes_it(session):
    body = factories.body(session)
    actor = factories.actor(session, factories.member(session, body, Role.secretary))
    meeting = factories.agenda_meeting(session, body)
    agendas.ensure_agenda(session, actor, meeting_id=meeting.id)
    before = len(events.pending(session))
    agenda = agendas.agenda_of(session, meeting.id)
    agendas.add_item(session, actor, meeting_id=meeting.id, version=agenda.version, part_id=consideration_part(session, meeting), title="ก")
    assert events.pending(session)[before:] == [AgendaChanged(meeting.id)]


def test_an_event_no_manifest_publishes_is_an_error(session):
    class Unheard(events.Event):
        pass

    events.record(session, Unheard())
    with pytest.raises(LookupError, match="no publisher"):
        events.publish(None, session, policy.ANONYMOUS)
