"""Deliberation's manifest: everything the package adds to the platform, in one place.

Agendas (drafting, suggestions, versions, publishing), the discussion of each item, the
meeting's conduct (the item under consideration and its outcome) and live sessions
(ideas, votes, themes, polls, the timer, taking ideas forward). `forum/app.py` calls
`install(app)` after the core's manifest."""

from __future__ import annotations

from fastapi import FastAPI

from deliberation import api, demo, indexing, notices, privacy, rules, search
from deliberation import routes as search_routes
from deliberation.agenda import agendas, conduct, publishing
from deliberation.agenda import api as agenda_api
from deliberation.agenda import live as agenda_live
from deliberation.agenda.events import AgendaChanged, ProceedingsChanged
from deliberation.agenda.routes import agenda as agenda_routes
from deliberation.agenda.routes import conduct as conduct_routes
from deliberation.discussion import api as discussion_api
from deliberation.discussion import live as discussion_live
from deliberation.discussion import routes as thread_routes
from deliberation.discussion.events import ThreadChanged
from deliberation.sessions import api as sessions_api
from deliberation.sessions import live as sessions_live
from deliberation.sessions import polls_live, sessions
from deliberation.sessions.events import (
    IdeaAdded,
    IdeasChanged,
    PollShown,
    SessionStateChanged,
    TimerChanged,
    VotesChanged,
)
from deliberation.sessions.routes import clusters as session_clusters
from deliberation.sessions.routes import followup as session_followup
from deliberation.sessions.routes import polls as session_polls
from deliberation.sessions.routes import sessions as session_routes
from deliberation.sessions.snapshot import session_snapshot
from forum import components, events, meetings, policy
from forum import demo as forum_demo
from forum import live as hub
from forum import privacy as forum_privacy
from forum.api.params import ERRORS


def install(app: FastAPI) -> None:
    policy.register_rules(rules.RULES)

    # Who may watch what (the meeting's own channel is the core's: conduct publishes there).
    hub.register_channel("agenda", agenda_live.may_watch_agenda)
    hub.register_channel("item", discussion_live.may_watch_item)
    hub.register_channel(  # joined phones (a ticket) and the facilitators
        "session", sessions_live.may_watch, ticketed=True, snapshot=session_snapshot
    )
    hub.register_channel("console", sessions_live.may_watch_console)  # the facilitators

    # What the services say happened, turned into the frames those pages follow.
    events.on(AgendaChanged, agenda_live.agenda_changed)
    events.on(ProceedingsChanged, agenda_live.proceedings_changed)
    events.on(ThreadChanged, discussion_live.thread_changed)
    events.on(IdeaAdded, sessions_live.idea_added)
    events.on(IdeasChanged, sessions_live.ideas_changed)
    events.on(VotesChanged, sessions_live.votes_changed)
    events.on(SessionStateChanged, sessions_live.state_changed)
    events.on(PollShown, polls_live.poll_shown)
    events.on(TimerChanged, polls_live.timer_changed)

    # A meeting's stages: conduct closes the item under consideration when the meeting
    # leaves `live`; publishing locks, numbers and records the agenda on agenda_published.
    meetings.STATUS_HOOKS.add("deliberation.conduct", conduct.on_meeting_stage)
    meetings.STATUS_HOOKS.add("deliberation.publishing", publishing.on_meeting_stage)
    meetings.DELETE_HOOKS.add("deliberation.agenda", agendas.on_meeting_delete)

    # The meeting page: the item under consideration, then the meeting's live sessions.
    meetings.PAGE_PANELS.add("deliberation.conduct", conduct.meeting_page_panel, order=10)
    meetings.PAGE_PANELS.add("deliberation.sessions", sessions.meeting_page_panel, order=20)

    notices.register_kinds()  # agenda published, suggestion answered, reply, mention
    search.register_kind(  # results open the agenda page at the item or the suggestion
        "agenda_item",
        label="Agenda item",
        link="/meetings/{meeting_id}/agenda#agenda-item-{ref_id}",
        read_by="deliberation.agenda.view",
    )
    search.register_kind(
        "agenda_suggestion",
        label="Agenda suggestion",
        link="/meetings/{meeting_id}/agenda#suggestion-{ref_id}",
        read_by="deliberation.agenda.view",
    )
    search.register_kind(  # the link knows no item: discussion/routes.py redirects
        "post",
        label="Discussion post",
        link="/meetings/{meeting_id}/agenda/posts/{ref_id}",
        read_by="deliberation.post.view",
        members_only=True,  # as the threads are (deliberation.rules)
    )
    search.register_kind(  # มติที่ประชุม: the proceedings page, at the item
        "resolution",
        label="Resolution",
        link="/meetings/{meeting_id}/proceedings#proceedings-item-{ref_id}",
        read_by="deliberation.outcome.view",
    )

    forum_privacy.EXPORT_HOOKS.add("deliberation", privacy.export_rows)
    forum_privacy.RETENTION.add("deliberation.session_nicknames", privacy.NICKNAMES)
    forum_privacy.RETENTION.add("deliberation.session_ideas", privacy.IDEAS)
    # What an upgrade leaves to search's own code: entries cut an older way, and outcomes
    # recorded before resolutions were indexed.
    components.STARTUP_TASKS.add("deliberation.search.cut_again", search.cut_again)
    components.STARTUP_TASKS.add(
        "deliberation.indexing.resolutions", indexing.index_recorded_resolutions
    )
    forum_privacy.ERASURE_HOOKS.add("deliberation", privacy.erase_rows)
    forum_demo.DEMO_HOOKS.add("deliberation", demo.seed_deliberation)

    busiest = components.BUSIEST
    # A hall of phones joining, sending and voting: matched before anything else.
    components.add_router(app, session_routes.router, order=busiest - 1)
    components.add_router(app, agenda_routes.router, order=busiest + 1)
    components.add_router(app, thread_routes.router, order=busiest + 2)
    components.add_router(app, conduct_routes.router, order=busiest + 3)
    for module in (
        search_routes,
        session_clusters,
        session_polls,
        session_followup,
    ):
        components.add_router(app, module.router)
    components.add_router(app, api.router, order=components.API, prefix="/api/v1", responses=ERRORS)
    components.add_router(app, agenda_api.router, order=components.API, responses=ERRORS)
    components.add_router(app, discussion_api.router, order=components.API, responses=ERRORS)
    components.add_router(app, sessions_api.router, order=components.API, responses=ERRORS)
