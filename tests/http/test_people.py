"""/people: the member directory, profiles, profile edits and archiving, over HTTP."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, col, select

from forum import privacy
from forum.errors import StaleEdit
from forum.i18n import translate
from forum.models import LoginSession, Person, Role
from tests import factories

pytestmark = pytest.mark.anyio


def thai(msgid: str, **params: object) -> str:
    text = translate(msgid, "th", **params)
    assert re.search("[\u0e00-\u0e7f]", text), f"no Thai for {msgid!r}"
    return text


def results(response) -> str:
    return response.text.split('<section id="results"')[1].split("</section>")[0]


def people_table(session: Session) -> list[tuple]:
    session.expire_all()
    return list(
        session.exec(
            select(
                Person.id,
                Person.display_name,
                Person.position,
                Person.phone,
                Person.organisation_id,
                Person.version,
                Person.archived_at,
            ).order_by(col(Person.id))
        )
    )


def profile_form(person: Person, **overrides: str) -> dict[str, str]:
    form = {
        "version": str(person.version),
        "display_name": person.display_name,
        "position": "นักวิชาการพลังงาน",
        "phone": "081 234 5678",
        "organisation_id": "",
    }
    return form | overrides


# -- who may see what -------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/people", "/people/1", "/people/1/edit"])
async def test_anonymous_visitor_is_sent_to_log_in(client, url):
    response = await client.get(url)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("role", "edits_other", "archives"),
    [
        (Role.member, False, False),
        (Role.secretary, False, False),
        (Role.chair, False, False),
        ("admin", True, True),
    ],
)
async def test_profile_controls_follow_the_role(as_member, session, role, edits_other, archives):
    web = await as_member(role)
    other = factories.person(session, name="นายสมหมาย รักถิ่น")
    assert (await web.get("/people")).status_code == 200
    page = await web.get(f"/people/{other.id}")
    assert page.status_code == 200
    assert (f'href="/people/{other.id}/edit"' in page.text) is edits_other
    assert (f'action="/people/{other.id}/archive"' in page.text) is archives
    edit = await web.get(f"/people/{other.id}/edit")
    assert edit.status_code == (200 if edits_other else 403)
    own = await web.get(f"/people/{web.person.id}")
    assert f'href="/people/{web.person.id}/edit"' in own.text
    assert f'action="/people/{web.person.id}/archive"' not in own.text  # never one's own account
    assert (await web.get(f"/people/{web.person.id}/edit")).status_code == 200


async def test_unknown_person_is_a_404(as_member):
    web = await as_member(Role.member)
    assert (await web.get("/people/999999")).status_code == 404


# -- list and search -------------------------------------------------------------------------


async def test_search_by_name_position_and_organisation(as_member, session):
    web = await as_member(Role.member)
    org = factories.organisation(session, name="วิสาหกิจชุมชนโซลาร์เซลล์บ้านโป่ง")
    somsri = factories.person(session, name="นางสาวสมศรี ใจดี", organisation_id=org.id)
    somsri.position = "ผู้อำนวยการกลุ่มงานยุทธศาสตร์"
    session.add(somsri)
    session.commit()
    for q in ("สมศรี", "ยุทธศาสตร์", "โซลาร์เซลล์"):
        response = await web.get("/people", params={"q": q})
        assert "นางสาวสมศรี ใจดี" in results(response), q
    nobody = await web.get("/people", params={"q": "ไม่มีใครชื่อนี้"})
    assert thai("Nobody matches your search.") in nobody.text


async def test_filter_by_organisation(as_member, session):
    web = await as_member(Role.member)
    org = factories.organisation(session)
    inside = factories.person(session, name="นายในองค์กร ทดสอบ", organisation_id=org.id)
    outside = factories.person(session, name="นายนอกองค์กร ทดสอบ")
    response = await web.get("/people", params={"organisation_id": org.id})
    assert inside.display_name in results(response)
    assert outside.display_name not in results(response)
    ignored = await web.get("/people", params={"organisation_id": "abc"})
    assert ignored.status_code == 200 and outside.display_name in results(ignored)


async def test_htmx_search_gets_only_the_results_block(as_member, session):
    web = await as_member(Role.member)
    factories.person(session, name="นางบุญมี ศรีสุข")
    response = await web.get("/people", params={"q": "บุญมี"}, htmx=True)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="results"')
    assert "นางบุญมี ศรีสุข" in response.text
    page = await web.get("/people", params={"q": "บุญมี"})
    assert "<html" in page.text and 'hx-get="/people"' in page.text


async def test_people_list_is_paginated(as_member, session):
    web = await as_member(Role.member)
    for n in range(30):
        factories.person(session, name=f"นายหน้าหลายหน้า {n:02d}")
    first = await web.get("/people", params={"q": "หน้าหลายหน้า"})
    assert thai("%(num)s person found", num=30) in first.text
    assert 'href="/people?q=%E0%B8%AB' in first.text and "page=2" in first.text
    second = await web.get("/people", params={"q": "หน้าหลายหน้า", "page": 2})
    assert "นายหน้าหลายหน้า 29" in results(second)
    assert "นายหน้าหลายหน้า 00" not in results(second)


async def test_archived_people_are_listed_separately(as_member, session):
    web = await as_member("admin")
    gone = factories.person(session, name="นายเกษียณ แล้ว")
    gone.archived_at = factories.utcnow()
    session.add(gone)
    session.commit()
    assert gone.display_name not in results(await web.get("/people"))
    assert gone.display_name in results(await web.get("/people", params={"archived": "1"}))


# -- profile ----------------------------------------------------------------------------------


async def test_profile_shows_organisation_and_memberships_with_role_labels(as_member, session):
    web = await as_member(Role.member)
    org = factories.organisation(session, name="เครือข่ายอาสาสมัครพลังงานลำปาง")
    person = factories.person(session, name="นายพลัง งานดี", organisation_id=org.id)
    north = factories.body(session, name="คณะทำงานภาคเหนือ")
    factories.member(session, north, Role.vice_chair, person_row=person)
    page = await web.get(f"/people/{person.id}")
    assert org.name in page.text
    assert "คณะทำงานภาคเหนือ" in page.text
    assert thai("Vice-chair") in page.text
    assert "vice_chair" not in page.text


async def test_contact_details_only_when_shared(as_member, session):
    web = await as_member(Role.member)
    person = factories.person(session, email="private@example.org")
    person.phone = "0812345678"
    session.add(person)
    session.commit()
    hidden = await web.get(f"/people/{person.id}")
    assert "private@example.org" not in hidden.text and "0812345678" not in hidden.text
    assert thai("This person has not chosen to share their contact details.") in hidden.text
    privacy.record_consent(session, person.id, purpose=privacy.PURPOSE_CONTACT)
    session.commit()
    shown = await web.get(f"/people/{person.id}")
    assert "private@example.org" in shown.text and "0812345678" in shown.text


async def test_own_and_admin_view_show_contact_details(as_member, session):
    me = await as_member(Role.member)
    me.person.phone = "0899999999"
    session.add(me.person)
    session.commit()
    assert me.person.email in (await me.get(f"/people/{me.person.id}")).text
    admin = await as_member("admin")
    assert "0899999999" in (await admin.get(f"/people/{me.person.id}")).text


# -- edit -------------------------------------------------------------------------------------


async def test_member_edits_own_profile(as_member, session):
    web = await as_member(Role.member)
    org = factories.organisation(session)
    form = profile_form(web.person, display_name="นายใหม่ ชื่อใหม่", organisation_id=str(org.id))
    edit = await web.get(f"/people/{web.person.id}/edit")
    assert f'<input type="hidden" name="version" value="{web.person.version}">' in edit.text
    response = await web.post(f"/people/{web.person.id}/edit", form)
    assert response.status_code == 303
    assert response.headers["location"] == f"/people/{web.person.id}"
    session.refresh(web.person)
    assert (web.person.display_name, web.person.phone, web.person.organisation_id) == (
        "นายใหม่ ชื่อใหม่",
        "081 234 5678",
        org.id,
    )
    assert (
        thai("Your changes have been saved.") in (await web.get(response.headers["location"])).text
    )


async def test_htmx_edit_answers_with_a_client_redirect(as_member, session):
    web = await as_member(Role.member)
    response = await web.post(f"/people/{web.person.id}/edit", profile_form(web.person), htmx=True)
    assert response.status_code == 204
    assert (
        response.headers.get("HX-Redirect") or response.headers.get("HX-Location")
    ) == f"/people/{web.person.id}"


@pytest.mark.parametrize("role", [Role.member, Role.secretary, Role.chair])
async def test_nobody_but_an_admin_edits_someone_else(as_member, session, role):
    web = await as_member(role)
    other = factories.person(session)
    before = people_table(session)
    response = await web.post(
        f"/people/{other.id}/edit", profile_form(other, display_name="ถูกแก้โดยคนอื่น")
    )
    assert response.status_code == 403
    assert thai("You do not have permission to do that.") in response.text
    assert people_table(session) == before


async def test_admin_edits_someone_else(as_member, session):
    web = await as_member("admin")
    other = factories.person(session)
    response = await web.post(
        f"/people/{other.id}/edit", profile_form(other, position="เลขานุการคณะทำงาน")
    )
    assert response.status_code == 303
    session.refresh(other)
    assert other.position == "เลขานุการคณะทำงาน"


@pytest.mark.parametrize(
    ("overrides", "field", "msgid", "params"),
    [
        ({"display_name": ""}, "display_name", "This field is required.", {}),
        (
            {"display_name": "ก" * 5000},
            "display_name",
            "This is too long: at most %(max_length)s characters.",
            {"max_length": 120},
        ),
        ({"phone": "โทรหาฉันสิ"}, "phone", "Please check this value.", {}),
        ({"organisation_id": "abc"}, "organisation_id", "Please enter a whole number.", {}),
        ({"organisation_id": "999999"}, "organisation_id", "Please choose one of the options.", {}),
    ],
)
async def test_bad_profile_input_is_explained_in_thai_and_changes_nothing(
    as_member, session, overrides, field, msgid, params
):
    web = await as_member(Role.member)
    before = people_table(session)
    response = await web.post(
        f"/people/{web.person.id}/edit", profile_form(web.person, **overrides)
    )
    assert response.status_code == 422
    assert thai(msgid, **params) in response.text
    assert f'id="{field}-error"' in response.text
    assert people_table(session) == before


async def test_invalid_htmx_edit_gets_the_form_block(as_member, session):
    web = await as_member(Role.member)
    response = await web.post(
        f"/people/{web.person.id}/edit", profile_form(web.person, display_name=""), htmx=True
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form id="person_form"')
    assert 'value="นักวิชาการพลังงาน"' in response.text


async def test_two_edits_with_the_same_version_second_gets_409(as_member, session):
    web = await as_member("admin")
    other = factories.person(session)
    form = profile_form(other)
    assert (
        await web.post(f"/people/{other.id}/edit", form | {"position": "ฉบับแรก"})
    ).status_code == 303
    after_first = people_table(session)
    response = await web.post(f"/people/{other.id}/edit", form | {"position": "ฉบับที่สอง"})
    assert response.status_code == 409
    assert thai(StaleEdit.message) in response.text
    assert people_table(session) == after_first
    session.refresh(other)
    assert other.position == "ฉบับแรก"


async def test_hostile_name_is_escaped_and_sql_text_is_stored_as_text(as_member, session):
    web = await as_member(Role.member)
    script = "<script>alert(1)</script>"
    sql = "'; DROP TABLE person; --"
    response = await web.post(
        f"/people/{web.person.id}/edit", profile_form(web.person, display_name=script, position=sql)
    )
    assert response.status_code == 303
    session.refresh(web.person)
    assert (web.person.display_name, web.person.position) == (script, sql)
    page = await web.get(f"/people/{web.person.id}")
    assert script not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "&#39;; DROP TABLE person; --" in page.text
    listing = await web.get("/people", params={"q": "DROP TABLE"})
    assert "&lt;script&gt;" in results(listing)


# -- archive ----------------------------------------------------------------------------------


async def test_admin_archives_an_account_which_logs_it_out(as_member, session):
    admin = await as_member("admin")
    target = await as_member(Role.member)
    assert (await target.get("/people")).status_code == 200
    page = await admin.get(f"/people/{target.person.id}")
    assert re.search(
        rf'action="/people/{target.person.id}/archive"[^>]*data-confirm="[^"]+"', page.text
    )
    response = await admin.post(f"/people/{target.person.id}/archive")
    assert response.status_code == 303
    session.refresh(target.person)
    assert target.person.archived_at is not None
    assert (
        session.exec(select(LoginSession).where(LoginSession.person_id == target.person.id)).first()
        is None
    )
    assert (await target.get("/people")).status_code == 303  # logged out: sent to log in
    restored = await admin.post(f"/people/{target.person.id}/restore")
    assert restored.status_code == 303
    session.refresh(target.person)
    assert target.person.archived_at is None


async def test_archiving_twice_or_oneself_is_refused_in_thai(as_member, session):
    admin = await as_member("admin")
    before = people_table(session)
    own = await admin.post(f"/people/{admin.person.id}/archive")
    assert own.status_code == 409
    assert thai("You cannot archive your own account.") in own.text
    other = factories.person(session)
    restore = await admin.post(f"/people/{other.id}/restore")
    assert restore.status_code == 409
    assert thai("This account is not archived.") in restore.text
    assert people_table(session)[: len(before)] == before


@pytest.mark.parametrize("role", [Role.member, Role.secretary, Role.chair])
async def test_only_an_admin_archives_accounts(as_member, session, role):
    web = await as_member(role)
    other = factories.person(session)
    before = people_table(session)
    response = await web.post(f"/people/{other.id}/archive")
    assert response.status_code == 403
    assert people_table(session) == before
