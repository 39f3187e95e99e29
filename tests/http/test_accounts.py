"""Signing up through an invitation, logging in and out, and the log-in rate limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from forum import invitations
from forum.config import get_settings
from forum.db import utcnow
from forum.models import Consent, Invitation, LoginSession, Membership, Person, Role
from forum.web import SESSION_COOKIE
from tests import factories

pytestmark = pytest.mark.anyio

NEW_PASSWORD = "a strong password 2569"


def _count(session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def _invite(session, *, role: Role = Role.secretary, **extra) -> tuple[Invitation, str, int]:
    admin = factories.person(session, is_admin=True)
    body = factories.body(session)
    invitation, token = invitations.create_invitation(
        session, factories.actor(session, admin), body_id=body.id, role=role, **extra
    )
    return invitation, token, body.id


def _form(**overrides) -> dict[str, str]:
    values = {
        "display_name": "นางสาวสมศรี ใจดี",
        "email": "somsri@example.org",
        "position": "นักวิชาการพลังงาน",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
        "consent": "true",
    }
    return values | overrides


async def test_invited_person_signs_up_and_is_a_member_with_the_role(session, client):
    _invitation, token, body_id = _invite(session, email="somsri@example.org", display_name="สมศรี")
    page = await client.get(f"/invite/{token}")
    assert page.status_code == 200
    assert 'value="somsri@example.org"' in page.text  # prefilled from the invitation
    assert "ประกาศความเป็นส่วนตัว (ฉบับที่ 1)" in page.text

    response = await client.post(f"/invite/{token}", _form())
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert SESSION_COOKIE in response.cookies

    home = await client.get("/")
    assert "สวัสดี นางสาวสมศรี ใจดี" in home.text
    assert "ยินดีต้อนรับสู่ระบบเวที" in home.text  # the flash message
    person = session.exec(select(Person).where(Person.email == "somsri@example.org")).one()
    membership = session.exec(select(Membership).where(Membership.person_id == person.id)).one()
    assert membership.body_id == body_id and membership.role == Role.secretary
    consent = session.exec(select(Consent).where(Consent.person_id == person.id)).one()
    assert consent.purpose == "account" and consent.withdrawn_at is None


async def test_the_same_link_twice_is_refused_and_creates_nothing(session, client, make_client):
    _invitation, token, _body_id = _invite(session)
    assert (await client.post(f"/invite/{token}", _form())).status_code == 303
    people = _count(session, Person)

    second = make_client()
    page = await second.get(f"/invite/{token}")
    assert page.status_code == 409
    assert "คำเชิญนี้ถูกใช้ไปแล้ว" in page.text
    response = await second.post(f"/invite/{token}", _form(email="someone.else@example.org"))
    assert response.status_code == 409
    assert "คำเชิญนี้ถูกใช้ไปแล้ว" in response.text
    assert SESSION_COOKIE not in response.cookies
    assert _count(session, Person) == people


async def test_an_expired_link_is_refused(session, client):
    invitation, token, _body_id = _invite(session)
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    session.add(invitation)
    session.commit()
    page = await client.get(f"/invite/{token}")
    assert page.status_code == 409
    assert "คำเชิญนี้หมดอายุแล้ว" in page.text
    response = await client.post(f"/invite/{token}", _form())
    assert response.status_code == 409
    assert _count(session, Person) == 1  # only the admin who invited


async def test_an_unknown_link_is_not_found(client):
    response = await client.get("/invite/not-a-real-token")
    assert response.status_code == 404
    assert "ลิงก์คำเชิญนี้ไม่ถูกต้อง" in response.text


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password_again": "something else 123"}, "password_again", "รหัสผ่านทั้งสองช่องไม่ตรงกัน"),
        ({"consent": ""}, "consent", "โปรดอ่านประกาศความเป็นส่วนตัว"),
        ({"display_name": ""}, "display_name", "โปรดกรอกข้อมูลช่องนี้"),  # missing
        ({"email": ""}, "email", "โปรดกรอกข้อมูลช่องนี้"),
        ({"display_name": "ก" * 121}, "display_name", "ข้อความยาวเกินไป"),  # oversized
        ({"position": "ก" * 201}, "position", "ข้อความยาวเกินไป"),
        ({"password": "short", "password_again": "short"}, "password", "อย่างน้อย 10 ตัวอักษร"),
        ({"password": "x" * 201, "password_again": "x" * 201}, "password", "รหัสผ่านยาวเกินไป"),
        ({"organisation_id": "abc"}, "organisation_id", "โปรดกรอกเป็นจำนวนเต็ม"),  # wrongly typed
        ({"organisation_id": "999999"}, "organisation_id", "โปรดเลือกจากตัวเลือกที่มี"),
        ({"email": "<script>@example.org"}, "email", "โปรดตรวจสอบข้อมูลนี้"),  # hostile
    ],
)
async def test_bad_sign_up_input_is_explained_and_creates_nothing(
    session, client, overrides, field, message
):
    _invitation, token, _body_id = _invite(session)
    people = _count(session, Person)
    response = await client.post(f"/invite/{token}", _form(**overrides))
    assert response.status_code == 422
    assert message in response.text
    assert f'id="{field}-error"' in response.text
    assert SESSION_COOKIE not in response.cookies
    assert _count(session, Person) == people
    session.expire_all()
    assert session.exec(select(Invitation)).one().used_at is None  # the link still works


async def test_a_duplicate_email_is_refused(session, client):
    factories.person(session, email="taken@example.org")
    _invitation, token, _body_id = _invite(session)
    people = _count(session, Person)
    response = await client.post(f"/invite/{token}", _form(email="Taken@Example.org"))
    assert response.status_code == 422
    assert "อีเมลนี้มีบัญชีผู้ใช้อยู่แล้ว" in response.text
    assert _count(session, Person) == people


async def test_sign_up_errors_keep_the_values_but_not_the_passwords(session, client):
    _invitation, token, _body_id = _invite(session)
    response = await client.post(f"/invite/{token}", _form(consent=""), htmx=True)
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form id="signup_form"')
    assert 'value="นางสาวสมศรี ใจดี"' in response.text
    assert NEW_PASSWORD not in response.text


async def test_an_invitation_to_become_admin_makes_an_admin(session, client):
    _invitation, token, _body_id = _invite(session, make_admin=True)
    assert (await client.post(f"/invite/{token}", _form())).status_code == 303
    assert (await client.get("/admin")).status_code == 200


# -- logging in -----------------------------------------------------------------------


async def test_log_in_with_the_right_password_opens_a_session(session, client):
    factories.person(session, email="somchai@example.org")
    response = await client.post(
        "/login", {"email": "SomChai@example.org", "password": factories.PASSWORD, "next": "/me"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/me"
    assert SESSION_COOKIE in response.cookies
    assert (await client.get("/me")).status_code == 200


async def test_a_wrong_password_gets_a_clear_thai_message_and_no_session(session, client):
    factories.person(session, email="somchai@example.org")
    response = await client.post(
        "/login", {"email": "somchai@example.org", "password": "wrong password"}
    )
    assert response.status_code == 422
    assert "อีเมลหรือรหัสผ่านไม่ถูกต้อง" in response.text
    assert 'value="somchai@example.org"' in response.text
    assert SESSION_COOKIE not in response.cookies
    assert _count(session, LoginSession) == 0


@pytest.mark.parametrize(
    "data",
    [
        {},  # missing
        {"email": "a@example.org", "password": "p" * 5000},  # oversized
        {"email": "' OR 1=1 --", "password": "' OR 1=1 --"},  # hostile
    ],
)
async def test_bad_log_in_input_opens_no_session(session, client, data):
    response = await client.post("/login", data)
    assert response.status_code == 422
    assert SESSION_COOKIE not in response.cookies
    assert _count(session, LoginSession) == 0


async def test_after_too_many_failures_even_the_right_password_is_refused(session, client):
    factories.person(session, email="target@example.org")
    for _ in range(get_settings().login_attempts_per_15_min):
        failed = await client.post(
            "/login", {"email": "target@example.org", "password": "guess guess"}
        )
        assert failed.status_code == 422
    response = await client.post(
        "/login", {"email": "target@example.org", "password": factories.PASSWORD}
    )
    assert response.status_code == 429
    assert "พยายามหลายครั้งเกินไป" in response.text
    assert SESSION_COOKIE not in response.cookies
    assert _count(session, LoginSession) == 0


async def test_an_archived_person_cannot_log_in(session, client):
    person = factories.person(session, email="gone@example.org")
    person.archived_at = utcnow()
    session.add(person)
    session.commit()
    response = await client.post(
        "/login", {"email": "gone@example.org", "password": factories.PASSWORD}
    )
    assert response.status_code == 422


async def test_log_out_ends_the_session(session, as_member):
    member = await as_member(Role.member)
    response = await member.post("/logout")
    assert response.status_code == 303
    assert _count(session, LoginSession) == 0
    assert (await member.get("/me")).status_code == 303  # back to the log-in page
