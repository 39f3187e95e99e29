"""Logging in and out, sign-up through an invitation, and password reset links."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from forum import accounts, invitations, organisations, privacy
from forum.errors import FieldMessage, InvalidInput
from forum.web import SESSION_COOKIE, SessionDep, form_values, redirect, render, safe_next

router = APIRouter()


def _set_session_cookie(request: Request, response: Response, token: str) -> None:
    settings = request.app.state.settings
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


@router.get("/login")
def login_page(request: Request, next: str = "") -> Response:
    return render(
        request, "forum/login_page.html", {"next": safe_next(next), "values": {}, "errors": {}}
    )


@router.post("/login")
def log_in(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=300)] = "",
    password: Annotated[str, Form(max_length=300)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    client_ip = request.client.host if request.client else ""
    try:
        _person, token = accounts.log_in(
            session,
            email=email,
            password=password,
            client_ip=client_ip,
            user_agent=request.headers.get("user-agent", ""),
        )
    except InvalidInput as error:
        context = {
            "next": safe_next(next),
            "values": {"email": email},
            "errors": {"__all__": FieldMessage(error.message)},
        }
        return render(
            request, "forum/login_page.html", context, block="login_form", status_code=422
        )
    response = redirect(request, safe_next(next))
    _set_session_cookie(request, response, token)
    return response


@router.post("/logout")
def log_out(request: Request, session: SessionDep) -> Response:
    if token := request.cookies.get(SESSION_COOKIE):
        accounts.log_out(session, token)
    response = redirect(request, "/", flash="You have logged out.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/invite/{token}")
def sign_up_page(request: Request, session: SessionDep, token: str) -> Response:
    invitation = invitations.open_invitation(session, token)
    values = {
        "email": invitation.email,
        "display_name": invitation.display_name,
        "organisation_id": invitation.organisation_id,
    }
    return _sign_up(request, session, token, values, {}, 200)


def _sign_up(
    request: Request, session: SessionDep, token: str, values: dict, errors: dict, status: int
) -> Response:
    context = {
        "token": token,
        "values": values,
        "errors": errors,
        "organisations": organisations.organisation_choices(session),
        "notice": privacy.current_notice(session),
    }
    return render(
        request, "forum/signup_page.html", context, block="signup_form", status_code=status
    )


@router.post("/invite/{token}")
async def sign_up(request: Request, session: SessionDep, token: str) -> Response:
    values = form_values(await request.form())
    values["consent"] = values.get("consent") == "true"
    try:
        person = invitations.accept_invitation(session, token=token, **values)
    except InvalidInput as error:
        values.pop("password", None), values.pop("password_again", None)
        return _sign_up(request, session, token, values, error.fields, 422)
    cookie = accounts.start_session(
        session, person, user_agent=request.headers.get("user-agent", "")
    )
    response = redirect(request, "/", flash="Welcome to Wethi! Your account is ready.")
    _set_session_cookie(request, response, cookie)
    return response


@router.get("/reset/{token}")
def reset_page(request: Request, session: SessionDep, token: str) -> Response:
    accounts.open_password_reset(session, token)
    return render(request, "forum/reset_page.html", {"token": token, "errors": {}})


@router.post("/reset/{token}")
async def reset_password(request: Request, session: SessionDep, token: str) -> Response:
    values = form_values(await request.form())
    try:
        accounts.reset_password(session, token=token, **values)
    except InvalidInput as error:
        return render(
            request,
            "forum/reset_page.html",
            {"token": token, "errors": error.fields},
            block="reset_form",
            status_code=422,
        )
    return redirect(request, "/login", flash="Your new password is set. Please log in.")
