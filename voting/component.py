"""Voting's manifest: everything the package adds to the platform, in one place.

Ballots with their rules, tallies, receipts and bulletins (issue 13). `forum/app.py` calls
`install(app)` after deliberation's manifest."""

from __future__ import annotations

from fastapi import FastAPI

from deliberation.agenda import agendas
from forum import bodies, components, meetings, policy
from forum import demo as forum_demo
from forum import privacy as forum_privacy
from forum.api.params import ERRORS
from voting import api, ballots, demo, pages, privacy, routes, rules, verify


def install(app: FastAPI) -> None:
    policy.register_rules(rules.RULES)
    forum_privacy.EXPORT_HOOKS.add("voting", privacy.export_rows)
    components.COMMANDS.add("verify", verify.command)  # wethi verify BALLOT
    forum_demo.DEMO_HOOKS.add("voting", demo.seed_voting)
    agendas.ITEM_REMOVAL_HOOKS.add("voting.ballots", ballots.release_item)
    meetings.PAGE_PANELS.add("voting.ballots", pages.meeting_page_panel, order=30)  # after sessions
    bodies.PAGE_LINKS.add("voting.ballots", bodies.PageLink("Ballots", "/bodies/{body_id}/ballots"))
    components.add_router(app, routes.router)
    components.add_router(app, api.router, order=components.API, responses=ERRORS)
