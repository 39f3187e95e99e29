"""The directory of people: member accounts, their organisations and their bodies."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from forum import i18n, organisations, people, policy
from forum.errors import InvalidInput, StaleEdit
from forum.models import Person
from forum.web import (
    Id,
    MemberDep,
    SessionDep,
    form_int,
    form_values,
    redirect,
    render,
    url_with_query,
)

router = APIRouter()

FIELDS = ("display_name", "position", "phone", "organisation_id")


@router.get("/people")
def person_list(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    q: str = "",
    organisation_id: str = "",
    archived: str = "",
    page: str = "1",
) -> Response:
    filters = {
        "q": q.strip()[:100],
        "organisation_id": form_int(organisation_id, "organisation_id"),
        "archived": archived == "1",
    }
    results = people.list_people(session, actor, page=form_int(page, "page") or 1, **filters)
    context = {
        "results": results,
        "filters": filters,
        "page_url": url_with_query(
            "/people", {**filters, "archived": "1" if filters["archived"] else ""}
        ),
        "organisations": organisations.organisation_choices(session),
    }
    return render(request, "forum/person_list_page.html", context, block="results")


@router.get("/people/{person_id}")
def person_page(
    request: Request, session: SessionDep, actor: MemberDep, person_id: Id
) -> Response:
    profile = people.get_person(session, actor, person_id=person_id)
    return render(request, "forum/person_page.html", {"profile": profile, "person": profile.person})


def _form(
    request: Request,
    session: Session,
    person: Person,
    values: dict,
    errors: dict,
    status: int = 200,
    conflict: str = "",
) -> Response:
    context = {
        "person": person,
        "values": values,
        "errors": errors,
        "conflict": conflict,
        "organisations": organisations.organisation_choices(session),
    }
    return render(
        request, "forum/person_form_page.html", context, block="person_form", status_code=status
    )


@router.get("/people/{person_id}/edit")
def edit_person_page(
    request: Request, session: SessionDep, actor: MemberDep, person_id: Id
) -> Response:
    person = people.get_person(session, actor, person_id=person_id).person
    policy.require(actor, "forum.person.edit", person)
    return _form(
        request, session, person, {name: getattr(person, name) for name in (*FIELDS, "version")}, {}
    )


@router.post("/people/{person_id}/edit")
async def update_person(
    request: Request, session: SessionDep, actor: MemberDep, person_id: Id
) -> Response:
    values = form_values(await request.form())
    data = {key: value for key, value in values.items() if key in FIELDS}
    try:
        people.update_person(
            session,
            actor,
            person_id=person_id,
            version=form_int(values.get("version"), "version") or 0,
            **data,
        )
    except InvalidInput as error:
        return _form(
            request,
            session,
            people.get_person(session, actor, person_id=person_id).person,
            values,
            error.fields,
            422,
        )
    except StaleEdit as error:
        person = people.get_person(session, actor, person_id=person_id).person
        return _form(
            request, session, person, values, {}, error.status, i18n.gettext(error.message)
        )
    return redirect(request, f"/people/{person_id}", flash="Your changes have been saved.")


@router.post("/people/{person_id}/archive")
def archive_person(
    request: Request, session: SessionDep, actor: MemberDep, person_id: Id
) -> Response:
    people.set_person_archived(session, actor, person_id=person_id, archived=True)
    return redirect(request, f"/people/{person_id}", flash="The account has been archived.")


@router.post("/people/{person_id}/restore")
def restore_person(
    request: Request, session: SessionDep, actor: MemberDep, person_id: Id
) -> Response:
    people.set_person_archived(session, actor, person_id=person_id, archived=False)
    return redirect(request, f"/people/{person_id}", flash="The account has been restored.")
