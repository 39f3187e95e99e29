"""During the meeting: a change of the item under consideration or of an outcome reaches a
socket watching the meeting page (channel "meeting:<id>") as a signal to fetch the panel,
and the panel it then fetches shows the change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from websockets.asyncio.client import connect

from deliberation.agenda import agendas
from forum.models import Role
from tests import factories
from tests.live.test_socket import browser, cookie_for, receive, seq_of, served, socket_url  # noqa: F401  (fixtures)

pytestmark = pytest.mark.anyio


async def test_a_watching_meeting_page_is_told_and_its_panel_shows_the_change(session, browser, served):  # noqa: F811
    body = factories.body(session)
    secretary = factories.member(session, body, Role.secretary)
    villager = factories.member(session, body, Role.member)
    meeting = factories.agenda_meeting(session, body, status="live", starts_in=timedelta(minutes=-10))
    item = factories.agenda_item(session, meeting, title="ขออนุมัติโครงการโซลาร์รูฟท็อป", time_box_minutes=45)
    secretary_page = browser(session, secretary)
    villager_page = browser(session, villager)
    async with connect(socket_url(served, f"meeting:{meeting.id}", after=0), additional_headers=cookie_for(session, villager)) as ws:
        assert seq_of(await receive(ws)) == 0

        taken = await secretary_page.post(f"/meetings/{meeting.id}/conduct", {"to": "next", "seen": ""})
        assert taken.status_code == 303
        message = await receive(ws)
        assert seq_of(message) == 1
        assert 'id="conduct_refresh" hx-swap-oob="true"' in message
        assert f'hx-get="/meetings/{meeting.id}/conduct"' in message and 'hx-target="#conduct"' in message
        panel = await villager_page.get(f"/meetings/{meeting.id}/conduct", htmx=True)
        assert "ขออนุมัติโครงการโซลาร์รูฟท็อป" in panel.text and "data-clock-start=" in panel.text

        recorded = await secretary_page.post(
            f"/meetings/{meeting.id}/proceedings/items/{item.id}/outcome",
            {"outcome": "approved", "resolution": "ที่ประชุมเห็นชอบโครงการ", "version": "0", "back": "meeting"},
        )
        assert recorded.status_code == 303
        assert seq_of(await receive(ws)) == 2
        panel = await villager_page.get(f"/meetings/{meeting.id}/conduct", htmx=True)
        assert "ที่ประชุมเห็นชอบโครงการ" in panel.text and 'name="outcome"' not in panel.text
    session.expire_all()
    assert agendas.agenda_of(session, meeting.id).current_item_id == item.id
