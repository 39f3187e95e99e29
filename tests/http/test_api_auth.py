"""/api/v1 authentication (session cookie + CSRF header, or a personal bearer token),
personal tokens, JSON errors, and the OpenAPI document."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from forum import accounts, i18n
from forum.db import utcnow
from forum.models import Organisation, Person, Role
from tests import factories

pytestmark = pytest.mark.anyio

NEW_ORGANISATION = {"name": "กลุ่มผู้ผลิตถ่านชีวภาพบ้านห้วยทราย", "kind": "occupational_group"}


def th(msgid: str, **params: object) -> str:
    return i18n.translate(msgid, "th", **params)


def bearer_for(session, person: Person) -> dict[str, str]:
    _token_row, token = accounts.create_api_token(
        session, factories.actor(session, person), name="สคริปต์รายงาน"
    )
    return {"Authorization": f"Bearer {token}"}


def organisations(session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(Organisation)).one()


async def test_anonymous_gets_401_json_in_thai_not_a_login_redirect(client):
    response = await client.get("/api/v1/organisations")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["message"] == th("Please log in first.")


async def test_anonymous_write_is_401_and_changes_nothing(session, client):
    before = organisations(session)
    response = await client.json("POST", "/api/v1/organisations", NEW_ORGANISATION)
    assert response.status_code == 401
    assert organisations(session) == before


async def test_bearer_token_works_without_csrf(session, make_client):
    secretary = factories.member(session, factories.body(session), Role.secretary)
    web = make_client()  # no cookies at all
    headers = bearer_for(session, secretary)
    created = await web.http.post("/api/v1/organisations", json=NEW_ORGANISATION, headers=headers)
    assert created.status_code == 201
    me = await web.http.get("/api/v1/people/me", headers=headers)
    assert me.json()["id"] == secretary.id


async def test_session_cookie_write_without_csrf_header_is_refused(session, as_member):
    web = await as_member(Role.secretary)
    before = organisations(session)
    response = await web.http.post("/api/v1/organisations", json=NEW_ORGANISATION)
    assert response.status_code == 403
    assert response.json()["message"] == "แบบฟอร์มนี้หมดอายุแล้ว กรุณากลับไป โหลดหน้าใหม่ แล้วลองอีกครั้ง"
    assert organisations(session) == before
    assert (await web.json("POST", "/api/v1/organisations", NEW_ORGANISATION)).status_code == 201


async def test_oversized_body_is_refused_for_bearer_calls_too(session, make_client):
    secretary = factories.member(session, factories.body(session), Role.secretary)
    before = organisations(session)
    huge = NEW_ORGANISATION | {"description": "ก" * 1_000_000}
    response = await make_client().http.post(
        "/api/v1/organisations", json=huge, headers=bearer_for(session, secretary)
    )
    assert response.status_code == 413
    assert response.json()["message"] == "คำขอมีขนาดใหญ่เกินไป"
    assert organisations(session) == before


async def test_revoked_or_unknown_token_is_401(session, make_client):
    person = factories.person(session)
    actor = factories.actor(session, person)
    row, token = accounts.create_api_token(session, actor, name="ชั่วคราว")
    web = make_client()
    assert (
        await web.http.get("/api/v1/people/me", headers={"Authorization": f"Bearer {token}"})
    ).status_code == 200
    accounts.revoke_api_token(session, actor, token_id=row.id)
    revoked = await web.http.get("/api/v1/people/me", headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401
    assert revoked.json()["message"] == th("Please log in first.")
    assert (
        await web.http.get("/api/v1/people/me", headers={"Authorization": "Bearer wethi_made_up"})
    ).status_code == 401


async def test_a_bad_token_never_falls_back_to_the_session_cookie(session, as_member):
    web = await as_member(Role.secretary)  # logged in by cookie
    before = organisations(session)
    response = await web.http.post(
        "/api/v1/organisations",
        json=NEW_ORGANISATION,
        headers={"Authorization": "Bearer wethi_forged"},
    )
    assert (
        response.status_code == 401
    )  # CSRF was skipped for the bearer call, so the cookie must not count
    assert organisations(session) == before


async def test_archived_persons_token_stops_working(session, make_client):
    person = factories.person(session)
    headers = bearer_for(session, person)
    person.archived_at = utcnow()
    session.add(person)
    session.commit()
    assert (await make_client().http.get("/api/v1/people/me", headers=headers)).status_code == 401


async def test_personal_tokens_are_issued_listed_and_revoked(session, as_member):
    web = await as_member(Role.member)
    issued = await web.json("POST", "/api/v1/tokens", {"name": "รายงานประจำเดือน"})
    assert issued.status_code == 201
    token = issued.json()["token"]
    assert token.startswith("wethi_")

    listed = (await web.get("/api/v1/tokens")).json()
    assert [(t["id"], t["name"]) for t in listed] == [(issued.json()["id"], "รายงานประจำเดือน")]
    assert "token" not in listed[0]  # shown once, never again

    outsider = await as_member(Role.member)
    assert (
        await outsider.json("DELETE", f"/api/v1/tokens/{issued.json()['id']}")
    ).status_code == 404

    assert (await web.json("DELETE", f"/api/v1/tokens/{issued.json()['id']}")).status_code == 204
    assert (
        await web.http.get("/api/v1/people/me", headers={"Authorization": f"Bearer {token}"})
    ).status_code == 401
    assert (await web.json("POST", "/api/v1/tokens", {"name": ""})).json()["fields"] == {
        "name": th("This field is required.")
    }


async def test_unknown_paths_and_methods_answer_json(as_member):
    web = await as_member(Role.member)
    missing = await web.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert missing.json()["message"] == th("We could not find that page.")
    wrong_method = await web.json("PUT", "/api/v1/organisations")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"].startswith("application/json")


async def test_hostile_ids_get_a_message_not_a_crash(as_member):
    web = await as_member("admin")
    for url, field, msgid in [
        (
            "/api/v1/organisations/99999999999999999999999",
            "organisation_id",
            "This number is too large.",
        ),
        ("/api/v1/meetings/-1", "meeting_id", "This number is too small."),
        ("/api/v1/people/ด", "person_id", "Please enter a whole number."),
        ("/api/v1/organisations?province_id=1e400", "province_id", "Please enter a whole number."),
    ]:
        response = await web.get(url)
        assert response.status_code == 422, url
        assert response.json()["fields"] == {field: th(msgid)}


async def test_openapi_document_lists_the_api(client):
    response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    paths = document["paths"]
    for path, method in [
        ("/api/v1/organisations", "get"),
        ("/api/v1/organisations", "post"),
        ("/api/v1/organisations/{organisation_id}", "patch"),
        ("/api/v1/organisations/{organisation_id}/archive", "post"),
        ("/api/v1/organisations/{organisation_id}/restore", "post"),
        ("/api/v1/people", "get"),
        ("/api/v1/people/me", "get"),
        ("/api/v1/people/{person_id}", "patch"),
        ("/api/v1/bodies", "post"),
        ("/api/v1/bodies/{body_id}", "get"),
        ("/api/v1/bodies/{body_id}/members", "post"),
        ("/api/v1/memberships/{membership_id}", "patch"),
        ("/api/v1/memberships/{membership_id}", "delete"),
        ("/api/v1/bodies/{body_id}/meetings", "get"),
        ("/api/v1/bodies/{body_id}/meetings", "post"),
        ("/api/v1/meetings/{meeting_id}", "patch"),
        ("/api/v1/meetings/{meeting_id}/status", "post"),
        ("/api/v1/meetings/{meeting_id}/attendance", "get"),
        ("/api/v1/attendance/{attendance_id}", "patch"),
        ("/api/v1/meetings/{meeting_id}/guests", "post"),
        ("/api/v1/checkin", "post"),
        ("/api/v1/tokens", "post"),
    ]:
        assert method in paths.get(path, {}), (method, path)
    create = paths["/api/v1/bodies/{body_id}/meetings"]["post"]
    assert create["tags"] == ["meetings"]
    assert {"201", "401", "403", "404", "409", "422"} <= set(create["responses"])
    assert all(path.startswith("/api/v1/") for path in paths)  # the HTML routes are not the API
    schemas = document["components"]["schemas"]
    assert schemas["MeetingPublic"]["properties"]["starts_at"]["format"] == "date-time"
    assert "ApiError" in schemas
