"""HTML routes of an agenda item's discussion: the item page (with its htmx thread block),
posts and replies, edits and their history, hiding by the chair. Every change is
published live to the item's readers after its commit."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from deliberation.agenda import overview
from deliberation.discussion import live as discussion_live
from deliberation.discussion import thread_view, threads
from forum.errors import FieldMessage, InvalidInput, StaleEdit
from forum.fragments import hole
from forum.policy import Actor
from forum.web import (
    Id,
    MemberDep,
    SessionDep,
    form_int,
    form_values,
    hub,
    is_htmx,
    publish,
    redirect,
    render,
    render_kept,
    template_environment,
)

router = APIRouter()


PAGE = "deliberation/item_thread_page.html"
POST_FORMS = "deliberation/_post_forms.html"
HISTORY_PAGE = "deliberation/post_history_page.html"


def _url(meeting_id: int, item_id: int) -> str:
    return f"/meetings/{meeting_id}/agenda/items/{item_id}"


def _thread(
    request: Request,
    session: Session,
    actor: Actor,
    meeting_id: int,
    item_id: int,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    """The item's page (or its thread, for htmx), kept per revision of the agenda and class
    of reader (forum.web.render_kept); the reader's own parts filled in: unread markers,
    the edit forms of their own posts, the live channel's position. A refused form is
    rendered, not kept."""
    live_after, view = hub(request).position_and(
        discussion_live.item_channel(item_id),
        lambda: thread_view.item_thread(session, actor, meeting_id=meeting_id, item_id=item_id),
    )
    meeting = view.meeting
    context = {
        "view": view,
        "counts": view.counts,
        "live_after": hole("live"),
        "errors": {},
        "form": "",
        "values": {},
        "oob": False,
    } | extra
    errors, form, values = context["errors"], context["form"], context["values"]
    base = f"/meetings/{meeting.id}/agenda"
    own = {
        row.id: row
        for top, replies in view.posts
        for row in (top, *replies)
        if row.id in view.editable_ids
    }
    macros = template_environment().get_template(POST_FORMS).module
    unread = str(thread_view.unread_marker())

    def edit(post_id: str) -> str:
        row = own.get(int(post_id))
        if row is None:
            return ""
        problems = errors if form == f"edit_{row.id}" else {}
        return str(macros.edit_form(row, base, view.stances, problems, values))  # type: ignore[attr-defined]

    key = (
        overview.contents_key(view.agenda),
        view.item.id,
        (meeting.id, meeting.status, meeting.number, meeting.year_be, view.body.name),
        view.origins,  # the live sessions it came from: their ideas' votes move on their own
    )
    asks = (
        ("deliberation.post.view", meeting),
        ("deliberation.post.create", meeting),
        ("deliberation.post.hide", meeting),
    )
    if view.origins:  # the facilitators' link to the promotion; not asked of other items
        asks += (("deliberation.live_session.run", meeting),)
    fillers = {
        "live": lambda _key: "" if live_after is None else str(live_after),
        "thread_new": lambda _key: f" {thread_view.unread_badge(view.new)}" if view.new else "",
        "new": lambda post_id: unread if int(post_id) in view.new_ids else "",
        "edit": edit,
    }
    return render_kept(
        request,
        PAGE,
        context,
        key=key,
        asks=asks,
        fillers=fillers,
        block="thread",
        keep=not errors,
        status_code=status_code,
    )


def _changed(
    request: Request,
    session: Session,
    actor: Actor,
    meeting_id: int,
    item_id: int,
    *,
    flash: str,
    post_id: int,
) -> Response:
    """After a committed change: the item's readers hear of it; this page gets the new
    thread (htmx) or is sent back to the post (plain POST)."""
    publish(request, session, actor)
    if is_htmx(request):
        return _thread(request, session, actor, meeting_id, item_id)
    return redirect(request, f"{_url(meeting_id, item_id)}#post-{post_id}", flash=flash)


def _refused(
    request: Request,
    session: Session,
    actor: Actor,
    meeting_id: int,
    item_id: int,
    error: InvalidInput | StaleEdit,
    form: str,
    values: dict[str, Any],
) -> Response:
    """The thread again, the form kept open with what was typed and what to correct."""
    errors = (
        error.fields
        if isinstance(error, InvalidInput)
        else {"__all__": FieldMessage(error.message)}
    )
    return _thread(
        request,
        session,
        actor,
        meeting_id,
        item_id,
        status_code=error.status,
        errors=errors,
        form=form,
        values=values,
    )


@router.get("/meetings/{meeting_id}/agenda/items/{item_id}")
async def item_page(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id, item_id: Id
) -> Response:
    return _thread(request, session, actor, meeting_id, item_id)


@router.post("/meetings/{meeting_id}/agenda/items/{item_id}/posts")
async def create_post(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id, item_id: Id
) -> Response:
    values = form_values(await request.form())
    parent_id = values.get("parent_id")
    try:
        post = threads.create_post(
            session,
            actor,
            meeting_id=meeting_id,
            item_id=item_id,
            body=values.get("body"),
            stance=values.get("stance"),
            parent_id=parent_id,
        )
    except InvalidInput as error:
        form = f"reply_{parent_id}" if parent_id else "post"
        return _refused(request, session, actor, meeting_id, item_id, error, form, values)
    flash = "Your reply has been posted." if parent_id else "Your post has been published."
    return _changed(request, session, actor, meeting_id, item_id, flash=flash, post_id=post.id)  # type: ignore[arg-type]


@router.post("/meetings/{meeting_id}/agenda/posts/{post_id}/edit")
async def edit_post(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id, post_id: Id
) -> Response:
    values = form_values(await request.form())
    post, _meeting = threads.post_in_meeting(session, actor, post_id=post_id, meeting_id=meeting_id)
    try:
        threads.edit_post(
            session,
            actor,
            post_id=post_id,
            meeting_id=meeting_id,
            version=form_int(values.get("version"), "version"),
            body=values.get("body"),
            stance=values.get("stance"),
        )
    except (InvalidInput, StaleEdit) as error:
        form = f"edit_{post_id}"
        return _refused(request, session, actor, meeting_id, post.item_id, error, form, values)
    flash = "Your changes have been saved."
    return _changed(request, session, actor, meeting_id, post.item_id, flash=flash, post_id=post_id)


@router.post("/meetings/{meeting_id}/agenda/posts/{post_id}/hide")
async def hide_post(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id, post_id: Id
) -> Response:
    values = form_values(await request.form())
    try:
        post = threads.hide_post(
            session, actor, post_id=post_id, meeting_id=meeting_id, reason=values.get("reason")
        )
    except InvalidInput as error:
        post, _meeting = threads.post_in_meeting(session, actor, post_id=post_id)
        form = f"hide_{post_id}"
        return _refused(request, session, actor, meeting_id, post.item_id, error, form, values)
    flash = "The post has been hidden."
    return _changed(request, session, actor, meeting_id, post.item_id, flash=flash, post_id=post_id)


@router.post("/meetings/{meeting_id}/agenda/posts/{post_id}/unhide")
async def unhide_post(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id, post_id: Id
) -> Response:
    post = threads.unhide_post(session, actor, post_id=post_id, meeting_id=meeting_id)
    flash = "The post is shown again."
    return _changed(request, session, actor, meeting_id, post.item_id, flash=flash, post_id=post_id)


@router.get("/meetings/{meeting_id}/agenda/posts/{post_id}/history")
def post_history(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id, post_id: Id
) -> Response:
    history = thread_view.post_history(session, actor, meeting_id=meeting_id, post_id=post_id)
    return render(request, HISTORY_PAGE, {"history": history})


@router.get("/meetings/{meeting_id}/agenda/posts/{post_id}")
def show_post(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id, post_id: Id
) -> Response:
    """A post's address (search results link here): its item's page, at the post."""
    post, _meeting = threads.post_in_meeting(session, actor, post_id=post_id, meeting_id=meeting_id)
    return redirect(request, f"{_url(meeting_id, post.item_id)}#post-{post_id}")
