"""Bodies — the regional working groups and the committee — and their members."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from forum import bodies, i18n, policy, reference
from forum.errors import Conflict, FieldMessage, InvalidInput, StaleEdit
from forum.models import Body
from forum.policy import Actor
from forum.web import Id, MemberDep, SessionDep, form_int, form_values, is_htmx, redirect, render

router = APIRouter()

FIELDS = ("kind", "name", "name_en", "region_id", "description")


@router.get("/bodies")
def body_list(
    request: Request, session: SessionDep, actor: MemberDep, archived: str = ""
) -> Response:
    rows = bodies.list_bodies(session, actor, archived=archived == "1")
    return render(request, "forum/body_list_page.html", {"rows": rows, "archived": archived == "1"})


def _body_page(
    request: Request,
    session: Session,
    actor: Actor,
    body_id: int,
    *,
    values: dict | None = None,
    errors: dict | None = None,
    status: int = 200,
    block: str | None = "members",
) -> Response:
    """The body's page, or its members block (the add form's htmx answer)."""
    body = bodies.get_body(session, actor, body_id=body_id)
    context = {
        "body": body,
        "region": next(
            (r for r in reference.list_regions(session) if r.id == body.region_id), None
        ),
        "members": bodies.list_members(session, actor, body_id=body_id),
        "candidates": bodies.candidate_choices(session, body_id=body_id),
        "links": list(bodies.PAGE_LINKS),
        "values": values or {},
        "errors": errors or {},
    }
    return render(request, "forum/body_page.html", context, block=block, status_code=status)


@router.get("/bodies/new")
def new_body_page(request: Request, session: SessionDep, actor: MemberDep) -> Response:
    policy.require(actor, "forum.body.create")
    return _form(request, session, None, {}, {})


@router.post("/bodies/new")
async def create_body(request: Request, session: SessionDep, actor: MemberDep) -> Response:
    values = form_values(await request.form())
    try:
        body = bodies.create_body(session, actor, **values)
    except InvalidInput as error:
        return _form(request, session, None, values, error.fields, 422)
    return redirect(request, f"/bodies/{body.id}", flash="The body has been created.")


@router.get("/bodies/{body_id}")
def body_page(request: Request, session: SessionDep, actor: MemberDep, body_id: Id) -> Response:
    return _body_page(request, session, actor, body_id, block=None)


def _form(
    request: Request,
    session: Session,
    body: Body | None,
    values: dict[str, Any],
    errors: dict,
    status: int = 200,
    conflict: str = "",
) -> Response:
    context = {
        "body": body,
        "action": f"/bodies/{body.id}/edit" if body else "/bodies/new",
        "values": values,
        "errors": errors,
        "conflict": conflict,
        "regions": [
            (region.id, region.name_th if i18n.current_locale.get() == "th" else region.name_en)
            for region in reference.list_regions(session)
        ],
    }
    return render(request, "forum/body_form_page.html", context, block="body_form", status_code=status)


@router.get("/bodies/{body_id}/edit")
def edit_body_page(
    request: Request, session: SessionDep, actor: MemberDep, body_id: Id
) -> Response:
    body = bodies.get_body(session, actor, body_id=body_id)
    policy.require(actor, "forum.body.edit", body)
    return _form(
        request, session, body, {name: getattr(body, name) for name in (*FIELDS, "version")}, {}
    )


@router.post("/bodies/{body_id}/edit")
async def update_body(
    request: Request, session: SessionDep, actor: MemberDep, body_id: Id
) -> Response:
    values = form_values(await request.form())
    data = {key: value for key, value in values.items() if key in FIELDS}
    try:
        bodies.update_body(
            session,
            actor,
            body_id=body_id,
            version=form_int(values.get("version"), "version") or 0,
            **data,
        )
    except InvalidInput as error:
        return _form(
            request,
            session,
            bodies.get_body(session, actor, body_id=body_id),
            values,
            error.fields,
            422,
        )
    except StaleEdit as error:
        return _form(
            request,
            session,
            bodies.get_body(session, actor, body_id=body_id),
            values,
            {},
            error.status,
            i18n.gettext(error.message),
        )
    return redirect(request, f"/bodies/{body_id}", flash="Your changes have been saved.")


@router.post("/bodies/{body_id}/archive")
def archive_body(request: Request, session: SessionDep, actor: MemberDep, body_id: Id) -> Response:
    bodies.set_body_archived(session, actor, body_id=body_id, archived=True)
    return redirect(request, f"/bodies/{body_id}", flash="The body has been archived.")


@router.post("/bodies/{body_id}/restore")
def restore_body(request: Request, session: SessionDep, actor: MemberDep, body_id: Id) -> Response:
    bodies.set_body_archived(session, actor, body_id=body_id, archived=False)
    return redirect(request, f"/bodies/{body_id}", flash="The body has been restored.")


# -- memberships ----------------------------------------------------------------------


@router.post("/bodies/{body_id}/members")
async def add_member(
    request: Request, session: SessionDep, actor: MemberDep, body_id: Id
) -> Response:
    values = form_values(await request.form())
    try:
        bodies.add_member(
            session,
            actor,
            body_id=body_id,
            person_id=values.get("person_id"),
            role=values.get("role"),
        )
    except InvalidInput as error:
        return _body_page(
            request,
            session,
            actor,
            body_id,
            values=values,
            errors=error.fields,
            status=error.status,
        )
    except Conflict as error:
        errors = {"person_id": FieldMessage(error.message, error.params)}
        return _body_page(
            request, session, actor, body_id, values=values, errors=errors, status=error.status
        )
    if is_htmx(request):
        return _body_page(request, session, actor, body_id)
    return redirect(request, f"/bodies/{body_id}#members", flash="The member has been added.")


@router.post("/memberships/{membership_id}/role")
async def change_role(
    request: Request, session: SessionDep, actor: MemberDep, membership_id: Id
) -> Response:
    values = form_values(await request.form())
    membership = bodies.change_role(
        session, actor, membership_id=membership_id, role=values.get("role") or ""
    )
    if is_htmx(request):
        row = bodies.get_member(session, actor, membership_id=membership_id)
        return render(request, "forum/body_page.html", {"row": row}, block="member_row")
    return redirect(
        request, f"/bodies/{membership.body_id}#members", flash="The role has been changed."
    )


@router.post("/memberships/{membership_id}/remove")
def remove_member(
    request: Request, session: SessionDep, actor: MemberDep, membership_id: Id
) -> Response:
    membership = bodies.remove_member(session, actor, membership_id=membership_id)
    return redirect(
        request, f"/bodies/{membership.body_id}#members", flash="The member has been removed."
    )
