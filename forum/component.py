"""The core's manifest: what `forum` itself adds to the platform — its permission rules,
the meeting page's live channel, its pages and its JSON API. `forum/app.py` installs it
first; the packages to the right follow with their own `component.py`."""

from __future__ import annotations

from fastapi import FastAPI

from forum import attendance, components, events, live, meetings_live, policy, rules
from forum import privacy as forum_privacy
from forum.api import router as api_router
from forum.routes import (
    accounts,
    admin,
    bodies,
    home,
    meetings,
    notifications,
    organisations,
    people,
    privacy,
)
from forum.routes import live as live_routes


def install(app: FastAPI) -> None:
    policy.register_rules(rules.RULES)
    forum_privacy.register_retention()  # what is kept only for a while (the privacy page)

    # A meeting page's attendance, its conduct panel and its sessions follow this channel.
    live.register_channel("meeting", meetings_live.may_watch)
    events.on(attendance.AttendanceChanged, meetings_live.attendance_changed)

    components.add_router(app, meetings.router, order=components.BUSIEST)
    components.add_router(app, live_routes.router, order=components.BUSIEST + 4)
    for module in (home, accounts, organisations, people, bodies, privacy, admin, notifications):
        components.add_router(app, module.router)
    components.add_router(app, api_router, order=components.API)
