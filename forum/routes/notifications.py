"""The notification centre (/notifications) and each person's notification settings
(a section of /me)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from forum import notifications, privacy
from forum.errors import InvalidInput
from forum.web import Id, MemberDep, SessionDep, form_int, redirect, render

router = APIRouter()


@router.get("/notifications")
def notification_centre(
    request: Request, session: SessionDep, actor: MemberDep, page: str = "1"
) -> Response:
    result = notifications.list_notifications(session, actor, page=form_int(page, "page") or 1)
    return render(
        request, "forum/notifications_page.html", {"result": result}, block="notification_list"
    )


@router.get("/notifications/{notification_id}")
def open_notification(
    request: Request, session: SessionDep, actor: MemberDep, notification_id: Id
) -> Response:
    url = notifications.open_notification(session, actor, notification_id=notification_id)
    return redirect(request, url)


@router.post("/notifications/read-all")
def mark_all_read(request: Request, session: SessionDep, actor: MemberDep) -> Response:
    notifications.mark_read(session, actor)
    return redirect(request, "/notifications", flash="All your notifications are marked as read.")


@router.post("/me/notifications")
async def update_notification_settings(
    request: Request, session: SessionDep, actor: MemberDep
) -> Response:
    form = await request.form()
    submitted = {
        "in_app": [str(kind) for kind in form.getlist("in_app")],
        "email": [str(kind) for kind in form.getlist("email")],
        "email_locale": str(form.get("email_locale") or ""),
    }
    try:
        notifications.update_notification_settings(session, actor, **submitted)
    except InvalidInput as error:
        context = {
            "data": privacy.my_data(session, actor),
            "notification_settings": notifications.notification_settings(session, actor),
            "notification_values": submitted,
            "notification_errors": error.fields,
            "errors": {},
            "values": {},
        }
        return render(
            request,
            "forum/me_page.html",
            context,
            block="notification_settings",
            status_code=422,
        )
    return redirect(
        request, "/me#notification_settings", flash="Your notification settings are saved."
    )
