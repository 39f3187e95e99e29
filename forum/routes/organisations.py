"""The directory of organisations: Provincial Energy Offices and their network partners."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from forum import i18n, organisations, policy, reference
from forum.errors import InvalidInput, StaleEdit
from forum.models import Organisation
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

FIELDS = ("name", "name_en", "kind", "side", "province_id", "description")


@router.get("/organisations")
def organisation_list(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    q: str = "",
    kind: str = "",
    side: str = "",
    province_id: str = "",
    archived: str = "",
    page: str = "1",
) -> Response:
    filters = {
        "q": q.strip()[:100],
        "kind": kind,
        "side": side,
        "province_id": form_int(province_id, "province_id"),
        "archived": archived == "1",
    }
    results = organisations.list_organisations(session, actor, page=form_int(page, "page") or 1, **filters)
    context = {
        "results": results,
        "filters": filters,
        "page_url": url_with_query(
            "/organisations", {**filters, "archived": "1" if filters["archived"] else ""}
        ),
        "provinces": reference.provinces_by_region(session),
    }
    return render(request, "forum/organisation_list_page.html", context, block="results")


def _form(
    request: Request,
    session: Session,
    organisation: Organisation | None,
    values: dict,
    errors: dict,
    status: int = 200,
    conflict: str = "",
) -> Response:
    context = {
        "organisation": organisation,
        "action": f"/organisations/{organisation.id}/edit"
        if organisation
        else "/organisations/new",
        "values": values,
        "errors": errors,
        "conflict": conflict,
        "provinces": reference.provinces_by_region(session),
    }
    return render(
        request,
        "forum/organisation_form_page.html",
        context,
        block="organisation_form",
        status_code=status,
    )


@router.get("/organisations/new")
def new_organisation_page(request: Request, session: SessionDep, actor: MemberDep) -> Response:
    policy.require(actor, "forum.organisation.create")
    return _form(request, session, None, {}, {})


@router.post("/organisations/new")
async def create_organisation(request: Request, session: SessionDep, actor: MemberDep) -> Response:
    values = form_values(await request.form())
    try:
        organisation = organisations.create_organisation(session, actor, **values)
    except InvalidInput as error:
        return _form(request, session, None, values, error.fields, 422)
    return redirect(
        request, f"/organisations/{organisation.id}", flash="The organisation has been added."
    )


@router.get("/organisations/{organisation_id}")
def organisation_page(
    request: Request, session: SessionDep, actor: MemberDep, organisation_id: Id
) -> Response:
    profile = organisations.organisation_profile(session, actor, organisation_id=organisation_id)
    context = {
        "organisation": profile.organisation,
        "people": profile.people,
        "province": profile.province,
    }
    return render(request, "forum/organisation_page.html", context)


@router.get("/organisations/{organisation_id}/edit")
def edit_organisation_page(
    request: Request, session: SessionDep, actor: MemberDep, organisation_id: Id
) -> Response:
    organisation = organisations.get_organisation(session, actor, organisation_id=organisation_id)
    policy.require(actor, "forum.organisation.edit", organisation)
    values = {name: getattr(organisation, name) for name in (*FIELDS, "version")}
    return _form(request, session, organisation, values, {})


@router.post("/organisations/{organisation_id}/edit")
async def update_organisation(
    request: Request, session: SessionDep, actor: MemberDep, organisation_id: Id
) -> Response:
    values = form_values(await request.form())
    data = {key: value for key, value in values.items() if key in FIELDS}
    try:
        organisations.update_organisation(
            session,
            actor,
            organisation_id=organisation_id,
            version=form_int(values.get("version"), "version") or 0,
            **data,
        )
    except InvalidInput as error:
        return _form(
            request,
            session,
            organisations.get_organisation(session, actor, organisation_id=organisation_id),
            values,
            error.fields,
            422,
        )
    except StaleEdit as error:
        organisation = organisations.get_organisation(
            session, actor, organisation_id=organisation_id
        )
        return _form(
            request, session, organisation, values, {}, error.status, i18n.gettext(error.message)
        )
    return redirect(
        request, f"/organisations/{organisation_id}", flash="Your changes have been saved."
    )


@router.post("/organisations/{organisation_id}/archive")
def archive_organisation(
    request: Request, session: SessionDep, actor: MemberDep, organisation_id: Id
) -> Response:
    organisations.set_organisation_archived(
        session, actor, organisation_id=organisation_id, archived=True
    )
    return redirect(
        request, f"/organisations/{organisation_id}", flash="The organisation has been archived."
    )


@router.post("/organisations/{organisation_id}/restore")
def restore_organisation(
    request: Request, session: SessionDep, actor: MemberDep, organisation_id: Id
) -> Response:
    organisations.set_organisation_archived(
        session, actor, organisation_id=organisation_id, archived=False
    )
    return redirect(
        request, f"/organisations/{organisation_id}", flash="The organisation has been restored."
    )
