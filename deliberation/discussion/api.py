"""The discussion's JSON API (/api/v1/meetings/<id>/agenda/…/posts) over the same services
as the item page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlmodel import Session

from deliberation.discussion import thread_view, threads
from deliberation.discussion.models import (
    Post,
    PostCreate,
    PostHide,
    PostPublic,
    PostUpdate,
    ThreadPublic,
)
from forum.api.params import PathId
from forum.policy import Actor
from forum.web import MemberDep, SessionDep, publish

router = APIRouter(prefix="/api/v1", tags=["agenda"])

# -- discussion on agenda items ----------------------------------------------------------------
# The same services as the item page (deliberation/discussion/routes.py); every change is
# published live to the item's readers.


def _post_public(post: Post, author_name: str, mentioned: list[int]) -> PostPublic:
    hidden = post.hidden_at is not None
    return PostPublic(
        id=post.id,  # type: ignore[arg-type]
        item_id=post.item_id,
        parent_id=post.parent_id,
        author_id=post.author_id,
        author_name=author_name,
        stance=post.stance,
        body="" if hidden else post.body,
        body_html="" if hidden else post.body_html,
        hidden=hidden,
        hidden_reason=post.hidden_reason,
        created_at=post.created_at,
        edited_at=post.edited_at,
        edit_count=post.edit_count,
        version=post.version,
        mentions=mentioned,
    )


def _one_post(session: Session, actor: Actor, meeting_id: int, post: Post) -> PostPublic:
    [record] = thread_view.thread_records(
        session, actor, meeting_id=meeting_id, item_id=post.item_id, post_id=post.id
    )
    return _post_public(*record)


@router.get("/meetings/{meeting_id}/agenda/items/{item_id}/posts", response_model=ThreadPublic)
def list_posts(
    session: SessionDep, actor: MemberDep, meeting_id: PathId, item_id: PathId
) -> ThreadPublic:
    """The item's thread: top-level posts oldest first, each with its `replies`; `counts`
    are the top-level posts per stance (hidden ones left out). A hidden post keeps its
    place with an empty `body` and the chair's `hidden_reason`."""
    records = thread_view.thread_records(session, actor, meeting_id=meeting_id, item_id=item_id)
    tops: dict[int, PostPublic] = {}
    counts = dict.fromkeys(threads.STANCE_LABELS, 0)
    for post, name, mentioned in records:
        public = _post_public(post, name, mentioned)
        if post.parent_id is None:
            tops[public.id] = public
            if post.stance and post.hidden_at is None:
                counts[post.stance] += 1
        elif post.parent_id in tops:
            tops[post.parent_id].replies.append(public)
    return ThreadPublic(
        item_id=item_id, meeting_id=meeting_id, counts=counts, posts=list(tops.values())
    )


@router.post(
    "/meetings/{meeting_id}/agenda/items/{item_id}/posts",
    response_model=PostPublic,
    status_code=201,
)
def create_post(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    meeting_id: PathId,
    item_id: PathId,
    payload: PostCreate,
) -> PostPublic:
    """A post (a `stance` is required) or, with `parent_id`, a reply to a top-level post.
    Mention members as @[display name]."""
    post = threads.create_post(
        session, actor, meeting_id=meeting_id, item_id=item_id, **payload.model_dump()
    )
    publish(request, session, actor)
    return _one_post(session, actor, meeting_id, post)


@router.patch("/meetings/{meeting_id}/agenda/posts/{post_id}", response_model=PostPublic)
def edit_post(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    meeting_id: PathId,
    post_id: PathId,
    payload: PostUpdate,
) -> PostPublic:
    """The author's new text (the old one is kept in the history); `version` is the
    post's (409 when it changed meanwhile)."""
    post = threads.edit_post(
        session, actor, post_id=post_id, meeting_id=meeting_id, **payload.model_dump()
    )
    publish(request, session, actor)
    return _one_post(session, actor, meeting_id, post)


@router.post("/meetings/{meeting_id}/agenda/posts/{post_id}/hide", response_model=PostPublic)
def hide_post(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    meeting_id: PathId,
    post_id: PathId,
    payload: PostHide,
) -> PostPublic:
    """The chair or secretary hides a post with a `reason` the members see."""
    post = threads.hide_post(
        session, actor, post_id=post_id, meeting_id=meeting_id, reason=payload.reason
    )
    publish(request, session, actor)
    return _one_post(session, actor, meeting_id, post)


@router.delete("/meetings/{meeting_id}/agenda/posts/{post_id}/hide", response_model=PostPublic)
def unhide_post(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: PathId, post_id: PathId
) -> PostPublic:
    """Show a hidden post again."""
    post = threads.unhide_post(session, actor, post_id=post_id, meeting_id=meeting_id)
    publish(request, session, actor)
    return _one_post(session, actor, meeting_id, post)
