"""/bodies: the working groups and the committee, their pages and their members, over HTTP."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, col, select

from forum.errors import StaleEdit
from forum.i18n import translate
from forum.models import Body, BodyKind, Membership, Role
from tests import factories

pytestmark = pytest.mark.anyio


def thai(msgid: str, **params: object) -> str:
    text = translate(msgid, "th", **params)
    assert re.search("[\u0e00-\u0e7f]", text), f"no Thai for {msgid!r}"
    return text


def bodies_table(session: Session) -> list[tuple]:
    session.expire_all()
    return list(
        session.exec(
            select(
                Body.id,
                Body.kind,
                Body.name,
                Body.region_id,
                Body.description,
                Body.version,
                Body.archived_at,
            ).order_by(col(Body.id))
        )
    )


def memberships(session: Session) -> list[tuple]:
    session.expire_all()
    return list(
        session.exec(
            select(
                Membership.id, Membership.body_id, Membership.person_id, Membership.role
            ).order_by(col(Membership.id))
        )
    )


def body_form(session: Session, **overrides: str) -> dict[str, str]:
    form = {
        "kind": "working_group",
        "name": "คณะทำงานภาคใต้",
        "name_en": "Southern working group",
        "region_id": str(factories.region(session, "south").id),
        "description": "ประสานงานเครือข่ายพลังงานชุมชนภาคใต้",
    }
    return form | overrides


# -- who may see what -------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/bodies", "/bodies/new", "/bodies/1", "/bodies/1/edit"])
async def test_anonymous_visitor_is_sent_to_log_in(client, url):
    response = await client.get(url)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("role", "creates", "edits", "manages", "archives"),
    [
        (Role.member, False, False, False, False),
        (Role.observer, False, False, False, False),
        (Role.facilitator, False, False, False, False),
        (Role.vice_chair, False, True, False, False),
        (Role.secretary, False, True, True, False),
        (Role.chair, False, True, True, False),
        ("admin", True, True, True, True),
    ],
)
async def test_pages_and_controls_follow_the_role(
    as_member, session, role, creates, edits, manages, archives
):
    web = await as_member(role)
    body = web.body or factories.body(session)
    other = factories.member(session, body, Role.member)
    listing = await web.get("/bodies")
    assert listing.status_code == 200
    assert ('href="/bodies/new"' in listing.text) is creates
    assert (await web.get("/bodies/new")).status_code == (200 if creates else 403)
    page = await web.get(f"/bodies/{body.id}")
    assert page.status_code == 200
    assert f'href="/bodies/{body.id}/meetings"' in page.text
    assert f'href="/bodies/{body.id}/calendar.ics"' in page.text
    assert (f'href="/bodies/{body.id}/meetings/new"' in page.text) is manages
    assert (f'href="/admin/invitations/new?body_id={body.id}"' in page.text) is manages
    assert (f'href="/bodies/{body.id}/edit"' in page.text) is edits
    assert ('id="add-member"' in page.text) is manages
    membership_id = session.exec(
        select(Membership.id).where(Membership.person_id == other.id)
    ).one()
    assert (f'action="/memberships/{membership_id}/role"' in page.text) is manages
    assert (f'action="/memberships/{membership_id}/remove"' in page.text) is manages
    assert (f'action="/bodies/{body.id}/archive"' in page.text) is archives
    assert (await web.get(f"/bodies/{body.id}/edit")).status_code == (200 if edits else 403)


async def test_a_secretary_manages_only_their_own_body(as_member, session):
    web = await as_member(Role.secretary)
    elsewhere = factories.body(session, region_code="south")
    page = await web.get(f"/bodies/{elsewhere.id}")
    assert 'id="add-member"' not in page.text
    assert f'href="/bodies/{elsewhere.id}/meetings/new"' not in page.text
    before = memberships(session)
    response = await web.post(
        f"/bodies/{elsewhere.id}/members", {"person_id": str(web.person.id), "role": "chair"}
    )
    assert response.status_code == 403
    assert memberships(session) == before


async def test_unknown_body_is_a_404(as_member):
    web = await as_member(Role.member)
    assert (await web.get("/bodies/999999")).status_code == 404


# -- list and page --------------------------------------------------------------------------


async def test_list_shows_the_groups_and_the_committee_with_member_counts(as_member, session):
    web = await as_member(Role.member)
    committee = factories.body(session, name="คณะกรรมการขับเคลื่อนพลังงานชุมชน", kind=BodyKind.committee)
    for _ in range(3):
        factories.member(session, committee)
    page = await web.get("/bodies")
    card = page.text.split(committee.name)[1].split("</article>")[0]
    assert thai("Committee") in card
    assert thai("%(num)s member", num=3) in card
    assert thai("%(num)s member", num=1) in page.text  # the member's own working group


async def test_members_are_in_role_order_with_their_organisation(as_member, session):
    web = await as_member(Role.member)
    body = web.body
    org = factories.organisation(session, name="สำนักงานพลังงานจังหวัดทดสอบ")
    factories.member(
        session, body, Role.observer, person_row=factories.person(session, name="ก ผู้สังเกตการณ์")
    )
    factories.member(
        session,
        body,
        Role.chair,
        person_row=factories.person(session, name="ฮ ประธาน", organisation_id=org.id),
    )
    factories.member(
        session, body, Role.secretary, person_row=factories.person(session, name="ข เลขานุการ")
    )
    page = await web.get(f"/bodies/{body.id}")
    order = [
        page.text.index(name)
        for name in ("ฮ ประธาน", "ข เลขานุการ", web.person.display_name, "ก ผู้สังเกตการณ์")
    ]
    assert order == sorted(order)
    assert org.name in page.text
    assert thai("Chair") in page.text and thai("Observer") in page.text
    assert "ภาคเหนือ" in page.text  # the region


# -- create, edit, archive ------------------------------------------------------------------


async def test_admin_creates_a_body(as_member, session):
    web = await as_member("admin")
    response = await web.post("/bodies/new", body_form(session))
    assert response.status_code == 303
    created = session.exec(select(Body).where(Body.name == "คณะทำงานภาคใต้")).one()
    assert response.headers["location"] == f"/bodies/{created.id}"
    assert thai("The body has been created.") in (await web.get(response.headers["location"])).text


async def test_committee_needs_no_region(as_member, session):
    web = await as_member("admin")
    response = await web.post(
        "/bodies/new", body_form(session, kind="committee", name="คณะกรรมการ", region_id="")
    )
    assert response.status_code == 303


@pytest.mark.parametrize("role", [Role.secretary, Role.chair, Role.member])
async def test_only_an_admin_creates_a_body(as_member, session, role):
    web = await as_member(role)
    before = bodies_table(session)
    response = await web.post("/bodies/new", body_form(session))
    assert response.status_code == 403
    assert bodies_table(session) == before


@pytest.mark.parametrize(
    ("overrides", "field", "msgid", "params"),
    [
        ({"name": ""}, "name", "This field is required.", {}),
        (
            {"name": "ก" * 5000},
            "name",
            "This is too long: at most %(max_length)s characters.",
            {"max_length": 200},
        ),
        ({"kind": "secret_cabal"}, "kind", "Please choose one of the options.", {}),
        ({"region_id": "abc"}, "region_id", "Please enter a whole number.", {}),
        ({"region_id": "999"}, "region_id", "Please choose one of the options.", {}),
        ({"region_id": ""}, "region_id", "A regional working group needs its region.", {}),
    ],
)
async def test_bad_body_input_is_explained_in_thai_and_changes_nothing(
    as_member, session, overrides, field, msgid, params
):
    web = await as_member("admin")
    before = bodies_table(session)
    response = await web.post("/bodies/new", body_form(session, **overrides))
    assert response.status_code == 422
    assert thai(msgid, **params) in response.text
    assert f'id="{field}-error"' in response.text
    assert bodies_table(session) == before
    htmx = await web.post("/bodies/new", body_form(session, **overrides), htmx=True)
    assert htmx.status_code == 422
    assert htmx.text.lstrip().startswith('<form id="body_form"')


async def test_secretary_edits_their_body_and_a_stale_edit_is_refused(as_member, session):
    web = await as_member(Role.secretary)
    body = web.body
    edit = await web.get(f"/bodies/{body.id}/edit")
    assert '<input type="hidden" name="version" value="1">' in edit.text
    form = body_form(session, version="1", name=body.name, region_id=str(body.region_id))
    response = await web.post(f"/bodies/{body.id}/edit", form | {"description": "ฉบับแรก"})
    assert response.status_code == 303
    after_first = bodies_table(session)
    stale = await web.post(f"/bodies/{body.id}/edit", form | {"description": "ฉบับที่สอง"})
    assert stale.status_code == 409
    assert thai(StaleEdit.message) in stale.text
    assert bodies_table(session) == after_first
    session.refresh(body)
    assert body.description == "ฉบับแรก"


async def test_member_cannot_edit_a_body(as_member, session):
    web = await as_member(Role.member)
    before = bodies_table(session)
    response = await web.post(f"/bodies/{web.body.id}/edit", body_form(session, version="1"))
    assert response.status_code == 403
    assert bodies_table(session) == before


async def test_hostile_description_is_escaped(as_member, session):
    web = await as_member("admin")
    script = "<script>alert(1)</script>"
    response = await web.post(
        "/bodies/new", body_form(session, name=script, description="'; DROP TABLE person; --")
    )
    assert response.status_code == 303
    page = await web.get(response.headers["location"])
    assert script not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert (
        session.exec(select(Body).where(Body.name == script)).one().description
        == "'; DROP TABLE person; --"
    )


async def test_admin_archives_and_restores_a_body(as_member, session):
    web = await as_member("admin")
    body = factories.body(session)
    page = await web.get(f"/bodies/{body.id}")
    assert re.search(rf'action="/bodies/{body.id}/archive"[^>]*data-confirm="[^"]+"', page.text)
    assert (await web.post(f"/bodies/{body.id}/archive")).status_code == 303
    assert body.name not in (await web.get("/bodies")).text
    assert body.name in (await web.get("/bodies?archived=1")).text
    before = bodies_table(session)
    twice = await web.post(f"/bodies/{body.id}/archive")
    assert twice.status_code == 409
    assert thai("This body is already archived.") in twice.text
    assert bodies_table(session) == before
    assert (await web.post(f"/bodies/{body.id}/restore")).status_code == 303
    session.refresh(body)
    assert body.archived_at is None


async def test_secretary_cannot_archive(as_member, session):
    web = await as_member(Role.secretary)
    before = bodies_table(session)
    assert (await web.post(f"/bodies/{web.body.id}/archive")).status_code == 403
    assert bodies_table(session) == before


# -- memberships ----------------------------------------------------------------------------


async def test_secretary_adds_a_member(as_member, session):
    web = await as_member(Role.secretary)
    newcomer = factories.person(session, name="นายสมาชิก ใหม่")
    page = await web.get(f"/bodies/{web.body.id}")
    assert f'<option value="{newcomer.id}">' in page.text
    assert f'<option value="{web.person.id}">' not in page.text  # already a member
    response = await web.post(
        f"/bodies/{web.body.id}/members", {"person_id": str(newcomer.id), "role": "facilitator"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/bodies/{web.body.id}#members"
    added = session.exec(select(Membership).where(Membership.person_id == newcomer.id)).one()
    assert added.role == Role.facilitator
    assert thai("The member has been added.") in (await web.get(f"/bodies/{web.body.id}")).text


async def test_htmx_add_answers_with_the_members_block(as_member, session):
    web = await as_member(Role.chair)
    newcomer = factories.person(session, name="นางสาวเข้าร่วม ทันที")
    response = await web.post(
        f"/bodies/{web.body.id}/members",
        {"person_id": str(newcomer.id), "role": "member"},
        htmx=True,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="members"')
    assert "นางสาวเข้าร่วม ทันที" in response.text
    assert "<html" not in response.text


async def test_adding_an_existing_member_is_refused_in_thai(as_member, session):
    web = await as_member(Role.secretary)
    existing = factories.member(session, web.body, Role.member)
    before = memberships(session)
    response = await web.post(
        f"/bodies/{web.body.id}/members", {"person_id": str(existing.id), "role": "chair"}
    )
    assert response.status_code == 409
    assert (
        thai("%(name)s is already a member of this body.", name=existing.display_name)
        in response.text
    )
    assert memberships(session) == before
    htmx = await web.post(
        f"/bodies/{web.body.id}/members",
        {"person_id": str(existing.id), "role": "chair"},
        htmx=True,
    )
    assert htmx.status_code == 409
    assert htmx.text.lstrip().startswith('<section id="members"')
    assert memberships(session) == before


@pytest.mark.parametrize(
    ("form", "field", "msgid"),
    [
        ({"role": "member"}, "person_id", "This field is required."),
        ({"person_id": "abc", "role": "member"}, "person_id", "Please enter a whole number."),
        (
            {"person_id": "999999", "role": "member"},
            "person_id",
            "Please choose one of the options.",
        ),
        ({"person_id": "PERSON", "role": "emperor"}, "role", "Please choose one of the options."),
        ({"person_id": "PERSON", "role": "ก" * 5000}, "role", "Please choose one of the options."),
    ],
)
async def test_bad_member_input_is_explained_in_thai_and_changes_nothing(
    as_member, session, form, field, msgid
):
    web = await as_member(Role.secretary)
    person = factories.person(session)
    form = {key: str(person.id) if value == "PERSON" else value for key, value in form.items()}
    before = memberships(session)
    response = await web.post(f"/bodies/{web.body.id}/members", form)
    assert response.status_code == 422
    assert thai(msgid) in response.text
    assert f'id="{field}-error"' in response.text
    assert memberships(session) == before


async def test_change_role_plain_and_htmx(as_member, session):
    web = await as_member(Role.secretary)
    person = factories.member(session, web.body, Role.member)
    membership = session.exec(select(Membership).where(Membership.person_id == person.id)).one()
    plain = await web.post(f"/memberships/{membership.id}/role", {"role": "vice_chair"})
    assert plain.status_code == 303
    assert plain.headers["location"] == f"/bodies/{web.body.id}#members"
    session.refresh(membership)
    assert membership.role == Role.vice_chair
    htmx = await web.post(f"/memberships/{membership.id}/role", {"role": "observer"}, htmx=True)
    assert htmx.status_code == 200
    assert htmx.text.lstrip().startswith(f'<tr id="member-{membership.id}"')
    assert '<option value="observer" selected>' in htmx.text
    session.refresh(membership)
    assert membership.role == Role.observer


async def test_bad_role_is_refused_and_changes_nothing(as_member, session):
    web = await as_member(Role.secretary)
    person = factories.member(session, web.body, Role.member)
    membership_id = session.exec(
        select(Membership.id).where(Membership.person_id == person.id)
    ).one()
    before = memberships(session)
    for role in ("", "emperor", "<script>alert(1)</script>"):
        response = await web.post(f"/memberships/{membership_id}/role", {"role": role})
        assert response.status_code == 422
        assert thai("Please correct the highlighted fields.") in response.text
        assert "<script>alert(1)" not in response.text
    htmx = await web.post(f"/memberships/{membership_id}/role", {"role": "emperor"}, htmx=True)
    assert htmx.status_code == 422
    assert htmx.headers["HX-Retarget"] == "#main"
    assert memberships(session) == before


@pytest.mark.parametrize("role", [Role.member, Role.vice_chair, Role.facilitator])
async def test_members_cannot_change_roles_or_remove(as_member, session, role):
    web = await as_member(role)
    person = factories.member(session, web.body, Role.member)
    membership_id = session.exec(
        select(Membership.id).where(Membership.person_id == person.id)
    ).one()
    before = memberships(session)
    assert (
        await web.post(f"/memberships/{membership_id}/role", {"role": "chair"})
    ).status_code == 403
    assert (await web.post(f"/memberships/{membership_id}/remove")).status_code == 403
    assert (
        await web.post(
            f"/bodies/{web.body.id}/members",
            {"person_id": str(factories.person(session).id), "role": "member"},
        )
    ).status_code == 403
    assert memberships(session) == before


async def test_secretary_removes_a_member(as_member, session):
    web = await as_member(Role.secretary)
    person = factories.member(session, web.body, Role.member)
    membership_id = session.exec(
        select(Membership.id).where(Membership.person_id == person.id)
    ).one()
    page = await web.get(f"/bodies/{web.body.id}")
    assert re.search(
        rf'action="/memberships/{membership_id}/remove"[^>]*\s+data-confirm="[^"]+"', page.text
    )
    response = await web.post(f"/memberships/{membership_id}/remove")
    assert response.status_code == 303
    assert response.headers["location"] == f"/bodies/{web.body.id}#members"
    session.expire_all()
    assert session.get(Membership, membership_id) is None
    again = await web.post(f"/memberships/{membership_id}/remove")
    assert again.status_code == 404


async def test_anonymous_membership_changes_are_refused(client, session):
    body = factories.body(session)
    person = factories.member(session, body, Role.member)
    membership_id = session.exec(
        select(Membership.id).where(Membership.person_id == person.id)
    ).one()
    before = memberships(session)
    assert (
        await client.post(f"/memberships/{membership_id}/role", {"role": "chair"})
    ).status_code == 401
    assert (await client.post(f"/memberships/{membership_id}/remove")).status_code == 401
    assert (
        await client.post(
            f"/bodies/{body.id}/members", {"person_id": str(person.id), "role": "chair"}
        )
    ).status_code == 401
    assert memberships(session) == before
