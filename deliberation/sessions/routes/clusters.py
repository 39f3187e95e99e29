"""HTML routes of a live session's themes (deliberation.sessions.clusters) and word cloud
(deliberation.sessions.wordcloud), for its facilitator: the console's themes panel
(#clusters) makes, renames, orders and deletes themes, moves ideas (drag and drop, or the
"move to theme" form) and shows suggested themes on request; the projector's word cloud
refreshes itself.

Every form works without JavaScript (a plain POST answers 303 to the themes page); with htmx
each answers the panel. Nothing here goes out on the session's channel: the phones and the
projector do not show themes, and the projector fetches its word cloud itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from deliberation.sessions import clusters, sessions, wordcloud
from forum.errors import InvalidInput
from forum.policy import Actor
from forum.web import Id, MemberDep, SessionDep, form_values, is_htmx, redirect, render

router = APIRouter()

PAGE = "deliberation/session_clusters_page.html"


def _panel(
    request: Request,
    session: Session,
    actor: Actor,
    session_id: int,
    values: dict[str, Any],
    status: int = 200,
    **extra: Any,
) -> Response:
    panel = clusters.clusters_panel(
        session,
        actor,
        session_id=session_id,
        suggest=bool(values.get("suggest")),
        ignored=str(values.get("ignored", "")),
    )
    context = {"panel": panel, "errors": {}, "problem": None, "values": values} | extra
    return render(request, PAGE, context, block="clusters", status_code=status)


def _themes_url(session_id: int, values: dict[str, Any]) -> str:
    """The themes page after a plain POST, with the suggestions still shown if they were."""
    query = {"suggest": "1", "ignored": values.get("ignored", "")} if values.get("suggest") else {}
    query = {key: value for key, value in query.items() if value}
    return f"/sessions/{session_id}/clusters" + (f"?{urlencode(query)}" if query else "")


async def _change(
    request: Request,
    session: Session,
    actor: Actor,
    session_id: int,
    problem: tuple[Any, ...],
    change: Callable[[dict[str, Any]], object],
    flash: str,
) -> Response:
    """Run one change from the panel's form; bad input re-renders the panel (422). On a
    worker thread: the panel may compute suggestions (Thai word cuts over every idea),
    which must not hold up the live messages going out to the hall."""
    values = form_values(await request.form())
    return await run_in_threadpool(
        _apply, request, session, actor, session_id, problem, change, flash, values
    )


def _apply(
    request: Request,
    session: Session,
    actor: Actor,
    session_id: int,
    problem: tuple[Any, ...],
    change: Callable[[dict[str, Any]], object],
    flash: str,
    values: dict[str, Any],
) -> Response:
    try:
        change(values)
    except InvalidInput as error:
        return _panel(
            request, session, actor, session_id, values, 422, errors=error.fields, problem=problem
        )
    if is_htmx(request):
        return _panel(request, session, actor, session_id, values)
    return redirect(request, _themes_url(session_id, values), flash=flash)


@router.get("/sessions/{session_id}/clusters")
def themes(request: Request, session: SessionDep, actor: MemberDep, session_id: Id) -> Response:
    return _panel(request, session, actor, session_id, dict(request.query_params))


@router.post("/sessions/{session_id}/clusters")
async def create(
    request: Request, session: SessionDep, actor: MemberDep, session_id: Id
) -> Response:
    def change(values: dict[str, Any]) -> object:
        return clusters.create_cluster(
            session, actor, session_id=session_id, name=values.get("name")
        )

    return await _change(
        request, session, actor, session_id, ("create",), change, "The theme was added."
    )


@router.post("/sessions/{session_id}/clusters/assign")
async def assign(
    request: Request, session: SessionDep, actor: MemberDep, session_id: Id
) -> Response:
    def change(values: dict[str, Any]) -> object:
        return clusters.assign_idea(
            session,
            actor,
            session_id=session_id,
            idea_id=values.get("idea_id"),
            cluster_id=values.get("cluster_id"),
        )

    return await _change(
        request, session, actor, session_id, ("assign",), change, "The idea was moved."
    )


@router.post("/sessions/{session_id}/clusters/accept")
async def accept(
    request: Request, session: SessionDep, actor: MemberDep, session_id: Id
) -> Response:
    def change(values: dict[str, Any]) -> object:
        return clusters.accept_suggestion(
            session,
            actor,
            session_id=session_id,
            name=values.get("name"),
            ideas=values.get("ideas"),
        )

    values = form_values(await request.form())
    problem = ("accept", str(values.get("ideas", "")))
    return await _change(
        request, session, actor, session_id, problem, change, "The theme was added."
    )


@router.post("/sessions/{session_id}/clusters/{cluster_id}/{action}")
async def edit(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    session_id: Id,
    cluster_id: Id,
    action: str,
) -> Response:
    def change(values: dict[str, Any]) -> object:
        if action == "rename":
            return clusters.rename_cluster(
                session,
                actor,
                session_id=session_id,
                cluster_id=cluster_id,
                name=values.get("name"),
            )
        if action == "move":
            return clusters.move_cluster(
                session,
                actor,
                session_id=session_id,
                cluster_id=cluster_id,
                direction=values.get("direction"),
            )
        if action == "delete":
            return clusters.delete_cluster(
                session, actor, session_id=session_id, cluster_id=cluster_id
            )
        raise InvalidInput({"action": "Please choose one of the options."})

    flash = {"rename": "The theme was renamed.", "delete": "The theme was deleted."}.get(
        action, "The theme was moved."
    )
    return await _change(request, session, actor, session_id, (action, cluster_id), change, flash)


@router.get("/sessions/{session_id}/wordcloud")
def word_cloud(request: Request, session: SessionDep, actor: MemberDep, session_id: Id) -> Response:
    view = sessions.get_session(session, actor, session_id=session_id)
    context = {"live_session": view.live, "projector_words": wordcloud.words_of(session, view.id)}
    return render(request, PAGE, context, block="projector_wordcloud")
