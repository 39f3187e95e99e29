"""The privacy notice and each person's own data: consents, export, erasure, API tokens."""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import func, select

from forum import accounts, privacy
from forum.models import ApiToken, Consent, ErasureRequest, Role
from tests import factories

pytestmark = pytest.mark.anyio


def _count(session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


async def test_the_privacy_notice_is_public_and_versioned(client):
    response = await client.get("/privacy")
    assert response.status_code == 200
    assert "ประกาศความเป็นส่วนตัว" in response.text
    assert "ฉบับที่ 1" in response.text
    assert "ระบบเวทีเก็บชื่อ" in response.text
    await client.post("/language", {"locale": "en", "next": "/privacy"})
    english = await client.get("/privacy")
    assert "Version 1" in english.text and "Wethi keeps your name" in english.text


async def test_my_data_needs_a_log_in(client):
    response = await client.get("/me")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fme"
    assert (await client.get("/me/export.json")).status_code == 303


async def test_my_data_shows_profile_memberships_and_consents(session, as_member):
    member = await as_member(Role.secretary)
    privacy.record_consent(session, member.person.id, purpose="account")
    session.commit()
    response = await member.get("/me")
    assert response.status_code == 200
    assert member.person.display_name in response.text
    assert member.person.email in response.text
    assert member.body.name in response.text and "เลขานุการ" in response.text
    assert f'href="/people/{member.person.id}/edit"' in response.text
    assert "การใช้งานบัญชี" in response.text
    assert (
        'action="/me/export.json"' not in response.text
        and 'href="/me/export.json"' in response.text
    )


async def test_giving_and_withdrawing_the_contact_sharing_consent(session, as_member):
    member = await as_member(Role.member)
    response = await member.post("/me/consents", {"purpose": "contact_sharing"})
    assert response.status_code == 303
    assert privacy.shares_contact(session, member.person.id)
    page = await member.get("/me")
    assert "ขอบคุณ บันทึกความยินยอมของท่านแล้ว" in page.text
    assert 'value="contact_sharing"' not in page.text  # given: no second button

    again = await member.post("/me/consents", {"purpose": "contact_sharing"})
    assert again.status_code == 409
    assert "ท่านได้ให้ความยินยอมนี้ไว้แล้ว" in again.text
    assert _count(session, Consent) == 1

    consent = session.exec(select(Consent)).one()
    withdrawn = await member.post(f"/me/consents/{consent.id}/withdraw")
    assert withdrawn.status_code == 303
    assert not privacy.shares_contact(session, member.person.id)
    page = await member.get("/me")
    assert 'value="contact_sharing"' in page.text  # may give it again
    assert page.text.count(f"/me/consents/{consent.id}/withdraw") == 0
    twice = await member.post(f"/me/consents/{consent.id}/withdraw")
    assert twice.status_code == 409
    assert "ความยินยอมนี้ถูกถอนไปแล้ว" in twice.text


@pytest.mark.parametrize(
    "purpose", ["", "marketing", "x" * 5000, "account'; DROP TABLE consent; --"]
)
async def test_unknown_consent_purposes_change_nothing(session, as_member, purpose):
    member = await as_member(Role.member)
    response = await member.post("/me/consents", {"purpose": purpose})
    assert response.status_code == 404
    assert _count(session, Consent) == 0


async def test_nobody_withdraws_someone_elses_consent(session, as_member):
    owner = await as_member(Role.member)
    other = await as_member(Role.member)
    consent = privacy.give_consent(
        session, factories.actor(session, owner.person), purpose="contact_sharing"
    )
    assert (await other.post(f"/me/consents/{consent.id}/withdraw")).status_code == 404
    assert (await other.post("/me/consents/abc/withdraw")).status_code == 404
    assert privacy.shares_contact(session, owner.person.id)


async def test_download_my_data_is_a_json_attachment(session, as_member):
    member = await as_member(Role.chair)
    privacy.record_consent(session, member.person.id, purpose="account")
    session.commit()
    response = await member.get("/me/export.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"].startswith("attachment;")
    data = json.loads(response.text)
    assert data["person"]["email"] == member.person.email
    assert data["person"]["display_name"] == member.person.display_name
    assert "password_hash" not in data["person"]
    assert data["memberships"][0]["role"] == "chair"
    assert data["consents"][0]["purpose"] == "account"
    assert "สมชาย" in response.text  # Thai kept readable, not \\u escapes


async def test_asking_for_erasure_shows_the_pending_state(session, as_member):
    member = await as_member(Role.member)
    page = await member.get("/me")
    assert 'action="/me/erasure"' in page.text and "data-confirm=" in page.text
    response = await member.post("/me/erasure")
    assert response.status_code == 303
    page = await member.get("/me")
    assert "รอดำเนินการ" in page.text
    assert 'action="/me/erasure"' not in page.text
    again = await member.post("/me/erasure")
    assert again.status_code == 409
    assert "คำขอลบข้อมูลของท่านอยู่ระหว่างรอ" in again.text
    assert _count(session, ErasureRequest) == 1


async def test_an_api_token_is_shown_once_and_can_be_revoked(session, as_member):
    member = await as_member(Role.member)
    response = await member.post("/me/tokens", {"name": "แดชบอร์ดจังหวัด"})
    assert response.status_code == 200
    token = re.search(r'data-copy="(wethi_[^"]+)"', response.text).group(1)
    assert accounts.actor_for_api_token(session, token).person_id == member.person.id
    page = await member.get("/me")
    assert "แดชบอร์ดจังหวัด" in page.text
    assert token not in page.text

    api_token = session.exec(select(ApiToken)).one()
    revoked = await member.post(f"/me/tokens/{api_token.id}/revoke")
    assert revoked.status_code == 303
    assert not accounts.actor_for_api_token(session, token).is_authenticated
    assert (await member.post(f"/me/tokens/{api_token.id}/revoke")).status_code == 404


async def test_creating_a_token_over_htmx_returns_the_tokens_block(as_member):
    member = await as_member(Role.member)
    response = await member.post("/me/tokens", {"name": "สคริปต์"}, htmx=True)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="api_tokens"')
    assert "wethi_" in response.text


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "โปรดกรอกข้อมูลช่องนี้"), ("ก" * 101, "ข้อความยาวเกินไป"), ("\u200b\u202e", "โปรดกรอกข้อมูลช่องนี้")],
)
async def test_bad_token_names_are_explained_and_create_nothing(session, as_member, name, message):
    member = await as_member(Role.member)
    response = await member.post("/me/tokens", {"name": name})
    assert response.status_code == 422
    assert message in response.text
    assert _count(session, ApiToken) == 0


async def test_nobody_revokes_someone_elses_token(session, as_member):
    owner = await as_member(Role.member)
    other = await as_member(Role.member)
    api_token, token = accounts.create_api_token(
        session, factories.actor(session, owner.person), name="ของฉัน"
    )
    assert (await other.post(f"/me/tokens/{api_token.id}/revoke")).status_code == 404
    assert accounts.actor_for_api_token(session, token).person_id == owner.person.id


async def test_the_privacy_page_states_how_long_data_is_kept_as_the_settings_say(engine, make_client):
    """Issue 12, part 5: the retention the sweeps enforce is the one the page states."""
    from forum.app import create_app
    from forum.config import get_settings
    from tests.conftest import WebClient

    settings = get_settings().model_copy(update={"retain_live_frames_hours": 3, "retain_login_attempts_hours": 48})
    client = WebClient(create_app(settings, engine=engine))
    try:
        page = (await client.get("/privacy")).text
    finally:
        await client.aclose()
    retention = re.search(r'<ul id="retention">(.*?)</ul>', page, re.S).group(1)
    assert "3 ชั่วโมง" in retention and "48 ชั่วโมง" in retention


async def test_the_attendance_log_is_kept_as_long_as_the_setting_says_and_the_page_lists_every_period(session, engine, client):
    from datetime import timedelta

    from forum import privacy as forum_privacy
    from forum.config import get_settings
    from forum.db import utcnow
    from forum.models import AttendanceEvent

    body = factories.body(session)
    member = factories.member(session, body, Role.member)
    meeting = factories.meeting(session, body)
    line = session.exec(select(forum_privacy.Attendance).where(forum_privacy.Attendance.person_id == member.id)).first()
    for age in (100, 10):
        session.add(AttendanceEvent(meeting_id=meeting.id, attendance_id=line.id, kind="check_in", at=utcnow() - timedelta(days=age)))
    session.commit()
    settings = get_settings().model_copy(update={"retain_attendance_log_days": 90})
    assert forum_privacy.forget_expired(engine, settings)["forum.attendance_log"] == 1
    assert _count(session, AttendanceEvent) == 1
    page = (await client.get("/privacy")).text
    listed = re.search(r'<ul id="retention">(.*?)</ul>', page, re.S).group(1)
    assert listed.count("<li>") == len(forum_privacy.RETENTION) >= 4
    assert "730 วัน" in listed and "365 วัน" in listed
