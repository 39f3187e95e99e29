"""People (member accounts) and their organisations."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field
from sqlmodel import Session, col, delete, func, or_, select

from forum import audit, policy, privacy
from forum.db import claim_version, utcnow
from forum.errors import Conflict, NotAChoice, NotFound, StaleEdit
from forum.forms import validate
from forum.models import Body, LoginSession, Membership, Organisation, Person, Role
from forum.paging import Page, like_pattern, paginate
from forum.policy import Actor


@dataclass(frozen=True)
class PersonRow:
    person: Person
    organisation_name: str


@dataclass(frozen=True)
class PersonProfile:
    person: Person
    organisation: Organisation | None
    memberships: list[tuple[Body, Role]]
    show_contact: bool


def list_people(
    session: Session,
    actor: Actor,
    *,
    q: str = "",
    organisation_id: int | None = None,
    archived: bool = False,
    page: int = 1,
    per_page: int = 25,
) -> Page[PersonRow]:
    """Search by name, position or organisation (Thai substring). Raises Forbidden."""
    policy.require(actor, "forum.person.view")
    query = (
        select(Person, func.coalesce(Organisation.name, ""))
        .join(Organisation, Organisation.id == Person.organisation_id, isouter=True)
        .where(col(Person.erased_at).is_(None))
        .where(
            col(Person.archived_at).is_not(None) if archived else col(Person.archived_at).is_(None)
        )
    )
    if q := q.strip()[:100]:
        pattern = like_pattern(q)
        query = query.where(
            or_(
                col(Person.display_name).ilike(pattern, escape="\\"),
                col(Person.position).ilike(pattern, escape="\\"),
                col(Organisation.name).ilike(pattern, escape="\\"),
            )
        )
    if organisation_id:
        query = query.where(Person.organisation_id == organisation_id)
    result = paginate(
        session,
        query.order_by(col(Person.display_name), col(Person.id)),
        page=page,
        per_page=per_page,
    )
    return Page(
        [PersonRow(p, org) for p, org in result.items], result.total, result.page, result.per_page
    )


def get_person(session: Session, actor: Actor, *, person_id: int) -> PersonProfile:
    """Raises Forbidden, NotFound."""
    policy.require(actor, "forum.person.view")
    person = session.get(Person, person_id)
    if person is None or person.erased_at is not None:
        raise NotFound()
    organisation = (
        session.get(Organisation, person.organisation_id) if person.organisation_id else None
    )
    memberships = session.exec(
        select(Body, Membership.role)
        .join(Membership, Membership.body_id == Body.id)
        .where(Membership.person_id == person_id)
        .order_by(col(Body.id))
    ).all()
    show_contact = (
        actor.is_admin or actor.person_id == person_id or privacy.shares_contact(session, person_id)
    )
    return PersonProfile(
        person, organisation, [(body, Role(role)) for body, role in memberships], show_contact
    )


class PersonFields(BaseModel):
    display_name: str = Field(min_length=1, max_length=120)
    position: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40, pattern=r"^[0-9+() -]*$")
    organisation_id: int | None = None


def update_person(
    session: Session, actor: Actor, *, person_id: int, version: int, **data: object
) -> Person:
    """Edit a profile (one's own, or anyone's for an admin). Raises Forbidden, NotFound,
    StaleEdit, InvalidInput."""
    person = session.get(Person, person_id)
    if person is None or person.erased_at is not None:
        raise NotFound()
    policy.require(actor, "forum.person.edit", person)
    if person.version != version:
        raise StaleEdit()
    values = validate(PersonFields, data)
    if (
        values.organisation_id is not None
        and session.get(Organisation, values.organisation_id) is None
    ):
        raise NotAChoice({"organisation_id": "Please choose one of the options."})
    before = audit.snapshot(person)
    if not claim_version(session, Person, person_id, version):
        session.rollback()
        raise StaleEdit()  # someone saved between our read and this write
    person.display_name = values.display_name
    person.position = values.position or ""
    person.phone = values.phone or ""
    person.organisation_id = values.organisation_id
    person.version = version + 1
    audit.record(session, actor, "forum.person.edit", person, before=before)
    session.commit()
    return person


def set_person_archived(
    session: Session, actor: Actor, *, person_id: int, archived: bool
) -> Person:
    """Archive an account (it can no longer log in) or restore it. Raises Forbidden,
    NotFound, Conflict."""
    policy.require(actor, "forum.person.archive")
    person = session.get(Person, person_id)
    if person is None or person.erased_at is not None:
        raise NotFound()
    if person.id == actor.person_id:
        raise Conflict("You cannot archive your own account.")
    if (person.archived_at is not None) == archived:
        raise Conflict(
            "This account is already archived." if archived else "This account is not archived."
        )
    before = audit.snapshot(person)
    person.archived_at = utcnow() if archived else None
    person.version += 1
    if archived:
        session.exec(delete(LoginSession).where(LoginSession.person_id == person.id))
    audit.record(
        session,
        actor,
        "forum.person.archive" if archived else "forum.person.restore",
        person,
        before=before,
    )
    session.commit()
    return person


def person_choices(session: Session) -> list[tuple[int, str]]:
    rows = session.exec(
        select(Person.id, Person.display_name, Organisation.name)
        .join(Organisation, Organisation.id == Person.organisation_id, isouter=True)
        .where(col(Person.archived_at).is_(None), col(Person.erased_at).is_(None))
        .order_by(col(Person.display_name))
    )
    return [(row[0], f"{row[1]} — {row[2]}" if row[2] else row[1]) for row in rows]
