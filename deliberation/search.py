"""Full-text search over deliberation's texts (agenda items, suggestions, posts …), Thai first.

Thai has no spaces between words, so every text is cut into words by PyThaiNLP's `newmm`
with its dictionary plus the programme's own terms (อส.พน., ธนาคารน้ำใต้ดิน …), built once at
start-up. A word that is itself made of dictionary words is indexed by those parts
(พลังงานแสงอาทิตย์ → พลัง งาน แสง อาทิตย์), and a query word becomes the phrase of its
parts: พลังงาน then finds พลังงานแสงอาทิตย์, and ธนาคารน้ำใต้ดิน finds only the words side by
side. The words are stored separated by U+001F (invisible, a separator to both SQLite FTS5
and PostgreSQL's parser), so the indexed column, without them, is the text itself and its
snippets read as written.

Other services call `index_entry` / `remove_entry` in their own transaction; people call
`search`, which finds only what they may see (their bodies' texts; a site admin, all).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup, escape
from pythainlp.corpus import thai_words
from pythainlp.tokenize.newmm import segment as newmm_segment
from pythainlp.util import Trie
from sqlalchemy import text as sql
from sqlmodel import Session, select

from deliberation.models import SearchEntry
from deliberation.rules import searchable_body_ids
from forum import forms, policy
from forum.db import utcnow
from forum.errors import FieldMessage, InvalidInput
from forum.paging import MAX_PAGE, Page
from forum.policy import Actor
from forum.registry import Registry

# The programme's words, kept whole (seed/energy-network-project-2562.th.txt and the
# energy vocabulary of its networks): abbreviations with their dots, transliterations
# the dictionary lacks, and names of the programmes the work integrates with.
PROGRAMME_TERMS = frozenset(
    {
        "อส.พน.", "สพจ.", "พพ.", "สสช.", "อปท.", "อบต.", "อบจ.", "กฟภ.", "กฟน.", "กฟผ.",
        "กระทรวงพลังงาน", "สำนักงานพลังงานจังหวัด", "สำนักส่งเสริมการมีส่วนร่วมของประชาชน",
        "เครือข่ายพลังงานชุมชน", "เครือข่ายพลังงานภาคประชาชน", "พลังงานชุมชน",
        "พลังงานทดแทน", "พลังงานแสงอาทิตย์", "พลังงานลม", "พลังงานน้ำ", "พลังงานชีวมวล",
        "ธนาคารน้ำใต้ดิน", "ธนาคารต้นไม้", "วิสาหกิจชุมชน", "แปลงใหญ่", "นาแปลงใหญ่",
        "สมาร์ทฟาร์มเมอร์", "โซลาร์รูฟท็อป", "โซลาร์เซลล์", "โซลาร์ฟาร์ม", "โซลาร์ปั๊ม",
        "ไบโอแก๊ส", "ก๊าซชีวภาพ", "เตาชีวมวล", "เตาเผาถ่าน", "เตาซุปเปอร์อั้งโล่",
        "ศูนย์เรียนรู้", "ต้นแบบ", "นักส่งเสริม", "นักสื่อสารพลังงานชุมชน",
        "อาสาสมัครพลังงาน", "แกนนำชุมชน", "กลุ่มอาชีพ", "เวทีสัมมนา", "ร่างโครงการ",
        "คณะทำงาน", "คณะกรรมการ", "สิ่งแวดล้อม", "ประสิทธิภาพพลังงาน", "อนุรักษ์พลังงาน",
        "ระเบียบวาระ", "มติที่ประชุม", "รายงานการประชุม", "แผนงานร่วม",
    }
)  # fmt: skip

# Built once, at start-up (PyThaiNLP's default word list and the programme's terms).
DICTIONARY = Trie(thai_words() | PROGRAMME_TERMS)

WORD_SEPARATOR = "\x1f"  # between words in the indexed columns; never in cleaned text
MARK_START, MARK_END = "\ue000", "\ue001"  # where the database marks a match; dropped from input
# PostgreSQL's headline drops what looks like an XML tag: it reads < > & as these instead.
_STAND_INS = {"<": "\ue002", ">": "\ue003", "&": "\ue004"}
MAX_QUERY_LENGTH = 200
PER_PAGE = 20
MAX_RESULTS = 1000  # a search ranks at most the newest this many matches (and counts to it)
_SNIPPET_WORDS = 40
_MMAP_SIZE = 1 << 31  # bytes of the SQLite file mapped, as many as SQLite allows (it caps it)

# What each kind of entry is called and where it is shown: the manifest of the package that
# indexes a kind registers it (`register_kind`).
@dataclass(frozen=True)
class EntryKind:
    label: str  # msgid
    link: str  # the page, with `{ref_id}`, `{meeting_id}`, `{body_id}`


KINDS: Registry[EntryKind] = Registry("search kinds")
_DEFAULT_LINK = "/bodies/{body_id}"


def register_kind(kind: str, *, label: str, link: str) -> None:
    """Name a kind of entry (a msgid) and its page (`{ref_id}`, `{meeting_id}`, `{body_id}`)."""
    KINDS.add(kind, EntryKind(label, link))


# -- words ----------------------------------------------------------------------------

_THAI = re.compile(r"[\u0e00-\u0e7f]")
_UNMARKABLE = str.maketrans(
    "", "", MARK_START + MARK_END + WORD_SEPARATOR + "".join(_STAND_INS.values())
)
_RESTORED = [(stand_in, char) for char, stand_in in _STAND_INS.items()] + [(WORD_SEPARATOR, "")]


def clean(text: str) -> str:
    """The text as indexed and shown: normalised, without control characters or our marks."""
    return forms.clean_text(text or "", multiline=True).translate(_UNMARKABLE)


def segment(text: str) -> list[str]:
    """The words of `text` (spaces and line breaks left out); the programme's terms whole."""
    return [
        token for token in newmm_segment(clean(text), custom_dict=DICTIONARY) if not token.isspace()
    ]


@lru_cache(maxsize=200_000)
def word_parts(word: str) -> tuple[str, ...]:
    """The dictionary words a Thai word is made of, down to the smallest (พลังงานแสงอาทิตย์ →
    พลัง งาน แสง อาทิตย์); the word itself when it is not made of others."""
    if len(word) < 4 or not _THAI.search(word):
        return (word,)
    pieces = _fewest_pieces(word)
    if pieces is None:
        return (word,)
    return tuple(part for piece in pieces for part in word_parts(piece))


def _fewest_pieces(word: str) -> tuple[str, ...] | None:
    """`word` as the fewest dictionary words (two letters or more) other than itself, or None."""
    size = len(word)
    best: list[tuple[str, ...] | None] = [None] * size + [()]
    for start in range(size - 1, -1, -1):
        for prefix in DICTIONARY.prefixes(word[start:]):
            end = start + len(prefix)
            if len(prefix) < 2 or (start == 0 and end == size) or (rest := best[end]) is None:
                continue
            if best[start] is None or len(rest) + 1 < len(best[start]):  # type: ignore[arg-type]
                best[start] = (prefix, *rest)
    return best[0]


def segmented_text(text: str) -> str:
    """`text` with U+001F between its words and between a compound's parts."""
    tokens = newmm_segment(clean(text), custom_dict=DICTIONARY)
    return WORD_SEPARATOR.join(part for token in tokens for part in word_parts(token))


def _is_word(token: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in token)


def query_phrases(query: str) -> list[tuple[str, ...]]:
    """The query's words, each as the phrase of its parts; all must be found."""
    return [word_parts(token) for token in segment(query) if _is_word(token)]


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
    ).first() or SearchEntry(kind=kind, ref_id=ref_id, body_id=body_id)
    entry.body_id, entry.meeting_id = body_id, meeting_id
    entry.title, entry.text = clean(title)[:300], clean(text)
    entry.segmented_title, entry.segmented = segmented_text(entry.title), segmented_text(entry.text)
    entry.updated_at = utcnow()
    session.add(entry)
    return entry


def remove_entry(session: Session, *, kind: str, ref_id: int) -> None:
    """Take the entry of (`kind`, `ref_id`) out of the index, if it is there (no commit)."""
    entry = session.exec(
        select(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.ref_id == ref_id)
    ).first()
    if entry is not None:
        session.delete(entry)


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


def search(
    session: Session, actor: Actor, *, query: str, body_id: int | None = None, page: int = 1
) -> Page[SearchHit]:
    """The entries the actor may see that hold every word of `query`: of the newest
    MAX_RESULTS of them, the best first (SQLite: the more of the words the title holds, the
    higher, then the newest; PostgreSQL: ts_rank, the title weighing more). Raises
    NotLoggedIn, and InvalidInput for an empty, too long or wordless query."""
    policy.require(actor, "deliberation.search", body_id)
    phrases = _checked_phrases(query)
    bodies = searchable_body_ids(actor)
    if body_id is not None:
        bodies = {body_id} if bodies is None or body_id in bodies else frozenset()
    page = min(max(1, page), MAX_PAGE)
    if bodies is not None and not bodies:
        return Page(items=[], total=0, page=page, per_page=PER_PAGE)
    run = _search_postgresql if session.get_bind().dialect.name == "postgresql" else _search_sqlite
    total, rows = run(session, phrases, sorted(bodies) if bodies is not None else None, page)
    return Page(items=[_hit(row) for row in rows], total=total, page=page, per_page=PER_PAGE)


def _checked_phrases(query: str) -> list[tuple[str, ...]]:
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
    phrases = query_phrases(query)
    if not phrases:
        raise InvalidInput({"q": "Please search with letters or numbers, not only symbols."})
    return phrases


def _body_filter(bodies: list[int] | None, params: dict[str, Any]) -> str:
    if bodies is None:
        return ""
    params.update({f"body_{n}": body for n, body in enumerate(bodies)})
    return f" AND e.body_id IN ({', '.join(f':body_{n}' for n in range(len(bodies)))})"


_COLUMNS = "e.kind, e.ref_id, e.body_id, e.meeting_id, e.title, e.updated_at"


def _mapped(connection: sa.Connection) -> sa.Connection:
    """The connection, reading the database file through memory mapping (once per connection):
    a search reads a thousand index entries and rows scattered over the file, which through
    read() calls cost several times what the matching does."""
    if not connection.info.get("search_mmap"):
        connection.exec_driver_sql(f"PRAGMA mmap_size = {_MMAP_SIZE}")
        connection.info["search_mmap"] = True
    return connection


def _fts_phrase(parts: tuple[str, ...]) -> str:
    """A query word as an FTS5 phrase of its parts, quoted: the user's text is never syntax."""
    return '"' + WORD_SEPARATOR.join(parts).replace('"', '""') + '"'


def _search_sqlite(
    session: Session, phrases: list[tuple[str, ...]], bodies: list[int] | None, page: int
) -> tuple[int, list[Any]]:
    # Every word, and one of the bodies: the body is a token of the index's body_id column,
    # so FTS5 filters inside its own index and walks it newest first (its rowids are -id),
    # stopping at the MAX_RESULTS-th match (a word found in most texts costs no more than a
    # rare one).
    match = " AND ".join(_fts_phrase(parts) for parts in phrases)
    if bodies is not None:
        either = " OR ".join(f'"{body}"' for body in bodies)
        match = f"({match}) AND body_id : ({either})"
    # Ranked without FTS5's bm25(), whose document frequencies cost a pass over the whole
    # index for every word: the entries whose title holds more of the words first, then
    # the newest. (The title as written: it is stored before the long text, so reading it
    # follows no overflow pages.)
    in_title = dict.fromkeys("".join(parts).lower() for parts in phrases)
    params: dict[str, Any] = {"match": match, "window": MAX_RESULTS}
    params |= {f"word_{n}": word for n, word in enumerate(in_title)}
    held = " + ".join(
        f"(instr(lower(e.title), :{name}) > 0)" for name in params if name.startswith("word_")
    )
    connection = _mapped(session.connection())
    # A thousand rows of two numbers: read with the driver's cursor, in the session's
    # transaction (SQLAlchemy's rows would cost more than the query).
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        newest = cursor.execute(
            f"SELECT e.id, {held} FROM search_entry_fts "  # noqa: S608 (only our placeholders are formatted in)
            "JOIN search_entry e ON e.id = -search_entry_fts.rowid "
            "WHERE search_entry_fts MATCH :match "
            "ORDER BY search_entry_fts.rowid LIMIT :window",  # -id: the newest first
            params,
        ).fetchall()
    finally:
        cursor.close()
    ranked = sorted(newest, key=itemgetter(1, 0), reverse=True)  # more words held, then newer
    ids = [row[0] for row in ranked[(page - 1) * PER_PAGE : page * PER_PAGE]]
    if not ids:
        return len(newest), []
    params = {f"id_{n}": entry_id for n, entry_id in enumerate(ids)}
    rows = connection.execute(
        sql(
            f"SELECT e.id, {_COLUMNS}, e.segmented_title, e.segmented FROM search_entry e "  # noqa: S608 (only our placeholders are formatted in)
            f"WHERE e.id IN ({', '.join(f':id_{n}' for n in range(len(ids)))})"
        ).columns(updated_at=sa.DateTime),
        params,
    ).all()
    by_id = {row[0]: row for row in rows}
    finder = _finder(tuple(phrases))
    return len(newest), [
        (
            *by_id[entry_id][1:7],
            _marked(by_id[entry_id][7], finder),
            _passage(by_id[entry_id][8], finder),
        )
        for entry_id in ids
        if entry_id in by_id
    ]


# -- marking matches (SQLite) ---------------------------------------------------------
# A query word is found where its parts stand as whole tokens of FTS5's unicode61 tokenizer
# (runs of letters, digits and combining marks, any case), with only separators between
# them: what is marked is what the index matched.


def _ranges(codes: list[int]) -> str:
    """The code points as a regular expression's character ranges (a short class compiles fast)."""
    present = set(codes)
    starts = [code for code in codes if code - 1 not in present]
    ends = [code for code in codes if code + 1 not in present]
    return "".join(f"{chr(start)}-{chr(end)}" for start, end in zip(starts, ends, strict=True))


_MARKS = _ranges(
    [code for code in range(0x300, 0x10000) if unicodedata.category(chr(code)) in ("Mn", "Mc")]
)
_NOT_AFTER_TOKEN = f"(?<![^\\W_])(?<![{_MARKS}])"
_NOT_BEFORE_TOKEN = f"(?![^\\W_])(?![{_MARKS}])"
_BETWEEN_TOKENS = f"(?:[^\\w{_MARKS}]|_)+"
_TOKEN = re.compile(f"(?:[^\\W_]|[{_MARKS}])+")
_PASSAGE_CHARS = 240  # about _SNIPPET_WORDS Thai words
_BEFORE_MATCH_CHARS = 30  # of the passage, before its first match


@lru_cache(maxsize=1000)
def _finder(phrases: tuple[tuple[str, ...], ...]) -> re.Pattern[str]:
    """A pattern that finds the query's words in a segmented text."""
    words = {
        _BETWEEN_TOKENS.join(map(re.escape, tokens))
        for parts in phrases
        if (tokens := _TOKEN.findall(WORD_SEPARATOR.join(parts)))
    }
    either = "|".join(sorted(words, key=len, reverse=True)) or "(?!)"  # no word: never
    return re.compile(f"{_NOT_AFTER_TOKEN}(?:{either}){_NOT_BEFORE_TOKEN}", re.IGNORECASE)


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


def _marked(segmented: str, finder: re.Pattern[str]) -> str:
    """The whole text, its matches marked."""
    return _mark(segmented, [m.span() for m in finder.finditer(segmented)], 0, len(segmented))


def _passage(segmented: str, finder: re.Pattern[str]) -> str:
    """A passage of the text (about _SNIPPET_WORDS words) where most of its matches are, marked."""
    found = [m.span() for m in finder.finditer(segmented)]
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


def _search_postgresql(
    session: Session, phrases: list[tuple[str, ...]], bodies: list[int] | None, page: int
) -> tuple[int, list[Any]]:
    params: dict[str, Any] = {f"phrase_{n}": " ".join(parts) for n, parts in enumerate(phrases)}
    tsquery = " && ".join(f"phraseto_tsquery('simple', :phrase_{n})" for n in range(len(phrases)))
    where = "e.search_vector @@ q.query" + _body_filter(bodies, params)
    # As on SQLite: the newest MAX_RESULTS matches, then the best of them first.
    newest = (
        f"SELECT e.id, ts_rank(e.search_vector, q.query) AS score "  # noqa: S608 (only our placeholders are formatted in)
        f"FROM search_entry e, (SELECT {tsquery} AS query) q WHERE {where} "
        "ORDER BY e.id DESC LIMIT :window"
    )
    params["window"] = MAX_RESULTS
    total = (
        session.connection().execute(sql(f"SELECT count(*) FROM ({newest}) w"), params).scalar_one()  # noqa: S608 (only our placeholders are formatted in)
    )
    if not total:
        return 0, []
    marks = f"StartSel={MARK_START}, StopSel={MARK_END}"
    params |= {
        "tag_chars": "".join(_STAND_INS),
        "stand_ins": "".join(_STAND_INS.values()),
        "whole": f"{marks}, HighlightAll=true",
        "passage": f"{marks}, MaxWords={_SNIPPET_WORDS}, MinWords={_SNIPPET_WORDS // 2}, "
        'MaxFragments=2, FragmentDelimiter=" … "',
        "limit": PER_PAGE,
        "offset": (page - 1) * PER_PAGE,
    }
    rows = (
        session.connection()
        .execute(
            sql(
                f"SELECT {_COLUMNS}, "  # noqa: S608 (only our placeholders are formatted in)
                "ts_headline('simple', translate(e.segmented_title, :tag_chars, :stand_ins), q.query, :whole), "
                "ts_headline('simple', translate(e.segmented, :tag_chars, :stand_ins), q.query, :passage) "
                f"FROM (SELECT id, score FROM ({newest}) w ORDER BY score DESC, id DESC "
                "LIMIT :limit OFFSET :offset) page "
                f"JOIN search_entry e ON e.id = page.id, (SELECT {tsquery} AS query) q "
                "ORDER BY page.score DESC, e.id DESC"
            ).columns(updated_at=sa.DateTime(timezone=True)),
            params,
        )
        .all()
    )
    return total, list(rows)


def marked_html(text: str) -> Markup:
    """The database's marked text as HTML: everything escaped, then only our marks made
    <mark> (the text is people's own: a <script> in it stays text)."""
    for stand_in, char in _RESTORED:  # (str.replace: many times faster than str.translate)
        text = text.replace(stand_in, char)
    text = text.replace(MARK_END + MARK_START, "")  # one mark per run
    html = str(escape(text))
    return Markup(html.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S704 (escaped above)


def _hit(row: Any) -> SearchHit:
    kind, ref_id, body_id, meeting_id, title, updated_at, title_marked, passage = row
    entry_kind = KINDS.get(kind)
    link = entry_kind.link if entry_kind is not None and meeting_id is not None else _DEFAULT_LINK
    if updated_at.tzinfo is None:  # SQLite keeps no offset: the stored time is UTC
        updated_at = updated_at.replace(tzinfo=UTC)
    return SearchHit(
        kind=kind,
        kind_label=entry_kind.label if entry_kind is not None else "Other",
        ref_id=ref_id,
        body_id=body_id,
        meeting_id=meeting_id,
        title=title,
        title_html=marked_html(title_marked or ""),
        snippet=marked_html(passage or ""),
        url=link.format(ref_id=ref_id, meeting_id=meeting_id, body_id=body_id),
        updated_at=updated_at,
    )
