"""HTML routes during the meeting: the meeting page's panel (the item under consideration,
fetched again by a live refresh), taking up items, the proceedings page with every item's
outcome, and recording an outcome. Every change is published live after its commit."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from deliberation.agenda import conduct
from forum.errors import Conflict, FieldMessage, InvalidInput, StaleEdit
from forum.policy import Actor
from forum.web import Id, MemberDep, SessionDep, form_values, is_htmx, publish, redirect, render

router = APIRouter()


PANEL = conduct.PANEL_TEMPLATE
PAGE = "deliberation/proceedings_page.html"
OUTCOME_FIELDS = ("outcome", "discussion_summary", "resolution")


def _panel(
    request: Request,
    session: Session,
    actor: Actor,
    meeting_id: int,
    status: int = 200,
    **extra: Any,
) -> Response:
    panel = conduct.conduct_panel(session, actor, meeting_id=meeting_id)
    return render(request, PANEL, {"panel": panel, **extra}, block="conduct", status_code=status)


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    meeting_id: int,
    status: int = 200,
    **extra: Any,
) -> Response:
    view = conduct.proceedings(session, actor, meeting_id=meeting_id)
    return render(request, PAGE, {"view": view, **extra}, block="proceedings", status_code=status)


@router.get("/meetings/{meeting_id}/conduct")
def conduct_panel(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id
) -> Response:
    """The meeting page's panel alone (htmx: a live refresh); a browser goes to the page."""
    if not is_htmx(request):
        return redirect(request, f"/meetings/{meeting_id}#conduct")
    return _panel(request, session, actor, meeting_id)


@router.post("/meetings/{meeting_id}/conduct")
async def change_current_item(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id
) -> Response:
    values = form_values(await request.form())
    try:
        conduct.change_current_item(
            session,
            actor,
            meeting_id=meeting_id,
            to=str(values.get("to", "")),
            item_id=values.get("item_id"),
            seen=values.get("seen", conduct.ANY),
        )
    except (Conflict, InvalidInput) as error:  # StaleEdit is a Conflict
        if not is_htmx(request):
            raise  # the error page says why, in the person's language
        problem = next(iter(error.fields.values())) if isinstance(error, InvalidInput) else None
        problem = problem or FieldMessage(error.message)
        return _panel(request, session, actor, meeting_id, error.status, problem=problem)
    publish(request, session, actor)
    if is_htmx(request):
        return _panel(request, session, actor, meeting_id)
    return redirect(
        request,
        f"/meetings/{meeting_id}#conduct",
        flash="The item under consideration has been updated.",
    )


@router.get("/meetings/{meeting_id}/proceedings")
def proceedings_page(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id
) -> Response:
    return _page(request, session, actor, meeting_id)


@router.post("/meetings/{meeting_id}/proceedings/items/{item_id}/outcome")
async def record_outcome(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id, item_id: Id
) -> Response:
    values = form_values(await request.form())
    on_meeting_page = values.get("back") == "meeting"
    try:
        conduct.record_outcome(
            session,
            actor,
            meeting_id=meeting_id,
            item_id=item_id,
            version=values.get("version"),
            **{name: values[name] for name in OUTCOME_FIELDS if name in values},
        )
    except (InvalidInput, StaleEdit) as error:
        errors = (
            error.fields
            if isinstance(error, InvalidInput)
            else {"__all__": FieldMessage(error.message)}
        )
        if isinstance(error, StaleEdit):  # the text kept, the form now on the newer version
            values.pop("version", None)
        if on_meeting_page and is_htmx(request):
            return _panel(
                request, session, actor, meeting_id, error.status,
                errors=errors, values=values, error_item=item_id,
            )  # fmt: skip
        return _page(
            request, session, actor, meeting_id, error.status,
            errors=errors, values=values, error_item=item_id,
        )  # fmt: skip
    publish(request, session, actor)
    if is_htmx(request):
        if on_meeting_page:
            return _panel(request, session, actor, meeting_id)
        return _page(request, session, actor, meeting_id)
    url = (
        f"/meetings/{meeting_id}#conduct"
        if on_meeting_page
        else f"/meetings/{meeting_id}/proceedings#proceedings-item-{item_id}"
    )
    return redirect(request, url, flash="The outcome has been recorded.")
