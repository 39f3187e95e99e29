"""Administration pages: the hub, invitations, reset links, provinces, the audit log and
erasure requests."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import func, select

from forum import invitations, privacy
from forum.dates import BANGKOK
from forum.db import utcnow
from forum.models import (
    AuditEvent,
    ErasureRequest,
    Invitation,
    PasswordReset,
    Person,
    Province,
    Role,
)
from tests import factories

pytestmark = pytest.mark.anyio

LINK = re.compile(r"http://[^\s\"<]+/(invite|reset)/([A-Za-z0-9_\-]+)")


def _count(session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def _link(html: str) -> str:
    match = LINK.search(html)
    assert match, "no link on the page"
    return match.group(2)


# -- the hub and who may see it ------------------------------------------------------


async def test_admin_hub_links_every_section(as_member):
    admin = await as_member("admin")
    response = await admin.get("/admin")
    assert response.status_code == 200
    for href in (
        "/admin/invitations",
        "/admin/people",
        "/admin/provinces",
        "/admin/audit",
        "/admin/erasure",
    ):
        assert f'href="{href}"' in response.text
    assert "ผู้ดูแลระบบ" in response.text


@pytest.mark.parametrize(
    "url", ["/admin", "/admin/people", "/admin/provinces", "/admin/audit", "/admin/erasure"]
)
async def test_admin_pages_are_refused_to_members(as_member, url):
    member = await as_member(Role.secretary)
    response = await member.get(url)
    assert response.status_code == 403
    assert "ท่านไม่มีสิทธิ์ดำเนินการนี้" in response.text


@pytest.mark.parametrize("url", ["/admin", "/admin/invitations", "/admin/audit"])
async def test_admin_pages_send_visitors_to_log_in(client, url):
    response = await client.get(url)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


# -- invitations ----------------------------------------------------------------------


async def test_admin_creates_an_invitation_and_sees_the_link_once(session, as_member):
    admin = await as_member("admin")
    body = factories.body(session)
    page = await admin.get(f"/admin/invitations/new?body_id={body.id}")
    assert page.status_code == 200
    assert f'<option value="{body.id}" selected>' in page.text
    assert 'name="make_admin"' in page.text

    response = await admin.post(
        "/admin/invitations/new",
        {
            "display_name": "นางสาวสมศรี ใจดี",
            "email": "Somsri@Example.org",
            "body_id": body.id,
            "role": "secretary",
            "days": "7",
        },
    )
    assert response.status_code == 200
    token = _link(response.text)
    assert 'data-copy="http' in response.text
    assert "https://line.me/R/share?text=" in response.text
    assert "ส่งลิงก์ด้วยตนเอง" in response.text  # no SMTP here: the page says so
    invitation = session.exec(select(Invitation)).one()
    assert invitation.email == "somsri@example.org"
    assert invitation.role == Role.secretary
    assert invitation.expires_at - utcnow() > timedelta(days=6, hours=23)

    listing = await admin.get("/admin/invitations")
    assert "นางสาวสมศรี ใจดี" in listing.text
    assert "ยังไม่ได้ใช้" in listing.text
    assert token not in listing.text  # shown once, never again


async def test_invitation_list_shows_each_status(session, as_member):
    admin = await as_member("admin")
    actor = factories.actor(session, admin.person)
    body = factories.body(session)
    names = {}
    for name in ("ใช้แล้ว", "ถูกยกเลิก", "หมดอายุ", "ยังไม่ใช้"):
        invitation, token = invitations.create_invitation(
            session, actor, display_name=f"คนที่{name}", body_id=body.id
        )
        names[name] = (invitation, token)
    invitations.accept_invitation(
        session,
        token=names["ใช้แล้ว"][1],
        display_name="ก",
        email="used@example.org",
        password=factories.PASSWORD,
        password_again=factories.PASSWORD,
        consent=True,
    )
    invitations.revoke_invitation(session, actor, invitation_id=names["ถูกยกเลิก"][0].id)
    expired = session.get(Invitation, names["หมดอายุ"][0].id)
    expired.expires_at = utcnow() - timedelta(minutes=1)
    session.commit()

    response = await admin.get("/admin/invitations")
    assert response.status_code == 200
    for badge in ("ใช้แล้ว", "ยกเลิกแล้ว", "หมดอายุ", "ยังไม่ได้ใช้"):
        assert badge in response.text
    assert response.text.count("/revoke") == 1  # only the unused one can be revoked


async def test_secretary_invites_into_their_own_body_only(session, as_member):
    secretary = await as_member(Role.secretary)
    other = factories.body(session, name="คณะทำงานภาคใต้ทดสอบ")
    page = await secretary.get("/admin/invitations/new")
    assert page.status_code == 200
    assert secretary.body.name in page.text
    assert other.name not in page.text
    assert 'name="make_admin"' not in page.text

    created = await secretary.post(
        "/admin/invitations/new",
        {"display_name": "ก", "body_id": secretary.body.id, "role": "member", "days": "14"},
    )
    assert created.status_code == 200
    refused = await secretary.post(
        "/admin/invitations/new",
        {"display_name": "ข", "body_id": other.id, "role": "member", "days": "14"},
    )
    assert refused.status_code == 403
    as_admin = await secretary.post(
        "/admin/invitations/new",
        {"display_name": "ค", "body_id": secretary.body.id, "make_admin": "true", "days": "14"},
    )
    assert as_admin.status_code == 403
    assert _count(session, Invitation) == 1


async def test_secretary_sees_only_their_bodies_invitations(session, as_member):
    secretary = await as_member(Role.secretary)
    admin_actor = factories.actor(session, factories.person(session, is_admin=True))
    invitations.create_invitation(
        session, admin_actor, display_name="เชิญเข้าคณะของเลขา", body_id=secretary.body.id
    )
    invitations.create_invitation(
        session, admin_actor, display_name="เชิญเข้าคณะอื่น", body_id=factories.body(session).id
    )
    response = await secretary.get("/admin/invitations")
    assert response.status_code == 200
    assert "เชิญเข้าคณะของเลขา" in response.text
    assert "เชิญเข้าคณะอื่น" not in response.text


async def test_plain_members_may_not_list_or_create_invitations(session, as_member):
    member = await as_member(Role.member)
    assert (await member.get("/admin/invitations")).status_code == 403
    assert (await member.get("/admin/invitations/new")).status_code == 403
    response = await member.post(
        "/admin/invitations/new", {"display_name": "x", "body_id": member.body.id, "days": "14"}
    )
    assert response.status_code == 403
    assert _count(session, Invitation) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("days", "", "โปรดกรอกข้อมูลช่องนี้"),  # missing
        ("days", "0", "ตัวเลขน้อยเกินไป"),
        ("days", "365", "ตัวเลขมากเกินไป"),
        ("display_name", "ก" * 121, "ข้อความยาวเกินไป"),  # oversized
        ("days", "สิบสี่", "โปรดกรอกเป็นจำนวนเต็ม"),  # wrongly typed
        ("body_id", "1 OR 1=1", "โปรดกรอกเป็นจำนวนเต็ม"),  # hostile
        ("body_id", "999999", "โปรดเลือกจากตัวเลือกที่มี"),
        ("role", "king", "โปรดเลือกจากตัวเลือกที่มี"),
        ("email", "not-an-email", "โปรดตรวจสอบข้อมูลนี้"),
        ("organisation_id", "999999", "โปรดเลือกจากตัวเลือกที่มี"),
    ],
)
async def test_bad_invitation_input_is_explained_and_creates_nothing(
    session, as_member, field, value, message
):
    admin = await as_member("admin")
    body = factories.body(session)
    data = {
        "display_name": "นายทดสอบ",
        "body_id": str(body.id),
        "role": "member",
        "days": "14",
        field: value,
    }
    response = await admin.post("/admin/invitations/new", data)
    assert response.status_code == 422
    assert message in response.text
    assert _count(session, Invitation) == 0


async def test_inviting_an_email_that_already_has_an_account_is_refused(session, as_member):
    admin = await as_member("admin")
    factories.person(session, email="taken@example.org")
    response = await admin.post(
        "/admin/invitations/new", {"email": "TAKEN@example.org", "days": "14"}
    )
    assert response.status_code == 422
    assert "อีเมลนี้มีบัญชีผู้ใช้อยู่แล้ว" in response.text
    assert _count(session, Invitation) == 0


async def test_hostile_name_is_shown_as_text(session, as_member):
    admin = await as_member("admin")
    response = await admin.post(
        "/admin/invitations/new", {"display_name": "<script>alert(1)</script>", "days": "14"}
    )
    assert response.status_code == 200
    listing = await admin.get("/admin/invitations")
    assert "<script>alert(1)</script>" not in listing.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing.text


async def test_invalid_invitation_form_over_htmx_returns_the_form_block(session, as_member):
    admin = await as_member("admin")
    response = await admin.post(
        "/admin/invitations/new", {"display_name": "ก" * 200, "days": "14"}, htmx=True
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<div id="invitation_form">')
    assert "<html" not in response.text


async def test_revoking_an_invitation_stops_its_link(session, as_member, client):
    admin = await as_member("admin")
    invitation, token = invitations.create_invitation(
        session, factories.actor(session, admin.person), display_name="ก"
    )
    response = await admin.post(f"/admin/invitations/{invitation.id}/revoke")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/invitations"
    session.expire_all()
    assert session.get(Invitation, invitation.id).revoked_at is not None
    assert (await client.get(f"/invite/{token}")).status_code == 409
    again = await admin.post(f"/admin/invitations/{invitation.id}/revoke")
    assert again.status_code == 409
    assert "ยกเลิกไปแล้ว" in again.text
    assert (await admin.post("/admin/invitations/999999/revoke")).status_code == 404
    assert (await admin.post("/admin/invitations/abc/revoke")).status_code == 404  # names no invitation


async def test_only_the_bodys_officers_may_revoke(session, as_member):
    secretary = await as_member(Role.secretary)
    outsider = await as_member(Role.secretary)
    invitation, _token = invitations.create_invitation(
        session,
        factories.actor(session, secretary.person),
        display_name="ก",
        body_id=secretary.body.id,
    )
    assert (await outsider.post(f"/admin/invitations/{invitation.id}/revoke")).status_code == 403
    assert (await secretary.post(f"/admin/invitations/{invitation.id}/revoke")).status_code == 303


async def test_a_used_invitation_cannot_be_revoked(session, as_member):
    admin = await as_member("admin")
    invitation, token = invitations.create_invitation(
        session, factories.actor(session, admin.person), display_name="ก"
    )
    invitations.accept_invitation(
        session,
        token=token,
        display_name="ก",
        email="k@example.org",
        password=factories.PASSWORD,
        password_again=factories.PASSWORD,
        consent=True,
    )
    response = await admin.post(f"/admin/invitations/{invitation.id}/revoke")
    assert response.status_code == 409


# -- password reset links -------------------------------------------------------------


async def test_admin_issues_a_reset_link_and_the_person_sets_a_new_password(
    session, as_member, make_client
):
    admin = await as_member("admin")
    person = factories.person(session, name="นายลืมรหัส ผ่าน", email="forgot@example.org")
    listing = await admin.get("/admin/people?q=ลืมรหัส")
    assert listing.status_code == 200
    assert f"/admin/people/{person.id}/reset-link" in listing.text

    issued = await admin.post(f"/admin/people/{person.id}/reset-link")
    assert issued.status_code == 200
    assert "นายลืมรหัส ผ่าน" in issued.text
    assert "ไม่ได้ส่งลิงก์ทางอีเมล" in issued.text  # SMTP is not configured in tests
    token = _link(issued.text)

    visitor = make_client()
    assert (await visitor.get(f"/reset/{token}")).status_code == 200
    mismatch = await visitor.post(
        f"/reset/{token}", {"password": "a new password 1", "password_again": "another one 22"}
    )
    assert mismatch.status_code == 422
    assert "รหัสผ่านทั้งสองช่องไม่ตรงกัน" in mismatch.text
    short = await visitor.post(f"/reset/{token}", {"password": "short", "password_again": "short"})
    assert short.status_code == 422
    assert "อย่างน้อย 10 ตัวอักษร" in short.text
    done = await visitor.post(
        f"/reset/{token}", {"password": "a new password 1", "password_again": "a new password 1"}
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/login"

    old = await visitor.post(
        "/login", {"email": "forgot@example.org", "password": factories.PASSWORD}
    )
    assert old.status_code == 422
    new = await visitor.post(
        "/login", {"email": "forgot@example.org", "password": "a new password 1"}
    )
    assert new.status_code == 303
    assert (await visitor.get(f"/reset/{token}")).status_code == 409  # single use


async def test_reset_links_are_for_admins_only(session, as_member):
    secretary = await as_member(Role.secretary)
    person = factories.person(session)
    assert (await secretary.post(f"/admin/people/{person.id}/reset-link")).status_code == 403
    admin = await as_member("admin")
    assert (await admin.post("/admin/people/999999/reset-link")).status_code == 404
    assert _count(session, PasswordReset) == 0


# -- provinces ------------------------------------------------------------------------


async def test_provinces_page_groups_77_provinces_by_4_regions(as_member):
    admin = await as_member("admin")
    response = await admin.get("/admin/provinces")
    assert response.status_code == 200
    assert response.text.count('name="region_id"') == 77
    for region in ("ภาคเหนือ", "ภาคตะวันออกเฉียงเหนือ", "ภาคกลาง", "ภาคใต้"):
        assert region in response.text
    assert "0 จาก 77" in response.text


async def test_admin_moves_a_province_and_marks_it_pilot(session, as_member):
    admin = await as_member("admin")
    province = factories.province(session, "นครสวรรค์")
    central = factories.region(session, "central")
    response = await admin.post(
        f"/admin/provinces/{province.id}", {"region_id": central.id, "is_pilot": "true"}
    )
    assert response.status_code == 303
    session.expire_all()
    province = session.get(Province, province.id)
    assert province.region_id == central.id and province.is_pilot
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "forum.province.edit")).one()
    assert event.after == {"region_id": central.id, "is_pilot": True}
    page = await admin.get("/admin/provinces")
    assert "1 จาก 77" in page.text

    unpilot = await admin.post(
        f"/admin/provinces/{province.id}", {"region_id": central.id}, htmx=True
    )
    assert unpilot.status_code == 200
    assert unpilot.text.lstrip().startswith('<div id="provinces">')
    assert "0 จาก 77" in unpilot.text


@pytest.mark.parametrize("region_id", ["", "abc", "999999", "1; DROP TABLE province"])
async def test_bad_region_is_explained_and_changes_nothing(session, as_member, region_id):
    admin = await as_member("admin")
    province = factories.province(session, "น่าน")
    before = province.region_id
    response = await admin.post(
        f"/admin/provinces/{province.id}", {"region_id": region_id, "is_pilot": "true"}
    )
    assert response.status_code == 422
    assert "โปรด" in response.text
    session.expire_all()
    assert session.get(Province, province.id).region_id == before
    assert not session.get(Province, province.id).is_pilot


async def test_province_edits_are_for_admins(session, as_member):
    secretary = await as_member(Role.chair)
    province = factories.province(session, "น่าน")
    response = await secretary.post(
        f"/admin/provinces/{province.id}", {"region_id": province.region_id, "is_pilot": "true"}
    )
    assert response.status_code == 403
    admin = await as_member("admin")
    assert (await admin.post("/admin/provinces/999999", {"region_id": "1"})).status_code == 404


# -- audit log ------------------------------------------------------------------------


async def test_audit_log_filters_and_shows_a_compact_diff(session, as_member):
    admin = await as_member("admin")
    actor = factories.actor(session, admin.person)
    province = factories.province(session, "ลำปาง")
    await admin.post(
        f"/admin/provinces/{province.id}", {"region_id": province.region_id, "is_pilot": "true"}
    )
    invitations.create_invitation(session, actor, display_name="ผู้ได้รับเชิญ")

    everything = await admin.get("/admin/audit")
    assert everything.status_code == 200
    assert "forum.province.edit" in everything.text and "forum.invitation.create" in everything.text
    assert admin.person.display_name in everything.text
    assert (
        "is_pilot" in everything.text
        and "<del>False</del>" in everything.text
        and "<ins>True</ins>" in everything.text
    )
    assert str(utcnow().year + 543) in everything.text  # Buddhist Era

    by_action = await admin.get("/admin/audit?action=forum.province")
    assert (
        "forum.province.edit" in by_action.text and "forum.invitation.create" not in by_action.text
    )
    by_type = await admin.get("/admin/audit?target_type=invitation")
    assert "forum.invitation.create" in by_type.text and "forum.province.edit" not in by_type.text
    by_actor = await admin.get(f"/admin/audit?actor_id={admin.person.id + 1000}")
    assert "forum.province.edit" not in by_actor.text
    today = utcnow().astimezone(BANGKOK).date().isoformat()  # the log's days are Bangkok's
    in_range = await admin.get(f"/admin/audit?since={today}&until={today}")
    assert "forum.province.edit" in in_range.text
    long_ago = await admin.get("/admin/audit?since=2000-01-01&until=2000-01-31")
    assert "forum.province.edit" not in long_ago.text


async def test_audit_results_are_an_htmx_block_and_paginated(session, as_member):
    admin = await as_member("admin")
    actor = factories.actor(session, admin.person)
    for n in range(55):
        invitations.create_invitation(session, actor, display_name=f"คนที่ {n}")
    first = await admin.get("/admin/audit?action=forum.invitation", htmx=True)
    assert first.status_code == 200
    assert first.text.lstrip().startswith('<section id="audit_results"')
    assert "<html" not in first.text
    assert "หน้า 1 จาก 2" in first.text
    assert "/admin/audit?action=forum.invitation&amp;page=2" in first.text
    second = await admin.get("/admin/audit?action=forum.invitation&page=2")
    assert second.text.count("forum.invitation.create</code>") == 5


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=yesterday", "โปรดกรอกวันที่"),
        ("until=2569-13-45", "โปรดกรอกวันที่"),
        ("actor_id=somebody", "โปรดกรอกเป็นจำนวนเต็ม"),
        ("page=-1", "ตัวเลขน้อยเกินไป"),
        ("action=" + "x" * 81, "ข้อความยาวเกินไป"),
    ],
)
async def test_bad_audit_filters_are_explained(as_member, query, message):
    admin = await as_member("admin")
    response = await admin.get(f"/admin/audit?{query}")
    assert response.status_code == 422
    assert message in response.text


# -- erasure --------------------------------------------------------------------------


async def test_admin_carries_out_an_erasure_request(session, as_member):
    admin = await as_member("admin")
    person = factories.person(session, name="นายขอลบ ข้อมูล", email="erase-me@example.org")
    request = privacy.request_erasure(session, factories.actor(session, person))
    page = await admin.get("/admin/erasure")
    assert "นายขอลบ ข้อมูล" in page.text
    assert "data-confirm=" in page.text

    response = await admin.post(f"/admin/erasure/{request.id}")
    assert response.status_code == 303
    session.expire_all()
    erased = session.get(Person, person.id)
    assert (
        erased.email is None and "ขอลบ" not in erased.display_name and erased.erased_at is not None
    )
    assert session.get(ErasureRequest, request.id).completed_by == admin.person.id
    assert "นายขอลบ ข้อมูล" not in (await admin.get("/admin/erasure")).text
    again = await admin.post(f"/admin/erasure/{request.id}")
    assert again.status_code == 409
    assert "ดำเนินการไปแล้ว" in again.text


async def test_erasure_is_for_admins_only(session, as_member):
    member = await as_member(Role.chair)
    person = factories.person(session)
    request = privacy.request_erasure(session, factories.actor(session, person))
    assert (await member.post(f"/admin/erasure/{request.id}")).status_code == 403
    session.expire_all()
    assert session.get(Person, person.id).erased_at is None
    admin = await as_member("admin")
    assert (await admin.post("/admin/erasure/999999")).status_code == 404
