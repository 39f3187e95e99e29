"""Every form and link a secretary's pages offer leads somewhere: a form's action is an
absolute path that a route answers for its method, and following the item edit and the
upload forms does what they say. (A variable set in a page is not seen by the blocks it
holds: once, the item page's forms posted to `/items/…` and met a 404.)"""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from starlette.routing import Match, Route

from deliberation.agenda.models import AgendaDocument, AgendaItem
from forum.models import Role
from tests import factories

pytestmark = pytest.mark.anyio

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM = re.compile(r"<form\b[^>]*>", re.S)


def _routes(routes):
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            prefix = route.include_context.prefix
            for _inner_prefix, child in _routes(inner.routes):
                yield prefix, child
        elif isinstance(route, Route):
            yield "", route


def answered(app, method: str, path: str) -> bool:
    for prefix, route in _routes(app.router.routes):
        if prefix and not path.startswith(prefix):
            continue
        scope = {"type": "http", "path": path[len(prefix) :], "method": method}
        if route.matches(scope)[0] == Match.FULL:
            return True
    return False


def forms(page: str) -> list[tuple[str, str]]:
    found = []
    for tag in FORM.findall(page):
        method = re.search(r'method="(\w+)"', tag)
        action = re.search(r'action="([^"]*)"', tag)
        found.append(((method.group(1) if method else "get").upper(), html.unescape(action.group(1) if action else "")))
    return found


@pytest.fixture
async def secretary(as_member):
    return await as_member(Role.secretary)


async def test_every_form_on_the_secretarys_pages_has_a_route(session, app, secretary):
    meeting = factories.agenda_meeting(session, secretary.body, status="live", starts_in=timedelta(minutes=-10))
    item = factories.agenda_item(session, meeting, time_box_minutes=20)
    factories.post(session, item, secretary.person)
    base = f"/meetings/{meeting.id}/agenda"
    pages = [
        f"/meetings/{meeting.id}",
        base,
        f"{base}/items/{item.id}",
        f"{base}/items/{item.id}/edit",
        f"{base}/versions",
        f"/meetings/{meeting.id}/proceedings",
        f"/bodies/{secretary.body.id}/agenda-template",
        f"/bodies/{secretary.body.id}/meetings",
        "/notifications",
        "/search?q=โซลาร์",
    ]
    checked = 0
    for url in pages:
        page = await secretary.get(url)
        assert page.status_code == 200, url
        for method, action in forms(page.text):
            path = action.split("?")[0].split("#")[0]
            if method == "GET" and not path:
                continue  # a search form that submits to its own page
            assert path.startswith("/"), f"{url}: a form posts to {action!r}"
            assert answered(app, method, path), f"{url}: no route answers {method} {path}"
            checked += 1
    assert checked > 20


async def test_the_item_edit_page_saves_and_takes_a_document(session, secretary):
    meeting = factories.agenda_meeting(session, secretary.body)
    item = factories.agenda_item(session, meeting)
    page = (await secretary.get(f"/meetings/{meeting.id}/agenda/items/{item.id}/edit")).text
    actions = [action for _method, action in forms(page)]
    edit = next(action for action in actions if action.endswith("/edit"))
    upload = next(action for action in actions if "/documents" in action)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    saved = await secretary.post(edit, {"version": version, "title": "เรื่องที่แก้ไขแล้ว", "time_box_minutes": "75"})
    assert saved.status_code == 303
    session.expire_all()
    assert (session.get(AgendaItem, item.id).title, session.get(AgendaItem, item.id).time_box_minutes) == ("เรื่องที่แก้ไขแล้ว", 75)
    version = str(int(version) + 1)
    sent = await secretary.post(upload, {"version": version}, files={"file": ("แผนงาน.pdf", PDF, "application/pdf")})
    assert sent.status_code == 303
    assert session.query(AgendaDocument).filter_by(item_id=item.id).count() == 1
