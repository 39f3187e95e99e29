"""HTML routes of a live session's follow-up (issue 4): the share link and LINE on the
console, the XLSX export, and taking an idea or a theme forward (an agenda item or a
proposal draft). Facilitators only (deliberation.live_session.run, through the services).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from deliberation.sessions import followup, sessions, xlsx
from forum.errors import InvalidInput
from forum.i18n import current_locale
from forum.policy import Actor
from forum.web import (
    Id,
    MemberDep,
    SessionDep,
    attachment,
    form_values,
    public_url,
    publish,
    redirect,
    render,
)

router = APIRouter()


PROMOTE_PAGE = "deliberation/session_promote_page.html"
PROMOTION_PAGE = "deliberation/session_promotion_page.html"


@router.get("/sessions/{session_id}/share/line")
def share_on_line(
    request: Request, session: SessionDep, actor: MemberDep, session_id: Id
) -> Response:
    """To LINE's share page that fits the device asking (the app on a phone, the web
    plugin on a computer)."""
    view = sessions.get_session(session, actor, session_id=session_id)
    links = followup.share_links(view, base_url=public_url(), locale=current_locale.get())
    return redirect(request, links.line_url(request.headers.get("user-agent")))


@router.get("/sessions/{session_id}/ideas.xlsx")
def export_xlsx(
    request: Request, session: SessionDep, actor: MemberDep, session_id: Id
) -> Response:
    data = xlsx.export_session_xlsx(session, actor, session_id=session_id)
    filename = f"wethi-session-{session_id}.xlsx"
    return attachment(data, filename=filename, media_type=xlsx.MEDIA_TYPE)


def _promote_page(
    request: Request,
    session: Session,
    actor: Actor,
    session_id: int,
    source: dict[str, Any],
    values: dict[str, Any] | None = None,
    errors: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    form = followup.promote_form(session, actor, session_id=session_id, **source)
    start = {
        "title": form.source.title,
        "body": form.source.body,
        "target": "agenda_item",
        "meeting_id": str(form.view.meeting.id),
    }
    context = {
        "view": form.view,
        "form": form,
        "source": source,
        "values": start | (values or {}),
        "errors": errors or {},
    }
    return render(request, PROMOTE_PAGE, context, block="promote_form", status_code=status)


def _source(values: Any) -> dict[str, Any]:
    return {"idea_id": values.get("idea"), "cluster_id": values.get("cluster")}


@router.get("/sessions/{session_id}/promote")
def promote_page(
    request: Request, session: SessionDep, actor: MemberDep, session_id: Id
) -> Response:
    return _promote_page(request, session, actor, session_id, _source(request.query_params))


@router.post("/sessions/{session_id}/promote")
async def promote(
    request: Request, session: SessionDep, actor: MemberDep, session_id: Id
) -> Response:
    values = form_values(await request.form())
    source = _source(values)
    try:
        promotion, created = followup.promote(
            session, actor, session_id=session_id, **source, **_fields(values)
        )
    except InvalidInput as error:
        if not error.fields:
            raise  # the idea or theme itself: no form to correct
        session.rollback()
        publish(request, session, actor)  # a new agenda version it started is saved all the same
        return _promote_page(
            request, session, actor, session_id, source, values, error.fields, status=422
        )
    publish(request, session, actor)  # an agenda item taken forward: the agenda's pages hear of it
    flash = "Taken forward." if created else "This was already taken forward a moment ago."
    return redirect(request, f"/sessions/{session_id}/promotions/{promotion.id}", flash=flash)


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    return {key: values.get(key) for key in ("title", "body", "target", "meeting_id")}


@router.get("/sessions/{session_id}/promotions/{promotion_id}")
def promotion_page(
    request: Request, session: SessionDep, actor: MemberDep, session_id: Id, promotion_id: Id
) -> Response:
    view, promotion = followup.get_promotion(
        session, actor, session_id=session_id, promotion_id=promotion_id
    )
    return render(request, PROMOTION_PAGE, {"view": view, "promotion": promotion})
