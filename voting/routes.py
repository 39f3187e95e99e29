"""Ballot pages: a body's ballots, a new ballot, the ballot (its question, the voter's form,
its results), the confirm step and the receipt, and the public bulletin with its receipt
check and JSON download. Every form works without JavaScript: a member votes from the
ballot's link between meetings on any phone."""

from __future__ import annotations

import json
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from forum.config import get_settings
from forum.errors import Conflict, DomainError, FieldMessage, Forbidden, InvalidInput
from forum.web import ActorDep, Id, MemberDep, SessionDep, attachment, form_values, redirect, render
from voting import ballot_forms, ballots, pages

router = APIRouter()


@router.get("/bodies/{body_id}/ballots")
def body_ballots(request: Request, session: SessionDep, actor: MemberDep, body_id: Id) -> Response:
    rows = ballots.body_ballots(session, actor, body_id=body_id)
    return render(
        request,
        "voting/ballots_page.html",
        {"ballots": rows, "body_id": body_id, "may_run": ballots.may_run(actor, body_id)},
    )


@router.get("/bodies/{body_id}/ballots/new")
def new_ballot_page(
    request: Request, session: SessionDep, actor: MemberDep, body_id: Id
) -> Response:
    ballots.body_ballots(session, actor, body_id=body_id)  # the body exists, the reader may see it
    if not ballots.may_run(actor, body_id):
        raise Forbidden(action="voting.ballot.run")
    context = {
        "body_id": body_id,
        "values": {"method": "motion", "meeting_id": request.query_params.get("meeting_id", "")},
        "items": ballots.item_choices(session, request.query_params.get("meeting_id")),
        "errors": {},
        "meetings": ballots.meeting_choices(session, body_id),
    }
    return render(request, "voting/ballot_new_page.html", context)


@router.post("/bodies/{body_id}/ballots/new")
async def create_ballot(
    request: Request, session: SessionDep, actor: MemberDep, body_id: Id
) -> Response:
    values = form_values(await request.form())
    try:
        arguments = ballot_forms.new_ballot(values)
        ballot = ballots.create_ballot(session, actor, body_id=body_id, **arguments)
    except InvalidInput as error:
        context = {
            "body_id": body_id,
            "values": values,
            "errors": error.fields,
            "meetings": ballots.meeting_choices(session, body_id),
            "items": ballots.item_choices(session, values.get("meeting_id")),
        }
        return render(request, "voting/ballot_new_page.html", context, status_code=422)
    return redirect(
        request,
        f"/ballots/{ballot.id}",
        flash="The ballot was set up. Open it when the voters are ready.",
    )


@router.get("/ballots/{ballot_id}")
def ballot_page(request: Request, session: SessionDep, actor: MemberDep, ballot_id: Id) -> Response:
    context = pages.ballot_page(session, actor, ballot_id=ballot_id) | {
        "key": secrets.token_urlsafe(18),
        "errors": {},
    }
    return render(request, pages.BALLOT_PAGE, context)


@router.post("/ballots/{ballot_id}/confirm")
async def confirm(
    request: Request, session: SessionDep, actor: MemberDep, ballot_id: Id
) -> Response:
    """The voter sees their choice in words on their own screen before it is cast."""
    form = await request.form()
    ballot = ballots.get_ballot(session, actor, ballot_id=ballot_id)
    options = ballots.options_of(session, ballot_id)
    try:
        choice = ballot_forms.choice_from_form(ballot, options, form)
        ballots.canonical(ballot, options, choice)  # refused here, before the confirm page
    except InvalidInput as error:
        return _ballot_again(request, session, actor, ballot_id, error)
    context = {
        "ballot": ballot,
        "choice_json": json.dumps(choice, ensure_ascii=False),
        "lines": pages.describe(
            ballot, options, json.loads(ballots.canonical(ballot, options, choice))
        ),
        "key": str(form.get("key") or secrets.token_urlsafe(18))[: ballots.MAX_KEY],
    }
    return render(request, "voting/ballot_confirm_page.html", context)


@router.post("/ballots/{ballot_id}/cast")
async def cast(request: Request, session: SessionDep, actor: MemberDep, ballot_id: Id) -> Response:
    values = form_values(await request.form())
    try:
        choice = ballot_forms.choice_from_hidden(values.get("choice"))
        cast = ballots.cast_vote(
            session,
            actor,
            ballot_id=ballot_id,
            choice=choice,
            key=str(values.get("key") or ""),
            secret_key=get_settings().secret_key,
        )
    except (InvalidInput, Conflict) as error:
        return _ballot_again(request, session, actor, ballot_id, error)
    ballot = ballots.get_ballot(session, actor, ballot_id=ballot_id)
    return render(request, "voting/ballot_receipt_page.html", {"ballot": ballot, "cast": cast})


def _ballot_again(
    request: Request, session: Any, actor: Any, ballot_id: int, error: DomainError
) -> Response:
    fields = (
        error.fields
        if isinstance(error, InvalidInput)
        else {"choice": FieldMessage(error.message, error.params)}
    )
    context = pages.ballot_page(session, actor, ballot_id=ballot_id) | {
        "key": secrets.token_urlsafe(18),
        "errors": fields,
    }
    return render(
        request, pages.BALLOT_PAGE, context, status_code=409 if isinstance(error, Conflict) else 422
    )


@router.post("/ballots/{ballot_id}/open")
def open_ballot(request: Request, session: SessionDep, actor: MemberDep, ballot_id: Id) -> Response:
    try:
        ballots.open_ballot(session, actor, ballot_id=ballot_id)
    except Conflict as error:
        return _ballot_again(request, session, actor, ballot_id, error)
    return redirect(
        request, f"/ballots/{ballot_id}", flash="The ballot is open: voters can vote now."
    )


@router.post("/ballots/{ballot_id}/close")
def close_ballot(
    request: Request, session: SessionDep, actor: MemberDep, ballot_id: Id
) -> Response:
    try:
        ballots.close_ballot(
            session, actor, ballot_id=ballot_id, secret_key=get_settings().secret_key
        )
    except Conflict as error:
        return _ballot_again(request, session, actor, ballot_id, error)
    closed = ballots.get_ballot(session, actor, ballot_id=ballot_id)
    if closed.item_id is not None and not ballots.motion_outcome_written(session, closed):
        return redirect(
            request,
            f"/ballots/{ballot_id}",
            flash="The ballot is closed and its bulletin published. Record the item's outcome from the meeting's conduct page: it was not written for you.",
        )
    return redirect(
        request, f"/ballots/{ballot_id}", flash="The ballot is closed and its bulletin published."
    )


@router.get("/ballots/{ballot_id}/bulletin")
def bulletin_page(
    request: Request, session: SessionDep, actor: ActorDep, ballot_id: Id, receipt: str = ""
) -> Response:
    """Public: anyone checks a receipt and reads what was counted (no one's name is here)."""
    ballot = ballots.closed_ballot(session, ballot_id)
    board = ballots.bulletin(session, ballot)
    checked = ballots.receipt_counted(session, ballot, receipt) if receipt.strip() else None
    context = {"ballot": ballot, "board": board, "receipt": receipt[:40], "checked": checked}
    return render(request, "voting/bulletin_page.html", context)


@router.get("/ballots/{ballot_id}/bulletin.json")
def bulletin_download(session: SessionDep, ballot_id: Id) -> Response:
    board = ballots.bulletin(session, ballots.closed_ballot(session, ballot_id))
    body = json.dumps(board, ensure_ascii=False, indent=2)
    return attachment(
        body,
        filename=f"wethi-ballot-{ballot_id}-bulletin.json",
        media_type="application/json; charset=utf-8",
    )


@router.post("/ballots/{ballot_id}/counts")
async def enter_count(
    request: Request, session: SessionDep, actor: MemberDep, ballot_id: Id
) -> Response:
    """A teller enters paper ballots or a show of hands as counts."""
    form = form_values(await request.form())
    counts = {
        key.removeprefix("count-"): value
        for key, value in form.items()
        if key.startswith("count-") or key == "papers"
    }
    try:
        ballots.enter_count(
            session, actor, ballot_id=ballot_id, kind=form.get("kind"), counts=counts
        )
    except (InvalidInput, Conflict) as error:
        return _ballot_again(request, session, actor, ballot_id, error)
    return redirect(
        request,
        f"/ballots/{ballot_id}#tellers-heading",
        flash="The count was entered: a second teller confirms it.",
    )


@router.post("/ballots/{ballot_id}/counts/{count_id}/confirm")
def confirm_count(
    request: Request, session: SessionDep, actor: MemberDep, ballot_id: Id, count_id: Id
) -> Response:
    try:
        ballots.confirm_count(session, actor, ballot_id=ballot_id, count_id=count_id)
    except Conflict as error:
        return _ballot_again(request, session, actor, ballot_id, error)
    return redirect(
        request,
        f"/ballots/{ballot_id}#tellers-heading",
        flash="The count is confirmed and counted.",
    )
