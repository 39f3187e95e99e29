"""/api/v1/organisations: list, read, create, edit, archive — and every kind of bad input
answered with a clear message in the user's language while nothing changes."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from forum import i18n
from forum.models import Organisation, OrganisationKind, Role
from tests import factories

pytestmark = pytest.mark.anyio

API = "/api/v1/organisations"


def th(msgid: str, **params: object) -> str:
    return i18n.translate(msgid, "th", **params)


def count(session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(Organisation)).one()


async def test_list_filters_and_pages(session, as_member):
    chiang_mai = factories.province(session)
    office = factories.organisation(
        session,
        name="สำนักงานพลังงานจังหวัดเชียงใหม่",
        kind=OrganisationKind.provincial_energy_office,
        province_id=chiang_mai.id,
    )
    for n in range(3):
        factories.organisation(session, name=f"วิสาหกิจชุมชนพลังงานบ้านป่า {n}")
    web = await as_member(Role.member)

    found = (await web.get(f"{API}?q=บ้านป่า&per_page=2&page=2")).json()
    assert (found["total"], found["page"], found["per_page"]) == (3, 2, 2)
    assert [item["name"] for item in found["items"]] == ["วิสาหกิจชุมชนพลังงานบ้านป่า 2"]

    offices = (
        await web.get(
            f"{API}?kind=provincial_energy_office&side=office&province_id={chiang_mai.id}"
        )
    ).json()
    assert office.id in [item["id"] for item in offices["items"]]
    assert {(item["kind"], item["side"], item["province_name"]) for item in offices["items"]} == {
        ("provincial_energy_office", "office", "เชียงใหม่")
    }
    assert all(item["created_at"].endswith("+07:00") for item in offices["items"])


async def test_list_refuses_a_filter_that_is_not_an_option(as_member):
    web = await as_member(Role.member)
    response = await web.get(f"{API}?kind=secret_society&page=zero")
    assert response.status_code == 422
    assert response.json()["fields"] == {
        "kind": th("Please choose one of the options."),
        "page": th("Please enter a whole number."),
    }


async def test_get_one_and_a_missing_one(session, as_member):
    organisation = factories.organisation(session)
    web = await as_member(Role.member)
    response = await web.get(f"{API}/{organisation.id}")
    assert response.status_code == 200
    assert response.json()["name"] == organisation.name
    assert response.json()["version"] == 1

    missing = await web.get(f"{API}/999999")
    assert missing.status_code == 404
    assert missing.json()["message"] == th("We could not find that page.")


async def test_secretary_creates_an_organisation(session, as_member):
    province = factories.province(session)
    web = await as_member(Role.secretary)
    response = await web.json(
        "POST",
        API,
        {
            "name": "  กลุ่มอาสาสมัครพลังงาน   ตำบลแม่ริม ",
            "kind": "energy_volunteers",
            "province_id": province.id,
        },
    )
    assert response.status_code == 201
    created = response.json()
    assert created["name"] == "กลุ่มอาสาสมัครพลังงาน ตำบลแม่ริม"
    assert created["side"] == "network"  # inferred from the kind
    assert session.get(Organisation, created["id"]) is not None


async def test_member_cannot_create_an_organisation(session, as_member):
    web = await as_member(Role.member)
    before = count(session)
    response = await web.json("POST", API, {"name": "กลุ่มใหม่", "kind": "other"})
    assert response.status_code == 403
    assert response.json()["message"] == th("You do not have permission to do that.")
    assert count(session) == before


@pytest.mark.parametrize(
    ("payload", "field", "msgid", "params"),
    [
        ({"kind": "other"}, "name", "This field is required.", {}),
        ({"name": "   ", "kind": "other"}, "name", "This field is required.", {}),
        (
            {"name": "ก" * 201, "kind": "other"},
            "name",
            "This is too long: at most %(max_length)s characters.",
            {"max_length": 200},
        ),
        ({"name": 12345, "kind": "other"}, "name", "Please enter text.", {}),
        ({"name": "กลุ่ม", "kind": "cult"}, "kind", "Please choose one of the options.", {}),
        (
            {"name": "กลุ่ม", "kind": "other", "province_id": "เชียงใหม่"},
            "province_id",
            "Please enter a whole number.",
            {},
        ),
        (
            {"name": "กลุ่ม", "kind": "other", "province_id": True},
            "province_id",
            "Please enter a whole number.",
            {},
        ),
        (
            {"name": "กลุ่ม", "kind": "other", "province_id": 10**30},
            "province_id",
            "This number is too large.",
            {},
        ),
        (
            {"name": "กลุ่ม", "kind": "other", "province_id": 999999},
            "province_id",
            "Please choose one of the options.",
            {},
        ),
        (
            {"name": "กลุ่ม", "kind": "other", "is_admin": True},
            "is_admin",
            "This field is not accepted here.",
            {},
        ),
    ],
    ids=[
        "missing",
        "blank",
        "oversized",
        "wrong-type",
        "not-an-option",
        "not-a-number",
        "boolean-for-an-id",
        "huge-id",
        "unknown-province",
        "unknown-field",
    ],
)
async def test_bad_input_gets_a_thai_message_per_field_and_changes_nothing(
    session, as_member, payload, field, msgid, params
):
    web = await as_member(Role.secretary)
    before = count(session)
    response = await web.json("POST", API, payload)
    assert response.status_code == (404 if msgid == "Please choose one of the options." and field == "province_id" else 422)
    body = response.json()
    assert body["message"] == th("Please correct the highlighted fields.")
    assert body["fields"][field] == th(msgid, **params)
    assert body["fields"][field] != (msgid % params if params else msgid)  # really Thai
    assert count(session) == before


async def test_duplicate_name_in_the_same_province_is_refused(session, as_member):
    province = factories.province(session)
    factories.organisation(session, name="วิสาหกิจชุมชนโซลาร์บ้านดง", province_id=province.id)
    web = await as_member(Role.secretary)
    before = count(session)
    response = await web.json(
        "POST",
        API,
        {
            "name": "วิสาหกิจชุมชนโซลาร์บ้านดง",
            "kind": "community_enterprise",
            "province_id": province.id,
        },
    )
    assert response.status_code == 409  # the name is another organisation's
    assert response.json()["fields"] == {
        "name": th("An organisation with this name already exists in this province.")
    }
    assert count(session) == before


async def test_hostile_text_is_cleaned_and_never_interpreted(session, as_member):
    web = await as_member(Role.secretary)
    hostile = "<script>alert(1)</script>\u200b\u202e'; DROP TABLE organisation; --\x00"
    response = await web.json(
        "POST", API, {"name": hostile, "kind": "other", "description": "บรรทัดแรก\r\nบรรทัดสอง"}
    )
    assert response.status_code == 201
    created = response.json()
    assert created["name"] == "<script>alert(1)</script>'; DROP TABLE organisation; --"
    assert created["description"] == "บรรทัดแรก\nบรรทัดสอง"
    assert response.headers["content-type"].startswith("application/json")
    assert (await web.get(f"{API}?q=%25")).json()[
        "total"
    ] == 0  # a % is a character, not a wildcard


async def test_body_that_is_not_json_is_refused(as_member):
    web = await as_member(Role.secretary)
    token = await web.csrf_token()
    response = await web.http.post(
        API,
        content=b"{name: broken",
        headers={"X-CSRF-Token": token, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert th("The request is not valid JSON.") in response.json()["fields"].values()

    array = await web.json("POST", API, ["not", "an", "object"])
    assert array.status_code == 422
    assert array.json()["fields"] == {"__all__": th("Please send a JSON object.")}


async def test_patch_changes_only_what_is_sent(session, as_member):
    province = factories.province(session)
    organisation = factories.organisation(session, name="กลุ่มเดิม", province_id=province.id)
    web = await as_member(Role.chair)
    response = await web.json(
        "PATCH", f"{API}/{organisation.id}", {"version": 1, "description": "ผลิตเตาชีวมวล"}
    )
    assert response.status_code == 200
    changed = response.json()
    assert (
        changed["name"],
        changed["province_id"],
        changed["description"],
        changed["version"],
    ) == ("กลุ่มเดิม", province.id, "ผลิตเตาชีวมวล", 2)

    cleared = await web.json(
        "PATCH", f"{API}/{organisation.id}", {"version": 2, "province_id": None}
    )
    assert cleared.json()["province_id"] is None


async def test_stale_patch_is_refused_and_nothing_changes(session, as_member):
    organisation = factories.organisation(session, name="กลุ่มเดิม")
    web = await as_member(Role.secretary)
    assert (
        await web.json("PATCH", f"{API}/{organisation.id}", {"version": 1, "name": "ชื่อที่หนึ่ง"})
    ).status_code == 200
    stale = await web.json("PATCH", f"{API}/{organisation.id}", {"version": 1, "name": "ชื่อที่สอง"})
    assert stale.status_code == 409
    assert stale.json()["message"] == th(
        "Someone else changed this while you were editing. Your changes were not saved: reload to see the latest version, then edit again."
    )
    session.expire_all()
    assert session.get(Organisation, organisation.id).name == "ชื่อที่หนึ่ง"


async def test_patch_without_version_is_refused(session, as_member):
    organisation = factories.organisation(session)
    web = await as_member(Role.secretary)
    response = await web.json("PATCH", f"{API}/{organisation.id}", {"name": "ไม่มีเวอร์ชัน"})
    assert response.status_code == 422
    assert response.json()["fields"] == {"version": th("This field is required.")}


async def test_admin_archives_and_restores(session, as_member):
    organisation = factories.organisation(session)
    admin = await as_member("admin")
    archived = await admin.json("POST", f"{API}/{organisation.id}/archive")
    assert archived.status_code == 200
    assert archived.json()["archived_at"].endswith("+07:00")
    assert (await admin.get(f"{API}?archived=true")).json()["total"] == 1
    again = await admin.json("POST", f"{API}/{organisation.id}/archive")
    assert again.status_code == 409
    assert again.json()["message"] == th("This organisation is already archived.")
    restored = await admin.json("POST", f"{API}/{organisation.id}/restore")
    assert restored.json()["archived_at"] is None


async def test_secretary_cannot_archive(session, as_member):
    organisation = factories.organisation(session)
    web = await as_member(Role.secretary)
    assert (await web.json("POST", f"{API}/{organisation.id}/archive")).status_code == 403
    session.expire_all()
    assert session.get(Organisation, organisation.id).archived_at is None


async def test_messages_follow_the_language_asked_for(as_member):
    web = await as_member(Role.secretary)
    response = await web.json(
        "POST", API, {"kind": "other"}, headers={"Accept-Language": "en-GB,en;q=0.8"}
    )
    assert response.json()["fields"] == {"name": "This field is required."}
    web.http.cookies.set("wethi_lang", "en")
    assert (await web.json("POST", API, {"kind": "other"})).json()[
        "message"
    ] == "Please correct the highlighted fields."
