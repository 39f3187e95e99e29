"""The start page and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from forum import bodies, meetings
from forum.config import get_settings
from forum.i18n import LOCALES
from forum.web import LANG_COOKIE, ActorDep, SessionDep, redirect, render, safe_next

router = APIRouter()


@router.get("/")
def start_page(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    if not actor.is_authenticated:
        return render(request, "forum/home_page.html", {})
    context = {
        "upcoming": meetings.upcoming_meetings(session, actor),
        "my_bodies": [row for row in bodies.list_bodies(session, actor) if row.body.id in actor.roles or actor.is_admin],
        "roles": actor.roles,
    }
    return render(request, "forum/home_page.html", context)


@router.post("/language")
def switch_language(request: Request, locale: Annotated[str, Form()], next: Annotated[str, Form()] = "/") -> Response:
    response = redirect(request, safe_next(next))
    if locale in LOCALES:
        response.set_cookie(LANG_COOKIE, locale, max_age=365 * 24 * 3600, httponly=True, samesite="lax", secure=get_settings().secure_cookies, path="/")
    return response
