"""Discussion on an agenda item (การอภิปราย): members post with a stance (for, against, a
question, information), reply one level deep, edit their own posts (each edit keeps the
text it replaces as a revision) and mention members with @[name]; the chair or secretary
hides a post with a reason (the text stays in the audit log). Reading and unread markers
are in deliberation.discussion.thread_view.

Every use case: authorise, check the state, change, audit, index for search, commit; the
says what happened (ThreadChanged) before the commit; its caller publishes it (forum.events).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from deliberation import indexing, notices
from deliberation.agenda.models import Agenda, AgendaItem
from deliberation.discussion import mentions
from deliberation.discussion.events import ThreadChanged
from deliberation.discussion.models import Post, PostMention, PostRevision, PostStance, ThreadRead
from deliberation.markdown import check_markup
from forum import audit, events, meetings, notifications, policy
from forum.db import claim_version, utcnow
from forum.errors import (
    Conflict,
    FieldMessage,
    Forbidden,
    InvalidInput,
    NotFound,
    NotLoggedIn,
    StaleEdit,
)
from forum.forms import validate, whole_number
from forum.models import Meeting, MeetingStatus, Membership, Person
from forum.policy import Actor

MAX_POST_LENGTH = 10_000
MAX_REASON_LENGTH = 2_000

CLOSED = "This meeting is closed: its discussion can be read but no longer changed."
NOT_A_MEMBER = "Only members of this body can take part in its discussions."
HIDDEN = "This post has been hidden by the chair: it cannot be replied to or edited."
NOT_HIDDEN = "This post is not hidden."
ALREADY_HIDDEN = "This post is already hidden."
STALE_POST = (
    "This post was changed meanwhile (perhaps in another window), so your edit was not "
    "saved. Reload the page to see the latest text, then edit again."
)

# Display names (msgids) of the stances, in the order the summary shows them.
STANCE_LABELS: dict[str, str] = {
    PostStance.in_favour: "In favour",
    PostStance.against: "Against",
    PostStance.question: "Question",
    PostStance.information: "Additional information",
}


class PostFields(BaseModel):
    body: str = Field(min_length=1, max_length=MAX_POST_LENGTH)
    stance: PostStance | None = None


class HideFields(BaseModel):
    reason: str = Field(min_length=1, max_length=MAX_REASON_LENGTH)


# -- loading, with the checks every use case shares ------------------------------------------


def item_in_meeting(
    session: Session, actor: Actor, *, meeting_id: int, item_id: int
) -> tuple[AgendaItem, Meeting]:
    """The item, if it belongs to the meeting's agenda and the actor may see the meeting.
    Raises Forbidden, NotFound."""
    meeting = meetings.get_meeting(session, actor, meeting_id=meeting_id)
    _require_reader(actor, meeting)
    item = session.get(AgendaItem, item_id)
    agenda = session.get(Agenda, item.agenda_id) if item is not None else None
    if item is None or agenda is None or agenda.meeting_id != meeting_id:
        raise NotFound()
    return item, meeting


def post_in_meeting(
    session: Session, actor: Actor, *, post_id: int, meeting_id: int | None = None
) -> tuple[Post, Meeting]:
    """Raises Forbidden, NotFound (a post of another meeting too)."""
    post = session.get(Post, post_id)
    if post is None or (meeting_id is not None and post.meeting_id != meeting_id):
        raise NotFound()
    meeting = meetings.get_meeting(session, actor, meeting_id=post.meeting_id)
    _require_reader(actor, meeting)
    return post, meeting


def _require_reader(actor: Actor, meeting: Meeting) -> None:
    """The threads are the body's members' (deliberation.rules). Raises NotLoggedIn,
    Forbidden with a message that says so."""
    if not policy.can(actor, "deliberation.post.view", meeting):
        policy.require(actor, "forum.meeting.view", meeting)  # NotLoggedIn first
        raise Forbidden(action="deliberation.post.view", message=NOT_A_MEMBER)


def _check_open(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.closed:
        raise Conflict(CLOSED)


def members_of(session: Session, body_id: int) -> list[tuple[int, str]]:
    """(person id, display name) of the body's members, by name: who can be mentioned."""
    return [
        (person_id, name)
        for person_id, name in session.exec(
            select(Person.id, Person.display_name)
            .join(Membership, col(Membership.person_id) == Person.id)
            .where(Membership.body_id == body_id)
            .order_by(col(Person.display_name))
        ).all()
    ]  # type: ignore[misc]


def _checked_text(
    session: Session, body_id: int, data: dict[str, Any]
) -> tuple[PostFields, str, set[int]]:
    """The cleaned fields, the rendered HTML and the ids mentioned. Raises InvalidInput."""
    if data.get("stance") and str(data["stance"]).strip() not in set(PostStance):
        data = data | {"stance": "?"}  # one message for any unknown value
    try:
        values = validate(PostFields, data, multiline=frozenset({"body"}))
    except InvalidInput as error:
        if "body" in error.fields and error.fields["body"].msgid == "This field is required.":
            error.fields["body"] = FieldMessage("Please write your post.")
        if "stance" in error.fields:
            error.fields["stance"] = FieldMessage(_CHOOSE_STANCE)
        raise
    check_markup(values.body, field="body")
    mentioned = mentions.resolve(values.body, members_of(session, body_id))
    html = str(mentions.render(values.body, mentioned))
    return values, html, {person_id for ids in mentioned.values() for person_id in ids}


_CHOOSE_STANCE = "Choose where your post stands: for, against, a question or information."


def _parent(session: Session, item_id: int, parent_id: Any) -> Post | None:
    if parent_id in (None, ""):
        return None
    number = whole_number(parent_id, field="parent_id")
    parent = session.get(Post, number) if number is not None else None
    if parent is None or parent.item_id != item_id:
        raise InvalidInput({"parent_id": "You can only reply to a post of this item's discussion."})
    if parent.parent_id is not None:
        raise InvalidInput(
            {
                "parent_id": "Reply to the conversation's first post: replies to replies are not possible."
            }
        )
    if parent.hidden_at is not None:
        raise Conflict(HIDDEN)
    return parent


def _set_mentions(session: Session, post: Post, person_ids: set[int]) -> set[int]:
    """Store who the post mentions now; the ids newly mentioned."""
    current = {
        row.person_id: row
        for row in session.exec(select(PostMention).where(PostMention.post_id == post.id)).all()
    }
    for person_id, row in current.items():
        if person_id not in person_ids:
            session.delete(row)
    added = person_ids - current.keys()
    for person_id in sorted(added):
        session.add(PostMention(post_id=post.id, person_id=person_id))  # type: ignore[arg-type]
    return added


def post_url(post: Post) -> str:
    return f"/meetings/{post.meeting_id}/agenda/items/{post.item_id}#post-{post.id}"


def _notify(
    session: Session,
    actor: Actor,
    post: Post,
    topic: str,
    parent: Post | None,
    mentioned: set[int],
) -> None:
    """Tell the author of the post replied to, and the members newly mentioned, in this
    transaction (forum.notifications: never the writer; a person both replied to and
    mentioned hears of the reply only)."""
    replied_to = (
        {parent.author_id}
        if parent is not None and parent.author_id and parent.author_id != actor.person_id
        else set()
    )
    url, params = post_url(post), {"topic": topic}
    if replied_to:
        notifications.notify(
            session,
            person_ids=replied_to,
            kind=notices.REPLY,
            actor=actor,
            url=url,
            params=params,
        )
    if mentioned := mentioned - replied_to - {actor.person_id}:
        notifications.notify(
            session,
            person_ids=mentioned,
            kind=notices.MENTION,
            actor=actor,
            url=url,
            params=params,
        )


# -- use cases ---------------------------------------------------------------------------------


def create_post(
    session: Session,
    actor: Actor,
    *,
    meeting_id: int,
    item_id: int,
    body: Any = None,
    stance: Any = None,
    parent_id: Any = None,
) -> Post:
    """A post in the item's thread (a stance is required), or a reply to one of its
    top-level posts (the stance optional). Raises Forbidden, NotFound, Conflict (a closed
    meeting, a hidden post), InvalidInput."""
    item, meeting = item_in_meeting(session, actor, meeting_id=meeting_id, item_id=item_id)
    if not policy.can(actor, "deliberation.post.create", meeting):
        if not actor.is_authenticated:
            raise NotLoggedIn(action="deliberation.post.create")
        raise Forbidden(action="deliberation.post.create", message=NOT_A_MEMBER)
    _check_open(meeting)
    parent = _parent(session, item.id, parent_id)  # type: ignore[arg-type]
    values, html, mentioned = _checked_text(
        session, meeting.body_id, {"body": body, "stance": stance}
    )
    if parent is None and values.stance is None:
        raise InvalidInput({"stance": _CHOOSE_STANCE})
    post = Post(
        item_id=item.id,  # type: ignore[arg-type]
        meeting_id=meeting.id,  # type: ignore[arg-type]
        body_id=meeting.body_id,
        parent_id=parent.id if parent else None,
        author_id=actor.person_id,
        stance=values.stance,
        body=values.body,
        body_html=html,
    )
    session.add(post)
    session.flush()
    added = _set_mentions(session, post, mentioned)
    audit.record(session, actor, "deliberation.post.create", post)
    indexing.index_post(session, post, item.title)
    _notify(session, actor, post, item.title, parent, added)
    session.commit()
    events.record(session, ThreadChanged(post.meeting_id, post.item_id))
    return post


def edit_post(
    session: Session,
    actor: Actor,
    *,
    post_id: int,
    version: int | None,
    body: Any = None,
    stance: Any = None,
    meeting_id: int | None = None,
) -> Post:
    """The author rewrites their post; the text it replaces is kept as a revision. Of two
    edits from the same `version`, the second is refused. Raises Forbidden, NotFound,
    Conflict, StaleEdit, InvalidInput."""
    post, meeting = post_in_meeting(session, actor, post_id=post_id, meeting_id=meeting_id)
    policy.require(actor, "deliberation.post.edit", post)
    _check_open(meeting)
    if post.hidden_at is not None:
        raise Conflict(HIDDEN)
    values, html, mentioned = _checked_text(
        session, meeting.body_id, {"body": body, "stance": stance}
    )
    if post.parent_id is None and values.stance is None:
        raise InvalidInput({"stance": _CHOOSE_STANCE})
    if version is None or version != post.version:
        raise StaleEdit(STALE_POST)
    if not claim_version(session, Post, post.id, version):  # type: ignore[arg-type]
        session.rollback()
        raise StaleEdit(STALE_POST)
    before = audit.snapshot(post)
    now = utcnow()
    session.add(
        PostRevision(
            post_id=post.id,  # type: ignore[arg-type]
            number=post.edit_count + 1,
            stance=post.stance,
            body=post.body,
            written_at=post.edited_at or post.created_at,
            replaced_by=actor.person_id,
            replaced_at=now,
        )
    )
    post.version = version + 1
    post.body, post.body_html, post.stance = values.body, html, values.stance
    post.edited_at, post.edit_count = now, post.edit_count + 1
    added = _set_mentions(session, post, mentioned)
    audit.record(session, actor, "deliberation.post.edit", post, before=before)
    item = session.get(AgendaItem, post.item_id)
    indexing.index_post(session, post, item.title if item else "")
    _notify(session, actor, post, item.title if item else "", None, added)
    session.commit()
    events.record(session, ThreadChanged(post.meeting_id, post.item_id))
    return post


def hide_post(
    session: Session,
    actor: Actor,
    *,
    post_id: int,
    reason: Any = None,
    meeting_id: int | None = None,
) -> Post:
    """The chair or secretary hides a post, giving the reason members will see; the text
    stays in the audit log and leaves search. Also after the meeting is closed, when the
    discussion is otherwise frozen: a post that harms someone must still be able to come
    down. Raises Forbidden, NotFound, Conflict, InvalidInput."""
    post, _meeting = post_in_meeting(session, actor, post_id=post_id, meeting_id=meeting_id)
    policy.require(actor, "deliberation.post.hide", post)
    values = validate(HideFields, {"reason": reason})  # raises before any state is judged
    if post.hidden_at is not None:
        raise Conflict(ALREADY_HIDDEN)
    before = audit.snapshot(post)
    post.hidden_at, post.hidden_by, post.hidden_reason = utcnow(), actor.person_id, values.reason
    session.add(post)
    audit.record(session, actor, "deliberation.post.hide", post, before=before)
    indexing.unindex_post(session, post.id)  # type: ignore[arg-type]
    session.commit()
    events.record(session, ThreadChanged(post.meeting_id, post.item_id))
    return post


def unhide_post(
    session: Session, actor: Actor, *, post_id: int, meeting_id: int | None = None
) -> Post:
    """Show a hidden post again. Raises Forbidden, NotFound, Conflict."""
    post, _meeting = post_in_meeting(session, actor, post_id=post_id, meeting_id=meeting_id)
    policy.require(actor, "deliberation.post.hide", post)
    if post.hidden_at is None:
        raise Conflict(NOT_HIDDEN)
    before = audit.snapshot(post)
    post.hidden_at, post.hidden_by, post.hidden_reason = None, None, ""
    session.add(post)
    audit.record(session, actor, "deliberation.post.unhide", post, before=before)
    item = session.get(AgendaItem, post.item_id)
    indexing.index_post(session, post, item.title if item else "")
    session.commit()
    events.record(session, ThreadChanged(post.meeting_id, post.item_id))
    return post


def release_item(session: Session, item_id: int) -> None:
    """An agenda item is about to be removed (no commit; for deliberation.agenda.remove_item):
    refused while it has a discussion — members' posts are never deleted with it — and
    its read markers go. Raises Conflict."""
    if session.exec(select(Post.id).where(Post.item_id == item_id).limit(1)).first() is not None:
        raise Conflict(
            "This item has a discussion, so it cannot be removed. Move it or change its title instead."
        )
    for read in session.exec(select(ThreadRead).where(ThreadRead.item_id == item_id)).all():
        session.delete(read)
