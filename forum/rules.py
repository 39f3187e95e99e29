"""The core's permission rules (registered into forum.policy by the package's manifest)."""

from __future__ import annotations

from typing import Any

from forum.models import Body, Person, Role
from forum.policy import Actor, RuleSet

RULES = RuleSet()

OFFICERS = frozenset({Role.chair, Role.vice_chair, Role.secretary})  # edit the body's details
RUNS_THE_BODY = frozenset({Role.chair, Role.secretary})  # invite, schedule, keep its members
ATTENDANCE_KEEPERS = OFFICERS | {Role.facilitator}


def body_id_of(target: Any) -> int | None:
    """The body a target belongs to: a Body, a body id, or anything with a `body_id`
    (a meeting, an invitation, a package's row); the packages' rules use it too."""
    if isinstance(target, Body):
        return target.id
    if isinstance(target, int):
        return target
    return getattr(target, "body_id", None)


def _is_officer(actor: Actor, target: Any) -> bool:
    return actor.is_admin or actor.role_in(body_id_of(target)) in OFFICERS


def _is_officer_anywhere(actor: Actor) -> bool:
    return actor.is_admin or any(role in OFFICERS for role in actor.roles.values())


def _signed_in(actor: Actor, _target: Any = None) -> bool:
    # An admin without a person is accounts.SYSTEM (the CLI, the demo seeder).
    return actor.is_authenticated or actor.is_admin


def _admin(actor: Actor, _target: Any = None) -> bool:
    return actor.is_admin


# Reading the directory and the meetings needs an account: the data names real people.
for _action in (
    "forum.organisation.view",
    "forum.person.view",
    "forum.body.view",
    "forum.meeting.view",
    "forum.meeting.check_in",
    "forum.account.manage_own",  # own profile, consents, export, erasure, API tokens
):
    RULES.rule(_action)(_signed_in)

for _action in (
    "forum.organisation.archive",
    "forum.person.archive",
    "forum.body.create",
    "forum.body.archive",
    "forum.province.edit",
    "forum.audit.view",
    "forum.password_reset.issue",
    "forum.erasure.process",
    "forum.admin.view",
):
    RULES.rule(_action)(_admin)


@RULES.rule("forum.organisation.create")
def _create_organisation(actor: Actor, _target: Any) -> bool:
    # Secretaries register their network partners themselves.
    return _is_officer_anywhere(actor)


@RULES.rule("forum.organisation.edit")
def _edit_organisation(actor: Actor, _target: Any) -> bool:
    return _is_officer_anywhere(actor)


@RULES.rule("forum.person.edit")
def _edit_person(actor: Actor, target: Person) -> bool:
    return actor.is_admin or (actor.is_authenticated and target.id == actor.person_id)


@RULES.rule("forum.body.edit")
def _edit_body(actor: Actor, target: Body) -> bool:
    return _is_officer(actor, target)


def runs_the_body(actor: Actor, target: Any) -> bool:
    """A site admin, or the chair or secretary of the target's body."""
    return actor.is_admin or actor.role_in(body_id_of(target)) in RUNS_THE_BODY


def belongs_to_the_body(actor: Actor, target: Any) -> bool:
    """A site admin, or anyone signed in with a role in the target's body."""
    return actor.is_authenticated and (
        actor.is_admin or actor.role_in(body_id_of(target)) is not None
    )


# A body's own business: its members, its meetings and their stages.
for _action in (
    "forum.membership.manage",
    "forum.meeting.create",
    "forum.meeting.edit",
    "forum.meeting.delete",
    "forum.meeting.change_status",
):
    RULES.rule(_action)(runs_the_body)


@RULES.rule("forum.meeting.manage_attendance")
def _manage_attendance(actor: Actor, target: Any) -> bool:
    return actor.is_admin or actor.role_in(body_id_of(target)) in ATTENDANCE_KEEPERS


RULES.rule("forum.meeting.join_online")(belongs_to_the_body)


@RULES.rule("forum.invitation.create")
def _create_invitation(actor: Actor, target: Any) -> bool:
    """Admins invite anyone; a body's chair or secretary invites into that body."""
    if actor.is_admin:
        return True
    body_id = body_id_of(target)
    return body_id is not None and actor.role_in(body_id) in RUNS_THE_BODY


@RULES.rule("forum.invitation.list")
def _list_invitations(actor: Actor, _target: Any) -> bool:
    return actor.is_admin or any(role in RUNS_THE_BODY for role in actor.roles.values())


@RULES.rule("forum.invitation.revoke")
def _revoke_invitation(actor: Actor, target: Any) -> bool:
    """Admins, the person who made the link, or the chair/secretary of its body."""
    if actor.is_admin:
        return True
    if not actor.is_authenticated:
        return False
    made_it = getattr(target, "created_by", None) == actor.person_id
    return made_it or actor.role_in(body_id_of(target)) in RUNS_THE_BODY


# -- notifications: one's own ---------------------------------------------------------
# The services only ever touch the actor's own rows, so being signed in is the rule.
RULES.rule("forum.notification.read_own")(_signed_in)  # list, open, mark read
RULES.rule("forum.notification.edit_preferences")(_signed_in)  # which kinds, in app / by email
