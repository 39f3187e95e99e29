"""Full-text search over deliberation's texts (agenda items, suggestions, posts,
resolutions …), Thai first.

Each text is indexed three ways: as written, cut into words (`segmented`: words separated by
U+001F, what results show and mark); and as search reads it (deliberation.thai_words: its
words spelt alike, `search_title` / `search_text`, and the parts of its listed compounds,
`search_parts`), which the full-text index holds. A query (deliberation.search_query: words,
"phrases", -word, OR) is read the same way, so that ๒๕๖๒ finds 2562 and โซล่าเซลล์ finds
โซลาร์เซลล์; a word is found whole, or as a listed compound's part (น้ำใต้ดิน in
ธนาคารน้ำใต้ดิน), never as a syllable of another word (หวัด is not in จังหวัด), and a whole
word ranks above a part. A search that finds nothing suggests the words its own index
holds, if the suggestion finds what the searcher may read ("did you mean").

Other services call `index_entry` / `remove_entry` in their own transaction; people call
`search`, which finds only what they may read: every body's texts of the kinds the whole
programme reads, and the members-only kinds (the discussion threads) of their own bodies; a
site admin, all (deliberation.rules says who reads what).
"""

from __future__ import annotations

import json
import zlib
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy import text as sql
from sqlmodel import Session, col, select

from deliberation import search_query, thai_words
from deliberation.models import SearchEntry, SearchWord
from deliberation.rules import searchable_body_ids
from deliberation.search_query import Query, Term
from forum import forms, policy
from forum.db import utcnow
from forum.errors import FieldMessage, InvalidInput
from forum.paging import MAX_PAGE, Page
from forum.policy import Actor
from forum.registry import Registry

WORD_SEPARATOR = "\x1f"  # between words in `segmented`; never in cleaned text
MARK_START, MARK_END = "\ue000", "\ue001"  # where a match is marked; dropped from input
MAX_QUERY_LENGTH = 200
PER_PAGE = 20
MAX_RESULTS = 1000  # a search ranks at most the newest this many matches (and counts to it)
_SNIPPET_WORDS = 40
_MMAP_SIZE = 1 << 31  # bytes of the SQLite file mapped, as many as SQLite allows (it caps it)
# The way entries are cut: the cutting code's version (raise it when a change to thai_words
# would cut a text differently) and the word lists themselves. An entry cut another way is
# cut again when the server starts (cut_again): editing a word list needs no step of its own.
_CUTTING_CODE = 1
CUT = zlib.crc32(
    b"%d" % _CUTTING_CODE
    + b"".join(
        (thai_words.DATA / name).read_bytes()
        for name in ("compounds.th.txt", "spelling_variants.th.txt")
    )
) & 0x7FFFFFFF  # the column is a signed 32-bit integer on PostgreSQL


# What each kind of entry is called and where it is shown: the manifest of the package that
# indexes a kind registers it (`register_kind`).
@dataclass(frozen=True)
class EntryKind:
    label: str  # msgid
    link: str  # the page, with `{ref_id}`, `{meeting_id}`, `{body_id}`
    read_by: str  # the policy action that lets one read it (on its meeting)
    members_only: bool = False  # read, so found, only by the body's members (and site admins)


KINDS: Registry[EntryKind] = Registry("search kinds")
_DEFAULT_LINK = "/bodies/{body_id}"


def register_kind(
    kind: str, *, label: str, link: str, read_by: str, members_only: bool = False
) -> None:
    """Name a kind of entry (a msgid), its page (`{ref_id}`, `{meeting_id}`, `{body_id}`) and
    the policy action that reads it; `members_only`: that action is the body's members'
    (so is finding it: tests/unit/deliberation/test_search.py holds the two together)."""
    KINDS.add(kind, EntryKind(label, link, read_by, members_only))


def scope_tokens(kind: str, body_id: int) -> str:
    """Who may find an entry, as the full-text index holds it: "p <body>" for a kind the whole
    programme reads, "m<body>" for a members-only kind (an unregistered kind: members only)."""
    entry_kind = KINDS.get(kind)
    return f"p {body_id}" if entry_kind is not None and not entry_kind.members_only else f"m{body_id}"


@dataclass(frozen=True)
class Scope:
    """What one search may find: one body's entries or every body's (`body_id`); when
    `limited`, of the other bodies than the searcher's own (`own`) only the kinds the whole
    programme reads (`open_kinds`: registered as such; any other kind is members-only)."""

    body_id: int | None = None
    limited: bool = False
    open_kinds: tuple[str, ...] = ()
    own: tuple[int, ...] = ()

    @classmethod
    def of(cls, actor: Actor, body_id: int | None = None) -> Scope:
        own = searchable_body_ids(actor)
        if own is None or (body_id is not None and body_id in own):
            return cls(body_id)  # a site admin, or a member searching their own body
        open_kinds = tuple(sorted(kind for kind, entry in KINDS.items() if not entry.members_only))
        return cls(body_id, True, open_kinds, tuple(sorted(own)) if body_id is None else ())

    def sql(self, params: dict[str, Any], table: str = "e") -> str:
        """The scope as a condition on the entries (`table`), " AND …" or "", its values
        added to `params`."""
        where = ""
        if self.body_id is not None:
            params["scope_body"] = self.body_id
            where += f" AND {table}.body_id = :scope_body"
        if self.limited:
            params.update({f"scope_kind_{n}": kind for n, kind in enumerate(self.open_kinds)})
            kinds = ", ".join(f":scope_kind_{n}" for n in range(len(self.open_kinds)))
            readable = f"{table}.kind IN ({kinds})" if self.open_kinds else "1 = 0"
            if self.own:
                params.update({f"scope_own_{n}": body for n, body in enumerate(self.own)})
                own = ", ".join(f":scope_own_{n}" for n in range(len(self.own)))
                readable = f"({readable} OR {table}.body_id IN ({own}))"
            where += f" AND {readable}"
        return where

    def fts(self) -> str:
        """The scope as a condition on the SQLite index's `scope` column, "" for none."""
        if self.body_id is not None:
            body = int(self.body_id)
            return f'scope : "{body}"' if self.limited else f'scope : ("{body}" OR "m{body}")'
        if not self.limited:
            return ""
        return "scope : (" + " OR ".join(['"p"', *(f'"m{int(body)}"' for body in self.own)]) + ")"


# -- words ----------------------------------------------------------------------------

_UNMARKABLE = str.maketrans("", "", MARK_START + MARK_END + WORD_SEPARATOR)


def clean(text: str) -> str:
    """The text as indexed and shown: normalised, without control characters or our marks."""
    return forms.clean_text(text or "", multiline=True).translate(_UNMARKABLE)


def segment(text: str) -> list[str]:
    """The words of `text` as written (spaces and line breaks left out); the programme's
    terms whole."""
    return thai_words.cut(clean(text))


def segmented_text(text: str) -> str:
    """`text` with U+001F between its words: joined again, the text as written."""
    return WORD_SEPARATOR.join(thai_words.tokens_as_written(clean(text)))


@dataclass(frozen=True)
class Indexed:
    """What the index stores of a title and a text (see the module)."""

    segmented_title: str
    segmented: str
    search_title: str
    search_text: str
    search_parts: str

    @property
    def words(self) -> frozenset[str]:
        """Every word the entry can be found by (the vocabulary of "did you mean")."""
        return _words_of(self)


def indexed(title: str, text: str) -> Indexed:
    """The index's columns for a (cleaned) title and text."""
    title_words, text_words = thai_words.search_words(title), thai_words.search_words(text)
    return Indexed(
        segmented_title=segmented_text(title),
        segmented=segmented_text(text),
        search_title=title_words.words_text,
        search_text=text_words.words_text,
        search_parts=" ".join(filter(None, (title_words.parts_text, text_words.parts_text))),
    )


# -- the index ------------------------------------------------------------------------


def index_entry(
    session: Session,
    *,
    kind: str,
    ref_id: int,
    body_id: int,
    meeting_id: int | None,
    title: str,
    text: str,
) -> SearchEntry:
    """Add or replace the entry of (`kind`, `ref_id`), in the caller's transaction (no commit)."""
    entry = session.exec(
        select(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.ref_id == ref_id)
    ).first()
    if entry is not None:
        _count_words(session, entry.body_id, _words_of(entry), -1)
    else:
        entry = SearchEntry(kind=kind, ref_id=ref_id, body_id=body_id)
    entry.body_id, entry.meeting_id = body_id, meeting_id
    entry.scope = scope_tokens(kind, body_id)
    entry.title, entry.text = clean(title)[:300], clean(text)
    columns = indexed(entry.title, entry.text)
    entry.segmented_title, entry.segmented = columns.segmented_title, columns.segmented
    entry.search_title, entry.search_text = columns.search_title, columns.search_text
    entry.search_parts = columns.search_parts
    entry.cut_version = CUT
    entry.updated_at = utcnow()
    session.add(entry)
    _count_words(session, body_id, columns.words, +1)
    return entry


def remove_entry(session: Session, *, kind: str, ref_id: int) -> None:
    """Take the entry of (`kind`, `ref_id`) out of the index, if it is there (no commit)."""
    entry = session.exec(
        select(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.ref_id == ref_id)
    ).first()
    if entry is not None:
        _count_words(session, entry.body_id, _words_of(entry), -1)
        session.delete(entry)


def _words_of(entry: SearchEntry | Indexed) -> frozenset[str]:
    return frozenset(f"{entry.search_title} {entry.search_text} {entry.search_parts}".split())


_VOCABULARY = SearchWord.__table__  # type: ignore[attr-defined]


def _count_words(session: Session, body_id: int, words: frozenset[str], step: int) -> None:
    """The body's vocabulary: how many entries hold each word (an entry added: +1 each;
    taken out or replaced: -1, and a word no entry holds is forgotten)."""
    if not words:
        return
    connection = session.connection()
    rows = [{"body_id": body_id, "word": word[:100]} for word in sorted(words)]
    if step > 0:
        insert = (
            sa.dialects.postgresql.insert(_VOCABULARY)
            if connection.dialect.name == "postgresql"
            else sa.dialects.sqlite.insert(_VOCABULARY)
        )
        upsert = insert.values(entries=1).on_conflict_do_update(
            index_elements=["body_id", "word"], set_={"entries": _VOCABULARY.c.entries + 1}
        )
        connection.execute(
            upsert.values(body_id=sa.bindparam("body_id"), word=sa.bindparam("word")), rows
        )
        return
    where = (_VOCABULARY.c.body_id == sa.bindparam("b_id")) & (
        _VOCABULARY.c.word == sa.bindparam("b_word")
    )
    pairs = [{"b_id": row["body_id"], "b_word": row["word"]} for row in rows]
    connection.execute(
        _VOCABULARY.update().where(where).values(entries=_VOCABULARY.c.entries - 1), pairs
    )
    connection.execute(
        _VOCABULARY.delete().where(
            (_VOCABULARY.c.body_id == body_id) & (_VOCABULARY.c.entries <= 0)
        )
    )


def _rescope(engine: Any) -> None:
    open_kinds = sorted(kind for kind, entry in KINDS.items() if not entry.members_only)
    programme = sa.literal("p ") + sa.cast(SearchEntry.body_id, sa.String)  # type: ignore[arg-type]
    members = sa.literal("m") + sa.cast(SearchEntry.body_id, sa.String)  # type: ignore[arg-type]
    with Session(engine) as session:
        kind = col(SearchEntry.kind)
        for opened, wanted in ((True, programme), (False, members)):
            chosen = kind.in_(open_kinds) if opened else kind.not_in(open_kinds)
            session.exec(  # type: ignore[call-overload]
                sa.update(SearchEntry).where(chosen, col(SearchEntry.scope) != wanted).values(scope=wanted)
            )
        session.commit()


def cut_again(engine: Any, *, batch: int = 500) -> int:
    """Every entry cut another way (its cut_version is not CUT: indexed before a change of
    the cutting or the word lists, or before migration 0010) cut again, its body's
    vocabulary counted anew, in short transactions; returns how many. A start-up task
    (deliberation's manifest). First, each entry's scope follows its kind's registration as
    it is now (a kind made members-only, or the programme's, since it was indexed)."""
    _rescope(engine)
    done = 0
    while True:
        with Session(engine) as session:
            entries = session.exec(
                select(SearchEntry).where(SearchEntry.cut_version != CUT).limit(batch)
            ).all()
            for entry in entries:
                _count_words(session, entry.body_id, _words_of(entry), -1)
                columns = indexed(entry.title, entry.text)
                entry.segmented_title, entry.segmented = columns.segmented_title, columns.segmented
                entry.search_title, entry.search_text = columns.search_title, columns.search_text
                entry.search_parts, entry.cut_version = columns.search_parts, CUT
                entry.scope = scope_tokens(entry.kind, entry.body_id)
                session.add(entry)
                _count_words(session, entry.body_id, columns.words, +1)
            session.commit()
        done += len(entries)
        if len(entries) < batch:
            return done


# -- searching ------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    kind: str
    kind_label: str  # msgid
    ref_id: int
    body_id: int
    meeting_id: int | None
    title: str
    title_html: Markup  # the title, matches in <mark>
    snippet: Markup  # a passage of the text around the matches, in <mark>
    url: str
    updated_at: datetime


@dataclass(frozen=True)
class Found(Page[SearchHit]):
    """A page of hits, and when there are none, a query the index would answer ("did you
    mean"), as the searcher would type it."""

    suggestion: str | None = field(default=None)
    # A query that names nothing to find (symbols only, or only -words) finds nothing and
    # says why (a msgid): an answer, not a refusal (the API's document cannot state the
    # rule as a pattern; the page and the API say the same).
    notice: str | None = field(default=None)


NOTHING_TO_FIND = "Please search with letters or numbers, not only symbols."
ONLY_LEFT_OUT = "Please add a word to find: -word only leaves out what the others find."


def search(
    session: Session, actor: Actor, *, query: str, body_id: int | None = None, page: int = 1
) -> Found:
    """The entries the actor may see that the query finds: of the newest MAX_RESULTS of
    them, the best first (whole words before a compound's parts, then the more of the
    words the title holds, then the newest; PostgreSQL: ts_rank, the title weighing more,
    a part least). A query that names nothing to find finds nothing, with a `notice` saying
    why. Raises NotLoggedIn, and InvalidInput for an empty or too long query."""
    policy.require(actor, "deliberation.search", body_id)
    parsed = _checked_query(query)
    scope = Scope.of(actor, body_id)
    page = min(max(1, page), MAX_PAGE)
    if not parsed.groups:
        notice = ONLY_LEFT_OUT if parsed.excluded else NOTHING_TO_FIND
        return Found(items=[], total=0, page=page, per_page=PER_PAGE, notice=notice)
    total, rows = _run(session, parsed, scope, page)
    suggestion = _did_you_mean(session, query, scope) if not total else None
    items = [_hit(row, parsed) for row in rows]
    return Found(items=items, total=total, page=page, per_page=PER_PAGE, suggestion=suggestion)


def _run(session: Session, parsed: Query, scope: Scope, page: int) -> tuple[int, list[Any]]:
    if session.get_bind().dialect.name == "postgresql":
        return _search_postgresql(session, parsed, scope, page)
    return _search_sqlite(session, parsed, scope, page)


def _checked_query(query: str) -> Query:
    query = clean(query or "")
    if not query:
        raise InvalidInput({"q": "Please enter a word or phrase to search for."})
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidInput(
            {
                "q": FieldMessage(
                    "Please search for at most %(max)s characters.", {"max": MAX_QUERY_LENGTH}
                )
            }
        )
    return search_query.parse(query)


# -- the query in each database's terms -------------------------------------------------


def _fts_word(word: str, *, parts: bool = True) -> str:
    """A word found whole (or, with `parts`, as a listed compound's part); a listed
    compound also where its parts stand side by side. Words hold letters, digits and marks
    only (thai_words.word_key): quoted, they are never FTS5 syntax."""
    columns = "search_title search_text search_parts" if parts else "search_title search_text"
    found = f'{{{columns}}} : "{word}"'
    split = thai_words.COMPOUNDS.get(word)
    if parts and split and len(split) > 1:
        side_by_side = " ".join(thai_words.word_key(part) for part in split)
        found = f'({found} OR {{search_title search_text}} : "{side_by_side}")'
    return found


def _fts_term(term: Term, *, parts: bool = True) -> str:
    if term.phrase:
        return f'{{search_title search_text}} : "{" ".join(term.words)}"'
    return " AND ".join(_fts_word(word, parts=parts) for word in term.words)


def _fts_match(parsed: Query, scope: Scope, *, parts: bool = True) -> str:
    groups = [
        "(" + " OR ".join(f"({_fts_term(term, parts=parts)})" for term in group) + ")"
        for group in parsed.groups
    ]
    match = " AND ".join(groups)
    for term in parsed.excluded:
        match = f"({match}) NOT ({_fts_term(term)})"
    if readable := scope.fts():
        match = f"({match}) AND {readable}"
    return match


def _ts_lexeme(word: str, weights: str = "") -> str:
    return f"'{word}'" + (f":{weights}" if weights else "")


def _ts_side_by_side(words: tuple[str, ...] | list[str]) -> str:
    """Words side by side in the title, or in the text (never across the two)."""
    return (
        "("
        + " | ".join(
            "(" + " <-> ".join(_ts_lexeme(word, weight) for word in words) + ")" for weight in "AB"
        )
        + ")"
    )


def _ts_word(word: str, *, parts: bool = True) -> str:
    if not parts:
        return _ts_lexeme(word, "AB")
    split = thai_words.COMPOUNDS.get(word)
    if split and len(split) > 1:
        side_by_side = [thai_words.word_key(part) for part in split]
        return f"({_ts_lexeme(word)} | {_ts_side_by_side(side_by_side)})"
    return _ts_lexeme(word)


def _ts_term(term: Term, *, parts: bool = True) -> str:
    if term.phrase:
        if len(term.words) == 1:
            return _ts_lexeme(term.words[0], "AB")
        return _ts_side_by_side(term.words)
    return "(" + " & ".join(_ts_word(word, parts=parts) for word in term.words) + ")"


def _tsquery(parsed: Query, *, parts: bool = True) -> str:
    """The query as to_tsquery text: the same hits as _fts_match (whole words weigh A and B,
    a compound's parts D)."""
    groups = [
        "(" + " | ".join(_ts_term(term, parts=parts) for term in group) + ")"
        for group in parsed.groups
    ]
    return " & ".join(groups + [f"!{_ts_term(term)}" for term in parsed.excluded])


def _search_sqlite(
    session: Session, parsed: Query, scope: Scope, page: int
) -> tuple[int, list[Any]]:
    # FTS5 walks its index newest first (its rowids are -id), stopping at the MAX_RESULTS-th
    # match (a word found in most texts costs no more than a rare one), filtered inside the
    # index by what the searcher may read (the tokens of its `scope` column).
    # Ranked without FTS5's bm25(), whose document frequencies cost a pass over the whole
    # index for every word: whole words before parts, then the entries whose title holds
    # more of the words, then the newest.
    words = parsed.words
    params: dict[str, Any] = {"match": _fts_match(parsed, scope), "window": MAX_RESULTS}
    params |= {f"word_{n}": f" {word} " for n, word in enumerate(words)}
    held = " + ".join(
        f"(instr(' ' || e.search_title || ' ', :word_{n}) > 0)" for n in range(len(words))
    )
    connection = _mapped(session.connection())
    # A thousand rows of two numbers: read with the driver's cursor, in the session's
    # transaction (SQLAlchemy's rows would cost more than the query).
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    window = (
        "SELECT -rowid FROM search_entry_fts WHERE search_entry_fts MATCH :match "
        "ORDER BY rowid LIMIT :window"  # -id: the newest first
    )
    try:
        newest = cursor.execute(
            f"SELECT e.id, {held or '0'} FROM search_entry_fts "  # noqa: S608 (only our placeholders are formatted in)
            "JOIN search_entry e ON e.id = -search_entry_fts.rowid "
            "WHERE search_entry_fts MATCH :match "
            "ORDER BY search_entry_fts.rowid LIMIT :window",
            params,
        ).fetchall()
        whole: set[int] | None = None
        if newest and any(
            word in thai_words.PART_WORDS or word in thai_words.COMPOUNDS for word in words
        ):
            # Some word may have been found only as a compound's part (or a compound as its
            # parts written apart): which entries hold every word whole?
            params["match"] = _fts_match(parsed, scope, parts=False)
            whole = {row[0] for row in cursor.execute(window, params).fetchall()}
    finally:
        cursor.close()
    if whole is None:
        ranked = sorted(newest, key=itemgetter(1, 0), reverse=True)
    else:
        ranked = sorted(newest, key=lambda row: (row[0] in whole, row[1], row[0]), reverse=True)
    return len(newest), _rows(connection, [row[0] for row in ranked], page)


def _search_postgresql(
    session: Session, parsed: Query, scope: Scope, page: int
) -> tuple[int, list[Any]]:
    # As on SQLite: the newest MAX_RESULTS matches, then whole words before parts, the
    # more of the words the title holds, the newest (the same order on both databases).
    words = parsed.words
    params: dict[str, Any] = {
        "query": _tsquery(parsed),
        "whole": _tsquery(parsed, parts=False),
        "window": MAX_RESULTS,
    }
    params |= {f"word_{n}": f" {word} " for n, word in enumerate(words)}
    held = " + ".join(
        f"(strpos(' ' || e.search_title || ' ', :word_{n}) > 0)::int" for n in range(len(words))
    )
    where = "e.search_vector @@ to_tsquery('simple', :query)" + scope.sql(params)
    newest = (
        session.connection()
        .execute(
            sql(
                f"SELECT e.id, {held or '0'}, e.search_vector @@ to_tsquery('simple', :whole) "  # noqa: S608 (only our placeholders are formatted in)
                f"FROM search_entry e WHERE {where} ORDER BY e.id DESC LIMIT :window"
            ),
            params,
        )
        .all()
    )
    ranked = sorted(newest, key=lambda row: (row[2], row[1], row[0]), reverse=True)
    return len(newest), _rows(session.connection(), [row[0] for row in ranked], page)


def _mapped(connection: sa.Connection) -> sa.Connection:
    """The connection, reading the database file through memory mapping (once per connection):
    a search reads a thousand index entries and rows scattered over the file, which through
    read() calls cost several times what the matching does."""
    if not connection.info.get("search_mmap"):
        connection.exec_driver_sql(f"PRAGMA mmap_size = {_MMAP_SIZE}")
        connection.info["search_mmap"] = True
    return connection


_ROW_COLUMNS = (
    "e.id, e.kind, e.ref_id, e.body_id, e.meeting_id, e.title, e.updated_at, "
    "e.segmented_title, e.segmented"
)


def _rows(connection: sa.Connection, ranked: list[int], page: int) -> list[Any]:
    """The page's entries, in rank order, with what their results show."""
    ids = ranked[(page - 1) * PER_PAGE : page * PER_PAGE]
    if not ids:
        return []
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            sql(f"SELECT {_ROW_COLUMNS} FROM search_entry e WHERE e.id = ANY(:ids)").columns(  # noqa: S608 (only our placeholders are formatted in)
                updated_at=sa.DateTime(timezone=True)
            ),
            {"ids": ids},
        ).all()
    else:  # twenty rows through the driver's cursor (SQLAlchemy's cost more than the query)
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            rows = cursor.execute(
                f"SELECT {_ROW_COLUMNS} FROM search_entry e "  # noqa: S608 (only our placeholders are formatted in)
                f"WHERE e.id IN ({', '.join('?' * len(ids))})",
                ids,
            ).fetchall()
        finally:
            cursor.close()
    by_id = {row[0]: row for row in rows}
    return [by_id[entry_id] for entry_id in ids if entry_id in by_id]


# -- did you mean ---------------------------------------------------------------------------

# What one typing slip changes a word by (Norvig's edits): a letter, a vowel or tone mark, a
# digit (in the word's own script) — left out, added, changed, or two swapped.
_THAI_ALPHABET = "".join(chr(code) for code in range(0x0E01, 0x0E4F) if chr(code).isprintable())
_LATIN_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_MAX_SUGGESTED_WORD = 30


def _slips(word: str) -> set[str]:
    alphabet = (
        _THAI_ALPHABET if any("\u0e00" <= char <= "\u0e7f" for char in word) else _LATIN_ALPHABET
    )
    splits = [(word[:n], word[n:]) for n in range(len(word) + 1)]
    return (
        {left + right[1:] for left, right in splits if right}
        | {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
        | {left + char + right[1:] for left, right in splits if right for char in alphabet}
        | {left + char + right for left, right in splits for char in alphabet}
    ) - {word}


def _did_you_mean(session: Session, typed: str, scope: Scope) -> str | None:
    """The query as typed, each piece of it (between spaces) the index never holds changed,
    by one slip, into the word most entries hold that finds, on its own, something the
    searcher may read — if the changed query then finds something too (so a suggestion
    never names a word only texts they may not read hold). A piece is corrected whole: a misspelt word is often cut
    into syllables (ไบโอแกส: ไบโอ แก ส), none of them the word meant."""
    pieces = {
        piece: key
        for piece in dict.fromkeys(clean(typed).split())
        if piece != search_query.OR
        and (key := "".join(thai_words.search_words(piece.lstrip("-")).words))
        and len(key) <= _MAX_SUGGESTED_WORD
        and '"' not in piece
    }
    whole_words = {piece: thai_words.search_words(piece.lstrip("-")).words for piece in pieces}
    known = _known_words(
        session,
        {word for words in whole_words.values() for word in words} | set(pieces.values()),
        scope.body_id,
    )
    changed: dict[str, str] = {}
    for piece, key in pieces.items():
        if key in known or all(word in known for word in whole_words[piece]):
            continue
        slips = {thai_words.word_key(slip) for slip in _slips(key)}
        candidates = _known_words(session, slips, scope.body_id)
        # The most used first, and only a word that finds, on its own, something the searcher
        # may read: a correction never names a word that only texts they may not read hold.
        for best, _entries in sorted(candidates.items(), key=lambda item: (-item[1], item[0]))[:5]:
            if _finds(session, best, scope):
                changed[piece] = ("-" if piece.startswith("-") else "") + best
                break
    if not changed:
        return None
    suggestion = " ".join(changed.get(piece, piece) for piece in clean(typed).split())
    try:
        parsed = _checked_query(suggestion)
    except InvalidInput:  # a suggestion is never a reason to refuse the search itself
        return None
    if not parsed.groups:
        return None
    total, _rows_found = _run(session, parsed, scope, 1)
    return suggestion if total else None


def _finds(session: Session, word: str, scope: Scope) -> bool:
    parsed = search_query.parse(word)
    return bool(parsed.groups) and _run(session, parsed, scope, 1)[0] > 0


def _known_words(session: Session, words: set[str], body_id: int | None) -> dict[str, int]:
    """Of `words`, those the entries hold (one body's, or every body's), with how many
    entries hold each (one query, the words passed as one array: a word's slips are a few
    thousand)."""
    words = {word for word in words if word}
    if not words:
        return {}
    connection = session.connection()
    params: dict[str, Any] = {}
    if connection.dialect.name == "postgresql":
        listed = "w.word = ANY(:words)"
        params["words"] = sorted(words)
    else:
        listed = "w.word IN (SELECT value FROM json_each(:words))"
        params["words"] = json.dumps(sorted(words), ensure_ascii=False)
    where = listed + Scope(body_id).sql(params, table="w")
    rows = connection.execute(
        sql(f"SELECT w.word, sum(w.entries) FROM search_word w WHERE {where} GROUP BY w.word"),  # noqa: S608 (only our placeholders are formatted in)
        params,
    ).all()
    return {word: int(entries or 0) for word, entries in rows}


# -- marking matches -------------------------------------------------------------------------
# A result marks the words the query found, in the text as written: a word read as one of
# the query's (token_key), a query word inside a listed compound, a phrase's words side by
# side. Both databases' results are marked here, alike.


_UNSEEN = object()


@dataclass(frozen=True)
class _Marker:
    words: frozenset[str]  # found whole or as a compound's part
    phrases: tuple[tuple[str, ...], ...]  # found side by side
    # what each token as written is to this query: None, or the (start, end) to mark in it
    _seen: dict[str, tuple[int, int] | None] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    def _in(self, token: str) -> tuple[int, int] | None:
        key = thai_words.token_key(token) if token.strip() else ""
        if not key:
            return None
        if key in self.words:
            return 0, len(token)
        if inside := self.words.intersection(thai_words.parts_of(key)):
            return _part_span(token, inside)
        return None

    def spans(self, segmented: str) -> list[tuple[int, int]]:
        """Where the matches are in `segmented`, in order."""
        seen = self._seen
        if len(seen) > 50_000:  # a marker lives in a cache: its memory stays bounded
            seen.clear()
        found: list[tuple[int, int]] = []
        tokens = segmented.split(WORD_SEPARATOR)
        at = 0
        starts = []
        for token in tokens:
            span = seen.get(token, _UNSEEN)
            if span is _UNSEEN:
                span = seen[token] = self._in(token)
            if span is not None:
                found.append((at + span[0], at + span[1]))  # type: ignore[index]
            starts.append(at)
            at += len(token) + 1
        if not self.phrases:
            return found
        return _merged(found + self._phrase_spans(tokens, starts))

    def _phrase_spans(self, tokens: list[str], starts: list[int]) -> list[tuple[int, int]]:
        key = thai_words.token_key
        keyed = [(n, key(token)) for n, token in enumerate(tokens) if not token.isspace()]
        keyed = [(n, word) for n, word in keyed if word]
        words = [word for _n, word in keyed]
        found = []
        for phrase in self.phrases:
            size, first = len(phrase), phrase[0]
            for i, word in enumerate(words):
                if word == first and tuple(words[i : i + size]) == phrase:
                    last = keyed[i + size - 1][0]
                    found.append((starts[keyed[i][0]], starts[last] + len(tokens[last])))
        return found


def _part_span(token: str, parts: frozenset[str]) -> tuple[int, int]:
    """The part as written inside the compound, else the whole compound."""
    for part in sorted(parts, key=len, reverse=True):
        at = token.find(part)
        if at >= 0:
            return at, at + len(part)
    return 0, len(token)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for begin, end in sorted(spans):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    return merged


@lru_cache(maxsize=1000)
def _marker(parsed: Query) -> _Marker:
    words = {word for term in parsed.terms if not term.phrase for word in term.words}
    phrases = [term.words for term in parsed.terms if term.phrase]
    for word in list(words):  # a compound written with its parts apart
        split = thai_words.COMPOUNDS.get(word)
        if split and len(split) > 1:
            phrases.append(tuple(thai_words.word_key(part) for part in split))
    return _Marker(frozenset(words), tuple(phrases))


_PASSAGE_CHARS = 240  # about _SNIPPET_WORDS Thai words
_BEFORE_MATCH_CHARS = 30  # of the passage, before its first match


def _mark(segmented: str, found: list[tuple[int, int]], low: int, high: int) -> str:
    """`segmented[low:high]` with our marks around the matches inside it."""
    pieces, at = [], low
    for begin, end in found:
        if begin < at or end > high:
            continue
        pieces += [segmented[at:begin], MARK_START, segmented[begin:end], MARK_END]
        at = end
    pieces.append(segmented[at:high])
    return "".join(pieces)


def _marked(segmented: str, marker: _Marker) -> str:
    """The whole text, its matches marked."""
    return _mark(segmented, marker.spans(segmented), 0, len(segmented))


def _passage(segmented: str, marker: _Marker) -> str:
    """A passage of the text (about _SNIPPET_WORDS words) where most of its matches are, marked."""
    found = marker.spans(segmented)
    size = len(segmented)
    if size <= _PASSAGE_CHARS:
        return _mark(segmented, found, 0, size)
    low = 0
    if found:
        starts = [begin for begin, _ in found]
        best = max(
            range(len(starts)),
            key=lambda n: (bisect_left(starts, starts[n] + _PASSAGE_CHARS) - n, -n),
        )
        wanted = min(starts[best] - _BEFORE_MATCH_CHARS, size - _PASSAGE_CHARS)
        low = 0 if wanted <= 0 else segmented.rfind(WORD_SEPARATOR, 0, wanted) + 1
    high = segmented.find(WORD_SEPARATOR, low + _PASSAGE_CHARS)
    high = size if high < 0 else high
    return ("…" if low else "") + _mark(segmented, found, low, high) + ("…" if high < size else "")


def marked_html(text: str) -> Markup:
    """A marked text as HTML: everything escaped, then only our marks made <mark> (the text
    is people's own: a <script> in it stays text)."""
    text = text.replace(WORD_SEPARATOR, "").replace(MARK_END + MARK_START, "")  # one mark per run
    html = str(escape(text))
    return Markup(html.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S704 (escaped above)


def _hit(row: Any, parsed: Query) -> SearchHit:
    _id, kind, ref_id, body_id, meeting_id, title, updated_at, segmented_title, segmented = row
    entry_kind = KINDS.get(kind)
    link = entry_kind.link if entry_kind is not None and meeting_id is not None else _DEFAULT_LINK
    if isinstance(updated_at, str):  # SQLite's text, read by the driver
        updated_at = datetime.fromisoformat(updated_at)
    if updated_at.tzinfo is None:  # SQLite keeps no offset: the stored time is UTC
        updated_at = updated_at.replace(tzinfo=UTC)
    marker = _marker(parsed)
    return SearchHit(
        kind=kind,
        kind_label=entry_kind.label if entry_kind is not None else "Other",
        ref_id=ref_id,
        body_id=body_id,
        meeting_id=meeting_id,
        title=title,
        title_html=marked_html(_marked(segmented_title or "", marker)),
        snippet=marked_html(_passage(segmented or "", marker)),
        url=link.format(ref_id=ref_id, meeting_id=meeting_id, body_id=body_id),
        updated_at=updated_at,
    )
