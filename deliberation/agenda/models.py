"""The agenda's tables: a meeting's agenda (ระเบียบวาระการประชุม) with its parts, items,
documents, members' suggestions and published versions; the triggers that move an
agenda's revision; and the schemas of its JSON API."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from forum.db import utcnow
from forum.models import (
    RECORD,
    TEXT,
    VISIBLE,
    ApiInput,
    BangkokDateTime,
    EditVersion,
    RecordId,
    any_of,
    optional_text,
    rules,
    said,
    when,
)


def _str(length: int) -> Any:
    return sa.String(length)


# -- enums ----------------------------------------------------------------------------


class AgendaItemKind(StrEnum):
    information = "information"  # เรื่องแจ้งเพื่อทราบ
    confirm_minutes = "confirm_minutes"  # รับรองรายงานการประชุม
    follow_up = "follow_up"  # เรื่องสืบเนื่อง
    consideration = "consideration"  # เรื่องเพื่อพิจารณา
    other = "other"  # เรื่องอื่น ๆ


class AgendaVariant(StrEnum):
    """Which list of parts a body's new agendas start from."""

    five_parts = "five_parts"  # the customary five
    six_parts = "six_parts"  # adds เรื่องเสนอเพื่อทราบ as part 3
    custom = "custom"  # the body's own list


class AgendaStatus(StrEnum):
    draft = "draft"  # being prepared; members may suggest while the meeting's agenda is open
    published = "published"  # locked, numbered, a version recorded
    revising = "revising"  # a change after publishing, which becomes the next version


class ItemOutcome(StrEnum):
    """What the meeting decided on an item (recorded by the secretary, used by the minutes).
    An item still `pending`, `deferred` or `assigned` stays open: the body's next agenda
    carries it into เรื่องสืบเนื่อง."""

    pending = "pending"  # no decision recorded yet
    noted = "noted"  # ที่ประชุมรับทราบ
    approved = "approved"  # ที่ประชุมเห็นชอบ / อนุมัติ
    rejected = "rejected"  # ที่ประชุมไม่เห็นชอบ
    deferred = "deferred"  # เลื่อนการพิจารณา
    assigned = "assigned"  # มอบหมายให้ดำเนินการ แล้วรายงานผลในการประชุมครั้งต่อไป


OPEN_OUTCOMES = frozenset({ItemOutcome.pending, ItemOutcome.deferred, ItemOutcome.assigned})


class SuggestionStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    merged = "merged"
    declined = "declined"


# -- tables ---------------------------------------------------------------------------


class AgendaTemplate(SQLModel, table=True):
    """A body's choice of agenda parts (the five-part standard when it has none)."""

    __tablename__ = "agenda_template"

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(foreign_key="body.id", unique=True)
    variant: AgendaVariant = Field(default=AgendaVariant.five_parts, sa_type=_str(20))
    # custom parts: [{"kind": "information", "title": "เรื่องที่ประธานแจ้ง…"}, …]
    parts: list | None = Field(default=None, sa_column=Column(JSON))
    updated_by: int | None = Field(default=None, foreign_key="person.id")
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = 1


class Agenda(SQLModel, table=True):
    """One meeting's agenda, made from its body's template the first time it is needed."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", unique=True)  # one agenda, even in a race
    status: AgendaStatus = Field(default=AgendaStatus.draft, sa_type=_str(20))
    previous_meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    published_version: int = 0  # the number of the latest published version (0: none yet)
    published_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    version: int = 1  # optimistic lock: every change to the items moves it on
    # During the meeting (status live): the item being discussed and since when. No
    # foreign key (agenda_item already points here); the services keep it to this agenda.
    current_item_id: int | None = None
    current_since: datetime | None = None
    # Moved by the database on every change to what the agenda pages show (its parts,
    # items, documents, suggestions and support, posts, the body's members, the names
    # shown: AGENDA_REVISION_DDL),
    # whoever writes it; pages cache what they render under it.
    revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class AgendaPart(SQLModel, table=True):
    """ระเบียบวาระที่ n: a numbered part holding items of one kind."""

    __tablename__ = "agenda_part"

    id: int | None = Field(default=None, primary_key=True)
    agenda_id: int = Field(foreign_key="agenda.id", index=True)
    position: int  # 1..n: the part's number
    kind: AgendaItemKind = Field(sa_type=_str(20))
    title: str = Field(sa_type=_str(300))


class AgendaItem(SQLModel, table=True):
    """One item of the agenda (n.m), its discussion thread (Post.item_id) and, once the
    meeting has taken it, its outcome: the discussion summary and the resolution (มติ)."""

    __tablename__ = "agenda_item"
    __table_args__ = (sa.Index("ix_agenda_item_part_position", "part_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    agenda_id: int = Field(foreign_key="agenda.id", index=True)
    part_id: int = Field(foreign_key="agenda_part.id")
    position: int  # 1.. within its part
    kind: AgendaItemKind = Field(sa_type=_str(20))
    title: str = Field(sa_type=_str(300))
    description: str = Field(default="", sa_type=sa.Text)  # Markdown, rendered sanitised
    description_html: str = Field(default="", sa_type=sa.Text)  # rendered when it changes
    presenter_id: int | None = Field(default=None, foreign_key="person.id")
    presenter_name: str = Field(default="", sa_type=_str(200))  # free text, or a guest
    time_box_minutes: int | None = None
    # รับรองรายงานการประชุม: the meeting whose minutes are confirmed
    minutes_of_meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    # เรื่องสืบเนื่อง: the item of an earlier meeting this one follows up
    follows_item_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # the meeting's outcome (issue 3 part 8)
    outcome: ItemOutcome = Field(default=ItemOutcome.pending, sa_type=_str(20))
    discussion_summary: str = Field(default="", sa_type=sa.Text)  # plain text, as typed
    resolution: str = Field(default="", sa_type=sa.Text)  # มติที่ประชุม, plain text
    outcome_by: int | None = Field(default=None, foreign_key="person.id")
    outcome_at: datetime | None = None
    outcome_version: int = 0  # optimistic lock of the outcome: two secretaries at once
    # time taken: seconds of earlier turns as the current item (the running turn is
    # Agenda.current_since) and when it was first taken up
    time_spent_seconds: int = 0
    started_at: datetime | None = None


class AgendaDocument(SQLModel, table=True):
    """A file attached to an item, kept in the data directory under a server-chosen name."""

    __tablename__ = "agenda_document"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="agenda_item.id", index=True)
    filename: str = Field(sa_type=_str(200))  # as shown and offered for download
    stored_name: str = Field(sa_type=_str(80), unique=True)
    content_type: str = Field(sa_type=_str(120))
    size: int
    sha256: str = Field(sa_type=_str(64))
    uploaded_by: int | None = Field(default=None, foreign_key="person.id")
    uploaded_at: datetime = Field(default_factory=utcnow)


class AgendaSuggestion(SQLModel, table=True):
    """A member's proposed item while the agenda is open, and the answer to it."""

    __tablename__ = "agenda_suggestion"

    id: int | None = Field(default=None, primary_key=True)
    agenda_id: int = Field(foreign_key="agenda.id", index=True)
    suggested_by: int | None = Field(default=None, foreign_key="person.id", index=True)
    title: str = Field(sa_type=_str(300))
    rationale: str = Field(default="", sa_type=sa.Text)
    status: SuggestionStatus = Field(default=SuggestionStatus.pending, sa_type=_str(20))
    item_id: int | None = Field(default=None, foreign_key="agenda_item.id")  # accepted/merged into
    answer_reason: str = Field(default="", sa_type=sa.Text)  # why declined (the suggester sees it)
    answered_by: int | None = Field(default=None, foreign_key="person.id")
    answered_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class SuggestionSupport(SQLModel, table=True):
    __tablename__ = "agenda_suggestion_support"
    __table_args__ = (sa.UniqueConstraint("suggestion_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    suggestion_id: int = Field(foreign_key="agenda_suggestion.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class AgendaVersion(SQLModel, table=True):
    """A published agenda as it stood (a JSON snapshot of its parts and items)."""

    __tablename__ = "agenda_version"
    __table_args__ = (sa.UniqueConstraint("agenda_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    agenda_id: int = Field(foreign_key="agenda.id", index=True)
    number: int
    snapshot: dict = Field(sa_column=Column(JSON, nullable=False))
    published_by: int | None = Field(default=None, foreign_key="person.id")
    published_at: datetime = Field(default_factory=utcnow)


# -- the JSON API's schemas -----------------------------------------------------------


class AgendaItemCreate(ApiInput):
    version: EditVersion
    part_id: RecordId
    title: str = said(300)
    description: str | None = optional_text(20_000)
    presenter_id: RecordId | None = None
    presenter_name: str | None = optional_text(200)
    time_box_minutes: int | None = Field(default=None, ge=1, le=24 * 60)


class AgendaItemUpdate(ApiInput):
    version: EditVersion
    title: str = Field(  # left out: unchanged; never null
        default=None, max_length=300, schema_extra={"json_schema_extra": {"pattern": VISIBLE}}
    )
    description: str | None = optional_text(20_000)
    presenter_id: RecordId | None = None
    presenter_name: str | None = optional_text(200)
    time_box_minutes: int | None = Field(default=None, ge=1, le=24 * 60)


class AgendaItemMove(ApiInput):
    model_config = rules(  # type: ignore[assignment]
        any_of(
            {"direction": {"enum": ["up", "down"]}},
            {"part_id": RECORD, "position": {"type": "integer", "minimum": 1}},
        )
    )

    version: EditVersion
    direction: Literal["up", "down"] | None = None
    part_id: RecordId | None = None
    position: int | None = Field(default=None, ge=1, le=99_999)


class AgendaDocumentPublic(SQLModel):
    id: int
    filename: str
    content_type: str
    size: int
    url: str


class AgendaItemPublic(SQLModel):
    id: int
    part_id: int
    number: str
    position: int
    kind: AgendaItemKind
    title: str
    description: str
    presenter_id: int | None
    presenter_name: str
    time_box_minutes: int | None
    minutes_of_meeting_id: int | None
    follows_item_id: int | None
    documents: list[AgendaDocumentPublic]


class AgendaPartPublic(SQLModel):
    id: int
    number: int
    kind: AgendaItemKind
    title: str
    items: list[AgendaItemPublic]


class AgendaPublic(SQLModel):
    id: int
    meeting_id: int
    status: AgendaStatus
    published_version: int
    published_at: BangkokDateTime | None
    version: int
    total_minutes: int
    meeting_minutes: int
    parts: list[AgendaPartPublic]


class SuggestionCreate(ApiInput):
    title: str = said(300)
    rationale: str | None = optional_text(5000)


class SuggestionAnswer(ApiInput):
    model_config = rules(  # type: ignore[assignment]
        when("answer", "accept", {"part_id": RECORD}),
        when("answer", "merge", {"item_id": RECORD}),
        when("answer", "decline", {"reason": {**TEXT, "maxLength": 2000}}),
    )

    answer: Literal["accept", "merge", "decline"]
    version: EditVersion | None = None  # the agenda's, to accept or merge
    part_id: RecordId | None = None
    position: int | None = None
    item_id: RecordId | None = None
    reason: str | None = None


class SuggestionPublic(SQLModel):
    id: int
    agenda_id: int
    suggested_by: int | None
    suggester_name: str
    title: str
    rationale: str
    status: SuggestionStatus
    item_id: int | None
    answer_reason: str
    supporters: int
    supported_by_me: bool
    created_at: BangkokDateTime


def agenda_revision_ddl() -> dict[str, list[str]]:
    """The triggers that move Agenda.revision: one per source table and dialect, each
    naming the agendas a changed row shows on (migration 0006 keeps its own copy).
    (A changed read marker or notification moves nothing: pages read those per reader.)"""
    sources = {  # table: (the events, the agendas a row {row} shows on)
        "agenda_part": ("INSERT OR UPDATE OR DELETE", "id = {row}.agenda_id"),
        "agenda_item": ("INSERT OR UPDATE OR DELETE", "id = {row}.agenda_id"),
        "agenda_document": (
            "INSERT OR UPDATE OR DELETE",
            "id = (SELECT agenda_id FROM agenda_item WHERE agenda_item.id = {row}.item_id)",
        ),
        "agenda_suggestion": ("INSERT OR UPDATE OR DELETE", "id = {row}.agenda_id"),
        "agenda_suggestion_support": (
            "INSERT OR UPDATE OR DELETE",
            "id = (SELECT agenda_id FROM agenda_suggestion "
            "WHERE agenda_suggestion.id = {row}.suggestion_id)",
        ),
        "post": ("INSERT OR UPDATE OR DELETE", "meeting_id = {row}.meeting_id"),
        "membership": (
            "INSERT OR UPDATE OR DELETE",
            "meeting_id IN (SELECT id FROM meeting WHERE meeting.body_id = {row}.body_id)",
        ),
        "person": (  # a name shown: a member's, a suggester's, an author's
            "UPDATE OF display_name",
            "meeting_id IN (SELECT meeting.id FROM meeting JOIN membership "
            "ON membership.body_id = meeting.body_id WHERE membership.person_id = {row}.id) "
            "OR id IN (SELECT agenda_id FROM agenda_suggestion WHERE suggested_by = {row}.id) "
            "OR meeting_id IN (SELECT meeting_id FROM post WHERE author_id = {row}.id)",
        ),
    }
    bump = "UPDATE agenda SET revision = revision + 1 WHERE {where};"
    sqlite, postgresql = [], []
    for table, (events, where) in sources.items():
        for event in events.split(" OR "):
            row = "OLD" if event == "DELETE" else "NEW"
            sqlite.append(
                f"CREATE TRIGGER agenda_revision_{table}_{event.split()[0].lower()} "
                f"AFTER {event} ON {table} BEGIN {bump.format(where=where.format(row=row))} END"
            )
        postgresql += [
            f"CREATE FUNCTION agenda_revision_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN IF TG_OP = 'DELETE' THEN {bump.format(where=where.format(row='OLD'))} "
            f"ELSE {bump.format(where=where.format(row='NEW'))} END IF; RETURN NULL; END $$",
            f"CREATE TRIGGER agenda_revision_{table} AFTER {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION agenda_revision_{table}()",
        ]
    return {"sqlite": sqlite, "postgresql": postgresql}


AGENDA_REVISION_DDL = agenda_revision_ddl()
for _dialect, _statements in AGENDA_REVISION_DDL.items():
    for _statement in _statements:  # after every table: they name forum's tables too
        sa.event.listen(
            SQLModel.metadata, "after_create", sa.DDL(_statement).execute_if(dialect=_dialect)
        )
