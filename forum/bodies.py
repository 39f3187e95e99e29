"""Bodies — the 4 regional working groups (คณะทำงาน) and the committee (คณะกรรมการ) —
and their memberships with per-body roles."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field
from sqlmodel import Session, col, func, select

from forum import audit, policy
from forum.db import claim_version, utcnow
from forum.errors import Conflict, InvalidInput, NotAChoice, NotFound, StaleEdit
from forum.forms import validate
from forum.models import Body, BodyKind, Membership, Organisation, Person, Region, Role
from forum.people import person_choices
from forum.policy import Actor
from forum.registry import Registry

ROLE_ORDER = [
    Role.chair,
    Role.vice_chair,
    Role.secretary,
    Role.member,
    Role.facilitator,
    Role.observer,
]


@dataclass(frozen=True)
class BodyRow:
    body: Body
    region_name: str
    members: int


@dataclass(frozen=True)
class MemberRow:
    membership: Membership
    person: Person
    organisation_name: str


@dataclass(frozen=True)
class PageLink:
    """A link a package to the right adds beside the body's meetings: `label` a msgid,
    `path` with `{body_id}` (voting's ballots)."""

    label: str
    path: str

    def url(self, body_id: int) -> str:
        return self.path.replace("{body_id}", str(body_id))


PAGE_LINKS: Registry[PageLink] = Registry("body page links")


def list_bodies(session: Session, actor: Actor, *, archived: bool = False) -> list[BodyRow]:
    """Raises Forbidden."""
    policy.require(actor, "forum.body.view")
    members = (
        select(Membership.body_id, func.count().label("members"))
        .group_by(col(Membership.body_id))
        .subquery()
    )
    rows = session.exec(
        select(Body, func.coalesce(Region.name_th, ""), func.coalesce(members.c.members, 0))
        .join(Region, Region.id == Body.region_id, isouter=True)
        .join(members, members.c.body_id == Body.id, isouter=True)
        .where(col(Body.archived_at).is_not(None) if archived else col(Body.archived_at).is_(None))
        .order_by(col(Body.kind).desc(), col(Region.position), col(Body.id))
    )
    return [BodyRow(body, region, count) for body, region, count in rows]


def get_body(session: Session, actor: Actor, *, body_id: int) -> Body:
    """Raises Forbidden, NotFound."""
    policy.require(actor, "forum.body.view")
    body = session.get(Body, body_id)
    if body is None:
        raise NotFound()
    return body


def _member_rows(session: Session, *conditions: object) -> list[MemberRow]:
    rows = session.exec(
        select(Membership, Person, func.coalesce(Organisation.name, ""))
        .join(Person, Person.id == Membership.person_id)
        .join(Organisation, Organisation.id == Person.organisation_id, isouter=True)
        .where(*conditions)
    ).all()
    return [MemberRow(m, p, org) for m, p, org in rows]


def list_members(session: Session, actor: Actor, *, body_id: int) -> list[MemberRow]:
    """Members in role order (chair first), then by name. Raises Forbidden."""
    policy.require(actor, "forum.body.view")
    result = _member_rows(session, Membership.body_id == body_id)
    result.sort(
        key=lambda row: (ROLE_ORDER.index(Role(row.membership.role)), row.person.display_name)
    )
    return result


def get_member(session: Session, actor: Actor, *, membership_id: int) -> MemberRow:
    """One line of a body's member list. Raises Forbidden, NotFound."""
    policy.require(actor, "forum.body.view")
    rows = _member_rows(session, Membership.id == membership_id)
    if not rows:
        raise NotFound()
    return rows[0]


class BodyFields(BaseModel):
    kind: BodyKind
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    region_id: int | None = None
    description: str | None = Field(default=None, max_length=5000)


def _checked(session: Session, data: dict[str, object]) -> BodyFields:
    values = validate(BodyFields, data, multiline=frozenset({"description"}))
    if values.region_id is not None and session.get(Region, values.region_id) is None:
        raise NotAChoice({"region_id": "Please choose one of the options."})
    if values.kind == BodyKind.working_group and values.region_id is None:
        raise InvalidInput({"region_id": "A regional working group needs its region."})
    return values


def create_body(session: Session, actor: Actor, **data: object) -> Body:
    """Raises Forbidden, InvalidInput."""
    policy.require(actor, "forum.body.create")
    values = _checked(session, data)
    body = Body(**values.model_dump(exclude_none=True))
    session.add(body)
    session.flush()
    audit.record(session, actor, "forum.body.create", body)
    session.commit()
    return body


def update_body(
    session: Session, actor: Actor, *, body_id: int, version: int, **data: object
) -> Body:
    """Raises Forbidden, NotFound, StaleEdit, InvalidInput."""
    body = get_body(session, actor, body_id=body_id)
    policy.require(actor, "forum.body.edit", body)
    if body.version != version:
        raise StaleEdit()
    values = _checked(session, data)
    before = audit.snapshot(body)
    if not claim_version(session, Body, body_id, version):
        session.rollback()
        raise StaleEdit()  # someone saved between our read and this write
    body.kind, body.name, body.region_id = values.kind, values.name, values.region_id
    body.name_en, body.description = values.name_en or "", values.description or ""
    body.version = version + 1
    audit.record(session, actor, "forum.body.edit", body, before=before)
    session.commit()
    return body


def set_body_archived(session: Session, actor: Actor, *, body_id: int, archived: bool) -> Body:
    """Raises Forbidden, NotFound, Conflict."""
    body = get_body(session, actor, body_id=body_id)
    policy.require(actor, "forum.body.archive", body)
    if (body.archived_at is not None) == archived:
        raise Conflict(
            "This body is already archived." if archived else "This body is not archived."
        )
    before = audit.snapshot(body)
    body.archived_at = utcnow() if archived else None
    body.version += 1
    audit.record(
        session,
        actor,
        "forum.body.archive" if archived else "forum.body.restore",
        body,
        before=before,
    )
    session.commit()
    return body


class MemberFields(BaseModel):
    person_id: int
    role: Role


def add_member(session: Session, actor: Actor, *, body_id: int, **data: object) -> Membership:
    """Raises Forbidden, NotFound, InvalidInput, Conflict (already a member)."""
    body = get_body(session, actor, body_id=body_id)
    policy.require(actor, "forum.membership.manage", body)
    values = validate(MemberFields, data)
    person = session.get(Person, values.person_id)
    if person is None or person.archived_at is not None:
        raise NotAChoice({"person_id": "Please choose one of the options."})
    if session.exec(
        select(Membership).where(
            Membership.body_id == body_id, Membership.person_id == values.person_id
        )
    ).first():
        raise Conflict("%(name)s is already a member of this body.", name=person.display_name)
    membership = Membership(body_id=body_id, person_id=values.person_id, role=values.role)
    session.add(membership)
    session.flush()
    audit.record(session, actor, "forum.membership.add", membership)
    session.commit()
    return membership


def change_role(session: Session, actor: Actor, *, membership_id: int, role: str) -> Membership:
    """Raises Forbidden, NotFound, InvalidInput."""
    membership = session.get(Membership, membership_id)
    if membership is None:
        raise NotFound()
    policy.require(actor, "forum.membership.manage", membership)
    values = validate(MemberFields, {"person_id": membership.person_id, "role": role})
    before = audit.snapshot(membership)
    membership.role = values.role
    audit.record(session, actor, "forum.membership.change_role", membership, before=before)
    session.commit()
    return membership


def remove_member(session: Session, actor: Actor, *, membership_id: int) -> Membership:
    """Returns the removed membership (detached). Raises Forbidden, NotFound."""
    membership = session.get(Membership, membership_id)
    if membership is None:
        raise NotFound()
    policy.require(actor, "forum.membership.manage", membership)
    audit.record(
        session,
        actor,
        "forum.membership.remove",
        target_type="membership",
        target_id=membership.id,
        before=audit.snapshot(membership),
    )
    session.delete(membership)
    session.commit()
    return membership


def candidate_choices(session: Session, *, body_id: int) -> list[tuple[int, str]]:
    """People who could be added to the body: active accounts that are not members yet."""
    members = set(
        session.exec(select(Membership.person_id).where(Membership.body_id == body_id)).all()
    )
    return [choice for choice in person_choices(session) if choice[0] not in members]


def body_choices(session: Session) -> list[tuple[int, str]]:
    return [
        (row[0], row[1])
        for row in session.exec(
            select(Body.id, Body.name).where(col(Body.archived_at).is_(None)).order_by(col(Body.id))
        )
    ]
