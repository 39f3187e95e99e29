"""Deliberation's shared tables: the search index over every kind of text the packages
register (deliberation.search), with the schemas of its JSON API. Each domain keeps its
own tables: deliberation.agenda.models, .discussion.models, .sessions.models."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from forum.db import utcnow
from forum.models import BangkokDateTime


def _str(length: int) -> Any:
    return sa.String(length)


# -- search ---------------------------------------------------------------------------


class SearchEntry(SQLModel, table=True):
    """One searchable thing (an agenda item, a suggestion, a post, a resolution …) as
    deliberation.search indexed it: its text; the same text cut into Thai words as written
    (`segmented`, words separated by U+001F: what results show); and its words as search
    reads them (`search_title`, `search_text`, and `search_parts`: its listed compounds'
    parts), which the full-text index reads. Written only by deliberation.search, in the
    caller's transaction."""

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
    search_title: str = Field(default="", sa_type=sa.Text)
    search_text: str = Field(default="", sa_type=sa.Text)
    search_parts: str = Field(default="", sa_type=sa.Text)
    cut_version: int = 0  # deliberation.search.CUT when cut: another is cut again at start-up
    # Who may find it, as tokens of the full-text index (deliberation.search.scope_tokens):
    # "p <body id>" for a kind the whole programme reads, "m<body id>" for a members-only one.
    scope: str = Field(default="", sa_type=_str(24), sa_column_kwargs={"server_default": ""})
    updated_at: datetime = Field(default_factory=utcnow)


class SearchWord(SQLModel, table=True):
    """A body's search vocabulary: how many of its entries hold each word (as search reads
    it), for "did you mean" — per body, so that a suggestion never names a word of a body
    the searcher may not read. Kept by deliberation.search with its entries."""

    __tablename__ = "search_word"

    body_id: int = Field(foreign_key="body.id", primary_key=True)
    word: str = Field(sa_type=_str(100), primary_key=True)
    entries: int = 0


# The full-text index over the search columns (words of letters, digits and marks only,
# separated by spaces), made with the table (the Alembic migration runs the same
# statements). SQLite: a contentless FTS5 table (nothing is read back from it: the texts
# are in search_entry) kept in step by triggers, each entry under the rowid -id, so that
# the index's own ascending order, the one it walks fastest, is newest first; who may find
# the entry is tokens of its own `scope` column ("p 12": the programme's, of body 12; "m12":
# body 12's members'), so a search filters by what its reader may read inside the index. Its
# tokenizer keeps Thai vowel and tone marks (Mn, Mc) inside words and leaves them on
# (remove_diacritics 0), or ดิน would be found by ดัน. PostgreSQL: a generated tsvector
# ('simple': the words are already cut) with a GIN index; the title weighs A, the text B,
# a compound's parts D (a whole word ranks above a part).
SEARCH_INDEX_DDL: dict[str, list[str]] = {  # migration 0013 keeps its own copy
    "sqlite": [
        "CREATE VIRTUAL TABLE search_entry_fts USING fts5("
        "search_title, search_text, search_parts, scope, content='', "
        "tokenize=\"unicode61 remove_diacritics 0 categories 'L* N* Mn Mc'\")",
        "CREATE TRIGGER search_entry_fts_insert AFTER INSERT ON search_entry BEGIN "
        "INSERT INTO search_entry_fts(rowid, search_title, search_text, search_parts, scope) "
        "VALUES (-NEW.id, NEW.search_title, NEW.search_text, NEW.search_parts, NEW.scope); END",
        "CREATE TRIGGER search_entry_fts_delete AFTER DELETE ON search_entry BEGIN "
        "INSERT INTO search_entry_fts(search_entry_fts, rowid, search_title, search_text, search_parts, scope) "
        "VALUES ('delete', -OLD.id, OLD.search_title, OLD.search_text, OLD.search_parts, OLD.scope); END",
        "CREATE TRIGGER search_entry_fts_update AFTER UPDATE ON search_entry BEGIN "
        "INSERT INTO search_entry_fts(search_entry_fts, rowid, search_title, search_text, search_parts, scope) "
        "VALUES ('delete', -OLD.id, OLD.search_title, OLD.search_text, OLD.search_parts, OLD.scope); "
        "INSERT INTO search_entry_fts(rowid, search_title, search_text, search_parts, scope) "
        "VALUES (-NEW.id, NEW.search_title, NEW.search_text, NEW.search_parts, NEW.scope); END",
    ],
    "postgresql": [
        "ALTER TABLE search_entry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('simple', search_title), 'A') || "
        "setweight(to_tsvector('simple', search_text), 'B') || "
        "setweight(to_tsvector('simple', search_parts), 'D')) STORED",
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
    suggestion: str | None = None  # when nothing is found: a query the index would answer
    notice: str | None = None  # when the query names nothing to find: why (symbols only …)
