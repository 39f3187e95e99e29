"""Who may do what with a meeting's agenda (registered into forum.policy on import).

Targets carry a `body_id` (a meeting, a body) or are a body id."""

from __future__ import annotations

from typing import Any

from deliberation import notices  # noqa: F401  (registers deliberation's kinds of notification)
from forum import policy
from forum.models import Body
from forum.policy import Actor, rule
from forum.rules import RUNS_THE_BODY


def _body_id(target: Any) -> int | None:
    if isinstance(target, Body):
        return target.id
    if isinstance(target, int):
        return target
    return getattr(target, "body_id", None)


@rule("deliberation.agenda.view")
def _view(actor: Actor, target: Any) -> bool:
    """Whoever may see the meeting may see its agenda, its versions and its documents."""
    return policy.can(actor, "forum.meeting.view", target)


def _runs_the_body(actor: Actor, target: Any) -> bool:
    """A site admin, or the chair or secretary of the target's body."""
    return actor.is_admin or actor.role_in(_body_id(target)) in RUNS_THE_BODY


def _member(actor: Actor, target: Any) -> bool:
    """A site admin, or anyone with a role in the target's body."""
    return actor.is_authenticated and (
        actor.is_admin or actor.role_in(_body_id(target)) is not None
    )


for _action in (
    "deliberation.agenda.edit",  # items, order, documents, the new-version flow
    "deliberation.agenda.publish",
    "deliberation.agenda_template.edit",  # the body's list of parts
    "deliberation.suggestion.answer",  # accept, merge, decline
):
    rule(_action)(_runs_the_body)

for _action in ("deliberation.suggestion.create", "deliberation.suggestion.support"):
    rule(_action)(_member)


# -- search ---------------------------------------------------------------------------


def searchable_body_ids(actor: Actor) -> frozenset[int] | None:
    """The bodies whose texts the actor may find: their own; None means every body (a site
    admin). deliberation.search filters its query by this, the rule below judges one entry."""
    return None if actor.is_admin else frozenset(actor.roles)


rule("deliberation.search")(lambda actor, _target=None: actor.is_authenticated or actor.is_admin)


@rule("deliberation.search.view_entry")
def _view_search_entry(actor: Actor, target: Any) -> bool:
    bodies = searchable_body_ids(actor)
    return bodies is None or _body_id(target) in bodies


# -- discussion threads on agenda items -------------------------------------------------
# Targets: a meeting or an agenda item's meeting (body_id), or a Post (body_id, author_id).

rule("deliberation.post.view")(_view)  # whoever may see the meeting reads its threads
rule("deliberation.post.create")(_member)  # posts and replies: the body's members
rule("deliberation.post.hide")(_runs_the_body)  # hide and unhide, with a reason


@rule("deliberation.post.edit")
def _edit_post(actor: Actor, target: Any) -> bool:
    """Only the author, while still a member of the body (a site admin hides, never
    rewrites someone's words)."""
    return (
        actor.is_authenticated
        and getattr(target, "author_id", None) == actor.person_id
        and actor.role_in(_body_id(target)) is not None
    )
