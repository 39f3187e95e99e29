"""A meeting's agenda in the web UI: the page and its htmx block, items and their order
with plain forms, suggestions, documents (uploads and downloads), publishing, versions,
the printable agenda and the body's agenda parts."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlmodel import select

from deliberation.agenda import agendas
from deliberation.agenda.models import AgendaDocument, AgendaItem, AgendaSuggestion
from forum.models import Meeting, Role
from tests import factories

pytestmark = pytest.mark.anyio

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


@pytest.fixture
async def secretary(as_member):
    return await as_member(Role.secretary)


@pytest.fixture
def meeting(session, secretary):
    return factories.agenda_meeting(session, secretary.body)


def agenda_url(meeting) -> str:
    return f"/meetings/{meeting.id}/agenda"


def version_of(session, meeting) -> int:
    session.expire_all()
    return agendas.agenda_of(session, meeting.id).version


def consideration_part(session, meeting) -> int:
    agenda = agendas.agenda_of(session, meeting.id)
    return next(p.id for p in agendas.parts_of(session, agenda.id) if p.kind == "consideration")


async def test_first_opening_shows_the_five_standard_parts(secretary, meeting):
    response = await secretary.get(agenda_url(meeting))
    assert response.status_code == 200
    for title in (
        "เรื่องที่ประธานแจ้งให้ที่ประชุมทราบ",
        "เรื่องรับรองรายงานการประชุม",
        "เรื่องสืบเนื่อง",
        "เรื่องเพื่อพิจารณา",
        "เรื่องอื่น ๆ",
    ):
        assert title in response.text
    assert 'ws-connect="/live/ws?channel=agenda%3A' in response.text


async def test_htmx_gets_only_the_agenda_block(secretary, meeting):
    response = await secretary.get(agenda_url(meeting), htmx=True)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="agenda_body"')
    assert "<html" not in response.text


async def test_anonymous_is_sent_to_log_in(make_client, meeting):
    response = await make_client().get(agenda_url(meeting))
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_secretary_adds_an_item_without_javascript(session, secretary, meeting):
    await secretary.get(agenda_url(meeting))
    response = await secretary.post(
        f"{agenda_url(meeting)}/items",
        {
            "version": version_of(session, meeting),
            "part_id": consideration_part(session, meeting),
            "title": "ขออนุมัติโครงการ",
            "description": "**ด่วน**",
            "time_box_minutes": "30",
        },
    )
    assert response.status_code == 303
    page = await secretary.get(agenda_url(meeting))
    assert "4.1" in page.text and "<strong>ด่วน</strong>" in page.text
    assert "Time planned" in page.text or "30" in page.text


async def test_adding_an_item_with_htmx_answers_the_agenda_block(session, secretary, meeting):
    await secretary.get(agenda_url(meeting))
    response = await secretary.post(
        f"{agenda_url(meeting)}/items",
        {
            "version": version_of(session, meeting),
            "part_id": consideration_part(session, meeting),
            "title": "เรื่องใหม่",
        },
        htmx=True,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="agenda_body"') and "เรื่องใหม่" in response.text


async def test_a_description_with_a_script_is_refused_with_a_message(session, secretary, meeting):
    await secretary.get(agenda_url(meeting))
    response = await secretary.post(
        f"{agenda_url(meeting)}/items",
        {
            "version": version_of(session, meeting),
            "part_id": consideration_part(session, meeting),
            "title": "x",
            "description": '<img src=x onerror="alert(1)">',
        },
    )
    assert response.status_code == 422
    assert "<img src=x" not in response.text
    assert session.exec(select(AgendaItem).where(AgendaItem.title == "x")).first() is None


async def test_a_member_may_not_add_items(session, as_member, meeting, secretary):
    member = await as_member(Role.member, body=secretary.body)
    await member.get(agenda_url(meeting))
    response = await member.post(
        f"{agenda_url(meeting)}/items",
        {
            "version": version_of(session, meeting),
            "part_id": consideration_part(session, meeting),
            "title": "x",
        },
    )
    assert response.status_code == 403


async def test_up_and_down_buttons_reorder_without_javascript(session, secretary, meeting):
    factories.agenda_item(session, meeting, title="ก")
    second = factories.agenda_item(session, meeting, title="ข")
    response = await secretary.post(
        f"{agenda_url(meeting)}/items/{second.id}/move",
        {"version": version_of(session, meeting), "direction": "up"},
    )
    assert response.status_code == 303
    page = (await secretary.get(agenda_url(meeting))).text
    assert page.index("ข</a></h3>") < page.index("ก</a></h3>")  # the title links to the item


async def test_the_second_of_two_reorders_from_the_same_page_is_told_to_reload(
    session, secretary, meeting, as_member
):
    other = await as_member(Role.secretary, body=secretary.body)
    factories.agenda_item(session, meeting, title="ก")
    second = factories.agenda_item(session, meeting, title="ข")
    seen = version_of(session, meeting)
    first = await secretary.post(
        f"{agenda_url(meeting)}/items/{second.id}/move", {"version": seen, "direction": "up"}
    )
    assert first.status_code == 303
    late = await other.post(
        f"{agenda_url(meeting)}/items/{second.id}/move", {"version": seen, "direction": "down"}
    )
    assert late.status_code == 409
    assert "reload" in late.text.lower() or "โหลด" in late.text
    session.expire_all()
    assert session.get(AgendaItem, second.id).position == 1


async def test_drag_and_drop_sends_part_and_position_to_the_same_route(session, secretary, meeting):
    item = factories.agenda_item(session, meeting, title="ก")
    agenda = agendas.agenda_of(session, meeting.id)
    first_part = agendas.parts_of(session, agenda.id)[0]
    response = await secretary.post(
        f"{agenda_url(meeting)}/items/{item.id}/move",
        {"version": version_of(session, meeting), "part_id": first_part.id, "position": "1"},
        htmx=True,
    )
    assert response.status_code == 200
    session.expire_all()
    assert session.get(AgendaItem, item.id).part_id == first_part.id


async def test_members_suggest_support_and_see_the_answer(session, secretary, meeting, as_member):
    member = await as_member(Role.member, body=secretary.body)
    colleague = await as_member(Role.member, body=secretary.body)
    await member.get(agenda_url(meeting))
    response = await member.post(
        f"{agenda_url(meeting)}/suggestions", {"title": "ศูนย์เรียนรู้พลังงาน", "rationale": "ชุมชนต้องการ"}
    )
    assert response.status_code == 303
    suggestion = session.exec(select(AgendaSuggestion)).one()
    response = await colleague.post(
        f"{agenda_url(meeting)}/suggestions/{suggestion.id}/support",
        {"support": "support"},
        htmx=True,
    )
    assert (
        response.status_code == 200
        and "Withdraw my support" in response.text
        or "ถอน" in response.text
    )
    response = await secretary.post(
        f"{agenda_url(meeting)}/suggestions/{suggestion.id}/answer",
        {"answer": "decline", "reason": "ซ้ำกับวาระ 4.1"},
    )
    assert response.status_code == 303
    page = await member.get(agenda_url(meeting))
    assert "ซ้ำกับวาระ 4.1" in page.text
    again = await secretary.post(
        f"{agenda_url(meeting)}/suggestions/{suggestion.id}/answer",
        {"answer": "decline", "reason": "อีกครั้ง"},
    )
    assert again.status_code == 409


async def test_declining_without_a_reason_keeps_the_form_with_a_message(
    session, secretary, meeting
):
    await secretary.get(agenda_url(meeting))
    suggestion = AgendaSuggestion(
        agenda_id=agendas.agenda_of(session, meeting.id).id, title="ข้อเสนอ"
    )
    session.add(suggestion)
    session.commit()
    response = await secretary.post(
        f"{agenda_url(meeting)}/suggestions/{suggestion.id}/answer",
        {"answer": "decline", "reason": ""},
    )
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text


async def test_a_non_member_cannot_suggest(as_member, meeting):
    outsider = await as_member(Role.member)  # a member of another body
    response = await outsider.post(f"{agenda_url(meeting)}/suggestions", {"title": "x"})
    assert response.status_code == 403


async def test_suggesting_to_a_published_agenda_is_refused(session, secretary, as_member):
    meeting = factories.agenda_meeting(session, secretary.body, status="agenda_published")
    member = await as_member(Role.member, body=secretary.body)
    response = await member.post(f"{agenda_url(meeting)}/suggestions", {"title": "x"})
    assert response.status_code == 409


async def upload(session, client, meeting, item, name, data):
    token = await client.csrf_token()
    return await client.http.post(
        f"{agenda_url(meeting)}/items/{item.id}/documents",
        params={"csrf_token": token},
        data={"version": str(version_of(session, meeting))},
        files={"file": (name, data, "application/octet-stream")},
    )


async def test_a_pdf_is_uploaded_and_served_with_its_type_to_those_who_may_see_the_meeting(
    session, secretary, meeting, make_client, as_member
):
    item = factories.agenda_item(session, meeting)
    response = await upload(session, secretary, meeting, item, "รายงาน.pdf", PDF)
    assert response.status_code == 303
    document = session.exec(select(AgendaDocument)).one()
    download = await secretary.get(f"{agenda_url(meeting)}/documents/{document.id}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    # The Thai name survives, percent-encoded as RFC 5987 asks.
    assert download.headers["content-disposition"] == f"inline; filename*=UTF-8''{quote('รายงาน.pdf')}"
    anonymous = await make_client().get(f"{agenda_url(meeting)}/documents/{document.id}")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    wrong_meeting = factories.agenda_meeting(session, secretary.body)
    assert (
        await secretary.get(f"{agenda_url(wrong_meeting)}/documents/{document.id}")
    ).status_code == 404


async def test_an_exe_renamed_pdf_is_refused_with_a_clear_message(session, secretary, meeting):
    item = factories.agenda_item(session, meeting)
    response = await upload(session, secretary, meeting, item, "agenda.pdf", EXE)
    assert response.status_code == 422
    assert "ไม่ใช่" in response.text or "not a PDF" in response.text
    assert session.exec(select(AgendaDocument)).all() == []


async def test_an_oversized_upload_is_refused(session, secretary, meeting, monkeypatch):
    from deliberation import documents

    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 64)
    item = factories.agenda_item(session, meeting)
    response = await upload(session, secretary, meeting, item, "big.pdf", PDF + b"0" * 100)
    assert response.status_code == 422
    assert session.exec(select(AgendaDocument)).all() == []


async def test_publishing_locks_the_agenda_and_a_new_version_shows_its_changes(
    session, secretary, meeting
):
    first = factories.agenda_item(session, meeting, title="ก")
    await secretary.get(agenda_url(meeting))
    response = await secretary.post(
        f"{agenda_url(meeting)}/publish", {"version": version_of(session, meeting)}
    )
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Meeting, meeting.id).status == "agenda_published"
    locked = await secretary.post(
        f"{agenda_url(meeting)}/items/{first.id}/move",
        {"version": version_of(session, meeting), "direction": "down"},
    )
    assert locked.status_code == 409
    assert (
        await secretary.post(
            f"{agenda_url(meeting)}/new-version", {"version": version_of(session, meeting)}
        )
    ).status_code == 303
    await secretary.post(
        f"{agenda_url(meeting)}/items/{first.id}/edit",
        {"version": version_of(session, meeting), "title": "ก (แก้)"},
    )
    assert (
        await secretary.post(
            f"{agenda_url(meeting)}/publish", {"version": version_of(session, meeting)}
        )
    ).status_code == 303
    page = await secretary.get(f"{agenda_url(meeting)}/versions")
    assert page.status_code == 200 and "ก (แก้)" in page.text
    diff = await secretary.get(f"{agenda_url(meeting)}/versions?older=1&newer=2", htmx=True)
    assert diff.text.lstrip().startswith('<section id="version_diff"')
    bad = await secretary.get(f"{agenda_url(meeting)}/versions?older=1&newer=9")
    assert bad.status_code == 422
    # each version can be read whole, as it was published
    assert f"{agenda_url(meeting)}/versions/1" in page.text
    earlier = await secretary.get(f"{agenda_url(meeting)}/versions/1")
    assert earlier.status_code == 200
    assert re.search(r"4\.1</span>\s*ก</h3>", earlier.text) and "ก (แก้)" not in earlier.text
    assert "ฉบับนี้เป็นฉบับก่อนหน้า" in earlier.text
    latest = await secretary.get(f"{agenda_url(meeting)}/versions/2")
    assert "ก (แก้)" in latest.text and "ฉบับนี้เป็นฉบับก่อนหน้า" not in latest.text
    assert (await secretary.get(f"{agenda_url(meeting)}/versions/9")).status_code == 404


async def test_the_printable_agenda_is_numbered(session, secretary, meeting):
    factories.agenda_item(session, meeting, title="ขออนุมัติ")
    response = await secretary.get(f"{agenda_url(meeting)}/print")
    assert response.status_code == 200
    assert re.search(r"4\.1\s+ขออนุมัติ", response.text)


async def test_edit_item_page_and_stale_save(session, secretary, meeting):
    item = factories.agenda_item(session, meeting, title="ก")
    page = await secretary.get(f"{agenda_url(meeting)}/items/{item.id}/edit")
    assert page.status_code == 200 and 'name="title"' in page.text
    response = await secretary.post(
        f"{agenda_url(meeting)}/items/{item.id}/edit", {"version": "999", "title": "ข"}
    )
    assert response.status_code == 409
    session.expire_all()
    assert session.get(AgendaItem, item.id).title == "ก"


async def test_the_body_chooses_its_agenda_parts(session, secretary):
    body = secretary.body
    page = await secretary.get(f"/bodies/{body.id}/agenda-template")
    assert page.status_code == 200
    response = await secretary.post(f"/bodies/{body.id}/agenda-template", {"variant": "six_parts"})
    assert response.status_code == 303
    meeting = factories.agenda_meeting(session, body)
    agenda_page = await secretary.get(agenda_url(meeting))
    assert "เรื่องเสนอเพื่อทราบ" in agenda_page.text
    bad = await secretary.post(f"/bodies/{body.id}/agenda-template", {"variant": "custom"})
    assert bad.status_code == 422


async def test_the_meeting_page_links_to_its_agenda(secretary, meeting):
    response = await secretary.get(f"/meetings/{meeting.id}")
    assert f'href="/meetings/{meeting.id}/agenda"' in response.text


# -- live updates ------------------------------------------------------------------------


async def test_a_change_is_published_to_the_agendas_channel_after_the_commit(app, session, secretary, meeting):
    factories.agenda_item(session, meeting, title="ก", time_box_minutes=200)
    second = factories.agenda_item(session, meeting, title="ข")
    await secretary.post(f"{agenda_url(meeting)}/items/{second.id}/move", {"version": version_of(session, meeting), "direction": "up"})
    [frame] = app.state.hub.store.after(f"agenda:{meeting.id}", 0)
    assert 'id="agenda_time"' in frame.html and 'id="agenda_refresh"' in frame.html
    assert frame.html.count('hx-swap-oob="true"') == 2
    assert f'hx-get="/meetings/{meeting.id}/agenda"' in frame.html
    assert "badge-warn" in frame.html  # 200 minutes in a three-hour meeting


# -- the JSON API ------------------------------------------------------------------------


async def test_api_reads_and_changes_the_agenda(session, secretary, meeting, as_member):
    response = await secretary.json("GET", f"/api/v1/meetings/{meeting.id}/agenda")
    assert response.status_code == 200
    agenda = response.json()
    assert [part["number"] for part in agenda["parts"]] == [1, 2, 3, 4, 5]
    part_id = agenda["parts"][3]["id"]
    created = await secretary.json("POST", f"/api/v1/meetings/{meeting.id}/agenda/items", {"version": agenda["version"], "part_id": part_id, "title": "ขออนุมัติ", "time_box_minutes": 15})
    assert created.status_code == 201 and created.json()["number"] == "4.1"
    stale = await secretary.json("POST", f"/api/v1/meetings/{meeting.id}/agenda/items", {"version": agenda["version"], "part_id": part_id, "title": "ซ้ำ"})
    assert stale.status_code == 409
    member = await as_member(Role.member, body=secretary.body)
    suggested = await member.json("POST", f"/api/v1/meetings/{meeting.id}/agenda/suggestions", {"title": "ข้อเสนอ", "rationale": "เหตุผล"})
    assert suggested.status_code == 201
    suggestion_id = suggested.json()["id"]
    declined = await secretary.json("POST", f"/api/v1/meetings/{meeting.id}/agenda/suggestions/{suggestion_id}/answer", {"answer": "decline", "reason": "ไม่อยู่ในขอบเขต"})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    again = await secretary.json("POST", f"/api/v1/meetings/{meeting.id}/agenda/suggestions/{suggestion_id}/answer", {"answer": "decline", "reason": "อีกครั้ง"})
    assert again.status_code == 409
    current = (await secretary.json("GET", f"/api/v1/meetings/{meeting.id}/agenda")).json()
    published = await secretary.json("POST", f"/api/v1/meetings/{meeting.id}/agenda/publish", {"version": current["version"]})
    assert published.status_code == 200 and published.json()["status"] == "published"


async def test_the_pages_render_in_english_too(session, secretary, meeting):
    factories.agenda_item(session, meeting, title="ก")
    secretary.http.cookies.set("wethi_lang", "en")
    for path in ("", "/print", "/versions"):
        response = await secretary.get(agenda_url(meeting) + path)
        assert response.status_code == 200, path
    assert "Suggestions from members" in (await secretary.get(agenda_url(meeting))).text
