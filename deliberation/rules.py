"""Who may do what with a meeting's agenda (registered into forum.policy by the package's manifest).

Targets carry a `body_id` (a meeting, a body) or are a body id."""

from __future__ import annotations

from typing import Any

from forum import policy
from forum.policy import Actor, RuleSet
from forum.rules import (
    ATTENDANCE_KEEPERS,
    OFFICERS,
    belongs_to_the_body,
    body_id_of,
    runs_the_body,
)

RULES = RuleSet()


@RULES.rule("deliberation.agenda.view")
def _view(actor: Actor, target: Any) -> bool:
    """Whoever may see the meeting may see its agenda, its versions and its documents."""
    return policy.can(actor, "forum.meeting.view", target)


for _action in (
    "deliberation.agenda.edit",  # items, order, documents, the new-version flow
    "deliberation.agenda.publish",
    "deliberation.agenda_template.edit",  # the body's list of parts
    "deliberation.suggestion.answer",  # accept, merge, decline
):
    RULES.rule(_action)(runs_the_body)

for _action in ("deliberation.suggestion.create", "deliberation.suggestion.support"):
    RULES.rule(_action)(belongs_to_the_body)


# -- search ---------------------------------------------------------------------------


def searchable_body_ids(actor: Actor) -> frozenset[int] | None:
    """The bodies whose texts the actor may find: their own; None means every body (a site
    admin). deliberation.search filters its query by this."""
    return None if actor.is_admin else frozenset(actor.roles)


RULES.rule("deliberation.search")(lambda actor, _target=None: actor.is_authenticated or actor.is_admin)


# -- discussion threads on agenda items -------------------------------------------------
# Targets: a meeting or an agenda item's meeting (body_id), or a Post (body_id, author_id).

RULES.rule("deliberation.post.view")(belongs_to_the_body)  # the threads: the body's members
RULES.rule("deliberation.post.create")(belongs_to_the_body)  # posts and replies: the body's members
RULES.rule("deliberation.post.hide")(runs_the_body)  # hide and unhide, with a reason


@RULES.rule("deliberation.post.edit")
def _edit_post(actor: Actor, target: Any) -> bool:
    """Only the author, while still a member of the body (a site admin hides, never
    rewrites someone's words)."""
    return (
        actor.is_authenticated
        and getattr(target, "author_id", None) == actor.person_id
        and actor.role_in(body_id_of(target)) is not None
    )


# -- during the meeting: the item under consideration and each item's outcome -------------
# Targets: a meeting (body_id). The chair presides, the vice-chair in the chair's place, and
# the secretary keeps the record: any of them takes up the items and records the outcomes.


def _presides_or_records(actor: Actor, target: Any) -> bool:
    return actor.is_admin or actor.role_in(body_id_of(target)) in OFFICERS


RULES.rule("deliberation.meeting.conduct")(_presides_or_records)  # take up, next, previous, stop
RULES.rule("deliberation.outcome.record")(_presides_or_records)  # summary, resolution (มติ)
RULES.rule("deliberation.outcome.view")(_view)  # whoever may see the meeting reads its outcomes


# -- live sessions (เวทีระดมความคิดเห็น) -------------------------------------------------------
# Targets: a meeting, or a session's view carrying the meeting's body_id. Participants (guests
# by nickname, or members as themselves) act by their device token, not through these rules.

RULES.rule("deliberation.live_session.run")(  # open, pause, close, moderate, console, projector
    lambda actor, target: actor.is_admin or actor.role_in(body_id_of(target)) in ATTENDANCE_KEEPERS
)
