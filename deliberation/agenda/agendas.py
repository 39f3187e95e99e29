"""A meeting's agenda (ระเบียบวาระการประชุม): made from the body's template the first time it
is needed, its items added, edited, removed and ordered by the chair or secretary.

Every change to the items claims the agenda's `version` (optimistic locking): of two
secretaries working from the same page, the second is told to reload and nothing changes.
Publishing and versions are in deliberation.agenda.publishing; suggestions in
deliberation.agenda.suggestions; files in deliberation.documents.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from deliberation import indexing
from deliberation.agenda.events import AgendaChanged
from deliberation.agenda.models import (
    OPEN_OUTCOMES,
    Agenda,
    AgendaDocument,
    AgendaItem,
    AgendaItemKind,
    AgendaPart,
    AgendaStatus,
    AgendaSuggestion,
    AgendaTemplate,
    AgendaVariant,
    AgendaVersion,
    ItemOutcome,
    SuggestionSupport,
)
from deliberation.discussion import threads
from deliberation.discussion.models import Post, ThreadRead
from deliberation.markdown import check_markup, render_markdown
from forum import audit, events, meetings, policy
from forum.db import claim_version, utcnow
from forum.errors import Conflict, InvalidInput, NotAChoice, NotFound, StaleEdit
from forum.forms import validate, whole_number
from forum.models import Body, Meeting, MeetingStatus, Membership
from forum.policy import Actor
from forum.registry import Registry

K = AgendaItemKind
# The customary Thai agenda (ระเบียบวาระการประชุม), and its common six-part variant.
FIVE_PARTS: list[tuple[AgendaItemKind, str]] = [
    (K.information, "เรื่องที่ประธานแจ้งให้ที่ประชุมทราบ"),
    (K.confirm_minutes, "เรื่องรับรองรายงานการประชุม"),
    (K.follow_up, "เรื่องสืบเนื่อง"),
    (K.consideration, "เรื่องเพื่อพิจารณา"),
    (K.other, "เรื่องอื่น ๆ"),
]
SIX_PARTS: list[tuple[AgendaItemKind, str]] = [
    FIVE_PARTS[0],
    FIVE_PARTS[1],
    (K.information, "เรื่องเสนอเพื่อทราบ"),
    *FIVE_PARTS[2:],
]
MAX_PARTS = 10

STALE_AGENDA = (
    "Someone changed the agenda meanwhile, so nothing was changed. "
    "Reload the agenda to see the latest version, then try again."
)
LOCKED = (
    "The agenda is published and locked. "
    "Start a new version of the agenda to change it, then publish that version."
)
CLOSED = "This meeting is closed; its agenda can no longer be changed."


# -- finding and making the agenda ------------------------------------------------------


def template_parts(session: Session, body_id: int) -> list[tuple[AgendaItemKind, str]]:
    """The parts a new agenda of the body starts from (the five-part standard by default)."""
    chosen = session.exec(select(AgendaTemplate).where(AgendaTemplate.body_id == body_id)).first()
    if chosen is None or chosen.variant == AgendaVariant.five_parts:
        return list(FIVE_PARTS)
    if chosen.variant == AgendaVariant.six_parts:
        return list(SIX_PARTS)
    return [(AgendaItemKind(part["kind"]), part["title"]) for part in chosen.parts or []]


def previous_meeting(session: Session, meeting: Any) -> Meeting | None:
    """The body's meeting held just before this one."""
    return session.exec(
        select(Meeting)
        .where(
            Meeting.body_id == meeting.body_id,
            Meeting.id != meeting.id,
            col(Meeting.starts_at) < meeting.starts_at,
        )
        .order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc())
        .limit(1)
    ).first()


def agenda_of(session: Session, meeting_id: int) -> Agenda | None:
    return session.exec(select(Agenda).where(Agenda.meeting_id == meeting_id)).first()


def _open_items(session: Session, meeting_id: int) -> list[AgendaItem]:
    """เรื่องสืบเนื่อง: the earlier meeting's items for consideration or follow-up that it
    left open: no resolution yet, deferred, or assigned to be reported back."""
    return list(
        session.exec(
            select(AgendaItem)
            .join(Agenda, col(Agenda.id) == AgendaItem.agenda_id)
            .join(AgendaPart, col(AgendaPart.id) == AgendaItem.part_id)
            .where(
                Agenda.meeting_id == meeting_id,
                col(AgendaItem.kind).in_([K.consideration, K.follow_up]),
                col(AgendaItem.outcome).in_(OPEN_OUTCOMES),
            )
            .order_by(col(AgendaPart.position), col(AgendaItem.position))
        ).all()
    )


def build_agenda(session: Session, meeting: Any) -> Agenda:
    """Add a new agenda for the meeting to the session (flushed, not committed): the body's
    parts, part 2 naming the previous meeting's minutes, part 3 its open items."""
    previous = previous_meeting(session, meeting)
    agenda = Agenda(meeting_id=meeting.id, previous_meeting_id=previous.id if previous else None)
    session.add(agenda)
    session.flush()  # the unique meeting_id decides a race here
    for number, (kind, title) in enumerate(template_parts(session, meeting.body_id), start=1):
        part = AgendaPart(agenda_id=agenda.id, position=number, kind=kind, title=title)
        session.add(part)
        session.flush()
        if kind == K.confirm_minutes and previous is not None:
            label = meetings.meeting_label(previous)
            session.add(
                AgendaItem(
                    agenda_id=agenda.id,
                    part_id=part.id,
                    position=1,
                    kind=kind,
                    title=f"รับรองรายงานการประชุม ครั้งที่ {label}",
                    minutes_of_meeting_id=previous.id,
                )
            )
        if kind == K.follow_up and previous is not None:
            for position, earlier in enumerate(_open_items(session, previous.id), start=1):
                session.add(
                    AgendaItem(
                        agenda_id=agenda.id,
                        part_id=part.id,
                        position=position,
                        kind=kind,
                        title=earlier.title,
                        description=earlier.description,
                        description_html=earlier.description_html,
                        presenter_id=earlier.presenter_id,
                        presenter_name=earlier.presenter_name,
                        follows_item_id=earlier.id,
                    )
                )
    session.flush()
    return agenda


def ensure_agenda(session: Session, actor: Actor, *, meeting_id: int) -> tuple[Agenda, Meeting]:
    """The meeting's agenda, made now if this is the first time it is needed. Two first
    openings at once make one agenda (the loser of the unique key reads the winner's).
    Raises Forbidden, NotFound."""
    meeting = meetings.get_meeting(session, actor, meeting_id=meeting_id)
    policy.require(actor, "deliberation.agenda.view", meeting)
    agenda = agenda_of(session, meeting_id)
    if agenda is not None:
        return agenda, meeting
    try:
        agenda = build_agenda(session, meeting)
        audit.record(session, actor, "deliberation.agenda.create", agenda)
        session.commit()
    except IntegrityError:
        session.rollback()
        agenda = agenda_of(session, meeting_id)
        if agenda is None:
            raise
    meeting = session.get(Meeting, meeting_id) or meeting
    return agenda, meeting


# -- checks shared by every change ------------------------------------------------------


def check_editable(agenda: Agenda, meeting: Meeting) -> None:
    """'Not now': a closed meeting, or a published agenda outside the new-version flow."""
    if meeting.status == MeetingStatus.closed:
        raise Conflict(CLOSED)
    if agenda.status == AgendaStatus.published:
        raise Conflict(LOCKED)


def claim_agenda(session: Session, agenda: Agenda, version: int | None) -> None:
    """Move the agenda to its next version, or raise StaleEdit if someone else did first."""
    if version is None or agenda.version != version:
        raise StaleEdit(STALE_AGENDA)
    if not claim_version(session, Agenda, agenda.id, version):  # type: ignore[arg-type]
        session.rollback()
        raise StaleEdit(STALE_AGENDA)
    agenda.version = version + 1


def agenda_for_edit(
    session: Session, actor: Actor, *, meeting_id: int, action: str = "deliberation.agenda.edit"
) -> tuple[Agenda, Meeting]:
    agenda, meeting = ensure_agenda(session, actor, meeting_id=meeting_id)
    policy.require(actor, action, meeting)
    return agenda, meeting


def _item_for_edit(
    session: Session, actor: Actor, item_id: int, meeting_id: int | None
) -> tuple[AgendaItem, Agenda, Meeting]:
    item = session.get(AgendaItem, item_id)
    if item is None:
        raise NotFound()
    agenda = session.get(Agenda, item.agenda_id)
    assert agenda is not None
    if meeting_id is not None and agenda.meeting_id != meeting_id:
        raise NotFound()  # an item of another meeting's agenda
    _agenda, meeting = agenda_for_edit(session, actor, meeting_id=agenda.meeting_id)
    check_editable(agenda, meeting)
    return item, agenda, meeting


def parts_of(session: Session, agenda_id: int) -> list[AgendaPart]:
    return list(
        session.exec(
            select(AgendaPart)
            .where(AgendaPart.agenda_id == agenda_id)
            .order_by(col(AgendaPart.position))
        ).all()
    )


def items_of(session: Session, agenda_id: int) -> list[AgendaItem]:
    """In agenda order (by part, then position)."""
    return list(
        session.exec(
            select(AgendaItem)
            .join(AgendaPart, col(AgendaPart.id) == AgendaItem.part_id)
            .where(AgendaItem.agenda_id == agenda_id)
            .order_by(col(AgendaPart.position), col(AgendaItem.position), col(AgendaItem.id))
        ).all()
    )


# -- items ------------------------------------------------------------------------------


class ItemFields(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=20_000)
    presenter_id: int | None = None
    presenter_name: str | None = Field(default=None, max_length=200)
    time_box_minutes: int | None = Field(default=None, ge=1, le=24 * 60)


def _checked_item(session: Session, body_id: int, data: dict[str, Any]) -> ItemFields:
    values = validate(ItemFields, data, multiline=frozenset({"description"}))
    check_markup(values.description or "", field="description")
    if values.presenter_id is not None:
        member = session.exec(
            select(Membership.id).where(
                Membership.body_id == body_id, Membership.person_id == values.presenter_id
            )
        ).first()
        if member is None:
            raise InvalidInput(
                {"presenter_id": "Choose a member of this body, or type the presenter's name."}
            )
    return values


def _renumber(items: list[AgendaItem]) -> None:
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position


def add_item(
    session: Session,
    actor: Actor,
    *,
    meeting_id: int,
    version: int | None,
    part_id: Any,
    **data: Any,
) -> AgendaItem:
    """Add an item at the end of a part. Raises Forbidden, NotFound, Conflict, StaleEdit,
    InvalidInput."""
    item = add_item_in_transaction(
        session, actor, meeting_id=meeting_id, version=version, part_id=part_id, **data
    )
    session.commit()
    events.record(session, AgendaChanged(meeting_id))
    return item


def add_item_in_transaction(
    session: Session,
    actor: Actor,
    *,
    meeting_id: int,
    version: int | None,
    part_id: Any,
    **data: Any,
) -> AgendaItem:
    """add_item in the caller's transaction (it commits, and records AgendaChanged): an
    item that is part of a larger change — an idea taken forward from a live session."""
    agenda, meeting = agenda_for_edit(session, actor, meeting_id=meeting_id)
    check_editable(agenda, meeting)
    part = part_in(session, agenda, part_id)
    values = _checked_item(session, meeting.body_id, data)
    claim_agenda(session, agenda, version)
    siblings = _items_in_part(session, part.id)  # type: ignore[arg-type]
    item = AgendaItem(
        agenda_id=agenda.id,  # type: ignore[arg-type]
        part_id=part.id,  # type: ignore[arg-type]
        position=len(siblings) + 1,
        kind=part.kind,
        title=values.title,
        description=values.description or "",
        description_html=str(render_markdown(values.description or "")),
        presenter_id=values.presenter_id,
        presenter_name=values.presenter_name or "",
        time_box_minutes=values.time_box_minutes,
        created_by=actor.person_id,
    )
    session.add(item)
    session.flush()
    audit.record(session, actor, "deliberation.agenda.add_item", item)
    indexing.index_item(session, item, meeting)
    return item


def update_item(
    session: Session,
    actor: Actor,
    *,
    item_id: int,
    version: int | None,
    meeting_id: int | None = None,
    **data: Any,
) -> AgendaItem:
    """Raises Forbidden, NotFound, Conflict, StaleEdit, InvalidInput."""
    item, agenda, meeting = _item_for_edit(session, actor, item_id, meeting_id)
    values = _checked_item(session, meeting.body_id, data)
    claim_agenda(session, agenda, version)
    before = audit.snapshot(item)
    item.title, item.description = values.title, values.description or ""
    item.description_html = str(render_markdown(item.description))
    item.presenter_id, item.presenter_name = values.presenter_id, values.presenter_name or ""
    item.time_box_minutes, item.updated_at = values.time_box_minutes, utcnow()
    audit.record(session, actor, "deliberation.agenda.edit_item", item, before=before)
    indexing.index_item(session, item, meeting)
    session.commit()
    events.record(session, AgendaChanged(agenda.meeting_id))
    return item


# What the packages to the right hold on an item, released or refused before it is removed
# (hook(session, item_id), raising Conflict to refuse): voting's ballots on a motion.
ITEM_REMOVAL_HOOKS: Registry[Callable[[Session, int], None]] = Registry("agenda item removal hooks")


def remove_item(
    session: Session,
    actor: Actor,
    *,
    item_id: int,
    version: int | None,
    meeting_id: int | None = None,
    data_dir: Path | None = None,
) -> Agenda:
    """Remove an item with its documents (their files too, from `data_dir`, after the
    commit); not one with a discussion. Raises Forbidden, NotFound, Conflict, StaleEdit."""
    item, agenda, _meeting = _item_for_edit(session, actor, item_id, meeting_id)
    threads.release_item(session, item.id)  # type: ignore[arg-type]  (refused with a discussion)
    for release in ITEM_REMOVAL_HOOKS:  # the packages to the right: voting's ballots
        release(session, item.id)
    if (
        item.id == agenda.current_item_id
        or item.started_at is not None
        or item.outcome != ItemOutcome.pending
    ):
        raise Conflict(
            "The meeting has taken up this item, so it stays on the agenda. "
            "Record its outcome instead, for example that its consideration was deferred."
        )
    claim_agenda(session, agenda, version)
    before = audit.snapshot(item)
    for suggestion in session.exec(
        select(AgendaSuggestion).where(AgendaSuggestion.item_id == item.id)
    ).all():
        suggestion.item_id = None
    files = []
    for document in session.exec(
        select(AgendaDocument).where(AgendaDocument.item_id == item.id)
    ).all():
        files.append(document.stored_name)
        session.delete(document)
    for later in session.exec(select(AgendaItem).where(AgendaItem.follows_item_id == item.id)):
        later.follows_item_id = None
    session.flush()
    siblings = [other for other in _items_in_part(session, item.part_id) if other.id != item.id]
    session.delete(item)
    session.flush()
    _renumber(siblings)
    indexing.unindex_item(session, item_id)
    audit.record(
        session,
        actor,
        "deliberation.agenda.remove_item",
        target_type="agenda_item",
        target_id=item_id,
        before=before,
    )
    session.commit()
    events.record(session, AgendaChanged(agenda.meeting_id))
    if data_dir is not None:
        from deliberation.documents import remove_files  # (documents imports this module)

        remove_files(data_dir, files)
    return agenda


def part_in(session: Session, agenda: Agenda, part_id: Any) -> AgendaPart:
    """One of the agenda's parts. Raises InvalidInput (none given), NotAChoice."""
    if part_id in (None, ""):
        raise InvalidInput({"part_id": "Choose one of the agenda's parts."})
    number = whole_number(part_id, field="part_id")
    part = session.get(AgendaPart, number) if number is not None else None
    if part is None or part.agenda_id != agenda.id:
        raise NotAChoice({"part_id": "Choose one of the agenda's parts."})
    return part


def place_item(session: Session, item: AgendaItem, part_id: int, position: Any) -> None:
    """Put a new item into a part at `position` (1-based; the end when not given)."""
    siblings = [other for other in _items_in_part(session, part_id) if other.id != item.id]
    place = whole_number(position, digits=5, field="position")
    index = len(siblings) if place is None or place < 1 else min(place - 1, len(siblings))
    siblings.insert(index, item)
    _renumber(siblings)


def _items_in_part(session: Session, part_id: int) -> list[AgendaItem]:
    return list(
        session.exec(
            select(AgendaItem)
            .where(AgendaItem.part_id == part_id)
            .order_by(col(AgendaItem.position), col(AgendaItem.id))
        ).all()
    )


def move_item(
    session: Session,
    actor: Actor,
    *,
    item_id: int,
    version: int | None,
    meeting_id: int | None = None,
    direction: str | None = None,
    part_id: Any = None,
    position: Any = None,
) -> AgendaItem:
    """One place up or down (across into the neighbouring part at either end of a part), or
    to a given part and position (drag and drop). Raises Forbidden, NotFound, Conflict,
    StaleEdit, InvalidInput."""
    item, agenda, _meeting = _item_for_edit(session, actor, item_id, meeting_id)
    parts = parts_of(session, agenda.id)  # type: ignore[arg-type]
    lists = {part.id: _items_in_part(session, part.id) for part in parts}  # type: ignore[arg-type]
    source = lists[item.part_id]
    index = next(i for i, other in enumerate(source) if other.id == item.id)
    part_index = next(i for i, part in enumerate(parts) if part.id == item.part_id)
    if direction in ("up", "down"):
        step = -1 if direction == "up" else 1
        if 0 <= index + step < len(source):
            target, place = parts[part_index], index + step
        elif 0 <= part_index + step < len(parts):
            target = parts[part_index + step]
            place = len(lists[target.id]) if step < 0 else 0
        else:
            raise Conflict(
                "This item is already the first of the agenda."
                if step < 0
                else "This item is already the last of the agenda."
            )
    elif part_id not in (None, ""):
        target = part_in(session, agenda, part_id)
        number = whole_number(position, digits=5, field="position")
        if number is None or number < 1:
            raise InvalidInput({"position": "Please enter a whole number."})
        place = number - 1
    else:
        raise InvalidInput({"direction": "Choose where to move the item."})
    claim_agenda(session, agenda, version)
    before = {"part_id": item.part_id, "position": item.position}
    source.pop(index)
    destination = lists[target.id]  # type: ignore[index]
    destination.insert(min(max(place, 0), len(destination)), item)
    item.part_id, item.kind = target.id, target.kind  # type: ignore[assignment]
    _renumber(source)
    _renumber(destination)
    audit.record(
        session,
        actor,
        "deliberation.agenda.move_item",
        item,
        before=before,
        after={"part_id": item.part_id, "position": item.position},
    )
    session.commit()
    events.record(session, AgendaChanged(agenda.meeting_id))
    return item


# -- the body's template ------------------------------------------------------------------


def agenda_template(
    session: Session, actor: Actor, *, body_id: int
) -> tuple[Body, AgendaVariant, list[tuple[AgendaItemKind, str]]]:
    """The body with its chosen variant and parts. Raises Forbidden, NotFound."""
    body = session.get(Body, body_id)
    if body is None:
        raise NotFound()
    policy.require(actor, "deliberation.agenda_template.edit", body)
    chosen = session.exec(select(AgendaTemplate).where(AgendaTemplate.body_id == body_id)).first()
    variant = AgendaVariant(chosen.variant) if chosen else AgendaVariant.five_parts
    return body, variant, template_parts(session, body_id)


def set_agenda_template(
    session: Session,
    actor: Actor,
    *,
    body_id: int,
    variant: str | None,
    parts: list[tuple[str, str]] | None = None,
) -> AgendaTemplate:
    """Choose the five-part standard, the six-part variant, or the body's own list of
    (kind, title) parts for its agendas from now on. Raises Forbidden, NotFound,
    InvalidInput."""
    body, _variant, _parts = agenda_template(session, actor, body_id=body_id)
    if variant not in set(AgendaVariant):
        raise InvalidInput({"variant": "Please choose one of the options."})
    custom: list[dict[str, str]] = []
    if variant == AgendaVariant.custom:
        for kind, title in parts or []:
            title = " ".join((title or "").split())
            if not title:
                continue
            if kind not in set(AgendaItemKind):
                raise InvalidInput({"parts": "Please choose a kind for each part."})
            if len(title) > 300:
                raise InvalidInput({"parts": "A part's title can be at most 300 characters."})
            custom.append({"kind": kind, "title": title})
        if not custom or len(custom) > MAX_PARTS:
            raise InvalidInput({"parts": "Give between 1 and 10 parts, each with a title."})
    chosen = session.exec(select(AgendaTemplate).where(AgendaTemplate.body_id == body.id)).first()
    before = audit.snapshot(chosen)
    if chosen is None:
        chosen = AgendaTemplate(body_id=body.id)  # type: ignore[arg-type]
        session.add(chosen)
    else:
        chosen.version += 1
    chosen.variant = AgendaVariant(variant)
    chosen.parts = custom or None
    chosen.updated_by, chosen.updated_at = actor.person_id, utcnow()
    session.flush()
    audit.record(session, actor, "deliberation.agenda_template.edit", chosen, before=before)
    session.commit()
    return chosen


# -- a draft meeting deleted ------------------------------------------------------------

HAS_WORK = (
    "This meeting's agenda already has documents or a discussion, so the meeting cannot be "
    "deleted. Remove the documents first, or keep the meeting."
)


def on_meeting_delete(session: Session, actor: Actor, meeting: Meeting) -> None:
    """forum.meetings.DELETE_HOOKS: a draft meeting made by mistake goes with its agenda
    (parts, items, versions, suggestions), unless someone's documents or posts are on it;
    later agendas that named it as their previous meeting forget it."""
    for agenda in session.exec(select(Agenda).where(Agenda.previous_meeting_id == meeting.id)):
        agenda.previous_meeting_id = None
    for item in session.exec(
        select(AgendaItem).where(AgendaItem.minutes_of_meeting_id == meeting.id)
    ):
        item.minutes_of_meeting_id = None
    agenda = agenda_of(session, meeting.id)  # type: ignore[arg-type]
    if agenda is None:
        return
    item_ids = list(session.exec(select(AgendaItem.id).where(AgendaItem.agenda_id == agenda.id)))
    for model in (AgendaDocument, Post):
        if session.exec(select(model.id).where(col(model.item_id).in_(item_ids)).limit(1)).first():
            raise Conflict(HAS_WORK)
    suggestion_ids = list(
        session.exec(select(AgendaSuggestion.id).where(AgendaSuggestion.agenda_id == agenda.id))
    )
    doomed: list[Any] = [
        *session.exec(
            select(SuggestionSupport).where(
                col(SuggestionSupport.suggestion_id).in_(suggestion_ids)
            )
        ),
        *session.exec(select(ThreadRead).where(col(ThreadRead.item_id).in_(item_ids))),
        *session.exec(select(AgendaSuggestion).where(AgendaSuggestion.agenda_id == agenda.id)),
        *session.exec(select(AgendaVersion).where(AgendaVersion.agenda_id == agenda.id)),
    ]
    for row in doomed:
        session.delete(row)
    session.flush()
    for item in session.exec(  # its items followed up anywhere (this agenda or a later one)
        select(AgendaItem).where(col(AgendaItem.follows_item_id).in_(item_ids))
    ):
        item.follows_item_id = None
    indexing.unindex_meeting(session, meeting.id)  # type: ignore[arg-type]
    session.flush()
    for model in (AgendaItem, AgendaPart):
        for row in session.exec(select(model).where(model.agenda_id == agenda.id)):
            session.delete(row)
        session.flush()
    session.delete(agenda)
    session.flush()
