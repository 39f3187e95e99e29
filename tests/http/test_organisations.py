"""/organisations: the directory's list, search, forms and archive, over HTTP."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, col, func, select

from forum.db import utcnow
from forum.errors import StaleEdit
from forum.i18n import translate
from forum.models import AuditEvent, Organisation, OrganisationKind, Person, Role, Side
from tests import factories

pytestmark = pytest.mark.anyio

OFFICE_CM = "สำนักงานพลังงานจังหวัดเชียงใหม่"


def thai(msgid: str, **params: object) -> str:
    """The Thai text the user sees (and proof it is translated)."""
    text = translate(msgid, "th", **params)
    assert re.search("[\u0e00-\u0e7f]", text), f"no Thai for {msgid!r}"
    return text


def results(response) -> str:
    """Only the results table of a list page (the header and footer mention offices too)."""
    return response.text.split('<section id="results"')[1].split("</section>")[0]


def organisations_table(session: Session) -> list[tuple]:
    """Everything a form could change, to prove a refused request changed nothing."""
    session.expire_all()
    return list(
        session.exec(
            select(
                Organisation.id,
                Organisation.name,
                Organisation.kind,
                Organisation.province_id,
                Organisation.version,
                Organisation.archived_at,
            ).order_by(col(Organisation.id))
        )
    )


def office(session: Session, name: str = OFFICE_CM) -> Organisation:
    return session.exec(select(Organisation).where(Organisation.name == name)).one()


def new_org_form(session: Session, **overrides: str) -> dict[str, str]:
    form = {
        "name": "วิสาหกิจชุมชนพลังงานทดแทนบ้านแม่ทา",
        "kind": "community_enterprise",
        "province_id": str(factories.province(session).id),
        "description": "ผลิตเตาชีวมวล",
    }
    return form | overrides


# -- who may see what -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/organisations", "/organisations/new", "/organisations/1", "/organisations/1/edit"]
)
async def test_anonymous_visitor_is_sent_to_log_in(client, url):
    response = await client.get(url)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


async def test_anonymous_post_is_refused_and_creates_nothing(client, session):
    before = organisations_table(session)
    response = await client.post("/organisations/new", new_org_form(session))
    assert response.status_code == 401
    assert organisations_table(session) == before


@pytest.mark.parametrize(
    ("role", "new_status", "edit_status", "shows_add", "shows_edit", "shows_archive"),
    [
        (Role.member, 403, 403, False, False, False),
        (Role.facilitator, 403, 403, False, False, False),
        (Role.secretary, 200, 200, True, True, False),
        (Role.chair, 200, 200, True, True, False),
        ("admin", 200, 200, True, True, True),
    ],
)
async def test_pages_and_controls_follow_the_role(
    as_member, session, role, new_status, edit_status, shows_add, shows_edit, shows_archive
):
    web = await as_member(role)
    org_id = office(session).id
    listing = await web.get("/organisations")
    assert listing.status_code == 200
    assert ('href="/organisations/new"' in listing.text) is shows_add
    page = await web.get(f"/organisations/{org_id}")
    assert page.status_code == 200
    assert (f'href="/organisations/{org_id}/edit"' in page.text) is shows_edit
    assert (f'action="/organisations/{org_id}/archive"' in page.text) is shows_archive
    assert (await web.get("/organisations/new")).status_code == new_status
    edit = await web.get(f"/organisations/{org_id}/edit")
    assert edit.status_code == edit_status
    if edit_status == 403:
        assert thai("You do not have permission to do that.") in edit.text


async def test_unknown_organisation_is_a_404(as_member):
    web = await as_member(Role.member)
    response = await web.get("/organisations/999999")
    assert response.status_code == 404
    assert thai("We could not find that page.") in response.text


# -- list, search, filters, pages ----------------------------------------------------------


async def test_thai_substring_search_finds_the_office(as_member, session):
    web = await as_member(Role.member)
    response = await web.get("/organisations", params={"q": "พลังงานจังหวัดเชียงใหม่"})
    assert response.status_code == 200
    assert "<html" in response.text
    assert OFFICE_CM in response.text
    assert "สำนักงานพลังงานจังหวัดลำพูน" not in response.text
    broad = await web.get("/organisations", params={"q": "พลังงาน"})
    assert thai("%(num)s organisation found", num=76) in broad.text
    in_chiang_mai = await web.get(
        "/organisations", params={"q": "พลังงาน", "province_id": factories.province(session).id}
    )
    assert OFFICE_CM in in_chiang_mai.text


async def test_htmx_search_gets_only_the_results_block(as_member):
    web = await as_member(Role.member)
    response = await web.get("/organisations", params={"q": "เชียงใหม่"}, htmx=True)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="results"')
    assert "<html" not in response.text
    assert OFFICE_CM in response.text
    assert "HX-Request" in response.headers["vary"]


async def test_search_form_works_with_and_without_javascript(as_member):
    web = await as_member(Role.member)
    page = await web.get("/organisations")
    form = re.search(r'<form id="organisation-search"[^>]*>', page.text).group(0)
    assert 'method="get" action="/organisations"' in form
    assert (
        'hx-get="/organisations"' in form
        and 'hx-target="#results"' in form
        and 'hx-push-url="true"' in form
    )


async def test_filters_by_kind_side_and_province(as_member, session):
    web = await as_member(Role.member)
    chiang_mai = factories.province(session)
    lamphun = factories.province(session, "ลำพูน")
    enterprise = factories.organisation(
        session, name="วิสาหกิจชุมชนโซลาร์ดอยสะเก็ด", province_id=chiang_mai.id
    )
    factories.organisation(session, name="วิสาหกิจชุมชนลำพูนพลังงาน", province_id=lamphun.id)
    by_kind = await web.get(
        "/organisations", params={"kind": "community_enterprise", "province_id": chiang_mai.id}
    )
    assert enterprise.name in by_kind.text
    assert OFFICE_CM not in by_kind.text
    assert "วิสาหกิจชุมชนลำพูนพลังงาน" not in by_kind.text
    by_side = await web.get("/organisations", params={"side": "network"})
    assert enterprise.name in by_side.text
    assert "สำนักงานพลังงานจังหวัด" not in results(by_side)
    by_province = await web.get("/organisations", params={"province_id": chiang_mai.id})
    assert OFFICE_CM in by_province.text and enterprise.name in by_province.text
    assert thai("%(num)s organisation found", num=2) in by_province.text


async def test_wrongly_typed_filters_are_ignored_not_an_error(as_member):
    web = await as_member(Role.member)
    response = await web.get(
        "/organisations", params={"province_id": "abc", "kind": "<script>", "page": "x"}
    )
    assert response.status_code == 200
    assert "<script>" not in results(response)


async def test_pagination_keeps_the_filters(as_member):
    web = await as_member(Role.member)
    first = await web.get("/organisations", params={"kind": "provincial_energy_office"})
    assert 'rel="next"' in first.text
    assert "/organisations?kind=provincial_energy_office&amp;page=2" in first.text
    second = await web.get("/organisations", params={"kind": "provincial_energy_office", "page": 2})
    names_first = set(re.findall(r'href="/organisations/(\d+)"', first.text))
    names_second = set(re.findall(r'href="/organisations/(\d+)"', second.text))
    assert names_second and not names_first & names_second
    assert 'rel="prev"' in second.text


async def test_archived_toggle_shows_only_archived(as_member, session):
    web = await as_member(Role.member)
    gone = factories.organisation(session, name="กลุ่มอาชีพที่เลิกกิจการแล้ว")
    gone.archived_at = utcnow()
    session.add(gone)
    session.commit()
    active = await web.get("/organisations", params={"q": "เลิกกิจการ"})
    assert gone.name not in active.text
    archived = await web.get("/organisations", params={"q": "เลิกกิจการ", "archived": "1"})
    assert gone.name in archived.text
    assert 'href="/organisations?archived=1" aria-current="page"' in archived.text


async def test_detail_page_lists_its_people(as_member, session):
    web = await as_member(Role.member)
    org = office(session)
    factories.person(session, name="นางสาวสมศรี ใจดี", organisation_id=org.id)
    page = await web.get(f"/organisations/{org.id}")
    assert "นางสาวสมศรี ใจดี" in page.text
    assert thai("Provincial Energy Office") in page.text  # the kind's label, not its value
    assert "provincial_energy_office" not in page.text


# -- create -----------------------------------------------------------------------------------


async def test_secretary_adds_an_organisation(as_member, session):
    web = await as_member(Role.secretary)
    response = await web.post("/organisations/new", new_org_form(session))
    assert response.status_code == 303
    created = session.exec(
        select(Organisation).where(Organisation.name == "วิสาหกิจชุมชนพลังงานทดแทนบ้านแม่ทา")
    ).one()
    assert response.headers["location"] == f"/organisations/{created.id}"
    assert created.side == Side.network  # decided from the kind
    assert session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "forum.organisation.create", AuditEvent.target_id == created.id
        )
    ).first()
    page = await web.get(response.headers["location"])
    assert thai("The organisation has been added.") in page.text


async def test_htmx_create_answers_with_a_client_redirect(as_member, session):
    web = await as_member(Role.secretary)
    response = await web.post("/organisations/new", new_org_form(session), htmx=True)
    assert response.status_code == 204
    target = response.headers.get("HX-Redirect") or response.headers.get("HX-Location")
    assert target.startswith("/organisations/")


async def test_member_cannot_add_an_organisation(as_member, session):
    web = await as_member(Role.member)
    before = organisations_table(session)
    response = await web.post("/organisations/new", new_org_form(session))
    assert response.status_code == 403
    assert organisations_table(session) == before


@pytest.mark.parametrize(
    ("overrides", "field", "msgid", "params"),
    [
        ({"name": ""}, "name", "This field is required.", {}),
        ({"name": "   "}, "name", "This field is required.", {}),
        (
            {"name": "ก" * 5000},
            "name",
            "This is too long: at most %(max_length)s characters.",
            {"max_length": 200},
        ),
        ({"kind": ""}, "kind", "This field is required.", {}),
        ({"kind": "secret_society"}, "kind", "Please choose one of the options.", {}),
        ({"province_id": "abc"}, "province_id", "Please enter a whole number.", {}),
        ({"province_id": "999999"}, "province_id", "Please choose one of the options.", {}),
        (
            {"description": "ข" * 5001},
            "description",
            "This is too long: at most %(max_length)s characters.",
            {"max_length": 5000},
        ),
    ],
)
async def test_bad_input_is_explained_in_thai_and_changes_nothing(
    as_member, session, overrides, field, msgid, params
):
    web = await as_member(Role.secretary)
    before = organisations_table(session)
    response = await web.post("/organisations/new", new_org_form(session, **overrides))
    assert response.status_code == 422
    assert thai(msgid, **params) in response.text
    assert f'id="{field}-error"' in response.text
    assert thai("Please correct the highlighted fields.") in response.text
    if field != "description":
        assert "ผลิตเตาชีวมวล</textarea>" in response.text  # what was typed is kept
    assert organisations_table(session) == before


async def test_invalid_htmx_create_gets_the_form_block_back(as_member, session):
    web = await as_member(Role.secretary)
    response = await web.post("/organisations/new", new_org_form(session, name=""), htmx=True)
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form id="organisation_form"')
    assert "ผลิตเตาชีวมวล</textarea>" in response.text
    assert '<optgroup label="ภาคเหนือ">' in response.text


async def test_same_name_twice_in_a_province_is_refused(as_member, session):
    web = await as_member(Role.secretary)
    before = organisations_table(session)
    form = new_org_form(session, name=OFFICE_CM, kind="provincial_energy_office")
    response = await web.post("/organisations/new", form)
    assert response.status_code == 422
    assert thai("An organisation with this name already exists in this province.") in response.text
    assert organisations_table(session) == before


async def test_hostile_text_is_stored_as_text_and_shown_escaped(as_member, session):
    web = await as_member(Role.secretary)
    script = "<script>alert(1)</script>"
    sql = "'; DROP TABLE person; --"
    response = await web.post(
        "/organisations/new", new_org_form(session, name=script, description=sql)
    )
    assert response.status_code == 303
    page = await web.get(response.headers["location"])
    assert script not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    stored = session.exec(select(Organisation).where(Organisation.name == script)).one()
    assert stored.description == sql
    assert (
        session.exec(select(func.count()).select_from(Person)).one() >= 1
    )  # the table is still there
    listing = await web.get("/organisations", params={"q": "<script>"})
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing.text and script not in listing.text


# -- edit -------------------------------------------------------------------------------------


async def test_edit_form_carries_the_version_and_groups_provinces_by_region(as_member, session):
    web = await as_member(Role.secretary)
    org = office(session)
    page = await web.get(f"/organisations/{org.id}/edit")
    assert '<input type="hidden" name="version" value="1">' in page.text
    assert '<optgroup label="ภาคตะวันออกเฉียงเหนือ">' in page.text
    assert f'<option value="{org.province_id}" selected>' in page.text


async def test_secretary_edits_an_organisation(as_member, session):
    web = await as_member(Role.secretary)
    org = office(session)
    form = {
        "version": "1",
        "name": org.name,
        "name_en": "Chiang Mai PEO",
        "kind": "provincial_energy_office",
        "province_id": str(org.province_id),
        "description": "ดูแลงานพลังงานชุมชน",
    }
    response = await web.post(f"/organisations/{org.id}/edit", form)
    assert response.status_code == 303
    session.refresh(org)
    assert (org.name_en, org.description, org.version) == ("Chiang Mai PEO", "ดูแลงานพลังงานชุมชน", 2)


async def test_two_people_editing_at_once_second_gets_a_clear_409(make_client, session):
    body = factories.body(session)
    first = make_client().log_in_as(session, factories.member(session, body, Role.secretary))
    second = make_client().log_in_as(session, factories.member(session, body, Role.chair))
    org = office(session)
    form = {
        "version": "1",
        "name": org.name,
        "kind": "provincial_energy_office",
        "province_id": str(org.province_id),
    }
    assert (
        await first.post(f"/organisations/{org.id}/edit", form | {"name_en": "First"})
    ).status_code == 303
    after_first = organisations_table(session)
    response = await second.post(f"/organisations/{org.id}/edit", form | {"name_en": "Second"})
    assert response.status_code == 409
    assert thai(StaleEdit.message) in response.text
    assert 'value="Second"' in response.text  # their text is kept to copy
    assert f'href="/organisations/{org.id}/edit"' in response.text
    assert organisations_table(session) == after_first
    session.refresh(org)
    assert org.name_en == "First"
    again = await second.post(
        f"/organisations/{org.id}/edit", form | {"name_en": "Second"}, htmx=True
    )
    assert again.status_code == 409
    assert again.text.lstrip().startswith('<form id="organisation_form"')


async def test_edit_with_bad_input_keeps_the_record(as_member, session):
    web = await as_member(Role.secretary)
    org = office(session)
    before = organisations_table(session)
    response = await web.post(
        f"/organisations/{org.id}/edit",
        {"version": "1", "name": "", "kind": "provincial_energy_office"},
    )
    assert response.status_code == 422
    assert thai("This field is required.") in response.text
    assert organisations_table(session) == before


async def test_member_cannot_edit(as_member, session):
    web = await as_member(Role.member)
    org = office(session)
    before = organisations_table(session)
    response = await web.post(
        f"/organisations/{org.id}/edit", {"version": "1", "name": "ชื่อใหม่", "kind": "other"}
    )
    assert response.status_code == 403
    assert organisations_table(session) == before


# -- archive ----------------------------------------------------------------------------------


async def test_admin_archives_and_restores(as_member, session):
    web = await as_member("admin")
    org = factories.organisation(session)
    page = await web.get(f"/organisations/{org.id}")
    assert re.search(
        rf'action="/organisations/{org.id}/archive"[^>]*data-confirm="[^"]+"', page.text
    )
    response = await web.post(f"/organisations/{org.id}/archive")
    assert response.status_code == 303
    session.refresh(org)
    assert org.archived_at is not None
    before = organisations_table(session)
    twice = await web.post(f"/organisations/{org.id}/archive")
    assert twice.status_code == 409
    assert thai("This organisation is already archived.") in twice.text
    assert organisations_table(session) == before
    restored = await web.post(f"/organisations/{org.id}/restore")
    assert restored.status_code == 303
    session.refresh(org)
    assert org.archived_at is None


@pytest.mark.parametrize("role", [Role.member, Role.secretary, Role.chair])
async def test_only_an_admin_archives(as_member, session, role):
    web = await as_member(role)
    org = factories.organisation(session, kind=OrganisationKind.other)
    before = organisations_table(session)
    response = await web.post(f"/organisations/{org.id}/archive")
    assert response.status_code == 403
    assert organisations_table(session) == before


async def test_archive_without_csrf_token_is_refused(as_member, session):
    web = await as_member("admin")
    org = factories.organisation(session)
    response = await web.post(f"/organisations/{org.id}/archive", csrf=False)
    assert response.status_code == 403
    session.refresh(org)
    assert org.archived_at is None
