"""The search page: /search?q=… over the texts of the bodies the person belongs to."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from deliberation import search
from forum.errors import InvalidInput
from forum.web import MemberDep, SessionDep, form_int, render, url_with_query

router = APIRouter()


@router.get("/search")
def search_page(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    q: str | None = None,
    body_id: str = "",
    page: str = "1",
) -> Response:
    # No q at all: the empty search box; a q, even blank, is a search (and may be refused).
    context: dict = {"q": q or "", "body_id": None, "results": None, "errors": {}}
    context["max_results"] = search.MAX_RESULTS
    status = 200
    try:
        context["body_id"] = form_int(body_id, "body_id")
        number = form_int(page, "page") or 1
        if q is not None:
            context["results"] = search.search(
                session, actor, query=q, body_id=context["body_id"], page=number
            )
    except InvalidInput as error:
        context["errors"], status = error.fields, 422
    context["page_url"] = url_with_query("/search", {"q": q, "body_id": context["body_id"]})
    if (results := context["results"]) is not None and results.suggestion:
        context["suggestion_url"] = url_with_query(
            "/search", {"q": results.suggestion, "body_id": context["body_id"]}
        )
    return render(
        request, "deliberation/search_page.html", context, block="results", status_code=status
    )
