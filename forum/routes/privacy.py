"""The privacy notice and each person's own data (PDPA): consents, export, erasure,
API tokens."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from forum import accounts, notifications, privacy
from forum.errors import InvalidInput
from forum.policy import Actor
from forum.web import ActorDep, Id, MemberDep, SessionDep, attachment, redirect, render

router = APIRouter()


@router.get("/privacy")
def privacy_page(request: Request, session: SessionDep, _actor: ActorDep) -> Response:
    settings = request.app.state.settings
    context = {
        "notice": privacy.published_notice(session),
        # what the sweeps started with the server forget, and when (each package's)
        "retention": [(kept.says, kept.period(settings)) for kept in privacy.RETENTION],
    }
    return render(request, "forum/privacy_page.html", context)


def _me(request: Request, session: SessionDep, actor: Actor, **extra: Any) -> Response:
    context = {
        "data": privacy.my_data(session, actor),
        "notification_settings": notifications.notification_settings(session, actor),
        "errors": {},
        "values": {},
        **extra,
    }
    status = 422 if context["errors"] else 200
    return render(
        request,
        "forum/me_page.html",
        context,
        block="api_tokens" if extra else None,
        status_code=status,
    )


@router.get("/me")
def me_page(request: Request, session: SessionDep, actor: MemberDep) -> Response:
    return _me(request, session, actor)


@router.post("/me/consents")
def give_consent(
    request: Request, session: SessionDep, actor: MemberDep, purpose: Annotated[str, Form()] = ""
) -> Response:
    privacy.give_consent(session, actor, purpose=purpose)
    return redirect(request, "/me#consents", flash="Thank you: your consent is recorded.")


@router.post("/me/consents/{consent_id}/withdraw")
def withdraw_consent(
    request: Request, session: SessionDep, actor: MemberDep, consent_id: Id
) -> Response:
    privacy.withdraw_consent(session, actor, consent_id=consent_id)
    return redirect(request, "/me#consents", flash="Your consent is withdrawn.")


@router.get("/me/export.json")
def export_my_data(session: SessionDep, actor: MemberDep) -> Response:
    data = privacy.export_data(session, actor)
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return attachment(
        body,
        filename="wethi-my-data.json",
        media_type="application/json; charset=utf-8",
        headers={"Cache-Control": "no-store"},
    )


@router.post("/me/erasure")
def ask_for_erasure(request: Request, session: SessionDep, actor: MemberDep) -> Response:
    privacy.request_erasure(session, actor)
    return redirect(
        request,
        "/me#erasure",
        flash="Your request for erasure has been sent to the administrators.",
    )


@router.post("/me/tokens")
def create_api_token(
    request: Request, session: SessionDep, actor: MemberDep, name: Annotated[str, Form()] = ""
) -> Response:
    try:
        _api_token, token = accounts.create_api_token(session, actor, name=name)
    except InvalidInput as error:
        return _me(request, session, actor, errors=error.fields, values={"name": name})
    return _me(request, session, actor, new_token=token)


@router.post("/me/tokens/{token_id}/revoke")
def revoke_api_token(
    request: Request, session: SessionDep, actor: MemberDep, token_id: Id
) -> Response:
    accounts.revoke_api_token(session, actor, token_id=token_id)
    return redirect(request, "/me#api_tokens", flash="The API token was revoked.")
