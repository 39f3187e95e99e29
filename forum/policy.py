"""Who may do what: the one registry of permission rules.

Each package registers small predicates under dotted action names from its `rules.py`
(`forum.meeting.create`). Services call `require` first; templates call `can` only to show
or hide a control. An action that is used but not registered is a bug: `can` raises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from forum.errors import Forbidden, NotLoggedIn
from forum.models import Role

Predicate = Callable[["Actor", Any], bool]

_rules: dict[str, Predicate] = {}


@dataclass(frozen=True)
class Actor:
    """The person acting, with what the rules need to know, loaded once per request."""

    person_id: int | None = None
    display_name: str = ""
    is_admin: bool = False
    roles: dict[int, Role] = field(default_factory=dict)  # body id -> role in that body
    unread_notifications: int = 0  # for the menu; read with the session (accounts)

    @property
    def is_authenticated(self) -> bool:
        return self.person_id is not None

    def role_in(self, body_id: int | None) -> Role | None:
        return self.roles.get(body_id) if body_id is not None else None


ANONYMOUS = Actor()


class UnknownAction(LookupError):
    pass


def rule(action: str) -> Callable[[Predicate], Predicate]:
    """Register the predicate deciding `action`."""

    def register(predicate: Predicate) -> Predicate:
        if action in _rules and _rules[action] is not predicate:
            raise ValueError(f"action {action!r} is registered twice")
        _rules[action] = predicate
        return predicate

    return register


def registered_actions() -> frozenset[str]:
    return frozenset(_rules)


def can(actor: Actor, action: str, target: Any = None) -> bool:
    try:
        predicate = _rules[action]
    except KeyError:
        raise UnknownAction(action) from None
    return bool(predicate(actor, target))


def require(actor: Actor, action: str, target: Any = None) -> None:
    """Raise `NotLoggedIn` or `Forbidden` unless the actor may do `action` on `target`."""
    if can(actor, action, target):
        return
    if not actor.is_authenticated:
        raise NotLoggedIn(action)
    raise Forbidden(action)
