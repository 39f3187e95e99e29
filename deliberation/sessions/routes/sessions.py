"""HTML routes of live sessions: a facilitator opens one from the meeting page and runs it
from the console; the hall joins at /join or /s/<code> (no account: a nickname, the consent,
and a device token kept in a cookie scoped to that session's pages); the projector shows the
code and the top ideas. Every change is published on the session's channel after its commit.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from deliberation import privacy
from deliberation.sessions import ideas, pages, sessions
from deliberation.sessions.routes import Code, console_response, participant_of
from forum.config import get_settings
from forum.errors import Conflict, FieldMessage, InvalidInput, NotFound, RateLimited
from forum.policy import Actor
from forum.web import (
    ActorDep,
    Id,
    MemberDep,
    SessionDep,
    attachment,
    client_ip,
    form_int,
    form_values,
    hub,
    is_htmx,
    public_url,
    publish,
    redirect,
    render,
)

router = APIRouter()


TOKEN_DAYS = 30


# -- joining -----------------------------------------------------------------------------------


@router.get("/join")
def join_page(request: Request) -> Response:
    return render(request, pages.JOIN_PAGE, {"values": {}, "errors": {}})


@router.post("/join")
async def find_by_code(request: Request, session: SessionDep) -> Response:
    values = form_values(await request.form())
    try:
        view = sessions.find_session(session, code=values.get("code"), client_ip=client_ip(request))
    except InvalidInput as error:
        return render(
            request, pages.JOIN_PAGE, {"values": values, "errors": error.fields}, status_code=422
        )
    return redirect(request, f"/s/{view.live.code}")


def _participant_page(
    request: Request,
    session: Session,
    actor: Actor,
    code: str,
    status: int = 200,
    block: str | None = "idea_form",
    joined: tuple[Any, Any] | None = None,
    **extra: Any,
) -> Response:
    """The phone's page (`block`: only that part, for htmx); `joined`: (the session, the
    participant) known already (a device that just joined has no cookie yet)."""
    try:  # a joined device comes back without the guessing check (its hall shares one address)
        view, participant = joined or participant_of(request, session, code)
    except InvalidInput as error:
        context = {"values": {"code": code}, "errors": error.fields}
        return render(request, pages.JOIN_PAGE, context, status_code=404)
    if is_htmx(request) and block == "idea_form":  # the form alone needs none of the page
        context = pages.participant_form(view, participant)
    else:
        order = request.query_params.get("order", "new")
        context = pages.participant_page(session, hub(request), view, participant, order=order)
    context = context | {"actor": actor} | extra
    return render(request, pages.PARTICIPANT_PAGE, context, block=block, status_code=status)


@router.get("/s/{code}")
def participant_page(
    request: Request, session: SessionDep, actor: ActorDep, code: Code
) -> Response:
    return _participant_page(request, session, actor, code)


@router.post("/s/{code}/join")
async def join(request: Request, session: SessionDep, actor: ActorDep, code: Code) -> Response:
    values = form_values(await request.form())
    return await run_in_threadpool(_join, request, session, actor, code, values)  # as ideas


def _join(request: Request, session: Session, actor: Actor, code: str, values: dict) -> Response:
    try:
        joined = sessions.join(
            session,
            actor,
            code=code,
            nickname=str(values.get("nickname", "")),
            consent=bool(values.get("consent")),
            show_account_name=bool(values.get("show_account_name")),
            token=request.cookies.get(sessions.TOKEN_COOKIE),
            client_ip=client_ip(request),
        )
    except InvalidInput as error:
        return _participant_page(
            request, session, actor, code, status=422, values=values, errors=error.fields
        )
    if is_htmx(request):  # the joined page at once: a hall scanning the QR code makes one
        # request each instead of two (the form pushes the page's own address)
        response = _participant_page(
            request, session, actor, code, block=None, joined=joined[:2]
        )
    else:
        response = redirect(request, f"/s/{code}")
    response.set_cookie(
        sessions.TOKEN_COOKIE,
        joined.token,
        max_age=TOKEN_DAYS * 24 * 3600,
        path=f"/s/{code}",  # this session's pages only: one token per session
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
    )
    return response


@router.get("/s/{code}/my-data.json")
def my_session_data(request: Request, session: SessionDep, code: Code) -> Response:
    """PDPA for a guest with no account: what this session keeps of the device's participant
    (its cookie is the proof), as a JSON download. Anyone else: not found."""
    _view, participant = participant_of(request, session, code)
    if participant is None:
        raise NotFound()
    data = privacy.participant_export(session, participant)
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return attachment(
        body, filename=f"wethi-session-{code}.json", media_type="application/json; charset=utf-8"
    )


@router.post("/s/{code}/erase")
async def erase_my_session_data(
    request: Request, session: SessionDep, actor: ActorDep, code: Code
) -> Response:
    """The guest erases what they sent (their nickname, their ideas' texts) and withdraws
    the consent: confirmed on the page; the device leaves the session."""
    values = form_values(await request.form())
    _view, participant = participant_of(request, session, code)
    if participant is None:
        raise NotFound()
    try:
        privacy.erase_participant(session, participant, confirmed=values.get("confirm") == "yes")
    except InvalidInput as error:
        return _participant_page(
            request, session, actor, code, status=422, block=None, errors=error.fields
        )
    publish(request, session, actor)
    response = redirect(
        request, f"/s/{code}", flash="Your nickname and ideas in this session were removed."
    )
    response.delete_cookie(sessions.TOKEN_COOKIE, path=f"/s/{code}")
    return response


@router.post("/s/{code}/ideas")
async def submit_idea(
    request: Request, session: SessionDep, actor: ActorDep, code: Code
) -> Response:
    """htmx gets back only the idea form, emptied (the idea itself arrives with the frame,
    as on every other phone)."""
    values = form_values(await request.form())
    # The database work goes to a worker thread, here and for votes: the event loop stays
    # free for the live messages going out to the hall meanwhile.
    return await run_in_threadpool(_submit_idea, request, session, actor, code, values)


def _submit_idea(
    request: Request, session: Session, actor: Actor, code: str, values: dict
) -> Response:
    view, participant = participant_of(request, session, code)
    if participant is None:
        return redirect(request, f"/s/{code}")  # not joined (or the cookie is gone): join first
    try:
        ideas.submit_idea(
            session,
            participant,
            text=values.get("text"),
            category=values.get("category", ""),
            key=values.get("key"),
        )
    except InvalidInput as error:
        return _idea_form_problem(request, session, actor, code, values, error.fields, 422)
    except (RateLimited, Conflict) as error:  # shown in the form, what was typed kept
        problem = {"text": FieldMessage(error.message, error.params)}
        return _idea_form_problem(request, session, actor, code, values, problem, error.status)
    publish(request, session, actor)
    if is_htmx(request):
        return _participant_page(request, session, actor, code, sent=True)
    return redirect(request, f"/s/{code}", flash="Your idea was sent.")


def _idea_form_problem(
    request: Request,
    session: Session,
    actor: Actor,
    code: str,
    values: dict,
    errors: dict,
    status: int,
) -> Response:
    return _participant_page(
        request, session, actor, code, status=status, values=values, errors=errors
    )


@router.post("/s/{code}/vote")
async def vote(request: Request, session: SessionDep, actor: ActorDep, code: Code) -> Response:
    """The page's one vote form: `idea=<id>` votes, `withdraw=<id>` takes the vote back.
    htmx gets back only this reader's button (and what went wrong, beside it); the count
    goes to everyone with the others of its moment."""
    values = form_values(await request.form())
    return await run_in_threadpool(_vote, request, session, actor, code, values)


def _vote(request: Request, session: Session, actor: Actor, code: str, values: dict) -> Response:
    view, participant = participant_of(request, session, code)
    if participant is None:
        return redirect(request, f"/s/{code}")
    withdraw = "withdraw" in values
    idea_id = form_int(values.get("withdraw" if withdraw else "idea"))
    change = ideas.withdraw_vote if withdraw else ideas.vote_idea
    try:
        if idea_id is None:
            raise NotFound()
        idea, _moved = change(session, participant, idea_id=idea_id)
        publish(request, session, actor)
    except (Conflict, NotFound) as error:  # hidden, merged, paused meanwhile: said by the button
        if not is_htmx(request):
            raise
        button = {"id": idea_id, "voted": withdraw}  # the button stays as it was
        found = isinstance(error, Conflict)
        problem = error.message if found else "This idea is not in this session."
        context = {"view": view, "idea": button, "problem": problem}
        status = 409 if found else 404
        return render(
            request, pages.PARTICIPANT_PAGE, context, block="vote_answer", status_code=status
        )
    if is_htmx(request):
        button = {"id": idea.id, "voted": not withdraw}  # what this voter's button now says
        context = {"view": view, "idea": button}
        return render(request, pages.PARTICIPANT_PAGE, context, block="vote_answer")
    order = values.get("order") if values.get("order") in ideas.ORDERS else "new"
    return redirect(request, f"/s/{code}?order={order}#idea-{idea.id}")


# -- the facilitator ---------------------------------------------------------------------------


@router.post("/meetings/{meeting_id}/sessions")
async def open_session(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id
) -> Response:
    values = form_values(await request.form())
    try:
        live_session = sessions.open_session(
            session,
            actor,
            meeting_id=meeting_id,
            prompt=str(values.get("prompt", "")),
            item_id=values.get("item_id"),
            premoderation=bool(values.get("premoderation")),
            idea_limit=values.get("idea_limit"),
        )
    except InvalidInput as error:
        return redirect(request, f"/meetings/{meeting_id}", flash=_first(error))
    return redirect(
        request, f"/sessions/{live_session.id}/console", flash="The live session is open."
    )


def _first(error: InvalidInput) -> str:
    """The meeting page shows no session form state: its first problem goes as the flash."""
    return next(iter(error.fields.values())).msgid if error.fields else error.message


@router.get("/sessions/{session_id}/console")
def console(request: Request, session: SessionDep, actor: MemberDep, session_id: Id) -> Response:
    return console_response(request, session, actor, session_id)


@router.post("/sessions/{session_id}/status")
async def change_status(
    request: Request, session: SessionDep, actor: MemberDep, session_id: Id
) -> Response:
    values = form_values(await request.form())
    sessions.change_session_status(
        session,
        actor,
        session_id=session_id,
        to=str(values.get("to", "")),
        version=values.get("version"),
    )
    publish(request, session, actor)
    return redirect(request, f"/sessions/{session_id}/console")


@router.post("/sessions/{session_id}/settings")
async def change_settings(
    request: Request, session: SessionDep, actor: MemberDep, session_id: Id
) -> Response:
    values = form_values(await request.form())
    try:
        sessions.change_session_settings(
            session,
            actor,
            session_id=session_id,
            premoderation=bool(values.get("premoderation")),
            idea_limit=values.get("idea_limit"),
            version=values.get("version"),
        )
    except InvalidInput as error:
        return console_response(
            request, session, actor, session_id, status=422, errors=error.fields, settings=values
        )
    return redirect(request, f"/sessions/{session_id}/console", flash="The settings are saved.")


@router.post("/sessions/{session_id}/unblock")
async def unblock(
    request: Request, session: SessionDep, actor: MemberDep, session_id: Id
) -> Response:
    """A facilitator lets a connection refused for mistyped codes join again."""
    values = form_values(await request.form())
    try:
        sessions.lift_block(session, actor, session_id=session_id, address=values.get("address"))
    except InvalidInput as error:
        return console_response(
            request, session, actor, session_id, status=422, errors=error.fields
        )
    if is_htmx(request):
        return console_response(request, session, actor, session_id)
    return redirect(
        request, f"/sessions/{session_id}/console", flash="The connection can join again."
    )


@router.post("/sessions/{session_id}/ideas/{idea_id}/{action}")
async def moderate(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    session_id: Id,
    idea_id: Id,
    action: str,
) -> Response:
    values = form_values(await request.form())
    view = sessions.get_session(session, actor, session_id=session_id)
    try:
        _moderate(session, actor, view, idea_id, action, values)
    except InvalidInput as error:
        return console_response(
            request,
            session,
            actor,
            session_id,
            status=422,
            errors=error.fields,
            problem_idea=idea_id,
        )
    publish(request, session, actor)
    if is_htmx(request):
        return console_response(request, session, actor, session_id)
    return redirect(request, f"/sessions/{session_id}/console")


def _moderate(
    session: Session, actor: Actor, view: Any, idea_id: int, action: str, values: dict
) -> None:
    if action == "edit":
        ideas.edit_idea(
            session, actor, idea_id=idea_id, text=values.get("text"), session_id=view.id
        )
    elif action == "merge":
        ideas.merge_ideas(
            session, actor, idea_id=idea_id, into_id=values.get("into_id"), session_id=view.id
        )
    else:
        ideas.moderate_idea(session, actor, idea_id=idea_id, action=action, session_id=view.id)


@router.get("/sessions/{session_id}/projector")
def projector(request: Request, session: SessionDep, actor: MemberDep, session_id: Id) -> Response:
    context = pages.projector_page(
        session, hub(request), actor, session_id=session_id, base_url=public_url()
    )
    return render(request, pages.PROJECTOR_PAGE, context)


@router.get("/sessions/{session_id}/qr.svg")
def join_qr(request: Request, session: SessionDep, actor: MemberDep, session_id: Id) -> Response:
    svg = sessions.session_qr_svg(session, actor, session_id=session_id, base_url=public_url())
    return Response(
        svg, media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=300"}
    )


@router.get("/sessions/{session_id}/ideas.csv")
def export_ideas(
    request: Request, session: SessionDep, actor: MemberDep, session_id: Id
) -> Response:
    text = ideas.export_ideas_csv(session, actor, session_id=session_id)
    filename = f"wethi-session-{session_id}-ideas.csv"
    return attachment(text, filename=filename, media_type="text/csv; charset=utf-8")
