"""A double tap on a weak connection sends a form once: one meeting, not two."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from forum.dates import to_local
from forum.db import utcnow
from forum.models import Meeting, Role
from tests import factories
from tests.browser.conftest import PHONE, fill_form, th
from tests.browser.test_checkin_journey import LOCAL_MINUTE, log_in


def test_double_tapping_create_meeting_makes_one_meeting(browsing, live_server):
    with live_server.session() as session:
        body = factories.body(session)
        secretary = factories.member(session, body, Role.secretary)
    page = browsing.new_page(**PHONE)
    log_in(page, secretary.email)
    page.goto(f"/bodies/{body.id}/meetings/new")
    starts = to_local(utcnow() + timedelta(days=7))
    fill_form(
        page,
        {
            "starts_at": starts.strftime(LOCAL_MINUTE),
            "ends_at": (starts + timedelta(hours=2)).strftime(LOCAL_MINUTE),
            "venue": "ศาลาประชาคมหมู่บ้าน",
        },
    )
    page.get_by_role("button", name=th("Create meeting")).dblclick()
    page.wait_for_url(re.compile(r"/meetings/\d+$"))
    with live_server.session() as session:
        made = session.exec(select(Meeting).where(Meeting.body_id == body.id)).all()
    assert len(made) == 1
