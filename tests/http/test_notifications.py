"""The notification centre, its count in the menu, opening one, marking them read, the
settings on /me, and the JSON API."""

from __future__ import annotations

import pytest
from sqlmodel import select

from deliberation import notices
from deliberation.agenda import agendas
from forum.models import Notification, NotificationPreference, Person, Role
from tests import factories

pytestmark = pytest.mark.anyio


def _fresh(session, row):
    session.expire_all()
    return session.get(type(row), row.id)


async def test_the_centre_needs_a_log_in(client):
    response = await client.get("/notifications")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_the_centre_lists_mine_newest_first_with_the_unread_highlighted(session, as_member):
    member = await as_member(Role.member)
    factories.notification(session, member.person, params={"meeting": "1/2569", "body": "เก่า"}, read=True)
    unread = factories.notification(session, member.person, params={"meeting": "2/2569", "body": "ใหม่ล่าสุด"})
    factories.notification(session, factories.person(session), params={"meeting": "9/2569", "body": "ของคนอื่น"})
    response = await member.get("/notifications")
    assert response.status_code == 200
    text = response.text
    assert "ใหม่ล่าสุด เผยแพร่ระเบียบวาระการประชุม ครั้งที่ 2/2569 แล้ว" in text
    assert text.index("ใหม่ล่าสุด") < text.index("เก่า เผยแพร่")
    assert "ของคนอื่น" not in text
    assert '<li class="unread">' in text and f'href="/notifications/{unread.id}"' in text
    assert "ยังไม่อ่าน 1 รายการ" in text


async def test_the_list_alone_answers_htmx(session, as_member):
    member = await as_member(Role.member)
    factories.notification(session, member.person)
    response = await member.get("/notifications", htmx=True)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="notification_list"')


async def test_the_menu_shows_the_unread_count_on_every_page(session, as_member):
    member = await as_member(Role.member)
    for _ in range(3):
        factories.notification(session, member.person)
    page = await member.get("/bodies")
    assert 'aria-label="การแจ้งเตือน 3 รายการที่ยังไม่อ่าน"' in page.text
    assert '<span class="badge badge-warn">3</span>' in page.text
    await member.post("/notifications/read-all")
    page = await member.get("/bodies")
    assert 'href="/notifications"' in page.text and "ยังไม่อ่าน" not in page.text


async def test_opening_one_marks_it_read_and_goes_to_its_page(session, as_member):
    member = await as_member(Role.member)
    row = factories.notification(session, member.person, url="/meetings/5/agenda#suggestion-2")
    response = await member.get(f"/notifications/{row.id}")
    assert response.status_code == 303
    assert response.headers["location"] == "/meetings/5/agenda#suggestion-2"
    assert _fresh(session, row).read_at is not None


async def test_someone_elses_notification_is_not_found(session, as_member):
    member = await as_member(Role.member)
    theirs = factories.notification(session, factories.person(session))
    assert (await member.get(f"/notifications/{theirs.id}")).status_code == 404
    assert (await member.get("/notifications/99999")).status_code == 404
    assert (await member.get("/notifications/abc")).status_code == 404
    assert _fresh(session, theirs).read_at is None


async def test_mark_all_read(session, as_member):
    member = await as_member(Role.member)
    rows = [factories.notification(session, member.person) for _ in range(2)]
    theirs = factories.notification(session, factories.person(session))
    response = await member.post("/notifications/read-all")
    assert (response.status_code, response.headers["location"]) == (303, "/notifications")
    assert all(_fresh(session, row).read_at for row in rows)
    assert _fresh(session, theirs).read_at is None
    page = await member.get("/notifications")
    assert "ยังไม่อ่าน 0 รายการ" in page.text and "ทำเครื่องหมายว่าอ่านแล้วครบทุกรายการ" in page.text


async def test_the_settings_form_on_my_page(session, as_member):
    member = await as_member(Role.member)
    page = await member.get("/me")
    assert 'id="notification_settings"' in page.text
    assert 'name="in_app" value="agenda_published"' in page.text
    assert "การตอบกลับความคิดเห็นของฉัน" in page.text
    response = await member.post(
        "/me/notifications", {"in_app": ["agenda_published", "reply"], "email": ["mention"], "email_locale": "en"}
    )
    assert (response.status_code, response.headers["location"]) == (303, "/me#notification_settings")
    session.expire_all()
    chosen = {
        row.kind: (row.in_app, row.email)
        for row in session.exec(select(NotificationPreference).where(NotificationPreference.person_id == member.person.id))
    }
    assert chosen == {"agenda_published": (True, False), "suggestion_answered": (False, False), "reply": (True, False), "mention": (False, True)}
    assert session.get(Person, member.person.id).locale == "en"


async def test_bad_settings_are_shown_with_the_form_kept_and_change_nothing(session, as_member):
    member = await as_member(Role.member)
    for htmx in (False, True):
        response = await member.post("/me/notifications", {"in_app": ["reply", "bogus"], "email_locale": "fr"}, htmx=htmx)
        assert response.status_code == 422
        assert "โปรดเลือกภาษาไทยหรือภาษาอังกฤษ" in response.text
        assert "โปรดเลือกจากประเภทการแจ้งเตือนที่แสดงไว้" in response.text
        assert 'value="reply" aria-labelledby="notice-reply notice-in-app" checked' in response.text
        assert 'value="agenda_published" aria-labelledby="notice-agenda_published notice-in-app" >' in response.text
        assert response.text.lstrip().startswith("<section") == htmx
    session.expire_all()
    assert session.exec(select(NotificationPreference)).all() == []


# -- from deliberation, end to end ------------------------------------------------------


async def test_a_published_agenda_reaches_the_members(session, as_member):
    secretary = await as_member(Role.secretary)
    member = await as_member(Role.member, body=secretary.body)
    meeting = factories.agenda_meeting(session, secretary.body)
    factories.agenda_item(session, meeting)
    agenda = agendas.agenda_of(session, meeting.id)
    response = await secretary.post(f"/meetings/{meeting.id}/agenda/publish", {"version": agenda.version})
    assert response.status_code == 303
    page = await member.get("/notifications")
    assert f"ครั้งที่ {meeting.number}/{meeting.year_be}" in page.text
    [row] = session.exec(select(Notification).where(Notification.person_id == member.person.id)).all()
    opened = await member.get(f"/notifications/{row.id}")
    assert opened.headers["location"] == f"/meetings/{meeting.id}/agenda"
    assert session.exec(select(Notification).where(Notification.person_id == secretary.person.id)).all() == []


async def test_an_answered_suggestion_reaches_the_member_who_made_it(session, as_member):
    secretary = await as_member(Role.secretary)
    member = await as_member(Role.member, body=secretary.body)
    meeting = factories.agenda_meeting(session, secretary.body)
    await member.post(f"/meetings/{meeting.id}/agenda/suggestions", {"title": "ศูนย์เรียนรู้พลังงาน", "rationale": ""})
    from deliberation.agenda.models import AgendaSuggestion

    suggestion = session.exec(select(AgendaSuggestion)).one()
    response = await secretary.post(
        f"/meetings/{meeting.id}/agenda/suggestions/{suggestion.id}/answer", {"answer": "decline", "reason": "ซ้ำกับวาระที่มีอยู่"}
    )
    assert response.status_code == 303
    page = await member.get("/notifications")
    assert "ศูนย์เรียนรู้พลังงาน" in page.text and "ซ้ำกับวาระที่มีอยู่" in page.text


# -- the JSON API -----------------------------------------------------------------------


async def test_the_api_lists_mine_and_marks_them_read(session, as_member):
    member = await as_member(Role.member)
    first = factories.notification(session, member.person)
    second = factories.notification(session, member.person, kind=notices.REPLY, params={"topic": "งบ"})
    theirs = factories.notification(session, factories.person(session))
    listed = await member.json("GET", "/api/v1/notifications")
    assert listed.status_code == 200
    body = listed.json()
    assert [item["id"] for item in body["items"]] == [second.id, first.id]
    assert (body["total"], body["unread"]) == (2, 2)
    assert body["items"][1]["text"].startswith("คณะทำงานภาคเหนือ เผยแพร่")
    assert body["items"][1]["created_at"].endswith("+07:00")
    marked = await member.json("POST", "/api/v1/notifications/read", {"ids": [first.id, theirs.id]})
    assert marked.json() == {"marked": 1, "unread": 1}
    assert (await member.json("POST", "/api/v1/notifications/read", {})).json() == {"marked": 1, "unread": 0}
    assert (await member.json("POST", "/api/v1/notifications/read", {"ids": ["x"]})).status_code == 422
    assert _fresh(session, theirs).read_at is None


async def test_the_api_needs_a_log_in(client):
    assert (await client.json("GET", "/api/v1/notifications")).status_code == 401
