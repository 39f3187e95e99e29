"""/api/v1 attendance: the list of a meeting, the secretary's marking, guests and
substitutes (มาประชุมแทน), and self check-in with the meeting's code."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlmodel import Session

from forum import attendance, live, meetings, meetings_live
from forum.api.meetings import meeting_public
from forum.api.params import PathId
from forum.models import (
    Attendance,
    AttendanceList,
    AttendanceListItem,
    AttendancePublic,
    AttendanceUpdate,
    CheckInPublic,
    CheckInRequest,
    GuestCreate,
)
from forum.policy import Actor
from forum.web import MemberDep, SessionDep

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
    _attendance_changed(request, session, actor, line)
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
    _attendance_changed(request, session, actor, line)
    return AttendancePublic.model_validate(line)


@router.post("/checkin", response_model=CheckInPublic)
def check_in(
    request: Request, session: SessionDep, actor: MemberDep, payload: CheckInRequest
) -> CheckInPublic:
    """Check yourself in at the venue with the 6-digit code on the screen (or its QR)."""
    meeting, line = attendance.check_in(session, actor, code=payload.code)
    _attendance_changed(request, session, actor, line)
    return CheckInPublic(
        meeting=meeting_public(meeting, actor), attendance=AttendancePublic.model_validate(line)
    )


def _attendance_changed(request: Request, session: Session, actor: Actor, line: Attendance) -> None:
    """After the commit: pages watching the meeting show it (forum/meetings_live.py)."""
    meetings_live.attendance_changed(
        live.get_hub(request.app), session, actor, meeting_id=line.meeting_id, attendance_id=line.id
    )
