"""The audit log: every state change, who made it, and the record before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, SQLModel, col, select

from forum import policy
from forum.dates import BANGKOK
from forum.forms import validate
from forum.models import AuditEvent, Person
from forum.paging import Page, paginate
from forum.policy import Actor

# Never copied into the log.
_SECRET_FIELDS = frozenset({"password_hash", "token_hash"})
# Bookkeeping (the row's id, its creation time, its edit counter): left out of the compact diff.
_QUIET_FIELDS = frozenset({"version", "id", "created_at"})
_SHOWN_LENGTH = 80


def snapshot(record: SQLModel | None) -> dict[str, Any] | None:
    """The record's columns as JSON-safe values, secrets left out."""
    if record is None:
        return None
    values: dict[str, Any] = {}
    for name, value in record.model_dump(warnings=False).items():
        if name in _SECRET_FIELDS:
            continue
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif isinstance(value, Enum):
            value = value.value
        values[name] = value
    return values


def record(
    session: Session,
    actor: Actor,
    action: str,
    target: SQLModel | None = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
) -> AuditEvent:
    """Add an audit event to the session (committed with the change it records)."""
    if target is not None:
        after = snapshot(target) if after is None else after
        target_type = target_type or type(target).__tablename__
        target_id = target_id if target_id is not None else getattr(target, "id", None)
    if before is not None and after is not None:
        changed = {key for key in after if before.get(key) != after.get(key)}
        before = {key: before.get(key) for key in changed}
        after = {key: after[key] for key in changed}
    event = AuditEvent(
        actor_id=actor.person_id,
        action=action,
        target_type=target_type or "",
        target_id=target_id,
        before=before,
        after=after,
    )
    session.add(event)
    return event


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    actor_name: str
    changes: list[Change]


def _shown(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 1] + "…"


def changes(event: AuditEvent) -> list[Change]:
    """The fields that differ between the event's before and after values, each shortened
    for a compact diff (a creation shows only the values it set)."""
    before, after = event.before or {}, event.after or {}
    names = list(after) + [name for name in before if name not in after]
    result = []
    for name in names:
        old, new = _shown(before.get(name)), _shown(after.get(name))
        if (
            name in _QUIET_FIELDS
            or old == new
            or (event.before is None and after.get(name) is False)
        ):
            continue
        result.append(Change(name, old, new))
    return result


class AuditFilter(BaseModel):
    action: str | None = Field(default=None, max_length=80)
    target_type: str | None = Field(default=None, max_length=40)
    actor_id: int | None = None
    since: date | None = None
    until: date | None = None
    page: int = Field(default=1, ge=1, le=100_000)


def list_events(
    session: Session, actor: Actor, *, per_page: int = 50, **filters: object
) -> Page[AuditRow]:
    """Filter the log (action prefix, target type, actor, Bangkok dates), newest first.
    Raises Forbidden, InvalidInput."""
    policy.require(actor, "forum.audit.view")
    values = validate(AuditFilter, filters)
    query = select(AuditEvent, Person.display_name).join(
        Person, Person.id == AuditEvent.actor_id, isouter=True
    )
    if values.action:
        query = query.where(col(AuditEvent.action).startswith(values.action, autoescape=True))
    if values.target_type:
        query = query.where(AuditEvent.target_type == values.target_type)
    if values.actor_id:
        query = query.where(AuditEvent.actor_id == values.actor_id)
    if values.since:
        query = query.where(AuditEvent.at >= _bangkok_midnight(values.since))
    if values.until:
        query = query.where(AuditEvent.at < _bangkok_midnight(values.until) + timedelta(days=1))
    result = paginate(
        session, query.order_by(col(AuditEvent.id).desc()), page=values.page, per_page=per_page
    )
    rows = [AuditRow(event, name or "", changes(event)) for event, name in result.items]
    return Page(items=rows, total=result.total, page=result.page, per_page=result.per_page)


def _bangkok_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=BANGKOK).astimezone(UTC)


def target_types(session: Session) -> list[str]:
    """The kinds of record the log holds, for the filter's select box."""
    return [
        name
        for name in session.exec(
            select(AuditEvent.target_type).distinct().order_by(AuditEvent.target_type)
        )
        if name
    ]
