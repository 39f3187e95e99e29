"""HTML routes of a live session's quick polls and countdown timer (issue 4, parts 5 and 6):
participants answer at /s/<code>/polls/<id>/answer; the facilitator writes, opens and closes
polls and runs the timer from the console. Each change goes out on the session's channel
after its commit (deliberation/sessions/polls_live.py). The three session pages get this panel's
context from the session's presenter (deliberation/sessions/pages.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from deliberation.sessions import pages, polls, polls_live, sessions, timer
from deliberation.sessions.models import LiveSession
from deliberation.sessions.routes import Code, console_response, participant_of
from forum.errors import Conflict, InvalidInput, RateLimited
from forum.policy import Actor
from forum.web import (
    ActorDep,
    Id,
    MemberDep,
    SessionDep,
    form_values,
    hub,
    is_htmx,
    publish,
    redirect,
    render,
)

router = APIRouter()

TEMPLATE = polls_live.TEMPLATE


def _options(form: Any) -> list[str]:
    """Every `option` field of the form (a multiple-choice answer sends several)."""
    return [str(value) for value in form.getlist("option")]


# -- participants ----------------------------------------------------------------------------


@router.post("/s/{code}/polls/{poll_id}/answer")
async def answer(
    request: Request, session: SessionDep, actor: ActorDep, code: Code, poll_id: Id
) -> Response:
    options = _options(await request.form())
    # The database work on a worker thread (as for ideas and votes): a hall answering at
    # once must not hold up the live messages going out.
    return await run_in_threadpool(_answer, request, session, actor, code, poll_id, options)


def _answer(
    request: Request,
    session: Session,
    actor: Actor,
    code: str,
    poll_id: int,
    options: list[str],
) -> Response:
    view, participant = participant_of(request, session, code)
    try:
        if participant is None:
            raise InvalidInput(message="Please join the session first to answer the poll.")
        changed = polls.answer_poll(session, participant, poll_id=poll_id, option_ids=options)
    except (InvalidInput, Conflict, RateLimited) as error:  # said in the poll, the page kept
        return _answer_refused(request, session, actor, view, participant, error)
    if changed:
        polls_live.answers_changed(hub(request), view.live, poll_id)
    if is_htmx(request):
        context = pages.participant_poll(session, view, participant)
        return render(request, TEMPLATE, context, block="session_poll")
    return redirect(request, f"/s/{code}#session-poll", flash="Your answer was saved.")


def _answer_refused(
    request: Request,
    session: Session,
    actor: Actor,
    view: sessions.SessionView,
    participant: Any,
    error: InvalidInput | Conflict | RateLimited,
) -> Response:
    fields = error.fields if isinstance(error, InvalidInput) else {}
    status = 422 if isinstance(error, InvalidInput) else error.status
    problems = {"poll_errors": fields, "poll_message": "" if fields else error.message}
    if is_htmx(request):
        context = pages.participant_poll(session, view, participant) | problems
        return render(request, TEMPLATE, context, block="session_poll", status_code=status)
    order = request.query_params.get("order", "new")
    context = pages.participant_page(session, hub(request), view, participant, order=order)
    context = context | {"actor": actor} | problems
    return render(request, pages.PARTICIPANT_PAGE, context, status_code=status)


# -- the facilitator: polls ------------------------------------------------------------------


def _console_polls(
    request: Request,
    session: Session,
    actor: Actor,
    session_id: int,
    status: int = 200,
    **extra: Any,
) -> Response:
    """The console's list of polls (htmx), or the whole console (a plain request that
    failed: its errors shown in place)."""
    if not is_htmx(request):
        return console_response(request, session, actor, session_id, status=status, **extra)
    view = sessions.get_session(session, actor, session_id=session_id)
    context = {"view": view} | pages.console_polls(session, view) | extra
    return render(request, TEMPLATE, context, block="session_polls", status_code=status)


def _done(request: Request, session: Session, actor: Actor, session_id: int) -> Response:
    if is_htmx(request):
        return _console_polls(request, session, actor, session_id)
    return redirect(request, f"/sessions/{session_id}/console#session_polls")


@router.post("/sessions/{session_id}/polls")
async def create_poll(
    request: Request, session: SessionDep, actor: MemberDep, session_id: Id
) -> Response:
    values = form_values(await request.form())
    try:
        polls.create_poll(
            session,
            actor,
            session_id=session_id,
            question=values.get("question"),
            options=values.get("options"),
            multiple=bool(values.get("multiple")),
        )
    except InvalidInput as error:
        return _console_polls(
            request, session, actor, session_id, 422,
            poll_form_errors=error.fields, poll_form_values=values, poll_problem_id=None,
        )  # fmt: skip
    return _done(request, session, actor, session_id)


@router.post("/sessions/{session_id}/polls/{poll_id}/edit")
async def edit_poll(
    request: Request, session: SessionDep, actor: MemberDep, session_id: Id, poll_id: Id
) -> Response:
    values = form_values(await request.form())
    try:
        polls.edit_poll(
            session,
            actor,
            session_id=session_id,
            poll_id=poll_id,
            question=values.get("question"),
            options=values.get("options"),
            multiple=bool(values.get("multiple")),
            version=values.get("version"),
        )
    except InvalidInput as error:
        return _console_polls(
            request, session, actor, session_id, 422,
            poll_form_errors=error.fields, poll_form_values=values, poll_problem_id=poll_id,
        )  # fmt: skip
    return _done(request, session, actor, session_id)


POLL_ACTIONS = {"open": polls.open_poll, "close": polls.close_poll, "delete": polls.delete_poll}


@router.post("/sessions/{session_id}/polls/{poll_id}/{action}")
async def change_poll(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    session_id: Id,
    poll_id: Id,
    action: str,
) -> Response:
    sessions.get_session(session, actor, session_id=session_id)  # who may, before what
    if action not in POLL_ACTIONS:
        raise InvalidInput({"action": "Please choose one of the options."})
    POLL_ACTIONS[action](session, actor, session_id=session_id, poll_id=poll_id)
    if action != "delete":  # a draft was never shown
        publish(request, session, actor)
    return _done(request, session, actor, session_id)


# -- the facilitator: the timer --------------------------------------------------------------


def _timer_done(
    request: Request, session: Session, actor: Actor, live_session: LiveSession
) -> Response:
    publish(request, session, actor)
    return redirect(request, f"/sessions/{live_session.id}/console#timer-heading")


@router.post("/sessions/{session_id}/timer")
async def start_timer(
    request: Request, session: SessionDep, actor: MemberDep, session_id: Id
) -> Response:
    values = form_values(await request.form())
    try:
        live_session = timer.start_timer(
            session,
            actor,
            session_id=session_id,
            minutes=values.get("minutes"),
            version=values.get("version"),
        )
    except InvalidInput as error:
        return console_response(
            request, session, actor, session_id, status=422,
            timer_errors=error.fields, timer_values=values,
        )  # fmt: skip
    return _timer_done(request, session, actor, live_session)


@router.post("/sessions/{session_id}/timer/{action}")
async def change_timer(
    request: Request, session: SessionDep, actor: MemberDep, session_id: Id, action: str
) -> Response:
    values = form_values(await request.form())
    live_session = timer.change_timer(
        session, actor, session_id=session_id, action=action, version=values.get("version")
    )
    return _timer_done(request, session, actor, live_session)
