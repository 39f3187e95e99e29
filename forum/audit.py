"""The audit log: every state change, who made it, and the record before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from sqlmodel import Session, SQLModel, func, select

from forum import policy
from forum.dates import BANGKOK
from forum.models import AuditEvent, Person
from forum.policy import Actor

# Never copied into the log.
_SECRET_FIELDS = frozenset({"password_hash", "token_hash"})


def snapshot(record: SQLModel | None) -> dict[str, Any] | None:
    """The record's columns as JSON-safe values, secrets left out."""
    if record is None:
        return None
    values: dict[str, Any] = {}
    for name, value in record.model_dump().items():
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
class AuditPage:
    rows: list[tuple[AuditEvent, str]]  # (event, actor's display name)
    total: int
    page: int
    per_page: int


def list_events(
    session: Session,
    actor: Actor,
    *,
    action: str = "",
    target_type: str = "",
    actor_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> AuditPage:
    """Filter the log, newest first. Raises Forbidden."""
    policy.require(actor, "forum.audit.view")
    query = select(AuditEvent, Person.display_name).join(
        Person, Person.id == AuditEvent.actor_id, isouter=True
    )
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    if target_type:
        query = query.where(AuditEvent.target_type == target_type)
    if actor_id:
        query = query.where(AuditEvent.actor_id == actor_id)
    if since:
        query = query.where(AuditEvent.at >= datetime(since.year, since.month, since.day, tzinfo=BANGKOK))
    if until:
        end = datetime(until.year, until.month, until.day, tzinfo=BANGKOK) + timedelta(days=1)
        query = query.where(AuditEvent.at < end)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    page = max(1, page)
    rows = session.exec(
        query.order_by(AuditEvent.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return AuditPage(rows=[(event, name or "") for event, name in rows], total=total, page=page, per_page=per_page)
