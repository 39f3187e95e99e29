"""What the agenda pages show, display-ready: parts and numbered items with their
descriptions rendered safe, documents, suggestions with their support, the total of the
time boxes against the meeting's length."""

from __future__ import annotations

import threading
from collections import OrderedDict, namedtuple
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import sqlalchemy as sa
from markupsafe import Markup
from sqlmodel import Session, col, select

from deliberation import labels
from deliberation.agenda import agendas, publishing, suggestions
from deliberation.agenda.models import (
    Agenda,
    AgendaDocument,
    AgendaItem,
    AgendaItemKind,
    AgendaStatus,
    AgendaSuggestion,
    ItemOutcome,
    SuggestionStatus,
)
from deliberation.discussion import threads
from deliberation.discussion.models import Post
from deliberation.documents import size_text
from deliberation.markdown import stored_markdown
from forum import i18n, meetings, policy
from forum.errors import NotFound
from forum.meetings import BodyName
from forum.models import Body, Meeting, MeetingStatus, Person
from forum.policy import Actor

T = TypeVar("T")


@dataclass(frozen=True)
class DocumentLine:
    id: int
    filename: str
    content_type: str
    size: int
    size_text: str  # "1.2 MB"


@dataclass(frozen=True)
class ItemLine:
    id: int
    number: str  # "4.1"
    kind: str
    kind_text: str
    title: str
    description: str  # the Markdown source, for the edit form
    description_html: Markup
    presenter_id: int | None
    presenter_name: str
    presenter: str  # as shown
    time_box_minutes: int | None
    documents: list[DocumentLine]
    first: bool  # of the whole agenda: no "up"
    last: bool  # no "down"
    minutes_of_meeting_id: int | None
    # the meeting's outcome, once recorded (deliberation.agenda.conduct)
    outcome: str = ItemOutcome.pending.value
    outcome_text: str = ""  # "" while pending
    discussion_summary: str = ""
    resolution: str = ""


@dataclass(frozen=True)
class PartLine:
    id: int
    number: int
    kind: str
    title: str
    items: list[ItemLine]


@dataclass(frozen=True)
class SuggestionLine:
    id: int
    title: str
    rationale: str
    suggester: str
    status: str
    status_text: str
    supporters: int
    supported_by_me: bool
    mine: bool
    answer_reason: str
    item_id: int | None
    item_number: str


@dataclass(frozen=True)
class AgendaOverview:
    meeting: Meeting
    body: BodyName
    label: str  # "3/2569"
    agenda: Agenda
    status_text: str
    parts: list[PartLine]
    suggestions: list[SuggestionLine]
    total_minutes: int
    meeting_minutes: int
    over_time: bool
    editable: bool  # items may change now (draft, or a new version being prepared)
    suggestions_open: bool
    publishable: bool  # a draft at agenda_open, or a new version
    revisable: bool  # published: a new version may be started
    needs_opening: bool  # a draft agenda of a draft meeting: opened for suggestions first
    members: list[tuple[int, str]]  # presenters to choose from
    item_choices: list[tuple[int, str]]  # "4.1 title", to merge a suggestion into
    part_choices: list[tuple[int, str]]  # "4. title"
    posts: dict[int, list[tuple[int, int | None]]]  # item id -> shown posts' (id, author id)


@dataclass(frozen=True)
class AgendaContents:
    """What every reader of one revision of an agenda sees alike: kept per revision
    (Agenda.revision, moved by the database on every change to these rows), so a page
    read builds it once per change instead of once per reader."""

    parts: list[PartLine]
    numbers: dict[int, str]  # item id -> "4.1"
    posts: dict[int, list[tuple[int, int | None]]]  # item id -> shown posts' (id, author id)
    suggestions: list[
        tuple[SuggestionLine, int | None, frozenset[int]]
    ]  # with suggester, supporters
    total_minutes: int
    members: list[tuple[int, str]]
    item_choices: list[tuple[int, str]]
    part_choices: list[tuple[int, str]]


_KEPT: WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], Any]] = WeakKeyDictionary()
_KEPT_SIZE = 256  # views per database, least recently read dropped first
_kept_lock = threading.Lock()


def kept(session: Session, key: tuple[Any, ...], build: Callable[[], T]) -> T:
    """What `build` makes, kept per database under `key` (which names the revision of
    what it shows, e.g. contents_key): built once per change instead of once per reader."""
    engine = session.get_bind()
    with _kept_lock:
        store = _KEPT.setdefault(engine, OrderedDict())
        found = store.get(key)
        if found is not None:
            store.move_to_end(key)
            return found  # type: ignore[no-any-return]
    made = build()
    with _kept_lock:
        store[key] = made
        while len(store) > _KEPT_SIZE:
            store.popitem(last=False)
    return made


def contents_key(agenda: Agenda) -> tuple[Any, ...]:
    """Names one revision of one agenda in the reader's language (created_at: a database
    made anew reuses ids)."""
    return (agenda.id, agenda.created_at, agenda.revision, i18n.current_locale.get())


def agenda_contents(session: Session, agenda: Agenda, body_id: int) -> AgendaContents:
    """The agenda's parts and items as shown, kept per revision."""
    return kept(
        session,
        ("agenda", *contents_key(agenda)),
        lambda: _build_contents(session, agenda, body_id),
    )


def _build_contents(session: Session, agenda: Agenda, body_id: int) -> AgendaContents:
    parts = agendas.parts_of(session, agenda.id)  # type: ignore[arg-type]
    items = agendas.items_of(session, agenda.id)  # type: ignore[arg-type]
    documents: dict[int, list[DocumentLine]] = {}
    for document in session.exec(
        select(AgendaDocument)
        .join(AgendaItem, col(AgendaItem.id) == AgendaDocument.item_id)
        .where(AgendaItem.agenda_id == agenda.id)
        .order_by(col(AgendaDocument.id))
    ).all():
        documents.setdefault(document.item_id, []).append(
            DocumentLine(
                document.id,  # type: ignore[arg-type]
                document.filename,
                document.content_type,
                document.size,
                size_text(document.size),
            )
        )
    posts: dict[int, list[tuple[int, int | None]]] = {}
    for post_id, item_id, author_id in session.exec(
        select(Post.id, Post.item_id, Post.author_id)
        .where(Post.meeting_id == agenda.meeting_id, col(Post.hidden_at).is_(None))
        .order_by(col(Post.id))
    ).all():
        posts.setdefault(item_id, []).append((post_id, author_id))  # type: ignore[arg-type]
    members = threads.members_of(session, body_id)
    names = dict(members)
    kinds = {kind.value: labels.text(kind) for kind in AgendaItemKind}
    part_lines: list[PartLine] = []
    numbers: dict[int, str] = {}
    for number, part in enumerate(parts, start=1):
        lines = []
        for position, item in enumerate([i for i in items if i.part_id == part.id], start=1):
            numbers[item.id] = f"{number}.{position}"  # type: ignore[index]
            lines.append(
                ItemLine(
                    item.id,  # type: ignore[arg-type]
                    f"{number}.{position}",
                    str(item.kind),
                    kinds[str(item.kind)],
                    item.title,
                    item.description,
                    stored_markdown(item.description_html, item.description),
                    item.presenter_id,
                    item.presenter_name,
                    names.get(item.presenter_id or 0, item.presenter_name),
                    item.time_box_minutes,
                    documents.get(item.id, []),  # type: ignore[arg-type]
                    item.id == items[0].id,
                    item.id == items[-1].id,
                    item.minutes_of_meeting_id,
                    str(item.outcome),
                    ""
                    if item.outcome == ItemOutcome.pending
                    else labels.text(ItemOutcome(item.outcome)),
                    item.discussion_summary,
                    item.resolution,
                )
            )
        part_lines.append(PartLine(part.id, number, str(part.kind), part.title, lines))  # type: ignore[arg-type]
    return AgendaContents(
        parts=part_lines,
        numbers=numbers,
        posts=posts,
        suggestions=_suggestions(session, agenda, numbers),
        total_minutes=sum(item.time_box_minutes or 0 for item in items),
        members=members,
        item_choices=[(item.id, f"{numbers[item.id]} {item.title}") for item in items],  # type: ignore[index,misc]
        part_choices=[(line.id, f"{line.number}. {line.title}") for line in part_lines],
    )


# Built once (as forum.accounts' actor query): building a statement costs more than
# running it on an indexed table. Columns, not ORM objects (a third of the cost: the pages
# only read them), always as committed; the agenda's columns under the prefix "agenda_".
_AGENDA_COLUMNS = [column.name for column in Agenda.__table__.columns]  # type: ignore[attr-defined]
HEAD_COLUMNS = (
    *Meeting.__table__.columns,  # type: ignore[attr-defined]
    *(column.label(f"agenda_{column.name}") for column in Agenda.__table__.columns),  # type: ignore[attr-defined]
    col(Body.name).label("body_name"),
)
_HEAD = (
    select(*HEAD_COLUMNS)
    .join(Body, col(Body.id) == Meeting.body_id)
    .join(Agenda, col(Agenda.meeting_id) == Meeting.id, isouter=True)
    .where(Meeting.id == sa.bindparam("meeting_id"))
)
_MEETING_COLUMNS = [column.name for column in Meeting.__table__.columns]  # type: ignore[attr-defined]
MeetingRecord = namedtuple("MeetingRecord", _MEETING_COLUMNS)  # type: ignore[misc]
AgendaRecord = namedtuple("AgendaRecord", _AGENDA_COLUMNS)  # type: ignore[misc]


def head_records(row: Any) -> tuple[Any, Any, str]:
    """A head row's meeting and agenda as read-only records (attributes as the models'), and
    the body's name; the agenda None when the meeting has none yet."""
    values = row._mapping
    meeting = MeetingRecord(*(values[name] for name in _MEETING_COLUMNS))
    agenda = (
        AgendaRecord(*(values[f"agenda_{name}"] for name in _AGENDA_COLUMNS))
        if values["agenda_id"] is not None
        else None
    )
    return meeting, agenda, values["body_name"]


def agenda_head(
    session: Session, actor: Actor, *, meeting_id: int
) -> tuple[Agenda, Meeting, BodyName]:
    """The meeting with its agenda and body in one read (the agenda made from the template
    on first opening). Raises Forbidden, NotFound."""
    policy.require(actor, "forum.meeting.view")
    row = session.connection().execute(_HEAD, {"meeting_id": meeting_id}).first()
    if row is None:
        raise NotFound()
    meeting, agenda, body_name = head_records(row)
    policy.require(actor, "deliberation.agenda.view", meeting)
    if agenda is None:
        agenda, meeting = agendas.ensure_agenda(session, actor, meeting_id=meeting_id)
    return agenda, meeting, BodyName(meeting.body_id, body_name)


def agenda_overview(session: Session, actor: Actor, *, meeting_id: int) -> AgendaOverview:
    """Everything the agenda page shows (made from the template on first opening). Raises
    Forbidden, NotFound."""
    agenda, meeting, body = agenda_head(session, actor, meeting_id=meeting_id)
    contents = agenda_contents(session, agenda, meeting.body_id)
    length = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
    closed = meeting.status == MeetingStatus.closed
    status = AgendaStatus(agenda.status)
    return AgendaOverview(
        meeting=meeting,
        body=body,
        label=meetings.meeting_label(meeting),
        agenda=agenda,
        status_text=labels.text(status),
        parts=contents.parts,
        suggestions=[
            replace(
                line,
                supported_by_me=actor.person_id in supporters,
                mine=suggested_by is not None and suggested_by == actor.person_id,
            )
            for line, suggested_by, supporters in contents.suggestions
        ],
        total_minutes=contents.total_minutes,
        meeting_minutes=length,
        over_time=contents.total_minutes > length,
        editable=not closed and status != AgendaStatus.published,
        suggestions_open=meeting.status == MeetingStatus.agenda_open
        and status == AgendaStatus.draft,
        publishable=not closed
        and (
            status == AgendaStatus.revising
            or (status == AgendaStatus.draft and meeting.status == MeetingStatus.agenda_open)
        ),
        revisable=not closed and status == AgendaStatus.published,
        needs_opening=status == AgendaStatus.draft and meeting.status == MeetingStatus.draft,
        members=contents.members,
        item_choices=contents.item_choices,
        part_choices=contents.part_choices,
        posts=contents.posts,
    )


def _suggestions(
    session: Session, agenda: Agenda, numbers: dict[int, str]
) -> list[tuple[SuggestionLine, int | None, frozenset[int]]]:
    """Each suggestion as everyone sees it, with its suggester and its supporters (for
    each reader's own marks)."""
    rows = session.exec(
        select(AgendaSuggestion, Person.display_name)
        .join(Person, col(Person.id) == AgendaSuggestion.suggested_by, isouter=True)
        .where(AgendaSuggestion.agenda_id == agenda.id)
        .order_by(col(AgendaSuggestion.id))
    ).all()
    support = suggestions.supporters(session, [row.id for row, _name in rows])  # type: ignore[misc]
    return [
        (
            SuggestionLine(
                row.id,  # type: ignore[arg-type]
                row.title,
                row.rationale,
                name or "",
                str(row.status),
                labels.text(SuggestionStatus(row.status)),
                len(support.get(row.id, [])),  # type: ignore[arg-type]
                False,
                False,
                row.answer_reason,
                row.item_id,
                numbers.get(row.item_id or 0, ""),
            ),
            row.suggested_by,
            frozenset(support.get(row.id, [])),  # type: ignore[arg-type]
        )
        for row, name in rows
    ]


def printable(session: Session, actor: Actor, *, meeting_id: int) -> tuple[AgendaOverview, Any]:
    """The agenda for printing, with its latest published version (None before)."""
    overview = agenda_overview(session, actor, meeting_id=meeting_id)
    latest = None
    if overview.agenda.published_version:
        latest = publishing.get_version(
            session, actor, meeting_id=meeting_id, number=overview.agenda.published_version
        )
    return overview, latest


def item_form(
    session: Session, actor: Actor, *, meeting_id: int, item_id: int
) -> tuple[AgendaOverview, ItemLine]:
    """The agenda with one of its items, for the item's edit page (while the agenda may
    change). Raises Forbidden, NotFound, Conflict."""
    agenda, meeting = agendas.agenda_for_edit(session, actor, meeting_id=meeting_id)
    agendas.check_editable(agenda, meeting)
    view = agenda_overview(session, actor, meeting_id=meeting_id)
    for part in view.parts:
        for line in part.items:
            if line.id == item_id:
                return view, line
    raise NotFound()
