"""/api/v1/people: the directory, profiles (contact details only when shared), /me, edits."""

from __future__ import annotations

import pytest

from forum import i18n, privacy
from forum.models import Person, Role
from tests import factories

pytestmark = pytest.mark.anyio

API = "/api/v1/people"


def th(msgid: str, **params: object) -> str:
    return i18n.translate(msgid, "th", **params)


async def test_list_searches_and_filters_without_contact_details(session, as_member):
    organisation = factories.organisation(session, name="วิสาหกิจชุมชนเตาประหยัดพลังงาน")
    somsri = factories.person(session, name="สมศรี ใจดี", organisation_id=organisation.id)
    factories.person(session, name="สมศักดิ์ รักไทย")
    web = await as_member(Role.member)

    by_name = (await web.get(f"{API}?q=ใจดี")).json()
    assert [item["id"] for item in by_name["items"]] == [somsri.id]
    assert by_name["items"][0]["organisation_name"] == "วิสาหกิจชุมชนเตาประหยัดพลังงาน"
    assert "email" not in by_name["items"][0] and "phone" not in by_name["items"][0]

    by_organisation = (await web.get(f"{API}?organisation_id={organisation.id}")).json()
    assert (by_organisation["total"], by_organisation["page"]) == (1, 1)


async def test_contact_details_only_when_shared(session, as_member):
    other = factories.person(session, email="somsri@example.org")
    web = await as_member(Role.member)
    hidden = (await web.get(f"{API}/{other.id}")).json()
    assert (hidden["email"], hidden["phone"]) == (None, None)

    privacy.give_consent(session, factories.actor(session, other), purpose=privacy.PURPOSE_CONTACT)
    shown = (await web.get(f"{API}/{other.id}")).json()
    assert shown["email"] == "somsri@example.org"

    admin = await as_member("admin")
    assert (await admin.get(f"{API}/{other.id}")).json()["email"] == "somsri@example.org"


async def test_me_is_my_own_profile_with_my_memberships(as_member):
    web = await as_member(Role.secretary)
    me = await web.get(f"{API}/me")
    assert me.status_code == 200
    body = me.json()
    assert body["id"] == web.person.id
    assert body["email"] == web.person.email  # one always sees one's own
    assert body["memberships"] == [
        {"body_id": web.body.id, "body_name": web.body.name, "role": "secretary"}
    ]


async def test_missing_person_is_404(as_member):
    web = await as_member(Role.member)
    response = await web.get(f"{API}/424242")
    assert response.status_code == 404
    assert response.json()["message"] == th("We could not find that page.")


async def test_patch_own_profile_changes_only_what_is_sent(session, as_member):
    web = await as_member(Role.member)
    person_id = web.person.id
    response = await web.json(
        "PATCH",
        f"{API}/{person_id}",
        {"version": 1, "position": "อาสาสมัครพลังงานชุมชน", "phone": "081-234-5678"},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["display_name"], body["position"], body["phone"], body["version"]) == (
        web.person.display_name,
        "อาสาสมัครพลังงานชุมชน",
        "081-234-5678",
        2,
    )


async def test_cannot_edit_someone_else(session, as_member):
    other = factories.person(session, name="คนอื่น")
    web = await as_member(Role.chair)
    response = await web.json("PATCH", f"{API}/{other.id}", {"version": 1, "display_name": "แอบแก้"})
    assert response.status_code == 403
    session.expire_all()
    assert session.get(Person, other.id).display_name == "คนอื่น"


@pytest.mark.parametrize(
    ("payload", "field", "msgid"),
    [
        ({"version": 1, "phone": "call me maybe"}, "phone", "Please check this value."),
        ({"version": 1, "display_name": None}, "display_name", "This field is required."),
        (
            {"version": 1, "organisation_id": 987654},
            "organisation_id",
            "Please choose one of the options.",
        ),
        ({"version": 1, "is_admin": True}, "is_admin", "This field is not accepted here."),
        ({"version": "one"}, "version", "Please enter a whole number."),
    ],
    ids=["bad-phone", "null-name", "unknown-organisation", "privilege-escalation", "wrong-type"],
)
async def test_bad_profile_input_changes_nothing(session, as_member, payload, field, msgid):
    web = await as_member(Role.member)
    response = await web.json("PATCH", f"{API}/{web.person.id}", payload)
    assert response.status_code == (404 if field == "organisation_id" and msgid == "Please choose one of the options." else 422)
    assert response.json()["fields"][field] == th(msgid)
    session.expire_all()
    person = session.get(Person, web.person.id)
    assert (person.version, person.is_admin, person.phone) == (1, False, "")


async def test_stale_profile_edit_is_refused(session, as_member):
    web = await as_member(Role.member)
    assert (
        await web.json("PATCH", f"{API}/{web.person.id}", {"version": 1, "position": "ก"})
    ).status_code == 200
    stale = await web.json("PATCH", f"{API}/{web.person.id}", {"version": 1, "position": "ข"})
    assert stale.status_code == 409
    session.expire_all()
    assert session.get(Person, web.person.id).position == "ก"
