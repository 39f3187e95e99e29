"""What an agenda item's page shows, display-ready: the item (number, kind, presenter, time
box, description, documents), the for/against summary, the thread with each reply under
its post, which posts are new to the reader (ThreadRead) — and the edit history of a post.

The posts come in one query with their authors' names, as tuples (PostRow) the template
unpacks by position; their HTML was rendered when they were written."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from types import SimpleNamespace
from typing import Any, NamedTuple

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from deliberation.agenda import overview
from deliberation.agenda.models import Agenda, AgendaItem
from deliberation.agenda.overview import ItemLine
from deliberation.discussion import mentions, threads
from deliberation.discussion.models import Post, PostMention, PostRevision, ThreadRead
from deliberation.sessions import followup
from forum import dates, i18n, meetings, policy
from forum.db import utcnow
from forum.errors import Conflict, NotFound
from forum.meetings import BodyName
from forum.models import Body, Meeting, MeetingStatus, Person
from forum.policy import Actor

HIDDEN_HISTORY = "This post has been hidden by the chair: its history is not shown."


class PostRow(NamedTuple):
    """A post as every reader sees it (what is the reader's own, new or editable, is in
    ItemThread.new_ids and editable_ids)."""

    id: int
    parent_id: int | None
    author_name: str
    stance: str  # "" for none
    stance_text: str
    body: str  # the Markdown, for the author's edit form ("" when hidden)
    body_html: Markup  # "" when hidden
    created_iso: str
    created_text: str
    edit_count: int
    hidden: bool
    hidden_reason: str
    version: int


@dataclass(frozen=True)
class ThreadContents:
    """An item's thread as every reader sees it: kept per revision of the agenda
    (deliberation.agenda.overview.kept), so a page read formats it once per change."""

    posts: list[tuple[PostRow, list[PostRow]]]  # each top-level post with its replies
    authors: list[tuple[int, int | None, bool]]  # (post id, author id, hidden), oldest first
    counts: list[tuple[str, str, int]]  # (stance, its name, top-level posts)
    members: list[str]  # names that can be mentioned


@dataclass(frozen=True)
class ItemThread:
    meeting: Meeting
    body: BodyName
    agenda: Agenda
    label: str  # "3/2569"
    item: ItemLine
    counts: list[tuple[str, str, int]]  # (stance, its name, top-level posts)
    posts: list[tuple[PostRow, list[PostRow]]]  # each top-level post with its replies
    total: int  # posts and replies shown
    new: int
    new_ids: frozenset[int]  # written since the reader last read the thread, by someone else
    editable_ids: frozenset[int]  # the reader's own, which they may edit now
    open: bool  # the meeting is not closed: posts may be written and edited
    stances: list[tuple[str, str]]  # the form's options
    members: list[str]  # names that can be mentioned
    origins: tuple[followup.ItemOrigin, ...] = ()  # the live sessions the item came from
    thread_readable: bool = True  # the discussion is the body's members': others see the item


def stance_options() -> list[tuple[str, str]]:
    return [(value, i18n.gettext(text)) for value, text in threads.STANCE_LABELS.items()]


# Built once: the item's page reads it on every request.
_HEAD = (  # columns, as the agenda page's head (overview.head_records)
    select(*overview.HEAD_COLUMNS)
    .join(Agenda, col(Agenda.meeting_id) == Meeting.id)
    .join(Body, col(Body.id) == Meeting.body_id)
    .join(AgendaItem, col(AgendaItem.agenda_id) == Agenda.id)
    .where(Meeting.id == sa.bindparam("meeting_id"), AgendaItem.id == sa.bindparam("item_id"))
)
_POSTS = (
    select(
        Post.id,
        Post.parent_id,
        Post.author_id,
        Person.display_name,
        Post.stance,
        Post.body,
        Post.body_html,
        Post.created_at,
        Post.edit_count,
        Post.hidden_at,
        Post.hidden_reason,
        Post.version,
    )
    .join(Person, col(Person.id) == Post.author_id, isouter=True)
    .where(Post.item_id == sa.bindparam("item_id"))
    .order_by(col(Post.id))
)


def _build_thread(session: Session, item_id: int, body_id: int) -> ThreadContents:
    locale = i18n.current_locale.get()
    names = dict(stance_options())
    tops: dict[int, tuple[PostRow, list[PostRow]]] = {}
    authors: list[tuple[int, int | None, bool]] = []
    counts = dict.fromkeys(threads.STANCE_LABELS, 0)
    for (
        post_id, parent_id, author_id, author, stance, text, html, created, edits, hidden_at,
        reason, version,
    ) in session.connection().execute(_POSTS, {"item_id": item_id}).all():  # fmt: skip
        hidden = hidden_at is not None
        if created.tzinfo is None:  # SQLite hands back the stored UTC without its zone
            created = created.replace(tzinfo=UTC)
        row = PostRow(
            post_id,
            parent_id,
            author or "",
            stance or "",
            names.get(stance or "", ""),
            "" if hidden else text,
            Markup("") if hidden else Markup(html),  # noqa: S704  (rendered safe when written)
            created.isoformat(),
            dates.format_datetime(created, locale, "short"),
            edits,
            hidden,
            reason,
            version,
        )
        authors.append((post_id, author_id, hidden))
        if parent_id is None:
            tops[post_id] = (row, [])
            if stance and not hidden:
                counts[stance] += 1
        elif parent_id in tops:
            tops[parent_id][1].append(row)
    return ThreadContents(
        posts=list(tops.values()),
        authors=authors,
        counts=[(stance, names[stance], count) for stance, count in counts.items()],
        members=[name for _id, name in threads.members_of(session, body_id)],
    )


_NO_THREAD = ThreadContents(posts=[], authors=[], counts=[], members=[])  # not the reader's to read


def item_thread(
    session: Session, actor: Actor, *, meeting_id: int, item_id: int, mark_read: bool = True
) -> ItemThread:
    """The item's page; reading it moves the reader's unread marker to its last post.
    Whoever may see the agenda sees the item; its discussion only those who may read the
    body's threads (deliberation.rules). Raises Forbidden, NotFound."""
    policy.require(actor, "forum.meeting.view")
    head = {"meeting_id": meeting_id, "item_id": item_id}
    row = session.connection().execute(_HEAD, head).first()
    if row is None:
        raise NotFound()
    meeting, agenda, body_name = overview.head_records(row)
    policy.require(actor, "deliberation.agenda.view", meeting)
    contents = overview.agenda_contents(session, agenda, meeting.body_id)
    item = next(line for part in contents.parts for line in part.items if line.id == item_id)
    readable = policy.can(actor, "deliberation.post.view", meeting)  # the body's members
    thread = (
        overview.kept(
            session,
            ("thread", item_id, *overview.contents_key(agenda)),
            lambda: _build_thread(session, item_id, meeting.body_id),
        )
        if readable
        else _NO_THREAD
    )
    last_read = _last_read(session, actor, item_id) if readable else 0
    is_open = meeting.status != MeetingStatus.closed
    # Whether the reader may edit their own posts here (asked once, not per post).
    own = SimpleNamespace(author_id=actor.person_id, body_id=meeting.body_id)
    may_edit = readable and is_open and policy.can(actor, "deliberation.post.edit", own)
    me = actor.person_id
    new_ids = frozenset(
        post_id
        for post_id, author_id, hidden in thread.authors
        if post_id > last_read and not hidden and not (author_id is not None and author_id == me)
    )
    editable_ids = frozenset(
        post_id
        for post_id, author_id, hidden in thread.authors
        if may_edit and author_id is not None and author_id == me and not hidden
    )
    last_id = thread.authors[-1][0] if thread.authors else 0
    if mark_read and last_id > last_read:
        _mark_read(session, actor, item_id, last_id)
    return ItemThread(
        meeting=meeting,
        body=BodyName(meeting.body_id, body_name),
        agenda=agenda,
        label=meetings.meeting_label(meeting),
        item=item,
        counts=thread.counts,
        posts=thread.posts,
        total=len(thread.authors),
        new=len(new_ids),
        new_ids=new_ids,
        editable_ids=editable_ids,
        open=is_open,
        stances=stance_options() if readable else [],
        members=thread.members,
        origins=followup.item_origins(session, item_id),
        thread_readable=readable,
    )


_LAST_READ = select(ThreadRead.last_post_id).where(
    ThreadRead.person_id == sa.bindparam("me"), ThreadRead.item_id == sa.bindparam("item_id")
)


def _last_read(session: Session, actor: Actor, item_id: int) -> int:
    if actor.person_id is None:
        return 0
    found = session.connection().execute(_LAST_READ, {"me": actor.person_id, "item_id": item_id})
    return found.scalar() or 0


def _mark_read(session: Session, actor: Actor, item_id: int, last_post_id: int) -> None:
    """Move the reader's marker forward (never back); two tabs at once make one row."""
    if actor.person_id is None:
        return
    table = ThreadRead.__table__  # type: ignore[attr-defined]
    moved = session.connection().execute(
        table.update()
        .where(
            table.c.person_id == actor.person_id,
            table.c.item_id == item_id,
            table.c.last_post_id < last_post_id,
        )
        .values(last_post_id=last_post_id, read_at=utcnow())
    )
    if moved.rowcount == 0 and _last_read(session, actor, item_id) == 0:
        session.add(
            ThreadRead(person_id=actor.person_id, item_id=item_id, last_post_id=last_post_id)
        )
    try:
        session.commit()
    except IntegrityError:  # the other tab's row won; it is as far on
        session.rollback()


def stance_counts(session: Session, item_id: int) -> list[tuple[str, str, int]]:
    """The summary alone (for the live frame): top-level posts per stance, hidden left out."""
    found = dict(
        session.exec(
            select(Post.stance, sa.func.count(Post.id))
            .where(
                Post.item_id == item_id,
                col(Post.parent_id).is_(None),
                col(Post.hidden_at).is_(None),
            )
            .group_by(Post.stance)
        ).all()
    )
    return [(stance, text, found.get(stance, 0)) for stance, text in stance_options()]


@functools.cache
def _unread_marker(locale: str) -> str:
    return (
        Markup('<span class="badge badge-ok">') + escape(i18n.gettext("Unread")) + Markup("</span>")
    )


def unread_marker() -> str:
    """A post new to the reader, on the item's page."""
    return _unread_marker(i18n.current_locale.get())


@functools.cache
def _unread_badge(new: int, locale: str) -> str:
    text = escape(i18n.plural_text("%(num)s new", "%(num)s new", new)) % {"num": new}
    return Markup('<span class="badge badge-warn thread-unread">') + text + Markup("</span>")


def unread_badge(new: int) -> str:
    """ "3 new": the marker of posts new to the reader, on the agenda page ("" for none)."""
    return _unread_badge(new, i18n.current_locale.get()) if new > 0 else ""


_READ_MARKERS = (  # built once: it runs on every agenda page
    select(ThreadRead.item_id, ThreadRead.last_post_id)
    .join(AgendaItem, col(AgendaItem.id) == ThreadRead.item_id)
    .where(
        ThreadRead.person_id == sa.bindparam("me"),
        AgendaItem.agenda_id == sa.bindparam("agenda_id"),
    )
)


def thread_counts(
    session: Session,
    actor: Actor,
    *,
    agenda_id: int,
    posts: Mapping[int, Sequence[tuple[int, int | None]]],
) -> dict[int, tuple[int, int]]:
    """item id -> (posts shown, posts new to the actor) for every item with posts, from
    `posts` (item id -> its shown posts' (id, author id), oldest first: the agenda's
    cached contents) and the actor's read markers, in one query."""
    me = actor.person_id or 0
    read: dict[int, int] = {}
    if me:
        found = session.connection().execute(_READ_MARKERS, {"me": me, "agenda_id": agenda_id})
        read = dict(found.all())  # type: ignore[arg-type]
    counts = {}
    for item_id, shown in posts.items():
        seen = read.get(item_id) or 0
        new = sum(1 for post_id, author in shown if post_id > seen and (author or 0) != me)
        counts[item_id] = (len(shown), new)
    return counts


# -- a post's history ------------------------------------------------------------------------


class RevisionRow(NamedTuple):
    number: int  # 1: the original text
    stance_text: str
    body_html: Markup
    written_text: str
    current: bool


@dataclass(frozen=True)
class PostHistory:
    meeting: Meeting
    item_id: int
    item_title: str
    post_id: int
    author_name: str
    revisions: list[RevisionRow]  # oldest first, the current text last


def post_history(session: Session, actor: Actor, *, meeting_id: int, post_id: int) -> PostHistory:
    """Every text the post has had. Raises Forbidden, NotFound, Conflict (a hidden post,
    except to those who may hide posts)."""
    post, meeting = threads.post_in_meeting(session, actor, post_id=post_id, meeting_id=meeting_id)
    if post.hidden_at is not None and not policy.can(actor, "deliberation.post.hide", post):
        raise Conflict(HIDDEN_HISTORY)
    item = session.get(AgendaItem, post.item_id)
    author = session.get(Person, post.author_id) if post.author_id else None
    members = threads.members_of(session, meeting.body_id)
    names = dict(stance_options())
    locale = i18n.current_locale.get()

    def row(number: int, stance: Any, text: str, written: Any, current: bool) -> RevisionRow:
        return RevisionRow(
            number,
            names.get(str(stance or ""), ""),
            mentions.render_known(text, members),
            dates.format_datetime(written, locale, "short"),
            current,
        )

    revisions = [
        row(revision.number, revision.stance, revision.body, revision.written_at, False)
        for revision in session.exec(
            select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .order_by(col(PostRevision.number))
        ).all()
    ]
    revisions.append(
        row(post.edit_count + 1, post.stance, post.body, post.edited_at or post.created_at, True)
    )
    return PostHistory(
        meeting=meeting,
        item_id=post.item_id,
        item_title=item.title if item else "",
        post_id=post.id,  # type: ignore[arg-type]
        author_name=author.display_name if author else "",
        revisions=revisions,
    )


# -- for the JSON API ----------------------------------------------------------------------------


def thread_records(
    session: Session, actor: Actor, *, meeting_id: int, item_id: int, post_id: int | None = None
) -> list[tuple[Post, str, list[int]]]:
    """The item's posts (or the one `post_id`) with their authors' names and the ids they
    mention, oldest first; two queries. Raises Forbidden, NotFound."""
    threads.item_in_meeting(session, actor, meeting_id=meeting_id, item_id=item_id)
    query = (
        select(Post, Person.display_name)
        .join(Person, col(Person.id) == Post.author_id, isouter=True)
        .where(Post.item_id == item_id)
        .order_by(col(Post.id))
    )
    if post_id is not None:
        query = query.where(Post.id == post_id)
    rows = session.exec(query).all()
    mentioned: dict[int, list[int]] = {}
    for mention in session.exec(
        select(PostMention)
        .join(Post, col(Post.id) == PostMention.post_id)
        .where(Post.item_id == item_id)
        .order_by(col(PostMention.person_id))
    ).all():
        mentioned.setdefault(mention.post_id, []).append(mention.person_id)
    return [(post, name or "", mentioned.get(post.id, [])) for post, name in rows]  # type: ignore[arg-type]
