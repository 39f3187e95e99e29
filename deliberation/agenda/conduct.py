"""During the meeting (status live): the item under consideration (วาระที่กำลังพิจารณา), the
time each item takes against its time box, and each item's outcome — the discussion summary
(สรุปการอภิปราย) and the resolution (มติที่ประชุม) that the minutes use.

The agenda's `current_item_id` and `current_since` say which item is being discussed and
since when; an item keeps the seconds of its earlier turns (`time_spent_seconds`). A switch
is a compare-and-set on that pair: of two secretaries pressing "next" at once, one moves the
meeting on and the other is told it already moved, so no item is skipped and never two are
current. An outcome carries its own version (`outcome_version`) the same way. Outcomes are
recorded while the meeting is live and after it closed (the secretary completes them for the
minutes), never before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from deliberation import indexing, labels
from deliberation.agenda import agendas
from deliberation.agenda.events import ProceedingsChanged
from deliberation.agenda.models import Agenda, AgendaItem, AgendaPart, ItemOutcome
from forum import audit, events, meetings, policy
from forum.db import utcnow
from forum.errors import Conflict, InvalidInput, NotFound, StaleEdit
from forum.forms import validate, whole_number
from forum.models import Meeting, MeetingStatus, Person
from forum.policy import Actor

MAX_SUMMARY = 20_000
MAX_RESOLUTION = 10_000
MOVES = ("next", "previous", "item", "stop")
ANY: Any = object()  # `seen`: the caller did not say which item it saw under consideration


# -- taking up items ------------------------------------------------------------------------


def change_current_item(
    session: Session,
    actor: Actor,
    *,
    meeting_id: int,
    to: str,
    item_id: Any = None,
    seen: Any = ANY,
) -> Agenda:
    """Take up the `next` or `previous` item, a chosen `item` (`item_id`), or `stop` (no
    item under consideration). `seen` is the item the caller's page showed as current ("" or
    None: none): if the meeting has moved on since, nothing changes. The running turn of the
    item left behind is added to its time. Raises Forbidden, NotFound, Conflict (not in
    session, no such neighbour), StaleEdit (someone else moved it first), InvalidInput."""
    meeting = meetings.get_meeting(session, actor, meeting_id=meeting_id)
    policy.require(actor, "deliberation.meeting.conduct", meeting)
    if meeting.status != MeetingStatus.live:
        if meeting.status == MeetingStatus.closed:
            raise Conflict("This meeting is closed: its items can no longer be taken up.")
        raise Conflict(
            "Items are taken up once the meeting is in session. Start the meeting first."
        )
    agenda = agendas.agenda_of(session, meeting_id)
    if agenda is None:
        raise Conflict("This meeting has no agenda items to take up.")
    if to not in MOVES:
        raise InvalidInput({"to": "Please choose one of the options."})
    if seen is not ANY and _item_id(seen, blank=None) != agenda.current_item_id:
        raise StaleEdit(MOVED_ON)
    order = _taken_up(session, agenda.id)  # type: ignore[arg-type]
    target = _target(order, agenda.current_item_id, to, item_id)
    if target == agenda.current_item_id:
        return agenda  # already so: a second press changes nothing
    switch_item(session, actor, agenda, target)
    session.commit()
    events.record(session, ProceedingsChanged(agenda.meeting_id))
    return agenda


MOVED_ON = (
    "Someone else changed the item under consideration at the same moment, so nothing was "
    "changed. The page now shows the item being discussed."
)


def _item_id(value: Any, *, blank: Any) -> Any:
    """An item id from a form or JSON value; `blank` for "" or None; -1 for anything else."""
    if value is None or value == "":
        return blank
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = whole_number(value, field="item_id")
    return -1 if number is None else number


def _taken_up(session: Session, agenda_id: int) -> list[tuple[int, bool]]:
    """The agenda's items in order, each with whether it has been taken up already."""
    rows = session.exec(
        select(AgendaItem.id, AgendaItem.started_at)
        .join(AgendaPart, col(AgendaPart.id) == AgendaItem.part_id)
        .where(AgendaItem.agenda_id == agenda_id)
        .order_by(col(AgendaPart.position), col(AgendaItem.position), col(AgendaItem.id))
    ).all()
    return [(item_id, started_at is not None) for item_id, started_at in rows if item_id]


def _target(
    order: list[tuple[int, bool]], current: int | None, to: str, item_id: Any
) -> int | None:
    ids = [item for item, _started in order]
    if to == "stop":
        return None
    if to == "item":
        chosen = _item_id(item_id, blank=-1)
        if chosen not in ids:
            raise InvalidInput({"item_id": "Choose one of the agenda's items."})
        return chosen
    if not ids:
        raise Conflict("The agenda has no items to take up.")
    if current is None or current not in ids:
        if to == "previous":
            raise Conflict("No item is under consideration. Choose the item to take up.")
        waiting = [item for item, started in order if not started]
        if not waiting:
            raise Conflict("Every item has been taken up. Choose the item to take up again.")
        return waiting[0]
    index = ids.index(current) + (1 if to == "next" else -1)
    if index < 0:
        raise Conflict("This is already the first item of the agenda.")
    if index >= len(ids):
        raise Conflict("This is already the last item of the agenda. Stop when it is finished.")
    return ids[index]


def switch_item(session: Session, actor: Actor, agenda: Agenda, target: int | None) -> None:
    """Make `target` (None: no item) the item under consideration, in the caller's
    transaction: claimed by a compare-and-set on the agenda's current item and the start of
    its turn (raises StaleEdit, after a rollback, if another switch came first); the turn
    that ends is added to its item's time, and a first turn marks when the item started."""
    now = utcnow()
    previous, since = agenda.current_item_id, agenda.current_since
    table = Agenda.__table__  # type: ignore[attr-defined]
    claimed = session.connection().execute(
        table.update()
        .where(
            table.c.id == agenda.id,
            table.c.current_item_id.is_(None)
            if previous is None
            else table.c.current_item_id == previous,
            table.c.current_since.is_(None) if since is None else table.c.current_since == since,
        )
        .values(current_item_id=target, current_since=now if target is not None else None)
    )
    if claimed.rowcount != 1:
        session.rollback()
        raise StaleEdit(MOVED_ON)
    items = AgendaItem.__table__  # type: ignore[attr-defined]
    if previous is not None and since is not None:
        seconds = max(0, round((now - since).total_seconds()))
        session.connection().execute(
            items.update()
            .where(items.c.id == previous)
            .values(time_spent_seconds=items.c.time_spent_seconds + seconds)
        )
    if target is not None:
        session.connection().execute(
            items.update()
            .where(items.c.id == target, items.c.started_at.is_(None))
            .values(started_at=now)
        )
    set_committed_value(agenda, "current_item_id", target)
    set_committed_value(agenda, "current_since", now if target is not None else None)
    for item_id in (previous, target):
        if item_id is None:
            continue
        loaded = session.identity_map.get(session.identity_key(AgendaItem, item_id))  # type: ignore[arg-type]
        if loaded is not None:
            session.expire(loaded)
    audit.record(
        session,
        actor,
        "deliberation.meeting.conduct",
        target_type="agenda",
        target_id=agenda.id,
        before={"current_item_id": previous},
        after={"current_item_id": target},
    )


def on_meeting_stage(session: Session, actor: Actor, meeting: Meeting, to: MeetingStatus) -> None:
    """forum.meetings.STATUS_HOOKS: when the meeting leaves `live`, the item still under
    consideration has its turn closed (its time kept) and none is current any more."""
    if meeting.status != MeetingStatus.live or to == MeetingStatus.live:
        return
    agenda = agendas.agenda_of(session, meeting.id)  # type: ignore[arg-type]
    if agenda is not None and agenda.current_item_id is not None:
        switch_item(session, actor, agenda, None)



# -- recording an item's outcome ----------------------------------------------------------


class OutcomeFields(BaseModel):
    outcome: ItemOutcome
    discussion_summary: str | None = Field(default=None, max_length=MAX_SUMMARY)
    resolution: str | None = Field(default=None, max_length=MAX_RESOLUTION)


def record_outcome(
    session: Session,
    actor: Actor,
    *,
    meeting_id: int,
    item_id: int,
    version: Any,
    **data: Any,
) -> AgendaItem:
    """The item's outcome as the meeting decided it: its kind, the discussion summary and
    the resolution (มติที่ประชุม), plain text. `version` is the outcome's version the form
    was based on. Raises Forbidden, NotFound (no such item at this meeting), Conflict (the
    meeting has not started), StaleEdit (someone else recorded it meanwhile), InvalidInput."""
    meeting = meetings.get_meeting(session, actor, meeting_id=meeting_id)
    policy.require(actor, "deliberation.outcome.record", meeting)
    item = session.get(AgendaItem, item_id)
    agenda = session.get(Agenda, item.agenda_id) if item is not None else None
    if item is None or agenda is None or agenda.meeting_id != meeting_id:
        raise NotFound()
    if meeting.status not in (MeetingStatus.live, MeetingStatus.closed):
        raise Conflict("Outcomes are recorded once the meeting is in session.")
    values = validate(
        OutcomeFields,
        {name: data.get(name) for name in OutcomeFields.model_fields},
        multiline=frozenset({"discussion_summary", "resolution"}),
    )
    based_on = _item_id(version, blank=-1)
    if based_on != item.outcome_version:
        raise StaleEdit(OUTCOME_CHANGED)
    before = audit.snapshot(item)
    table = AgendaItem.__table__  # type: ignore[attr-defined]
    claimed = session.connection().execute(
        table.update()
        .where(table.c.id == item.id, table.c.outcome_version == based_on)
        .values(
            outcome=values.outcome.value,
            discussion_summary=values.discussion_summary or "",
            resolution=values.resolution or "",
            outcome_by=actor.person_id,
            outcome_at=utcnow(),
            outcome_version=based_on + 1,
        )
    )
    if claimed.rowcount != 1:
        session.rollback()
        raise StaleEdit(OUTCOME_CHANGED)
    session.refresh(item)
    indexing.index_resolution(session, item, meeting)
    audit.record(session, actor, "deliberation.outcome.record", item, before=before)
    session.commit()
    events.record(session, ProceedingsChanged(agenda.meeting_id))
    return item


OUTCOME_CHANGED = (
    "Someone else recorded this item's outcome while you were writing, so yours was not "
    "saved. Their text is shown; copy what you need from yours, then save again."
)


# -- what the pages show --------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeLine:
    """One item as the proceedings show it: its time taken and its outcome."""

    id: int
    number: str  # "4.1"
    title: str
    presenter: str
    time_box_minutes: int | None
    outcome: str
    outcome_text: str
    discussion_summary: str
    resolution: str
    version: int  # the outcome's, for its form
    recorded: bool  # a decision or a text has been recorded
    recorded_by: str
    recorded_at: datetime | None
    started_at: datetime | None
    current: bool
    spent_seconds: int  # earlier turns
    elapsed_seconds: int  # earlier turns and the running one
    elapsed_text: str  # "12:05"
    over_time: bool


@dataclass(frozen=True)
class PartOutcomes:
    number: int
    title: str
    items: list[OutcomeLine]


@dataclass(frozen=True)
class Proceedings:
    """The meeting's items with their outcomes and, while it is live, the one under
    consideration with its clock."""

    meeting_id: int
    body_id: int  # the rules' target (templates: can("deliberation.meeting.conduct", view))
    label: str  # "3/2569"
    status: str
    live: bool
    recordable: bool  # outcomes may be recorded now: live or closed
    parts: list[PartOutcomes]
    items: list[OutcomeLine]
    current: OutcomeLine | None
    clock_start: datetime | None  # the instant the current item's time counts from
    now: datetime
    has_previous: bool
    has_next: bool
    outcome_options: list[tuple[str, str]]


def elapsed_text(seconds: int) -> str:
    """12:05, or 1:02:05 past an hour."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


_Presenter = aliased(Person)
_Recorder = aliased(Person)
_LINES = (
    select(
        AgendaItem.id,
        AgendaItem.title,
        AgendaPart.position,
        AgendaItem.position,
        AgendaItem.presenter_name,
        _Presenter.display_name,
        AgendaItem.time_box_minutes,
        AgendaItem.outcome,
        AgendaItem.discussion_summary,
        AgendaItem.resolution,
        AgendaItem.outcome_version,
        _Recorder.display_name,
        AgendaItem.outcome_at,
        AgendaItem.started_at,
        AgendaItem.time_spent_seconds,
    )
    .join(AgendaPart, col(AgendaPart.id) == AgendaItem.part_id)
    .outerjoin(_Presenter, col(_Presenter.id) == AgendaItem.presenter_id)
    .outerjoin(_Recorder, col(_Recorder.id) == AgendaItem.outcome_by)
    .order_by(col(AgendaPart.position), col(AgendaItem.position), col(AgendaItem.id))
)


def _lines(session: Session, agenda: Agenda, query: Any, now: datetime) -> list[OutcomeLine]:
    outcome_text = dict(labels.options(ItemOutcome))
    lines = []
    for (
        item_id,
        title,
        part_number,
        position,
        presenter_name,
        presenter,
        box,
        outcome,
        summary,
        resolution,
        version,
        recorder,
        recorded_at,
        started_at,
        spent,
    ) in session.exec(query).all():
        current = item_id == agenda.current_item_id
        elapsed = spent
        if current and agenda.current_since is not None:
            elapsed += max(0, int((now - agenda.current_since).total_seconds()))
        lines.append(
            OutcomeLine(
                id=item_id,
                number=f"{part_number}.{position}",
                title=title,
                presenter=presenter or presenter_name,
                time_box_minutes=box,
                outcome=outcome,
                outcome_text=outcome_text.get(outcome, outcome),
                discussion_summary=summary,
                resolution=resolution,
                version=version,
                recorded=outcome != ItemOutcome.pending or bool(summary or resolution),
                recorded_by=recorder or "",
                recorded_at=recorded_at,
                started_at=started_at,
                current=current,
                spent_seconds=spent,
                elapsed_seconds=elapsed,
                elapsed_text=elapsed_text(elapsed),
                over_time=box is not None and elapsed > box * 60,
            )
        )
    return lines


def _proceedings(session: Session, meeting: Any) -> Proceedings:
    """Everything about the meeting's items and outcomes, in three queries."""
    now = utcnow()
    status = MeetingStatus(meeting.status)
    agenda = agendas.agenda_of(session, meeting.id)
    lines: list[OutcomeLine] = []
    parts: list[PartOutcomes] = []
    if agenda is not None:
        lines = _lines(session, agenda, _LINES.where(AgendaItem.agenda_id == agenda.id), now)
        for part in agendas.parts_of(session, agenda.id):  # type: ignore[arg-type]
            number = str(part.position)
            in_part = [line for line in lines if line.number.split(".")[0] == number]
            parts.append(PartOutcomes(part.position, part.title, in_part))
    current = next((line for line in lines if line.current), None)
    index = lines.index(current) if current is not None else -1
    live = status == MeetingStatus.live
    return Proceedings(
        meeting_id=meeting.id,
        body_id=meeting.body_id,
        label=meetings.meeting_label(meeting),
        status=status,
        live=live,
        recordable=status in (MeetingStatus.live, MeetingStatus.closed),
        parts=parts,
        items=lines,
        current=current,
        clock_start=(
            agenda.current_since - timedelta(seconds=current.spent_seconds)
            if current is not None and agenda is not None and agenda.current_since is not None
            else None
        ),
        now=now,
        has_previous=live and index > 0,
        has_next=live and bool(lines) and index < len(lines) - 1,
        outcome_options=labels.options(ItemOutcome),
    )


def proceedings(session: Session, actor: Actor, *, meeting_id: int) -> Proceedings:
    """The proceedings page: every item of the meeting with its time taken and outcome.
    Raises Forbidden, NotFound."""
    meeting = meetings.get_meeting(session, actor, meeting_id=meeting_id)
    policy.require(actor, "deliberation.outcome.view", meeting)
    return _proceedings(session, meeting)


def item_outcome(session: Session, actor: Actor, *, item_id: int) -> OutcomeLine | None:
    """One item's outcome and time taken (for its discussion page), or None before the
    meeting has taken it up or recorded anything. Raises Forbidden, NotFound."""
    item = session.get(AgendaItem, item_id)
    agenda = session.get(Agenda, item.agenda_id) if item is not None else None
    if agenda is None:
        raise NotFound()
    meeting = meetings.get_meeting(session, actor, meeting_id=agenda.meeting_id)
    policy.require(actor, "deliberation.outcome.view", meeting)
    [line] = _lines(session, agenda, _LINES.where(AgendaItem.id == item_id), utcnow())
    return line if line.recorded or line.started_at is not None else None


# -- the meeting page's panel (forum.meetings.PAGE_PANELS) ----------------------------------

PANEL_TEMPLATE = "deliberation/_conduct.html"


def conduct_panel(session: Session, actor: Actor, *, meeting_id: int) -> meetings.PagePanel:
    """The meeting page's panel on its own (a live refresh). Raises Forbidden, NotFound."""
    meeting = meetings.get_meeting(session, actor, meeting_id=meeting_id)
    policy.require(actor, "deliberation.outcome.view", meeting)
    return meetings.PagePanel(PANEL_TEMPLATE, _proceedings(session, meeting))


def _waiting(meeting: Any) -> Proceedings:
    """Before the meeting is in session: an empty panel, made without a query, that a live
    refresh fills once the first item is taken up."""
    return Proceedings(
        meeting_id=meeting.id,
        body_id=meeting.body_id,
        label=meetings.meeting_label(meeting),
        status=meeting.status,
        live=False,
        recordable=False,
        parts=[],
        items=[],
        current=None,
        clock_start=None,
        now=utcnow(),
        has_previous=False,
        has_next=False,
        outcome_options=[],
    )


def meeting_page_panel(session: Session, actor: Actor, meeting: Any) -> meetings.PagePanel | None:
    """forum.meetings.PAGE_PANELS: the item under consideration while the meeting is live; an
    empty placeholder before (no query); nothing once it is closed (the page links to the
    proceedings)."""
    if meeting.status == MeetingStatus.closed:
        return None
    if meeting.status != MeetingStatus.live:
        return meetings.PagePanel(PANEL_TEMPLATE, _waiting(meeting))
    return meetings.PagePanel(PANEL_TEMPLATE, _proceedings(session, meeting))

