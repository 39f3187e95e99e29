"""The agenda's JSON API (/api/v1/meetings/<id>/agenda, …/proceedings) over the same
services as its pages."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import Field
from sqlmodel import Session, SQLModel

from deliberation.agenda import agendas, conduct, overview, publishing, suggestions
from deliberation.agenda.models import (
    AgendaDocumentPublic,
    AgendaItemCreate,
    AgendaItemMove,
    AgendaItemPublic,
    AgendaItemUpdate,
    AgendaPartPublic,
    AgendaPublic,
    ItemOutcome,
    SuggestionAnswer,
    SuggestionCreate,
    SuggestionPublic,
)
from forum.api.params import PathId, VersionQuery
from forum.errors import NotFound
from forum.models import ApiInput, BangkokDateTime, EditVersion, RecordId, optional_text
from forum.policy import Actor
from forum.web import MemberDep, SessionDep, publish

# -- the agenda (ระเบียบวาระการประชุม) -------------------------------------------------------
# Every change answers what it changed and is published live to the agenda's pages, as the
# HTML routes do (deliberation/agenda/routes/agenda.py).

router = APIRouter(prefix="/api/v1", tags=["agenda"])


class AgendaVersionChange(ApiInput):
    version: EditVersion


def _agenda_public(view: overview.AgendaOverview) -> AgendaPublic:
    base = f"/meetings/{view.meeting.id}/agenda/documents"
    parts = [
        AgendaPartPublic(
            id=part.id,
            number=part.number,
            kind=part.kind,
            title=part.title,
            items=[
                AgendaItemPublic(
                    id=item.id,
                    part_id=part.id,
                    number=item.number,
                    position=position,
                    kind=item.kind,
                    title=item.title,
                    description=item.description,
                    presenter_id=item.presenter_id,
                    presenter_name=item.presenter,
                    time_box_minutes=item.time_box_minutes,
                    minutes_of_meeting_id=item.minutes_of_meeting_id,
                    follows_item_id=None,
                    documents=[
                        AgendaDocumentPublic(
                            id=document.id,
                            filename=document.filename,
                            content_type=document.content_type,
                            size=document.size,
                            url=f"{base}/{document.id}",
                        )
                        for document in item.documents
                    ],
                )
                for position, item in enumerate(part.items, start=1)
            ],
        )
        for part in view.parts
    ]
    return AgendaPublic(
        id=view.agenda.id,
        meeting_id=view.meeting.id,
        status=view.agenda.status,
        published_version=view.agenda.published_version,
        published_at=view.agenda.published_at,
        version=view.agenda.version,
        total_minutes=view.total_minutes,
        meeting_minutes=view.meeting_minutes,
        parts=parts,
    )


def _agenda(session: Session, actor: Actor, meeting_id: int) -> AgendaPublic:
    return _agenda_public(overview.agenda_overview(session, actor, meeting_id=meeting_id))


def _item(session: Session, actor: Actor, meeting_id: int, item_id: int) -> AgendaItemPublic:
    for part in _agenda(session, actor, meeting_id).parts:
        for item in part.items:
            if item.id == item_id:
                return item
    raise NotFound()


@router.get("/meetings/{meeting_id}/agenda", response_model=AgendaPublic)
def get_agenda(session: SessionDep, actor: MemberDep, meeting_id: PathId) -> AgendaPublic:
    """The agenda, numbered, made from the body's template the first time it is asked for."""
    return _agenda(session, actor, meeting_id)


@router.post(
    "/meetings/{meeting_id}/agenda/items", response_model=AgendaItemPublic, status_code=201
)
def add_agenda_item(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    meeting_id: PathId,
    payload: AgendaItemCreate,
) -> AgendaItemPublic:
    """At the end of the part; `version` is the agenda's (409 when someone changed it)."""
    values = payload.model_dump(exclude_unset=True)
    item = agendas.add_item(
        session,
        actor,
        meeting_id=meeting_id,
        version=values.pop("version"),
        part_id=values.pop("part_id"),
        **values,
    )
    publish(request, session, actor)
    return _item(session, actor, meeting_id, item.id)  # type: ignore[arg-type]


@router.patch("/meetings/{meeting_id}/agenda/items/{item_id}", response_model=AgendaItemPublic)
def update_agenda_item(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    meeting_id: PathId,
    item_id: PathId,
    payload: AgendaItemUpdate,
) -> AgendaItemPublic:
    """Fields left out keep their values."""
    current = _item(session, actor, meeting_id, item_id)
    values = {
        "title": current.title,
        "description": current.description,
        "presenter_id": current.presenter_id,
        "presenter_name": "" if current.presenter_id else current.presenter_name,
        "time_box_minutes": current.time_box_minutes,
    } | payload.model_dump(exclude_unset=True)
    agendas.update_item(session, actor, item_id=item_id, meeting_id=meeting_id, **values)
    publish(request, session, actor)
    return _item(session, actor, meeting_id, item_id)


@router.post("/meetings/{meeting_id}/agenda/items/{item_id}/move", response_model=AgendaPublic)
def move_agenda_item(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    meeting_id: PathId,
    item_id: PathId,
    payload: AgendaItemMove,
) -> AgendaPublic:
    """`direction` up / down, or a `part_id` and `position` (1-based)."""
    agendas.move_item(
        session, actor, item_id=item_id, meeting_id=meeting_id, **payload.model_dump()
    )
    publish(request, session, actor)
    return _agenda(session, actor, meeting_id)


@router.delete("/meetings/{meeting_id}/agenda/items/{item_id}", status_code=204)
def remove_agenda_item(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    meeting_id: PathId,
    item_id: PathId,
    version: VersionQuery,
) -> Response:
    agendas.remove_item(
        session,
        actor,
        item_id=item_id,
        meeting_id=meeting_id,
        version=version,
        data_dir=request.app.state.settings.data_dir,
    )
    publish(request, session, actor)
    return Response(status_code=204)


@router.post("/meetings/{meeting_id}/agenda/publish", response_model=AgendaPublic)
def publish_agenda(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    meeting_id: PathId,
    payload: AgendaVersionChange,
) -> AgendaPublic:
    """Lock, number and record the agenda (the first time, the meeting moves to
    agenda_published), or publish the new version being prepared."""
    publishing.publish_agenda(session, actor, meeting_id=meeting_id, version=payload.version)
    publish(request, session, actor)
    return _agenda(session, actor, meeting_id)


def _suggestions(session: Session, actor: Actor, meeting_id: int) -> list[SuggestionPublic]:
    view = overview.agenda_overview(session, actor, meeting_id=meeting_id)
    return [
        SuggestionPublic(
            id=line.id,
            agenda_id=view.agenda.id,  # type: ignore[arg-type]
            suggested_by=None,
            suggester_name=line.suggester,
            title=line.title,
            rationale=line.rationale,
            status=line.status,  # type: ignore[arg-type]
            item_id=line.item_id,
            answer_reason=line.answer_reason,
            supporters=line.supporters,
            supported_by_me=line.supported_by_me,
            created_at=view.agenda.created_at,
        )
        for line in view.suggestions
    ]


def _suggestion(
    session: Session, actor: Actor, meeting_id: int, suggestion_id: int
) -> SuggestionPublic:
    found = [s for s in _suggestions(session, actor, meeting_id) if s.id == suggestion_id]
    if not found:
        raise NotFound()
    return found[0]


@router.get("/meetings/{meeting_id}/agenda/suggestions", response_model=list[SuggestionPublic])
def list_suggestions(
    session: SessionDep, actor: MemberDep, meeting_id: PathId
) -> list[SuggestionPublic]:
    return _suggestions(session, actor, meeting_id)


@router.post(
    "/meetings/{meeting_id}/agenda/suggestions",
    response_model=SuggestionPublic,
    status_code=201,
)
def suggest_agenda_item(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    meeting_id: PathId,
    payload: SuggestionCreate,
) -> SuggestionPublic:
    """Members of the body, while the agenda is open for suggestions (409 otherwise)."""
    suggestion = suggestions.suggest_item(
        session, actor, meeting_id=meeting_id, **payload.model_dump(exclude_unset=True)
    )
    publish(request, session, actor)
    return _suggestion(session, actor, meeting_id, suggestion.id)  # type: ignore[arg-type]


@router.put(
    "/meetings/{meeting_id}/agenda/suggestions/{suggestion_id}/support",
    response_model=SuggestionPublic,
)
def support_suggestion(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    meeting_id: PathId,
    suggestion_id: PathId,
) -> SuggestionPublic:
    """Support it (once: 409 the second time)."""
    suggestions.support_suggestion(
        session, actor, suggestion_id=suggestion_id, meeting_id=meeting_id
    )
    publish(request, session, actor)
    return _suggestion(session, actor, meeting_id, suggestion_id)


@router.delete(
    "/meetings/{meeting_id}/agenda/suggestions/{suggestion_id}/support",
    response_model=SuggestionPublic,
)
def withdraw_support(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    meeting_id: PathId,
    suggestion_id: PathId,
) -> SuggestionPublic:
    suggestions.support_suggestion(
        session, actor, suggestion_id=suggestion_id, meeting_id=meeting_id, support=False
    )
    publish(request, session, actor)
    return _suggestion(session, actor, meeting_id, suggestion_id)


@router.post(
    "/meetings/{meeting_id}/agenda/suggestions/{suggestion_id}/answer",
    response_model=SuggestionPublic,
)
def answer_suggestion(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    meeting_id: PathId,
    suggestion_id: PathId,
    payload: SuggestionAnswer,
) -> SuggestionPublic:
    """`answer`: accept (with the agenda's `version`, a `part_id`, optionally a
    `position`), merge (with an `item_id`) or decline (with a `reason`)."""
    suggestions.answer_suggestion(
        session, actor, suggestion_id=suggestion_id, meeting_id=meeting_id, **payload.model_dump()
    )
    publish(request, session, actor)
    return _suggestion(session, actor, meeting_id, suggestion_id)


# -- during the meeting: the item under consideration and each item's outcome -------------------
# The same services as the meeting page's panel and the proceedings page
# (deliberation/agenda/routes/conduct.py); every change reaches the open meeting pages live.


class ItemOutcomePublic(SQLModel):
    id: int
    number: str
    title: str
    presenter: str
    time_box_minutes: int | None
    outcome: ItemOutcome
    outcome_text: str  # in the reader's language
    discussion_summary: str
    resolution: str  # มติที่ประชุม
    version: int  # the outcome's: send it back to record a new one
    recorded_by: str
    recorded_at: BangkokDateTime | None
    started_at: BangkokDateTime | None
    current: bool
    elapsed_seconds: int  # earlier turns and, for the current item, the running one
    over_time: bool


class ProceedingsPublic(SQLModel):
    meeting_id: int
    status: str  # the meeting's: items are taken up while it is `live`
    current_item_id: int | None
    current_started_at: BangkokDateTime | None  # the instant the current item's time counts from
    items: list[ItemOutcomePublic]


class CurrentItemChange(ApiInput):
    to: Literal["next", "previous", "item", "stop"] = Field(
        description="next, previous, item (with item_id) or stop."
    )
    item_id: RecordId | None = None
    seen_item_id: RecordId | None = Field(
        default=None,
        description="The item you saw under consideration (null: none). When given and the "
        "meeting has moved on since, nothing changes (409).",
    )


class OutcomeChange(ApiInput):
    version: EditVersion
    outcome: ItemOutcome
    discussion_summary: str | None = optional_text(20_000)
    resolution: str | None = optional_text(10_000)


def _proceedings_public(view: conduct.Proceedings) -> ProceedingsPublic:
    return ProceedingsPublic(
        meeting_id=view.meeting_id,
        status=view.status,
        current_item_id=view.current.id if view.current else None,
        current_started_at=view.clock_start,
        items=[_outcome_public(line) for line in view.items],
    )


def _outcome_public(line: conduct.OutcomeLine) -> ItemOutcomePublic:
    return ItemOutcomePublic(
        id=line.id,
        number=line.number,
        title=line.title,
        presenter=line.presenter,
        time_box_minutes=line.time_box_minutes,
        outcome=ItemOutcome(line.outcome),
        outcome_text=line.outcome_text,
        discussion_summary=line.discussion_summary,
        resolution=line.resolution,
        version=line.version,
        recorded_by=line.recorded_by,
        recorded_at=line.recorded_at,
        started_at=line.started_at,
        current=line.current,
        elapsed_seconds=line.elapsed_seconds,
        over_time=line.over_time,
    )


@router.get("/meetings/{meeting_id}/proceedings", response_model=ProceedingsPublic)
def get_proceedings(session: SessionDep, actor: MemberDep, meeting_id: PathId) -> ProceedingsPublic:
    """Every item with its time taken and outcome; which item is under consideration."""
    view = conduct.proceedings(session, actor, meeting_id=meeting_id)
    return _proceedings_public(view)


@router.put("/meetings/{meeting_id}/proceedings/current", response_model=ProceedingsPublic)
def set_current_item(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    meeting_id: PathId,
    payload: CurrentItemChange,
) -> ProceedingsPublic:
    """The chair, vice-chair or secretary takes up an item while the meeting is `live`
    (409 otherwise, or when `seen_item_id` is no longer the current item)."""
    seen = payload.seen_item_id if "seen_item_id" in payload.model_fields_set else conduct.ANY
    conduct.change_current_item(
        session, actor, meeting_id=meeting_id, to=payload.to, item_id=payload.item_id, seen=seen
    )
    publish(request, session, actor)
    return _proceedings_public(conduct.proceedings(session, actor, meeting_id=meeting_id))


@router.put(
    "/meetings/{meeting_id}/proceedings/items/{item_id}/outcome", response_model=ItemOutcomePublic
)
def record_outcome(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    meeting_id: PathId,
    item_id: PathId,
    payload: OutcomeChange,
) -> ItemOutcomePublic:
    """While the meeting is `live` or after it closed; `version` is the outcome's (409 when
    someone else recorded it meanwhile)."""
    conduct.record_outcome(
        session, actor, meeting_id=meeting_id, item_id=item_id, **payload.model_dump()
    )
    publish(request, session, actor)
    line = conduct.item_outcome(session, actor, item_id=item_id)
    assert line is not None  # just recorded
    return _outcome_public(line)
