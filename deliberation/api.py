"""Deliberation's JSON API for search (/api/v1/search); the agenda's and the
discussion's are in deliberation.agenda.api and deliberation.discussion.api."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from deliberation import search
from deliberation.models import SearchHitPublic, SearchResults
from forum import i18n
from forum.api.params import IdQuery, PageQuery
from forum.models import SAYS_SOMETHING
from forum.web import MemberDep, SessionDep

router = APIRouter(tags=["search"])


@router.get("/search", response_model=SearchResults)
def search_entries(
    session: SessionDep,
    actor: MemberDep,
    q: Annotated[
        str,
        Query(
            max_length=200,
            json_schema_extra=SAYS_SOMETHING,  # the service refuses a blank q, in its words
            description='Thai or English words (each must be found), "a phrase", -word to leave '
            "out, OR between two; at most 200 characters.",
        ),
    ],
    body_id: IdQuery = None,
    page: PageQuery = 1,
) -> SearchResults:
    """Agenda items, suggestions, posts and resolutions of your bodies that `q` finds, best
    first: its words (each must be found, whole or as a listed compound's part), "quoted
    phrases", -word to leave out, OR between two; spelling variants and Thai digits read
    alike. `title_html` and `snippet_html` are escaped HTML with the matches in <mark>;
    `suggestion`, when nothing is found, a query the index would answer; `notice`, when `q`
    names nothing to find (symbols only, or only -words), why it found nothing."""
    found = search.search(session, actor, query=q, body_id=body_id, page=page)
    items = [
        SearchHitPublic(
            kind=hit.kind,
            kind_label=i18n.gettext(hit.kind_label),
            ref_id=hit.ref_id,
            body_id=hit.body_id,
            meeting_id=hit.meeting_id,
            title=hit.title,
            title_html=str(hit.title_html),
            snippet_html=str(hit.snippet),
            url=hit.url,
            updated_at=hit.updated_at,
        )
        for hit in found.items
    ]
    return SearchResults(
        items=items,
        total=found.total,
        page=found.page,
        per_page=found.per_page,
        pages=found.pages,
        suggestion=found.suggestion,
        notice=i18n.gettext(found.notice) if found.notice else None,
    )
