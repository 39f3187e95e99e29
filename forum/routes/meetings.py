"""HTML routes: a body's meetings, the meeting page with its attendance and check-in
panel, the calendar (.ics), the check-in QR code, and self check-in with the code."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from forum import attendance, calendar, meetings, meetings_live, policy
from forum.errors import Conflict, FieldMessage, InvalidInput, StaleEdit
from forum.web import (
    Id,
    MemberDep,
    PageNumber,
    SessionDep,
    attachment,
    cached_fragment,
    form_int,
    form_values,
    fragment_cache,
    hub,
    is_htmx,
    publish,
    redirect,
    render,
    render_kept,
)

router = APIRouter()

# Read leniently: a bad version is a stale edit, found by the service after it authorises.
Version = Annotated[str, Form(max_length=20)]

MEETING_FIELDS = ("title", "starts_at", "ends_at", "venue", "online_url")
MARKING_FIELDS = ("status", "absence_reason", "substitute_for_id")
GUEST_FIELDS = ("person_id", "guest_name", "guest_organisation", "substitute_for_id")

LIST_PAGE = "forum/meeting_list_page.html"
FORM_PAGE = "forum/meeting_form_page.html"
MEETING_PAGE = "forum/meeting_page.html"
GUEST_PAGE = "forum/meeting_guest_page.html"
CHECKIN_PAGE = "forum/checkin_page.html"


def _base_url(request: Request) -> str:
    return str(request.app.state.settings.base_url).rstrip("/")


async def _submitted(request: Request, names: tuple[str, ...]) -> dict[str, Any]:
    """Only the fields a form has: a stray field never reaches a service's keywords."""
    values = form_values(await request.form())
    return {name: values[name] for name in names if name in values}


def _calendar(text: str, filename: str) -> Response:
    return attachment(text, filename=filename, media_type="text/calendar; charset=utf-8")


# -- a body's meetings ----------------------------------------------------------------


# The two busiest pages are `async def`: they run on the event loop, as the request
# dependencies do (forum.web), instead of hopping to a worker thread and back. Their
# services are synchronous and short (a few indexed queries and a render), so the loop is
# held for about a millisecond on SQLite. On PostgreSQL the loop also waits out each query's
# round trip; that is why DESIGN.md §4 scales PostgreSQL with several workers.
@router.get("/bodies/{body_id}/meetings")
async def meeting_list(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    body_id: Id,
    page: PageNumber = 1,
) -> Response:
    # Kept per version of the list (the body's revision, moved by the database on every
    # change to its meetings) and class of reader: a hit reads one row, not the page.
    revision = meetings.meetings_revision(session, actor, body_id=body_id)

    def context() -> dict[str, Any]:
        listing = meetings.body_meetings(session, actor, body_id=body_id, page=page)
        return {"body": listing.body, "page": listing.page}

    return render_kept(
        request,
        LIST_PAGE,
        context,
        key=("meetings", body_id, revision, page),
        asks=(("forum.meeting.create", body_id),),
        block="meeting_list",
    )


@router.get("/bodies/{body_id}/calendar.ics")
def body_calendar(request: Request, session: SessionDep, actor: MemberDep, body_id: Id) -> Response:
    text = calendar.body_calendar(session, actor, body_id=body_id, base_url=_base_url(request))
    return _calendar(text, f"wethi-body-{body_id}.ics")


@router.get("/bodies/{body_id}/meetings/new")
def new_meeting_page(
    request: Request, session: SessionDep, actor: MemberDep, body_id: Id
) -> Response:
    body = meetings.new_meeting_form(session, actor, body_id=body_id)
    return render(request, FORM_PAGE, {"body": body, "meeting": None, "values": {}, "errors": {}})


@router.post("/bodies/{body_id}/meetings/new")
async def create_meeting(
    request: Request, session: SessionDep, actor: MemberDep, body_id: Id
) -> Response:
    values = await _submitted(request, MEETING_FIELDS)
    try:
        meeting = meetings.create_meeting(session, actor, body_id=body_id, **values)
    except InvalidInput as error:
        body = meetings.new_meeting_form(session, actor, body_id=body_id)
        context = {"body": body, "meeting": None, "values": values, "errors": error.fields}
        return render(request, FORM_PAGE, context, block="meeting_form", status_code=422)
    return redirect(request, f"/meetings/{meeting.id}", flash="The meeting has been created.")


# -- one meeting ----------------------------------------------------------------------


def _meeting_context(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    meeting_id: Id,
    *,
    with_attendance: bool = True,
) -> dict[str, Any]:
    live_after, overview = hub(request).position_and(
        meetings_live.channel(meeting_id),
        lambda: meetings.meeting_overview(
            session, actor, meeting_id=meeting_id, with_attendance=with_attendance
        ),
    )
    return {
        "live_after": live_after,
        "meeting": overview.meeting,
        "body": overview.body,
        "summary": overview.attendance,
        "log": overview.log,
        "next_status": overview.next_status,
        "attendance_open": overview.attendance_open,
        "check_in_open": overview.check_in_open,
        "checkin_url": attendance.checkin_url(_base_url(request), overview.meeting),
        "row_errors": {},
        "oob": False,
    }


@router.get("/meetings/{meeting_id}")
async def meeting_page(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id
) -> Response:
    """The page, its attendance list rendered once per revision of the list (moved by the
    database: forum.models.ATTENDANCE_REVISION_DDL) and class of reader, and kept
    (forum.web.cached_fragment; each request fills in its CSRF token)."""
    context = _meeting_context(request, session, actor, meeting_id, with_attendance=False)
    meeting = context["meeting"]
    keeper = context["attendance_open"] and policy.can(
        actor, "forum.meeting.manage_attendance", meeting
    )
    listed = dict(context)

    def list_context() -> dict[str, Any]:
        return listed | {"summary": attendance.list_attendance(session, actor, meeting=meeting)}

    context["attendance_html"] = cached_fragment(
        request,
        fragment_cache(request),
        (  # created_at: SQLite gives a deleted newest meeting's id to the next one
            "attendance",
            meeting.id,
            meeting.created_at,
            meeting.attendance_revision,
            keeper,
            context["attendance_open"],
        ),
        MEETING_PAGE,
        list_context,
        block="attendance",
    )
    # The other packages' sections (forum.meetings.PAGE_PANELS): only the whole page shows them.
    context["panels"] = meetings.page_panels(session, actor, meeting)
    return render(request, MEETING_PAGE, context, block="attendance")


@router.get("/meetings/{meeting_id}/edit")
def edit_meeting_page(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id
) -> Response:
    meeting, body, values = meetings.edit_meeting_form(session, actor, meeting_id=meeting_id)
    return render(
        request, FORM_PAGE, {"body": body, "meeting": meeting, "values": values, "errors": {}}
    )


@router.post("/meetings/{meeting_id}/edit")
async def update_meeting(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id, version: Version = ""
) -> Response:
    values = await _submitted(request, MEETING_FIELDS)
    try:
        meetings.update_meeting(
            session, actor, meeting_id=meeting_id, version=form_int(version, "version") or 0, **values
        )
    except (InvalidInput, StaleEdit) as error:
        meeting, body, _current = meetings.edit_meeting_form(session, actor, meeting_id=meeting_id)
        errors = (
            error.fields
            if isinstance(error, InvalidInput)
            else {"__all__": FieldMessage(error.message)}
        )
        context = {
            "body": body,
            "meeting": meeting,
            "values": values | {"version": version},
            "errors": errors,
        }
        return render(request, FORM_PAGE, context, block="meeting_form", status_code=error.status)
    return redirect(request, f"/meetings/{meeting_id}", flash="Your changes have been saved.")


@router.post("/meetings/{meeting_id}/delete")
def delete_meeting(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id, version: Version = ""
) -> Response:
    body = meetings.delete_meeting(
        session, actor, meeting_id=meeting_id, version=form_int(version, "version") or 0
    )
    return redirect(request, f"/bodies/{body.id}/meetings", flash="The draft meeting has been deleted.")


@router.post("/meetings/{meeting_id}/status")
def change_status(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    meeting_id: Id,
    to: Annotated[str, Form(max_length=40)] = "",
    version: Version = "",
) -> Response:
    meetings.advance_status(
        session, actor, meeting_id=meeting_id, to=to, version=form_int(version, "version") or 0
    )
    publish(request, session, actor)  # what the packages' stage hooks changed (an agenda published)
    context = _meeting_context(request, session, actor, meeting_id)
    if is_htmx(request):
        return render(request, MEETING_PAGE, context, block="meeting_status")
    return redirect(
        request, f"/meetings/{meeting_id}", flash="The meeting has moved to its next stage."
    )


@router.post("/meetings/{meeting_id}/join")
def join_online(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id
) -> Response:
    # A page with the link, not a redirect: the CSP's form-action 'self' forbids a form
    # post from ending on another site, and the person sees their join was recorded.
    meeting = attendance.record_online(session, actor, meeting_id=meeting_id, joining=True)
    publish(request, session, actor)
    return render(request, "forum/meeting_join_page.html", {"meeting": meeting})


@router.post("/meetings/{meeting_id}/leave")
def leave_online(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id
) -> Response:
    attendance.record_online(session, actor, meeting_id=meeting_id, joining=False)
    return redirect(
        request,
        f"/meetings/{meeting_id}",
        flash="The time you left the online meeting has been recorded.",
    )


@router.get("/meetings/{meeting_id}/meeting.ics")
def meeting_calendar(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id
) -> Response:
    text = calendar.meeting_calendar(
        session, actor, meeting_id=meeting_id, base_url=_base_url(request)
    )
    return _calendar(text, f"wethi-meeting-{meeting_id}.ics")


@router.get("/meetings/{meeting_id}/qr.svg")
def checkin_qr(request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id) -> Response:
    svg = attendance.checkin_qr_svg(
        session, actor, meeting_id=meeting_id, base_url=_base_url(request)
    )
    return Response(
        svg, media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=300"}
    )


# -- attendance -----------------------------------------------------------------------


# The fixed path /attendance/new goes before /attendance/{attendance_id}.


@router.get("/meetings/{meeting_id}/attendance/new")
def add_guest_page(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id
) -> Response:
    form = attendance.guest_form(session, actor, meeting_id=meeting_id)
    return render(request, GUEST_PAGE, {"form": form, "values": {}, "errors": {}})


@router.post("/meetings/{meeting_id}/attendance/new")
async def add_guest(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id
) -> Response:
    values = await _submitted(request, GUEST_FIELDS)
    try:
        attendance.add_guest(session, actor, meeting_id=meeting_id, **values)
    except (InvalidInput, Conflict) as error:
        form = attendance.guest_form(session, actor, meeting_id=meeting_id)
        errors = (
            error.fields
            if isinstance(error, InvalidInput)
            else {"__all__": FieldMessage(error.message)}
        )
        return render(
            request,
            GUEST_PAGE,
            {"form": form, "values": values, "errors": errors},
            block="guest_form",
            status_code=error.status,
        )
    publish(request, session, actor)
    return redirect(
        request,
        f"/meetings/{meeting_id}#attendance",
        flash="The guest has been added to the attendance list.",
    )


@router.post("/meetings/{meeting_id}/attendance/{attendance_id}")
async def mark_attendance(
    request: Request, session: SessionDep, actor: MemberDep, meeting_id: Id, attendance_id: Id
) -> Response:
    values = await _submitted(request, MARKING_FIELDS)
    errors: dict[str, FieldMessage] = {}
    try:
        attendance.mark_attendance(
            session, actor, attendance_id=attendance_id, meeting_id=meeting_id, **values
        )
    except InvalidInput as error:
        errors = error.fields
    else:
        publish(request, session, actor)
    context = _meeting_context(request, session, actor, meeting_id)
    context |= {
        "row": attendance.row_of(context["summary"], attendance_id),
        "row_errors": {attendance_id: errors},
        "oob": True,
    }
    if errors:
        return render(request, MEETING_PAGE, context, block="attendance_row", status_code=422)
    if is_htmx(request):
        return render(request, MEETING_PAGE, context, block="attendance_row")
    return redirect(
        request,
        f"/meetings/{meeting_id}#attendance_row_{attendance_id}",
        flash="The attendance has been updated.",
    )


# -- self check-in --------------------------------------------------------------------


@router.get("/checkin")
def checkin_page(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    code: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    context: dict[str, Any] = {"code": code, "preview": None, "errors": {}, "problem": ""}
    if not code:
        return render(request, CHECKIN_PAGE, context, block="checkin")
    try:
        context["preview"] = attendance.preview_check_in(session, actor, code=code)
    except InvalidInput as error:
        return render(
            request,
            CHECKIN_PAGE,
            context | {"errors": error.fields},
            block="checkin",
            status_code=422,
        )
    return render(request, CHECKIN_PAGE, context, block="checkin")


@router.post("/checkin")
def check_in(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    code: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    context: dict[str, Any] = {"code": code, "preview": None, "errors": {}, "problem": ""}
    try:
        meeting, line = attendance.check_in(session, actor, code=code)
    except InvalidInput as error:
        return render(
            request,
            CHECKIN_PAGE,
            context | {"errors": error.fields},
            block="checkin",
            status_code=422,
        )
    except Conflict as error:
        context["preview"] = attendance.preview_check_in(session, actor, code=code)
        return render(
            request,
            CHECKIN_PAGE,
            context | {"problem": error.message},
            block="checkin",
            status_code=409,
        )
    publish(request, session, actor)
    return redirect(request, f"/checkin?code={meeting.checkin_code}")
