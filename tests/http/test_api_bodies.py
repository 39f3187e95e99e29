"""/api/v1/bodies and /api/v1/memberships: the working groups and the committee, their
members and roles."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from forum import i18n
from forum.models import Body, BodyKind, Membership, Role
from tests import factories

pytestmark = pytest.mark.anyio


def th(msgid: str, **params: object) -> str:
    return i18n.translate(msgid, "th", **params)


def memberships(session, body_id: int) -> dict[int, str]:
    session.expire_all()
    return {
        m.person_id: m.role
        for m in session.exec(select(Membership).where(Membership.body_id == body_id))
    }


async def test_list_bodies_with_regions_and_member_counts(session, as_member):
    web = await as_member(Role.secretary)
    factories.member(session, web.body, Role.member)
    listed = (await web.get("/api/v1/bodies")).json()
    mine = next(item for item in listed["items"] if item["id"] == web.body.id)
    assert (mine["kind"], mine["members"], mine["region_name"]) == (
        "working_group",
        2,
        factories.region(session).name_th,
    )
    assert listed["total"] == len(listed["items"])


async def test_body_detail_lists_members_chair_first(session, as_member):
    web = await as_member(Role.member)
    chair = factories.member(session, web.body, Role.chair)
    detail = await web.get(f"/api/v1/bodies/{web.body.id}")
    assert detail.status_code == 200
    members = detail.json()["members"]
    assert [(m["person_id"], m["role"]) for m in members] == [
        (chair.id, "chair"),
        (web.person.id, "member"),
    ]
    assert members[0]["display_name"] == chair.display_name
    assert members[0]["joined_at"].endswith("+07:00")


async def test_admin_creates_a_body_and_a_working_group_needs_its_region(session, as_member):
    admin = await as_member("admin")
    committee = await admin.json(
        "POST", "/api/v1/bodies", {"kind": "committee", "name": "คณะกรรมการขับเคลื่อนพลังงานชุมชน"}
    )
    assert committee.status_code == 201
    assert committee.json()["region_id"] is None

    no_region = await admin.json(
        "POST", "/api/v1/bodies", {"kind": "working_group", "name": "คณะทำงานภาคเหนือ"}
    )
    assert no_region.status_code == 422
    assert no_region.json()["fields"] == {
        "region_id": th("A regional working group needs its region.")
    }
    assert (
        session.exec(
            select(func.count()).select_from(Body).where(Body.name == "คณะทำงานภาคเหนือ")
        ).one()
        == 0
    )


async def test_secretary_cannot_create_a_body(as_member):
    web = await as_member(Role.secretary)
    response = await web.json("POST", "/api/v1/bodies", {"kind": "committee", "name": "คณะใหม่"})
    assert response.status_code == 403


async def test_officer_edits_own_body_but_not_another(session, as_member):
    web = await as_member(Role.chair)
    other = factories.body(session, name="คณะทำงานอื่น")
    changed = await web.json(
        "PATCH", f"/api/v1/bodies/{web.body.id}", {"version": 1, "description": "ประชุมทุกไตรมาส"}
    )
    assert changed.status_code == 200
    assert (changed.json()["name"], changed.json()["description"], changed.json()["version"]) == (
        web.body.name,
        "ประชุมทุกไตรมาส",
        2,
    )

    refused = await web.json("PATCH", f"/api/v1/bodies/{other.id}", {"version": 1, "name": "ยึดคณะ"})
    assert refused.status_code == 403
    session.expire_all()
    assert session.get(Body, other.id).name == "คณะทำงานอื่น"

    stale = await web.json(
        "PATCH", f"/api/v1/bodies/{web.body.id}", {"version": 1, "name": "ชื่อเก่า"}
    )
    assert stale.status_code == 409


async def test_secretary_adds_changes_and_removes_a_member(session, as_member):
    web = await as_member(Role.secretary)
    newcomer = factories.person(session, name="สมหญิง มาใหม่")
    added = await web.json(
        "POST",
        f"/api/v1/bodies/{web.body.id}/members",
        {"person_id": newcomer.id, "role": "facilitator"},
    )
    assert added.status_code == 201
    membership_id = added.json()["id"]
    assert memberships(session, web.body.id)[newcomer.id] == "facilitator"

    changed = await web.json(
        "PATCH", f"/api/v1/memberships/{membership_id}", {"role": "vice_chair"}
    )
    assert changed.status_code == 200
    assert changed.json()["role"] == "vice_chair"

    removed = await web.json("DELETE", f"/api/v1/memberships/{membership_id}")
    assert removed.status_code == 204
    assert newcomer.id not in memberships(session, web.body.id)
    assert (await web.json("DELETE", f"/api/v1/memberships/{membership_id}")).status_code == 404


async def test_adding_someone_twice_is_a_conflict_naming_them(session, as_member):
    web = await as_member(Role.secretary)
    somchai = factories.member(session, web.body, Role.member)
    again = await web.json(
        "POST", f"/api/v1/bodies/{web.body.id}/members", {"person_id": somchai.id, "role": "chair"}
    )
    assert again.status_code == 409
    assert again.json()["message"] == th(
        "%(name)s is already a member of this body.", name=somchai.display_name
    )
    assert memberships(session, web.body.id)[somchai.id] == "member"


@pytest.mark.parametrize(
    ("payload", "field", "msgid"),
    [
        ({"role": "member"}, "person_id", "This field is required."),
        ({"person_id": 999999, "role": "member"}, "person_id", "Please choose one of the options."),
        ({"person_id": "สมชาย", "role": "member"}, "person_id", "Please enter a whole number."),
        ({"person_id": 1, "role": "king"}, "role", "Please choose one of the options."),
    ],
    ids=["missing", "unknown-person", "wrong-type", "unknown-role"],
)
async def test_bad_member_input_changes_nothing(session, as_member, payload, field, msgid):
    web = await as_member(Role.secretary)
    before = memberships(session, web.body.id)
    response = await web.json("POST", f"/api/v1/bodies/{web.body.id}/members", payload)
    # a person who is not there: the record named is not found (404), still per field
    assert response.status_code == (404 if payload.get("person_id") == 999999 else 422)
    assert response.json()["fields"][field] == th(msgid)
    assert memberships(session, web.body.id) == before


async def test_member_cannot_manage_members(session, as_member):
    web = await as_member(Role.member)
    chair = factories.member(session, web.body, Role.chair)
    chair_membership = session.exec(
        select(Membership).where(Membership.person_id == chair.id)
    ).one()
    assert (
        await web.json(
            "POST",
            f"/api/v1/bodies/{web.body.id}/members",
            {"person_id": factories.person(session).id},
        )
    ).status_code == 403
    assert (
        await web.json("PATCH", f"/api/v1/memberships/{chair_membership.id}", {"role": "member"})
    ).status_code == 403
    assert (
        await web.json("DELETE", f"/api/v1/memberships/{chair_membership.id}")
    ).status_code == 403
    assert memberships(session, web.body.id)[chair.id] == "chair"


async def test_admin_archives_and_restores_a_body(session, as_member):
    body = factories.body(session, kind=BodyKind.committee)
    admin = await as_member("admin")
    assert (await admin.json("POST", f"/api/v1/bodies/{body.id}/archive")).json()[
        "archived_at"
    ] is not None
    assert (await admin.json("POST", f"/api/v1/bodies/{body.id}/archive")).status_code == 409
    assert (await admin.json("POST", f"/api/v1/bodies/{body.id}/restore")).json()[
        "archived_at"
    ] is None
