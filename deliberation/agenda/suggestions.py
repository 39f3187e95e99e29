"""Members' suggestions for the agenda while it is open (the meeting at agenda_open): any
member suggests an item with a rationale, others support it (once each, and may withdraw
their support), and the chair or secretary accepts it into a part, merges it into an
existing item, or declines it with a reason the suggester sees."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from deliberation import indexing, notices
from deliberation.agenda import agendas
from deliberation.agenda.events import AgendaChanged
from deliberation.agenda.models import (
    Agenda,
    AgendaItem,
    AgendaStatus,
    AgendaSuggestion,
    SuggestionStatus,
    SuggestionSupport,
)
from deliberation.markdown import render_markdown
from forum import audit, events, policy
from forum.db import utcnow
from forum.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAChoice,
    NotFound,
    NotLoggedIn,
)
from forum.forms import validate, whole_number
from forum.models import Meeting, MeetingStatus
from forum.policy import Actor

NOT_OPEN = "The agenda is not open for suggestions now."
ANSWERED = "This suggestion has already been answered."


class SuggestionFields(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    rationale: str | None = Field(default=None, max_length=5000)


def _check_open(agenda: Agenda, meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.agenda_open or agenda.status != AgendaStatus.draft:
        raise Conflict(NOT_OPEN)


def suggest_item(
    session: Session, actor: Actor, *, meeting_id: int, **data: Any
) -> AgendaSuggestion:
    """Raises Forbidden (not a member of the body), NotFound, Conflict (agenda not open),
    InvalidInput."""
    agenda, meeting = agendas.ensure_agenda(session, actor, meeting_id=meeting_id)
    try:
        policy.require(actor, "deliberation.suggestion.create", meeting)
    except NotLoggedIn:
        raise
    except Forbidden:
        raise Forbidden(
            action="deliberation.suggestion.create",
            message="Only members of this body can suggest items for its agenda.",
        ) from None
    _check_open(agenda, meeting)
    values = validate(SuggestionFields, data, multiline=frozenset({"rationale"}))
    suggestion = AgendaSuggestion(
        agenda_id=agenda.id,  # type: ignore[arg-type]
        suggested_by=actor.person_id,
        title=values.title,
        rationale=values.rationale or "",
    )
    session.add(suggestion)
    session.flush()
    audit.record(session, actor, "deliberation.suggestion.create", suggestion)
    indexing.index_suggestion(session, suggestion, meeting)
    session.commit()
    events.record(session, AgendaChanged(agenda.meeting_id))
    return suggestion


def _suggestion(
    session: Session, actor: Actor, suggestion_id: int, meeting_id: int | None
) -> tuple[AgendaSuggestion, Agenda, Meeting]:
    suggestion = session.get(AgendaSuggestion, suggestion_id)
    if suggestion is None:
        raise NotFound()
    agenda = session.get(Agenda, suggestion.agenda_id)
    assert agenda is not None
    if meeting_id is not None and agenda.meeting_id != meeting_id:
        raise NotFound()  # a suggestion for another meeting's agenda
    agenda, meeting = agendas.ensure_agenda(session, actor, meeting_id=agenda.meeting_id)
    return suggestion, agenda, meeting


def support_suggestion(
    session: Session,
    actor: Actor,
    *,
    suggestion_id: int,
    support: bool = True,
    meeting_id: int | None = None,
) -> AgendaSuggestion:
    """Support a suggestion (once), or withdraw one's support. Raises Forbidden, NotFound,
    Conflict."""
    suggestion, agenda, meeting = _suggestion(session, actor, suggestion_id, meeting_id)
    policy.require(actor, "deliberation.suggestion.support", meeting)
    _check_open(agenda, meeting)
    if suggestion.status != SuggestionStatus.pending:
        raise Conflict(ANSWERED)
    if suggestion.suggested_by == actor.person_id:
        raise Conflict("This is your own suggestion; other members can support it.")
    if support:
        session.add(SuggestionSupport(suggestion_id=suggestion_id, person_id=actor.person_id))  # type: ignore[arg-type]
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            raise Conflict("You already support this suggestion.") from None
        audit.record(session, actor, "deliberation.suggestion.support", suggestion)
    else:
        removed = session.exec(  # type: ignore[call-overload]
            delete(SuggestionSupport).where(
                col(SuggestionSupport.suggestion_id) == suggestion_id,
                col(SuggestionSupport.person_id) == actor.person_id,
            )
        )
        if removed.rowcount != 1:
            session.rollback()
            raise Conflict("You do not support this suggestion.")
        audit.record(session, actor, "deliberation.suggestion.withdraw_support", suggestion)
    session.commit()
    events.record(session, AgendaChanged(agenda.meeting_id))
    return suggestion


def _claim_answer(session: Session, actor: Actor, suggestion: AgendaSuggestion) -> None:
    """Compare-and-set pending → answered (by the actor, now): of two answers at once, only
    the first counts."""
    now = utcnow()
    result = session.connection().execute(
        update(AgendaSuggestion)
        .where(
            col(AgendaSuggestion.id) == suggestion.id,
            col(AgendaSuggestion.status) == SuggestionStatus.pending,
        )
        .values(answered_at=now)
    )
    if result.rowcount != 1:
        session.rollback()
        raise Conflict(ANSWERED)
    suggestion.answered_by, suggestion.answered_at = actor.person_id, now


def answer_suggestion(
    session: Session,
    actor: Actor,
    *,
    suggestion_id: int,
    answer: str,
    meeting_id: int | None = None,
    version: int | None = None,
    part_id: Any = None,
    position: Any = None,
    item_id: Any = None,
    reason: str | None = None,
) -> AgendaSuggestion:
    """accept (a new item in the chosen part, at the chosen position or the end), merge
    (into an existing item), or decline (with a reason). Raises Forbidden, NotFound,
    Conflict (answered already, agenda locked), StaleEdit, InvalidInput."""
    suggestion, agenda, meeting = _suggestion(session, actor, suggestion_id, meeting_id)
    policy.require(actor, "deliberation.suggestion.answer", meeting)
    agendas.check_editable(agenda, meeting)
    if suggestion.status != SuggestionStatus.pending:
        raise Conflict(ANSWERED)
    before = audit.snapshot(suggestion)
    if answer == "accept":
        part = agendas.part_in(session, agenda, part_id)
        agendas.claim_agenda(session, agenda, version)
        _claim_answer(session, actor, suggestion)
        item = AgendaItem(
            agenda_id=agenda.id,  # type: ignore[arg-type]
            part_id=part.id,  # type: ignore[arg-type]
            position=0,
            kind=part.kind,
            title=suggestion.title,
            description=suggestion.rationale,
            description_html=str(render_markdown(suggestion.rationale)),
            presenter_id=suggestion.suggested_by,
            created_by=actor.person_id,
        )
        session.add(item)
        session.flush()
        agendas.place_item(session, item, part.id, position)  # type: ignore[arg-type]
        suggestion.status, suggestion.item_id = SuggestionStatus.accepted, item.id
        audit.record(session, actor, "deliberation.agenda.add_item", item)
        indexing.index_item(session, item, meeting)
        audit.record(session, actor, "deliberation.suggestion.accept", suggestion, before=before)
    elif answer == "merge":
        if item_id in (None, ""):
            raise InvalidInput({"item_id": "Choose the agenda item to merge it into."})
        target = session.get(AgendaItem, whole_number(item_id) or 0)
        if target is None or target.agenda_id != agenda.id:
            raise NotAChoice({"item_id": "Choose the agenda item to merge it into."})
        _claim_answer(session, actor, suggestion)
        suggestion.status, suggestion.item_id = SuggestionStatus.merged, target.id
        audit.record(session, actor, "deliberation.suggestion.merge", suggestion, before=before)
    elif answer == "decline":
        text = " ".join((reason or "").split())
        if not text:
            raise InvalidInput(
                {"reason": "Please give a reason: the member who suggested it will see it."}
            )
        if len(text) > 2000:
            raise InvalidInput({"reason": "This is too long: at most 2000 characters."})
        _claim_answer(session, actor, suggestion)
        suggestion.status, suggestion.answer_reason = SuggestionStatus.declined, text
        audit.record(session, actor, "deliberation.suggestion.decline", suggestion, before=before)
    else:
        raise InvalidInput({"answer": "Please choose one of the options."})
    notices.suggestion_answered(session, actor, suggestion, meeting)
    session.commit()
    events.record(session, AgendaChanged(agenda.meeting_id))
    return suggestion


def supporters(session: Session, suggestion_ids: list[int]) -> dict[int, list[int]]:
    """suggestion id -> the ids of the people supporting it."""
    found: dict[int, list[int]] = {}
    if suggestion_ids:
        for suggestion_id, person_id in session.exec(
            select(SuggestionSupport.suggestion_id, SuggestionSupport.person_id).where(
                col(SuggestionSupport.suggestion_id).in_(suggestion_ids)
            )
        ).all():
            found.setdefault(suggestion_id, []).append(person_id)
    return found
