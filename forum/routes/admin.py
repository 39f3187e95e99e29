"""Administration: the hub, invitations, password reset links, provinces, the audit log
and erasure requests."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from forum import accounts, audit, invitations, organisations, people, policy, privacy, reference
from forum.errors import InvalidInput
from forum.paging import Page
from forum.policy import Actor
from forum.web import (
    Id,
    MemberDep,
    PageNumber,
    SessionDep,
    form_int,
    form_values,
    is_htmx,
    redirect,
    render,
    url_with_query,
)

router = APIRouter()


def admin_actor(actor: MemberDep) -> Actor:
    policy.require(actor, "forum.admin.view")
    return actor


AdminDep = Annotated[Actor, Depends(admin_actor)]


@router.get("/admin")
def admin_page(request: Request, _actor: AdminDep) -> Response:
    return render(request, "forum/admin_page.html")


# -- invitations ----------------------------------------------------------------------


@router.get("/admin/invitations")
def invitations_page(request: Request, session: SessionDep, actor: MemberDep) -> Response:
    rows = invitations.list_invitations(session, actor)
    return render(request, "forum/admin_invitations_page.html", {"rows": rows}, block="invitations")


def _invitation_form(
    request: Request, session: SessionDep, actor: Actor, values: dict[str, Any], **extra: Any
) -> Response:
    context = {
        "values": values,
        "errors": extra.pop("errors", {}),
        "body_choices": invitations.invitation_body_choices(session, actor),
        "organisations": organisations.organisation_choices(session),
        **extra,
    }
    status = 422 if context["errors"] else 200
    return render(
        request,
        "forum/admin_invitation_new_page.html",
        context,
        block="invitation_form",
        status_code=status,
    )


@router.get("/admin/invitations/new")
def new_invitation_page(
    request: Request, session: SessionDep, actor: MemberDep, body_id: str = ""
) -> Response:
    chosen = form_int(body_id, "body_id")  # the body to preselect, from its page's link
    return _invitation_form(
        request, session, actor, {"body_id": chosen or "", "role": "member", "days": 14}
    )


@router.post("/admin/invitations/new")
async def create_invitation(request: Request, session: SessionDep, actor: MemberDep) -> Response:
    values = form_values(await request.form())
    try:
        invitation, token = invitations.create_invitation(session, actor, **values)
    except InvalidInput as error:
        return _invitation_form(request, session, actor, values, errors=error.fields)
    created = {
        "invitation": invitation,
        "url": invitations.invitation_url(token),
        "mailed": bool(invitation.email) and request.app.state.settings.smtp_configured,
    }
    return _invitation_form(request, session, actor, {}, created=created)


@router.post("/admin/invitations/{invitation_id}/revoke")
def revoke_invitation(
    request: Request, session: SessionDep, actor: MemberDep, invitation_id: Id
) -> Response:
    invitations.revoke_invitation(session, actor, invitation_id=invitation_id)
    return redirect(
        request, "/admin/invitations", flash="The invitation was revoked: its link no longer works."
    )


# -- people and password reset links ---------------------------------------------------


@router.get("/admin/people")
def people_page(
    request: Request, session: SessionDep, actor: AdminDep, q: str = "", page: PageNumber = 1
) -> Response:
    result = people.list_people(session, actor, q=q, page=page)
    context = {
        "q": q[:100],
        "result": result,
        "page_url": url_with_query("/admin/people", {"q": q[:100]}),
    }
    return render(request, "forum/admin_people_page.html", context, block="people_results")


@router.post("/admin/people/{person_id}/reset-link")
def issue_reset_link(
    request: Request, session: SessionDep, actor: MemberDep, person_id: Id
) -> Response:
    person, token = accounts.issue_password_reset(session, actor, person_id=person_id)
    context = {
        "person": person,
        "url": accounts.reset_url(token),
        "smtp_configured": request.app.state.settings.smtp_configured,
    }
    return render(request, "forum/admin_reset_link_page.html", context)


# -- provinces ------------------------------------------------------------------------


def _provinces(
    request: Request,
    session: SessionDep,
    actor: Actor,
    *,
    errors: dict | None = None,
    failed_id: int | None = None,
) -> Response:
    context = {
        "overview": reference.province_overview(session, actor),
        "errors": errors or {},
        "failed_id": failed_id,
    }
    return render(
        request,
        "forum/admin_provinces_page.html",
        context,
        block="provinces",
        status_code=422 if errors else 200,
    )


@router.get("/admin/provinces")
def provinces_page(request: Request, session: SessionDep, actor: MemberDep) -> Response:
    return _provinces(request, session, actor)


@router.post("/admin/provinces/{province_id}")
async def update_province(
    request: Request, session: SessionDep, actor: MemberDep, province_id: Id
) -> Response:
    values = form_values(await request.form())
    values["is_pilot"] = values.get("is_pilot") == "true"
    try:
        reference.update_province(session, actor, province_id=province_id, **values)
    except InvalidInput as error:
        return _provinces(request, session, actor, errors=error.fields, failed_id=province_id)
    if is_htmx(request):
        return _provinces(request, session, actor)
    return redirect(
        request, f"/admin/provinces#province-{province_id}", flash="The province was saved."
    )


# -- audit log ------------------------------------------------------------------------

_AUDIT_FILTERS = ("action", "target_type", "actor_id", "since", "until")


@router.get("/admin/audit")
def audit_page(request: Request, session: SessionDep, actor: AdminDep) -> Response:
    filters = {name: request.query_params.get(name, "")[:100] for name in _AUDIT_FILTERS}
    errors: dict = {}
    try:
        result = audit.list_events(
            session, actor, page=request.query_params.get("page", "1")[:10], **filters
        )
    except InvalidInput as error:
        result, errors = Page(items=[], total=0, page=1, per_page=50), error.fields
    context = {
        "filters": filters,
        "errors": errors,
        "result": result,
        "page_url": url_with_query("/admin/audit", filters),
        "target_types": [(name, name) for name in audit.target_types(session)],
        "people": people.person_choices(session),
    }
    return render(
        request,
        "forum/admin_audit_page.html",
        context,
        block="audit_results",
        status_code=422 if errors else 200,
    )


# -- erasure requests -----------------------------------------------------------------


@router.get("/admin/erasure")
def erasure_page(request: Request, session: SessionDep, actor: MemberDep) -> Response:
    return render(
        request, "forum/admin_erasure_page.html", {"rows": privacy.pending_erasures(session, actor)}
    )


@router.post("/admin/erasure/{request_id}")
def carry_out_erasure(
    request: Request, session: SessionDep, actor: MemberDep, request_id: Id
) -> Response:
    privacy.erase_person(session, actor, request_id=request_id)
    return redirect(request, "/admin/erasure", flash="The person's data was erased.")
