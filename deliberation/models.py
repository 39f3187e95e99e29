"""Deliberation's tables: a meeting's agenda (ระเบียบวาระการประชุม) with its parts, items,
documents, members' suggestions and published versions; and the schemas of its JSON API.

Enums are stored as short strings, as in forum.models. Another topic (search) may add its
tables at the END of this file.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from forum.db import utcnow
from forum.models import ApiInput, BangkokDateTime, EditVersion, RecordId


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
    title: str
    description: str | None = None
    presenter_id: RecordId | None = None
    presenter_name: str | None = None
    time_box_minutes: int | None = None


class AgendaItemUpdate(ApiInput):
    version: EditVersion
    title: str | None = None
    description: str | None = None
    presenter_id: RecordId | None = None
    presenter_name: str | None = None
    time_box_minutes: int | None = None


class AgendaItemMove(ApiInput):
    version: EditVersion
    direction: str | None = None  # "up" / "down"
    part_id: RecordId | None = None
    position: int | None = None


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
    title: str
    rationale: str | None = None


class SuggestionAnswer(ApiInput):
    answer: str  # "accept" / "merge" / "decline"
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


# -- search ---------------------------------------------------------------------------


class SearchEntry(SQLModel, table=True):
    """One searchable thing (an agenda item, a suggestion, a post …) as deliberation.search
    indexed it: its text, and the same text cut into Thai words (`segmented`, words
    separated by U+001F) that the full-text index reads. Written only by
    deliberation.search, in the caller's transaction."""

    __tablename__ = "search_entry"
    __table_args__ = (
        sa.UniqueConstraint("kind", "ref_id"),
        sa.Index("ix_search_entry_body", "body_id", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=_str(40))  # "agenda_item", "agenda_suggestion", "post" …
    ref_id: int  # the id of the thing in its own table
    body_id: int = Field(foreign_key="body.id")  # who may find it: the body's members
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    title: str = Field(default="", sa_type=_str(300))
    text: str = Field(default="", sa_type=sa.Text)
    segmented_title: str = Field(default="", sa_type=sa.Text)
    segmented: str = Field(default="", sa_type=sa.Text)
    updated_at: datetime = Field(default_factory=utcnow)


# The full-text index over the segmented columns, made with the table (the Alembic
# migration runs the same statements). SQLite: a contentless FTS5 table (nothing is read
# back from it: the texts are in search_entry) kept in step by triggers, each entry under
# the rowid -id, so that the index's own ascending order, the one it walks fastest, is
# newest first; the body's id is a token of its own column (a search filters by body
# inside the index). Its tokenizer keeps Thai vowel and tone marks (Mn, Mc) inside words
# and leaves them on (remove_diacritics 0), or ดิน would be found by ดัน. PostgreSQL: a
# generated tsvector ('simple': the words are already cut) with a GIN index; < > & read
# as spaces, so that text typed like a tag is words, not an XML tag its parser would skip.
SEARCH_INDEX_DDL: dict[str, list[str]] = {
    "sqlite": [
        "CREATE VIRTUAL TABLE search_entry_fts USING fts5("
        "segmented_title, segmented, body_id, content='', "
        "tokenize=\"unicode61 remove_diacritics 0 categories 'L* N* Mn Mc'\")",
        "CREATE TRIGGER search_entry_fts_insert AFTER INSERT ON search_entry BEGIN "
        "INSERT INTO search_entry_fts(rowid, segmented_title, segmented, body_id) "
        "VALUES (-NEW.id, NEW.segmented_title, NEW.segmented, NEW.body_id); END",
        "CREATE TRIGGER search_entry_fts_delete AFTER DELETE ON search_entry BEGIN "
        "INSERT INTO search_entry_fts(search_entry_fts, rowid, segmented_title, segmented, body_id) "
        "VALUES ('delete', -OLD.id, OLD.segmented_title, OLD.segmented, OLD.body_id); END",
        "CREATE TRIGGER search_entry_fts_update AFTER UPDATE ON search_entry BEGIN "
        "INSERT INTO search_entry_fts(search_entry_fts, rowid, segmented_title, segmented, body_id) "
        "VALUES ('delete', -OLD.id, OLD.segmented_title, OLD.segmented, OLD.body_id); "
        "INSERT INTO search_entry_fts(rowid, segmented_title, segmented, body_id) "
        "VALUES (-NEW.id, NEW.segmented_title, NEW.segmented, NEW.body_id); END",
    ],
    "postgresql": [
        "ALTER TABLE search_entry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('simple', translate(segmented_title, '<>&', '   ')), 'A') || "
        "setweight(to_tsvector('simple', translate(segmented, '<>&', '   ')), 'B')) STORED",
        "CREATE INDEX ix_search_entry_search_vector ON search_entry USING gin (search_vector)",
    ],
}
for _dialect, _statements in SEARCH_INDEX_DDL.items():
    for _statement in _statements:
        sa.event.listen(
            SearchEntry.__table__,  # type: ignore[attr-defined]
            "after_create",
            sa.DDL(_statement).execute_if(dialect=_dialect),
        )


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


class SearchHitPublic(SQLModel):
    kind: str
    kind_label: str  # in the reader's language
    ref_id: int
    body_id: int
    meeting_id: int | None
    title: str
    title_html: str  # the title, HTML-escaped, matches in <mark>
    snippet_html: str  # a passage of the text, HTML-escaped, matches in <mark>
    url: str
    updated_at: BangkokDateTime


class SearchResults(SQLModel):
    items: list[SearchHitPublic]
    total: int
    page: int
    per_page: int
    pages: int


# -- discussion threads on agenda items -------------------------------------------------


class PostStance(StrEnum):
    """Where a post stands on the item (the item's for/against summary counts them)."""

    in_favour = "for"  # เห็นด้วย
    against = "against"  # ไม่เห็นด้วย
    question = "question"  # ข้อซักถาม
    information = "information"  # ข้อมูลเพิ่มเติม


class Post(SQLModel, table=True):
    """A member's post in an agenda item's thread, or a reply to one (one level: a reply's
    `parent_id` is always a top-level post). `body_html` is the Markdown rendered safe with
    the mentions linked, made when the text is written, so a page of many posts renders
    none. `meeting_id` and `body_id` are the item's, copied for the rules and the counts."""

    __table_args__ = (sa.Index("ix_post_item_id_id", "item_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="agenda_item.id")
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    body_id: int = Field(foreign_key="body.id")
    parent_id: int | None = Field(default=None, foreign_key="post.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    stance: PostStance | None = Field(default=None, sa_type=_str(20))
    body: str = Field(sa_type=sa.Text)  # Markdown, as typed
    body_html: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow)
    edited_at: datetime | None = None
    edit_count: int = 0
    hidden_at: datetime | None = None
    hidden_by: int | None = Field(default=None, foreign_key="person.id")
    hidden_reason: str = Field(default="", sa_type=sa.Text)
    version: int = 1  # optimistic lock: of two edits from the same version, one wins


class PostRevision(SQLModel, table=True):
    """A post's text as it stood before an edit (number 1 is the original)."""

    __tablename__ = "post_revision"
    __table_args__ = (sa.UniqueConstraint("post_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    number: int
    stance: PostStance | None = Field(default=None, sa_type=_str(20))
    body: str = Field(sa_type=sa.Text)
    written_at: datetime  # when this text was written (the post's creation or an edit)
    replaced_by: int | None = Field(default=None, foreign_key="person.id")
    replaced_at: datetime = Field(default_factory=utcnow)


class PostMention(SQLModel, table=True):
    """A member named in a post with @[display name]."""

    __tablename__ = "post_mention"
    __table_args__ = (sa.UniqueConstraint("post_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)


class ThreadRead(SQLModel, table=True):
    """How far a person has read an item's thread: posts with a larger id are new to them."""

    __tablename__ = "thread_read"
    __table_args__ = (sa.UniqueConstraint("person_id", "item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    item_id: int = Field(foreign_key="agenda_item.id", index=True)
    last_post_id: int = 0
    read_at: datetime = Field(default_factory=utcnow)


class PostCreate(ApiInput):
    body: str
    stance: PostStance | None = None
    parent_id: RecordId | None = None


class PostUpdate(ApiInput):
    version: EditVersion
    body: str
    stance: PostStance | None = None


class PostHide(ApiInput):
    reason: str


class PostPublic(SQLModel):
    id: int
    item_id: int
    parent_id: int | None
    author_id: int | None
    author_name: str
    stance: PostStance | None
    body: str  # empty when hidden
    body_html: str  # empty when hidden
    hidden: bool
    hidden_reason: str
    created_at: BangkokDateTime
    edited_at: BangkokDateTime | None
    edit_count: int
    version: int
    mentions: list[int]
    replies: list[PostPublic] = []


class ThreadPublic(SQLModel):
    item_id: int
    meeting_id: int
    counts: dict[str, int]  # top-level posts per stance, hidden ones left out
    posts: list[PostPublic]


# -- live forum sessions (issue 4): a brainstorm on a meeting, joined by code -----------------


class LiveSessionStatus(StrEnum):
    open = "open"  # ideas and votes come in
    paused = "paused"  # read-only for the moment
    closed = "closed"  # archived: still viewable, nothing more comes in


class IdeaStatus(StrEnum):
    pending = "pending"  # waiting for the facilitator (pre-moderation on)
    shown = "shown"
    hidden = "hidden"
    merged = "merged"  # folded into another idea (merged_into_id); its votes moved there


class LiveSession(SQLModel, table=True):
    """A live session (เวทีระดมความคิดเห็น) on a meeting, optionally on one agenda item,
    joined with a 6-digit code."""

    __tablename__ = "live_session"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    prompt: str = Field(sa_type=_str(300))  # the question put to the hall
    code: str = Field(sa_type=_str(6), unique=True)  # digits only: a Thai keyboard needs no switch
    status: LiveSessionStatus = Field(default=LiveSessionStatus.open, sa_type=_str(20))
    premoderation: bool = False
    idea_limit: int = 280  # characters
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    version: int = 1
    # The countdown shown on the projector and the phones: running until timer_ends_at;
    # stopped with timer_left seconds (paused) or none.
    timer_ends_at: datetime | None = None
    timer_left: int | None = None


class LiveParticipant(SQLModel, table=True):
    """Someone in a session: a guest with a nickname (no account), or a member joining as
    themselves. The device keeps a random token (only its hash is stored) to come back as
    the same participant."""

    __tablename__ = "live_participant"
    __table_args__ = (sa.UniqueConstraint("session_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    nickname: str = Field(sa_type=_str(60))
    show_account_name: bool = False  # public views show the nickname unless this is chosen
    token_hash: str = Field(sa_type=_str(64), unique=True)
    consent_at: datetime  # the PDPA text accepted at join
    created_at: datetime = Field(default_factory=utcnow)


class LiveIdea(SQLModel, table=True):
    """A short idea put in a session. `votes` is kept with the votes themselves (one per
    participant per idea; a merge moves them, never counting one twice)."""

    __tablename__ = "live_idea"
    __table_args__ = (sa.UniqueConstraint("participant_id", "idempotency_key"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    participant_id: int = Field(foreign_key="live_participant.id", index=True)
    text: str = Field(sa_type=sa.Text)
    category: str = Field(default="", sa_type=_str(60))
    status: IdeaStatus = Field(default=IdeaStatus.shown, sa_type=_str(20))
    pinned: bool = False
    merged_into_id: int | None = Field(default=None, foreign_key="live_idea.id")
    votes: int = 0
    idempotency_key: str = Field(sa_type=_str(64))  # one idea however often a phone resends
    created_at: datetime = Field(default_factory=utcnow)
    edited_at: datetime | None = None
    cluster_id: int | None = Field(default=None, foreign_key="live_cluster.id", index=True)


class LiveIdeaVote(SQLModel, table=True):
    __tablename__ = "live_idea_vote"
    __table_args__ = (sa.UniqueConstraint("idea_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    idea_id: int = Field(foreign_key="live_idea.id", index=True)
    participant_id: int = Field(foreign_key="live_participant.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class LiveCluster(SQLModel, table=True):
    """A theme the facilitator groups ideas into (by hand, or by accepting a suggestion)."""

    __tablename__ = "live_cluster"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    name: str = Field(sa_type=_str(120))
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class LivePollStatus(StrEnum):
    draft = "draft"  # being written: not shown
    open = "open"  # answers come in; results live on the projector
    closed = "closed"  # results kept and shown, no more answers


class LivePoll(SQLModel, table=True):
    """A quick poll inside a session: single or multiple choice."""

    __tablename__ = "live_poll"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    question: str = Field(sa_type=_str(300))
    multiple: bool = False
    status: LivePollStatus = Field(default=LivePollStatus.draft, sa_type=_str(20))
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    version: int = 1


class LivePollOption(SQLModel, table=True):
    __tablename__ = "live_poll_option"

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="live_poll.id", index=True)
    label: str = Field(sa_type=_str(200))
    position: int = 0
    votes: int = 0  # kept with the answers themselves


class LivePollAnswer(SQLModel, table=True):
    """One participant's choice of one option (a multiple-choice poll: one row per option)."""

    __tablename__ = "live_poll_answer"
    __table_args__ = (sa.UniqueConstraint("option_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="live_poll.id", index=True)
    option_id: int = Field(foreign_key="live_poll_option.id")
    participant_id: int = Field(foreign_key="live_participant.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class PromotionTarget(StrEnum):
    agenda_item = "agenda_item"  # an item added to a meeting's agenda
    proposal_draft = "proposal_draft"  # kept until the voting issue brings proposals


class LivePromotion(SQLModel, table=True):
    """An idea or a cluster taken forward: into an agenda item of a meeting, or into a
    project-proposal draft. Linked back to the ideas it came from (live_promotion_idea)."""

    __tablename__ = "live_promotion"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="live_session.id", index=True)
    target: PromotionTarget = Field(sa_type=_str(20))
    title: str = Field(sa_type=_str(300))
    body: str = Field(default="", sa_type=sa.Text)
    cluster_id: int | None = Field(default=None, foreign_key="live_cluster.id")
    item_id: int | None = Field(default=None, foreign_key="agenda_item.id", index=True)
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow)


class LivePromotionIdea(SQLModel, table=True):
    __tablename__ = "live_promotion_idea"

    promotion_id: int = Field(foreign_key="live_promotion.id", primary_key=True)
    idea_id: int = Field(foreign_key="live_idea.id", primary_key=True, index=True)
