"""/api/v1 meetings (การประชุม / เวที) of a body: list, create, read, edit, move through
draft → agenda_open → agenda_published → live → closed."""

from __future__ import annotations

from fastapi import APIRouter, Request

from forum import bodies, meetings, policy
from forum.api.params import PageQuery, PathId, PerPageQuery
from forum.models import (
    Meeting,
    MeetingCreate,
    MeetingListItem,
    MeetingPage,
    MeetingPublic,
    MeetingStatusChange,
    MeetingUpdate,
)
from forum.policy import Actor
from forum.web import MemberDep, SessionDep, publish

router = APIRouter(tags=["meetings"])

EDITABLE = ("title", "starts_at", "ends_at", "venue", "online_url")


def _shown(meeting: Meeting, actor: Actor) -> dict[str, object]:
    # The check-in code proves presence at the venue: only attendance keepers see it.
    keeps_attendance = policy.can(actor, "forum.meeting.manage_attendance", meeting)
    return {
        "label": meetings.meeting_label(meeting),
        "checkin_code": meeting.checkin_code if keeps_attendance else None,
    }


def meeting_public(meeting: Meeting, actor: Actor) -> MeetingPublic:
    return MeetingPublic.model_validate(meeting, update=_shown(meeting, actor))


@router.get("/bodies/{body_id}/meetings", response_model=MeetingPage)
def list_meetings(
    session: SessionDep,
    actor: MemberDep,
    body_id: PathId,
    page: PageQuery = 1,
    per_page: PerPageQuery = 20,
) -> MeetingPage:
    """Newest first, with present / invited counts."""
    bodies.get_body(session, actor, body_id=body_id)  # 404 for a body that does not exist
    result = meetings.list_meetings(session, actor, body_id=body_id, page=page, per_page=per_page)
    items = [
        MeetingListItem.model_validate(
            row.meeting,
            update=_shown(row.meeting, actor) | {"present": row.present, "invited": row.invited},
        )
        for row in result.items
    ]
    return MeetingPage(items=items, total=result.total, page=result.page, per_page=result.per_page)


@router.post("/bodies/{body_id}/meetings", response_model=MeetingPublic, status_code=201)
def create_meeting(
    session: SessionDep, actor: MemberDep, body_id: PathId, payload: MeetingCreate
) -> MeetingPublic:
    """Numbered next for the body in its Buddhist year; the body's members are invited."""
    meeting = meetings.create_meeting(
        session, actor, body_id=body_id, **payload.model_dump(exclude_unset=True)
    )
    return meeting_public(meeting, actor)


@router.get("/meetings/{meeting_id}", response_model=MeetingPublic)
def get_meeting(session: SessionDep, actor: MemberDep, meeting_id: PathId) -> MeetingPublic:
    return meeting_public(meetings.get_meeting(session, actor, meeting_id=meeting_id), actor)


@router.patch("/meetings/{meeting_id}", response_model=MeetingPublic)
def update_meeting(
    session: SessionDep, actor: MemberDep, meeting_id: PathId, payload: MeetingUpdate
) -> MeetingPublic:
    """Change only the fields sent; `version` is the one you read (409 when it is stale)."""
    current = meetings.get_meeting(session, actor, meeting_id=meeting_id)
    data = {name: getattr(current, name) for name in EDITABLE} | payload.model_dump(
        exclude_unset=True, exclude={"version"}
    )
    meeting = meetings.update_meeting(
        session, actor, meeting_id=meeting_id, version=payload.version, **data
    )
    return meeting_public(meeting, actor)


@router.post("/meetings/{meeting_id}/status", response_model=MeetingPublic)
def change_status(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    meeting_id: PathId,
    payload: MeetingStatusChange,
) -> MeetingPublic:
    """One step along the lifecycle; `to` must be the next stage (409 otherwise)."""
    meeting = meetings.advance_status(
        session, actor, meeting_id=meeting_id, to=payload.to, version=payload.version
    )
    publish(request, session, actor)  # what the packages' stage hooks changed
    return meeting_public(meeting, actor)
