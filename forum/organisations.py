"""Organisations: Provincial Energy Offices and their network partners."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, col, func, or_, select

from forum import audit, people, policy
from forum.db import claim_version, utcnow
from forum.errors import Conflict, Conflicting, NotAChoice, NotFound, StaleEdit
from forum.forms import validate
from forum.models import Organisation, OrganisationKind, Person, Province, Side
from forum.paging import Page, like_pattern, paginate
from forum.policy import Actor

OFFICE_KINDS = {OrganisationKind.provincial_energy_office, OrganisationKind.government_agency}


class OrganisationFields(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    kind: OrganisationKind
    side: Side | None = None
    province_id: int | None = None
    description: str | None = Field(default=None, max_length=5000)


@dataclass(frozen=True)
class OrganisationRow:
    organisation: Organisation
    province_name: str
    people: int


def list_organisations(
    session: Session,
    actor: Actor,
    *,
    q: str = "",
    kind: str = "",
    side: str = "",
    province_id: int | None = None,
    archived: bool = False,
    page: int = 1,
    per_page: int = 25,
) -> Page[OrganisationRow]:
    """Search by name (Thai substring), filter by kind, side, province. Raises Forbidden."""
    policy.require(actor, "forum.organisation.view")
    people = (
        select(Person.organisation_id, func.count().label("people"))
        .where(col(Person.archived_at).is_(None))
        .group_by(col(Person.organisation_id))
        .subquery()
    )
    query = (
        select(Organisation, func.coalesce(Province.name_th, ""), func.coalesce(people.c.people, 0))
        .join(Province, Province.id == Organisation.province_id, isouter=True)
        .join(people, people.c.organisation_id == Organisation.id, isouter=True)
        .where(
            col(Organisation.archived_at).is_not(None)
            if archived
            else col(Organisation.archived_at).is_(None)
        )
    )
    if q := q.strip()[:100]:
        pattern = like_pattern(q)
        query = query.where(
            or_(
                col(Organisation.name).ilike(pattern, escape="\\"),
                col(Organisation.name_en).ilike(pattern, escape="\\"),
            )
        )
    if kind in OrganisationKind.__members__:
        query = query.where(Organisation.kind == kind)
    if side in Side.__members__:
        query = query.where(Organisation.side == side)
    if province_id:
        query = query.where(Organisation.province_id == province_id)
    result = paginate(
        session,
        query.order_by(col(Organisation.name), col(Organisation.id)),
        page=page,
        per_page=per_page,
    )
    return Page(
        items=[OrganisationRow(org, province, count) for org, province, count in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
    )


def get_organisation(session: Session, actor: Actor, *, organisation_id: int) -> Organisation:
    policy.require(actor, "forum.organisation.view")
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound()
    return organisation


@dataclass(frozen=True)
class OrganisationProfile:
    organisation: Organisation
    province: Province | None
    people: Page[Any]  # its people (forum.people.PersonRow), first page


def organisation_profile(
    session: Session, actor: Actor, *, organisation_id: int
) -> OrganisationProfile:
    """What the organisation's page shows. Raises Forbidden, NotFound."""
    organisation = get_organisation(session, actor, organisation_id=organisation_id)
    province = session.get(Province, organisation.province_id) if organisation.province_id else None
    members = people.list_people(session, actor, organisation_id=organisation_id, per_page=100)
    return OrganisationProfile(organisation, province, members)


def _checked(
    session: Session, data: dict[str, object], *, organisation_id: int | None = None
) -> OrganisationFields:
    values = validate(OrganisationFields, data, multiline=frozenset({"description"}))
    if values.side is None:
        values.side = Side.office if values.kind in OFFICE_KINDS else Side.network
    if values.province_id is not None and session.get(Province, values.province_id) is None:
        raise NotAChoice({"province_id": "Please choose one of the options."})
    duplicate = session.exec(
        select(Organisation.id).where(
            func.lower(Organisation.name) == values.name.lower(),
            Organisation.province_id == values.province_id
            if values.province_id
            else col(Organisation.province_id).is_(None),
            Organisation.id != (organisation_id or -1),
            col(Organisation.archived_at).is_(None),
        )
    ).first()
    if duplicate:
        raise Conflicting(
            {"name": "An organisation with this name already exists in this province."}
        )
    return values


def create_organisation(session: Session, actor: Actor, **data: object) -> Organisation:
    """Raises Forbidden, InvalidInput."""
    policy.require(actor, "forum.organisation.create")
    values = _checked(session, data)
    organisation = Organisation(**values.model_dump(exclude_none=True))
    session.add(organisation)
    session.flush()
    audit.record(session, actor, "forum.organisation.create", organisation)
    session.commit()
    return organisation


def update_organisation(
    session: Session, actor: Actor, *, organisation_id: int, version: int, **data: object
) -> Organisation:
    """Raises Forbidden, NotFound, StaleEdit, InvalidInput."""
    organisation = get_organisation(session, actor, organisation_id=organisation_id)
    policy.require(actor, "forum.organisation.edit", organisation)
    if organisation.version != version:
        raise StaleEdit()
    values = _checked(session, data, organisation_id=organisation_id)
    before = audit.snapshot(organisation)
    if not claim_version(session, Organisation, organisation_id, version):
        session.rollback()
        raise StaleEdit()  # someone saved between our read and this write
    for name, value in values.model_dump().items():
        setattr(
            organisation,
            name,
            value if value is not None else "" if name in {"name_en", "description"} else None,
        )
    organisation.version = version + 1
    audit.record(session, actor, "forum.organisation.edit", organisation, before=before)
    session.commit()
    return organisation


def set_organisation_archived(
    session: Session, actor: Actor, *, organisation_id: int, archived: bool
) -> Organisation:
    """Archive (hide from lists and choices) or restore. Raises Forbidden, NotFound, Conflict."""
    organisation = get_organisation(session, actor, organisation_id=organisation_id)
    policy.require(actor, "forum.organisation.archive", organisation)
    if (organisation.archived_at is not None) == archived:
        raise Conflict(
            "This organisation is already archived."
            if archived
            else "This organisation is not archived."
        )
    before = audit.snapshot(organisation)
    organisation.archived_at = utcnow() if archived else None
    organisation.version += 1
    audit.record(
        session,
        actor,
        "forum.organisation.archive" if archived else "forum.organisation.restore",
        organisation,
        before=before,
    )
    session.commit()
    return organisation


def organisation_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every active organisation, for select boxes."""
    rows = session.exec(
        select(Organisation.id, Organisation.name)
        .where(col(Organisation.archived_at).is_(None))
        .order_by(col(Organisation.name))
    )
    return [(row[0], row[1]) for row in rows]
