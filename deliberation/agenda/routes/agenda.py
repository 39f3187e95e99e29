"""HTML routes of a meeting's agenda: the page (with its htmx block), items and their order,
documents, members' suggestions, publishing and versions, the printable agenda, and a
body's choice of agenda parts. Every change is published live after its commit."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response
from sqlmodel import Session
from starlette.datastructures import UploadFile

from deliberation import documents, labels
from deliberation.agenda import agendas, overview, publishing, suggestions
from deliberation.agenda import live as agenda_live
from deliberation.agenda.models import AgendaItemKind, AgendaVariant
from deliberation.discussion import thread_view
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


PAGE = "deliberation/agenda_page.html"
FORMS = "deliberation/_agenda_forms.html"  # the per-reader forms of the kept page
ITEM_PAGE = "deliberation/agenda_item_form_page.html"
VERSIONS_PAGE = "deliberation/agenda_versions_page.html"
VERSION_PAGE = "deliberation/agenda_version_page.html"
PRINT_PAGE = "deliberation/agenda_print_page.html"
TEMPLATE_PAGE = "deliberation/agenda_template_page.html"

ITEM_FIELDS = ("title", "description", "presenter_id", "presenter_name", "time_box_minutes")
MAX_TEMPLATE_PARTS = 10


async def _form(request: Request) -> dict[str, Any]:
    return form_values(await request.form())


def _pick(values: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """Only the fields a form has: a stray field never reaches a service's keywords."""
    return {name: values[name] for name in names if name in values}


def _url(meeting_id: int) -> str:
    return f"/meetings/{meeting_id}/agenda"


def _agenda(
    request: Request,
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    """The agenda page (or its block, for htmx), kept per revision of the agenda and class
    of reader (forum.web.render_kept); the reader's own parts filled in: new-post counts,
    support buttons, the live channel's position. A refused form is rendered, not kept."""
    live_after, view = hub(request).position_and(
        agenda_live.channel(meeting_id),
        lambda: overview.agenda_overview(session, actor, meeting_id=meeting_id),
    )
    meeting, agenda, body = view.meeting, view.agenda, view.body
    counts = thread_view.thread_counts(
        session,
        actor,
        agenda_id=agenda.id,  # type: ignore[arg-type]
        posts=view.posts,
    )
    base = _url(meeting_id)
    mine = {line.id: line for line in view.suggestions}
    forms = template_environment().get_template(FORMS).module

    def support(suggestion_id: str) -> str:
        line = mine[int(suggestion_id)]
        if line.mine:
            return ""
        return str(forms.support_form(line.id, line.supported_by_me, base))  # type: ignore[attr-defined]

    key = (
        overview.contents_key(agenda),
        agenda.version,
        agenda.status,
        agenda.published_version,
        (meeting.id, meeting.status, meeting.starts_at, meeting.ends_at, meeting.venue),
        (meeting.number, meeting.year_be, body.id, body.name),
    )
    context = {
        "view": view,
        "post_counts": {item_id: posts for item_id, (posts, _new) in counts.items()},
        "live_after": hole("live"),
        "errors": {},
        "form": "",
        "values": {},
        "oob": False,
    } | extra
    fillers = {
        "live": lambda _key: "" if live_after is None else str(live_after),
        "unread": lambda item_id: thread_view.unread_badge(counts.get(int(item_id), (0, 0))[1]),
        "support": support,
    }
    return render_kept(
        request,
        PAGE,
        context,
        key=key,
        asks=(  # every permission the page asks
            ("deliberation.agenda.edit", meeting),
            ("deliberation.agenda.publish", meeting),
            ("deliberation.agenda_template.edit", body.id),
            ("deliberation.suggestion.answer", meeting),
            ("deliberation.suggestion.support", meeting),
            ("deliberation.suggestion.create", meeting),
        ),
        fillers=fillers,
        block="agenda_body",
        keep=not context["errors"],
        status_code=status_code,
    )


def _changed(
    request: Request,
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    flash: str,
    anchor: str = "",
) -> Response:
    """After a committed change: every page showing the agenda hears of it; this one gets
    the new agenda (htmx) or is sent back to the page (plain POST)."""
    publish(request, session, actor)
    if is_htmx(request):
        return _agenda(request, session, actor, meeting_id)
    return redirect(request, _url(meeting_id) + anchor, flash=flash)


def _refused(
    request: Request,
    session: Session,
    actor: Actor,
    meeting_id: int,
    error: InvalidInput | StaleEdit,
    form: str,
    values: dict[str, Any],
) -> Response:
    """The agenda again, the form kept with what was typed and what to correct."""
    errors = (
        error.fields
        if isinstance(error, InvalidInput)
        else {"__all__": FieldMessage(error.message)}
    )
    return _agenda(
        request,
        session,
        actor,
        meeting_id,
        status_code=error.status,
        errors=errors,
        form=form,
        values=values,
    )


# -- the agenda page --------------------------------------------------------------------


@router.get("/meetings/{meeting_id}/agenda")
async def agenda_page(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id
) -> Response:
    return _agenda(request, session, actor, meeting_id)


@router.post("/meetings/{meeting_id}/agenda/items")
async def add_item(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id
) -> Response:
    values = await _form(request)
    try:
        item = agendas.add_item(
            session,
            actor,
            meeting_id=meeting_id,
            version=form_int(values.get("version"), "version"),
            part_id=values.get("part_id"),
            **_pick(values, ITEM_FIELDS),
        )
    except (InvalidInput, StaleEdit) as error:
        return _refused(request, session, actor, meeting_id, error, "add_item", values)
    return _changed(
        request,
        session,
        actor,
        meeting_id,
        flash="The item has been added to the agenda.",
        anchor=f"#agenda-item-{item.id}",
    )


@router.post("/meetings/{meeting_id}/agenda/items/{item_id}/move")
async def move_item(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id, item_id: Id
) -> Response:
    values = await _form(request)
    agendas.move_item(
        session,
        actor,
        item_id=item_id,
        meeting_id=meeting_id,
        version=form_int(values.get("version"), "version"),
        direction=values.get("direction"),
        part_id=values.get("part_id"),
        position=values.get("position"),
    )
    return _changed(
        request,
        session,
        actor,
        meeting_id,
        flash="The item has been moved.",
        anchor=f"#agenda-item-{item_id}",
    )


@router.post("/meetings/{meeting_id}/agenda/items/{item_id}/remove")
async def remove_item(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id, item_id: Id
) -> Response:
    values = await _form(request)
    agendas.remove_item(
        session,
        actor,
        item_id=item_id,
        meeting_id=meeting_id,
        version=form_int(values.get("version"), "version"),
        data_dir=request.app.state.settings.data_dir,
    )
    return _changed(
        request, session, actor, meeting_id, flash="The item has been removed from the agenda."
    )


# -- one item: edit it, its documents ----------------------------------------------------


@router.get("/meetings/{meeting_id}/agenda/items/{item_id}/edit")
def edit_item_page(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id, item_id: Id
) -> Response:
    view, item = overview.item_form(session, actor, meeting_id=meeting_id, item_id=item_id)
    values = {name: getattr(item, name) for name in ITEM_FIELDS} | {"version": view.agenda.version}
    context = {"view": view, "item": item, "values": values, "errors": {}}
    return render(request, ITEM_PAGE, context | {"base": _url(meeting_id)})


def _item_refused(
    request: Request,
    session: Session,
    actor: Actor,
    meeting_id: int,
    item_id: int,
    error: InvalidInput | StaleEdit,
    values: dict[str, Any],
) -> Response:
    view, item = overview.item_form(session, actor, meeting_id=meeting_id, item_id=item_id)
    errors = (
        error.fields
        if isinstance(error, InvalidInput)
        else {"__all__": FieldMessage(error.message)}
    )
    context = {"view": view, "item": item, "values": values, "errors": errors}
    context["base"] = _url(meeting_id)  # the blocks rendered alone see no page-level `set`
    return render(request, ITEM_PAGE, context, block="item_form", status_code=error.status)


@router.post("/meetings/{meeting_id}/agenda/items/{item_id}/edit")
async def update_item(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id, item_id: Id
) -> Response:
    values = await _form(request)
    try:
        agendas.update_item(
            session,
            actor,
            item_id=item_id,
            meeting_id=meeting_id,
            version=form_int(values.get("version"), "version"),
            **_pick(values, ITEM_FIELDS),
        )
    except (InvalidInput, StaleEdit) as error:
        return _item_refused(request, session, actor, meeting_id, item_id, error, values)
    publish(request, session, actor)
    return redirect(
        request, f"{_url(meeting_id)}#agenda-item-{item_id}", flash="Your changes have been saved."
    )


@router.post("/meetings/{meeting_id}/agenda/items/{item_id}/documents")
async def attach_document(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id, item_id: Id
) -> Response:
    form = await request.form()
    upload = form.get("file")
    data = (
        await upload.read(documents.MAX_DOCUMENT_BYTES + 1)
        if isinstance(upload, UploadFile)
        else b""
    )
    filename = upload.filename or "" if isinstance(upload, UploadFile) else ""
    version = form.get("version")
    try:
        documents.attach_document(
            session,
            actor,
            item_id=item_id,
            meeting_id=meeting_id,
            version=form_int(version if isinstance(version, str) else None, "version"),
            filename=filename,
            data=data,
            data_dir=request.app.state.settings.data_dir,
        )
    except (InvalidInput, StaleEdit) as error:
        view, item = overview.item_form(session, actor, meeting_id=meeting_id, item_id=item_id)
        values = {name: getattr(item, name) for name in ITEM_FIELDS} | {
            "version": view.agenda.version
        }
        errors = (
            error.fields
            if isinstance(error, InvalidInput)
            else {"file": FieldMessage(error.message)}
        )
        context = {"view": view, "item": item, "values": values, "errors": errors}
        context["base"] = _url(meeting_id)
        return render(request, ITEM_PAGE, context, block="item_documents", status_code=error.status)
    publish(request, session, actor)
    return redirect(
        request,
        f"{_url(meeting_id)}/items/{item_id}/edit#item_documents",
        flash="The document has been attached.",
    )


@router.post("/meetings/{meeting_id}/agenda/documents/{document_id}/remove")
async def remove_document(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id, document_id: Id
) -> Response:
    values = await _form(request)
    document = documents.remove_document(
        session,
        actor,
        document_id=document_id,
        meeting_id=meeting_id,
        version=form_int(values.get("version"), "version"),
        data_dir=request.app.state.settings.data_dir,
    )
    publish(request, session, actor)
    return redirect(
        request,
        f"{_url(meeting_id)}/items/{document.item_id}/edit#item_documents",
        flash="The document has been removed.",
    )


@router.get("/meetings/{meeting_id}/agenda/documents/{document_id}")
def download_document(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id, document_id: Id
) -> Response:
    document, path = documents.document_file(
        session,
        actor,
        document_id=document_id,
        meeting_id=meeting_id,
        data_dir=request.app.state.settings.data_dir,
    )
    disposition = "inline" if document.content_type in documents.INLINE_TYPES else "attachment"
    headers = {
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(document.filename, safe='')}",
        "Cache-Control": "private, no-store",
    }
    return FileResponse(path, media_type=document.content_type, headers=headers)


# -- suggestions -------------------------------------------------------------------------


@router.post("/meetings/{meeting_id}/agenda/suggestions")
async def suggest_item(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id
) -> Response:
    values = await _form(request)
    try:
        suggestion = suggestions.suggest_item(
            session, actor, meeting_id=meeting_id, **_pick(values, ("title", "rationale"))
        )
    except InvalidInput as error:
        return _refused(request, session, actor, meeting_id, error, "suggest", values)
    return _changed(
        request,
        session,
        actor,
        meeting_id,
        flash="Thank you: your suggestion has been sent.",
        anchor=f"#suggestion-{suggestion.id}",
    )


@router.post("/meetings/{meeting_id}/agenda/suggestions/{suggestion_id}/support")
async def support_suggestion(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id, suggestion_id: Id
) -> Response:
    values = await _form(request)
    support = values.get("support") != "withdraw"
    suggestions.support_suggestion(
        session, actor, suggestion_id=suggestion_id, meeting_id=meeting_id, support=support
    )
    return _changed(
        request,
        session,
        actor,
        meeting_id,
        flash="Your support has been recorded." if support else "Your support has been withdrawn.",
        anchor=f"#suggestion-{suggestion_id}",
    )


@router.post("/meetings/{meeting_id}/agenda/suggestions/{suggestion_id}/answer")
async def answer_suggestion(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id, suggestion_id: Id
) -> Response:
    values = await _form(request)
    try:
        suggestions.answer_suggestion(
            session,
            actor,
            suggestion_id=suggestion_id,
            meeting_id=meeting_id,
            answer=str(values.get("answer", "")),
            version=form_int(values.get("version"), "version"),
            part_id=values.get("part_id"),
            position=values.get("position"),
            item_id=values.get("item_id"),
            reason=values.get("reason"),
        )
    except (InvalidInput, StaleEdit) as error:
        return _refused(
            request, session, actor, meeting_id, error, f"answer_{suggestion_id}", values
        )
    return _changed(
        request,
        session,
        actor,
        meeting_id,
        flash="The suggestion has been answered.",
        anchor=f"#suggestion-{suggestion_id}",
    )


# -- publishing and versions -------------------------------------------------------------


@router.post("/meetings/{meeting_id}/agenda/publish")
async def publish_agenda(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id
) -> Response:
    values = await _form(request)
    publishing.publish_agenda(
        session, actor, meeting_id=meeting_id, version=form_int(values.get("version"), "version")
    )
    return _changed(request, session, actor, meeting_id, flash="The agenda has been published.")


@router.post("/meetings/{meeting_id}/agenda/new-version")
async def start_new_version(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id
) -> Response:
    values = await _form(request)
    publishing.start_new_version(
        session, actor, meeting_id=meeting_id, version=form_int(values.get("version"), "version")
    )
    return _changed(
        request,
        session,
        actor,
        meeting_id,
        flash="A new version of the agenda is being prepared: publish it when it is ready.",
    )


@router.get("/meetings/{meeting_id}/agenda/versions")
def agenda_versions(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    meeting_id: Id,
    older: Annotated[str, Query(max_length=10)] = "",
    newer: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    context: dict[str, Any] = {"older": older, "newer": newer, "errors": {}}
    try:
        context["versions"] = publishing.agenda_versions(
            session, actor, meeting_id=meeting_id, older=older, newer=newer
        )
    except InvalidInput as error:
        context["versions"] = publishing.agenda_versions(session, actor, meeting_id=meeting_id)
        context["errors"] = error.fields
        return render(request, VERSIONS_PAGE, context, block="version_diff", status_code=422)
    return render(request, VERSIONS_PAGE, context, block="version_diff")


@router.get("/meetings/{meeting_id}/agenda/versions/{number}")
def agenda_version(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id, number: Id
) -> Response:
    """One published version of the agenda, whole, as it was published."""
    shown = publishing.version_page(session, actor, meeting_id=meeting_id, number=number)
    return render(request, VERSION_PAGE, {"shown": shown})


@router.get("/meetings/{meeting_id}/agenda/print")
def print_agenda(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id
) -> Response:
    view, latest = overview.printable(session, actor, meeting_id=meeting_id)
    return render(request, PRINT_PAGE, {"view": view, "latest": latest})


# -- a body's agenda parts ---------------------------------------------------------------


def _template_context(session: Session, actor: Actor, body_id: int, **extra: Any) -> dict[str, Any]:
    body, variant, parts = agendas.agenda_template(session, actor, body_id=body_id)
    rows = [(str(kind), title) for kind, title in parts]
    rows += [("consideration", "")] * (MAX_TEMPLATE_PARTS - len(rows))
    context = {
        "body": body,
        "variant": str(variant),
        "rows": rows,
        "variants": labels.options(AgendaVariant),
        "kinds": labels.options(AgendaItemKind),
        "errors": {},
    }
    return context | extra


@router.get("/bodies/{body_id}/agenda-template")
def agenda_template_page(
    request: Request, session: SessionDep, actor: MemberDep, body_id: Id
) -> Response:
    return render(request, TEMPLATE_PAGE, _template_context(session, actor, body_id))


@router.post("/bodies/{body_id}/agenda-template")
async def set_agenda_template(
    request: Request, session: SessionDep, actor: MemberDep, body_id: Id
) -> Response:
    values = await _form(request)
    parts = [
        (str(values.get(f"kind_{n}", "")), str(values.get(f"title_{n}", "")))
        for n in range(1, MAX_TEMPLATE_PARTS + 1)
    ]
    try:
        agendas.set_agenda_template(
            session, actor, body_id=body_id, variant=values.get("variant"), parts=parts
        )
    except InvalidInput as error:
        rows = parts
        context = _template_context(session, actor, body_id, errors=error.fields, rows=rows)
        context["variant"] = str(values.get("variant", ""))
        return render(request, TEMPLATE_PAGE, context, block="template_form", status_code=422)
    return redirect(request, f"/bodies/{body_id}", flash="The agenda parts have been saved.")
