"""Who may do what: the one registry of permission rules.

Each package declares small predicates under dotted action names in its `rules.py`
(`forum.meeting.create`, a `RuleSet`), and its manifest registers them (`register_rules`).
Services call `require` first; templates call `can` only to show or hide a control. An
action that is used but not registered is a bug: `can` raises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from forum.errors import Forbidden, NotLoggedIn
from forum.models import Role
from forum.registry import Registry

Predicate = Callable[["Actor", Any], bool]

_rules: Registry[Predicate] = Registry("permission rules")


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


class RuleSet:
    """A package's rules as its `rules.py` declares them (`@RULES.rule("voting.ballot.cast")`),
    kept apart until its manifest registers them (`register_rules`)."""

    def __init__(self) -> None:
        self.predicates: dict[str, Predicate] = {}

    def rule(self, action: str) -> Callable[[Predicate], Predicate]:
        def declare(predicate: Predicate) -> Predicate:
            if self.predicates.setdefault(action, predicate) is not predicate:
                raise ValueError(f"action {action!r} is declared twice")
            return predicate

        return declare


def register_rules(rules: RuleSet) -> None:
    """Register a package's rules (from its manifest). Raises DuplicateRegistration for an
    action another predicate already decides."""
    for action, predicate in rules.predicates.items():
        _rules.add(action, predicate)


def rule(action: str) -> Callable[[Predicate], Predicate]:
    """Register the predicate deciding `action` on its own (a manifest's one-off)."""

    def register(predicate: Predicate) -> Predicate:
        _rules.add(action, predicate)
        return predicate

    return register


def registered_actions() -> frozenset[str]:
    return frozenset(_rules.names())


_predicate_of = _rules.lookup  # templates call `can` for each control they may show


def can(actor: Actor, action: str, target: Any = None) -> bool:
    predicate = _predicate_of(action)
    if predicate is None:
        raise UnknownAction(action)
    return bool(predicate(actor, target))


def require(actor: Actor, action: str, target: Any = None) -> None:
    """Raise `NotLoggedIn` or `Forbidden` unless the actor may do `action` on `target`."""
    if can(actor, action, target):
        return
    if not actor.is_authenticated:
        raise NotLoggedIn(action)
    raise Forbidden(action)
