"""/api/v1 attendance: the list of a meeting, the secretary's marking, guests and
substitutes (มาประชุมแทน), and self check-in with the meeting's code."""

from __future__ import annotations

from fastapi import APIRouter, Request

from forum import attendance, meetings
from forum.api.meetings import meeting_public
from forum.api.params import PathId
from forum.errors import NotFound
from forum.models import (
    AttendanceList,
    AttendanceListItem,
    AttendancePublic,
    AttendanceUpdate,
    CheckInPublic,
    CheckInRequest,
    GuestCreate,
)
from forum.web import MemberDep, SessionDep, publish

router = APIRouter(tags=["attendance"])


@router.get("/meetings/{meeting_id}/attendance", response_model=AttendanceList)
def list_attendance(session: SessionDep, actor: MemberDep, meeting_id: PathId) -> AttendanceList:
    meeting = meetings.get_meeting(session, actor, meeting_id=meeting_id)
    summary = attendance.list_attendance(session, actor, meeting=meeting)
    lines = {line.id: line for line in attendance.attendance_lines(session, actor, meeting=meeting)}
    items = [
        AttendanceListItem.model_validate(
            lines[row.id],
            update={
                "name": row.name,
                "organisation_name": row.organisation_name,
                "substitute_for_name": row.substitute_for_name,
            },
        )
        for row in summary.rows
    ]
    return AttendanceList(
        items=items,
        present=summary.present,
        absent=summary.absent,
        invited=summary.invited,
        guests=summary.guests,
    )


@router.patch("/attendance/{attendance_id}", response_model=AttendancePublic)
def mark_attendance(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    attendance_id: PathId,
    payload: AttendanceUpdate,
) -> AttendancePublic:
    """Set one line's marking as a whole: present, absent (with a reason), invited, or a
    guest substituting for a member."""
    line = attendance.mark_attendance(
        session, actor, attendance_id=attendance_id, **payload.model_dump()
    )
    publish(request, session, actor)
    return AttendancePublic.model_validate(line)


@router.post("/meetings/{meeting_id}/guests", response_model=AttendancePublic, status_code=201)
def add_guest(
    request: Request,
    session: SessionDep,
    actor: MemberDep,
    meeting_id: PathId,
    payload: GuestCreate,
) -> AttendancePublic:
    """A guest or substitute, by account (person_id) or by name; marked present."""
    line = attendance.add_guest(
        session, actor, meeting_id=meeting_id, **payload.model_dump(exclude_unset=True)
    )
    publish(request, session, actor)
    return AttendancePublic.model_validate(line)


@router.post("/checkin", response_model=CheckInPublic)
def check_in(
    request: Request, session: SessionDep, actor: MemberDep, payload: CheckInRequest
) -> CheckInPublic:
    """Check yourself in at the venue with the 6-digit code on the screen (or its QR). A
    code no meeting has is 404."""
    try:
        meeting, line = attendance.check_in(session, actor, code=payload.code)
    except attendance.UnknownCode as unknown:
        raise NotFound(attendance.UnknownCode.MESSAGE) from unknown
    publish(request, session, actor)
    return CheckInPublic(
        meeting=meeting_public(meeting, actor), attendance=AttendancePublic.model_validate(line)
    )
