"""/api/v1/notifications — one's own notifications, newest first, and marking them read."""

from __future__ import annotations

from fastapi import APIRouter

from forum import notifications
from forum.api.params import PageQuery, PerPageQuery
from forum.models import (
    NotificationPage,
    NotificationPublic,
    NotificationsRead,
    NotificationsReadResult,
)
from forum.web import MemberDep, SessionDep

router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.get("", response_model=NotificationPage)
def list_notifications(
    session: SessionDep, actor: MemberDep, page: PageQuery = 1, per_page: PerPageQuery = 25
) -> NotificationPage:
    """The text of each is in your language; `url` is where it leads on this site."""
    result = notifications.list_notifications(session, actor, page=page, per_page=per_page)
    return NotificationPage(
        items=[NotificationPublic.model_validate(line) for line in result.page.items],
        total=result.page.total,
        unread=result.unread,
        page=result.page.page,
        per_page=result.page.per_page,
    )


@router.post("/read", response_model=NotificationsReadResult)
def mark_read(
    session: SessionDep, actor: MemberDep, payload: NotificationsRead
) -> NotificationsReadResult:
    """Mark the notifications of `ids` read, or all of yours without `ids` (ids that are
    not yours are ignored)."""
    marked = notifications.mark_read(session, actor, ids=payload.ids)
    return NotificationsReadResult(marked=marked, unread=notifications.unread_count(session, actor))
