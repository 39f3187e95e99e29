"""/api/v1/people — member accounts. Contact details only where the service says so."""

from __future__ import annotations

from fastapi import APIRouter

from forum import people
from forum.api.params import IdQuery, PageQuery, PathId, PerPageQuery, SearchQuery
from forum.models import (
    Person,
    PersonListItem,
    PersonMembershipPublic,
    PersonPage,
    PersonPublic,
    PersonUpdate,
)
from forum.policy import Actor
from forum.web import MemberDep, SessionDep

router = APIRouter(prefix="/people", tags=["people"])

EDITABLE = ("display_name", "position", "phone", "organisation_id")


def public(profile: people.PersonProfile) -> PersonPublic:
    person = profile.person
    shown = profile.show_contact
    return PersonPublic(
        id=person.id,
        display_name=person.display_name,
        position=person.position,
        organisation_id=person.organisation_id,
        organisation_name=profile.organisation.name if profile.organisation else "",
        email=person.email if shown else None,
        phone=person.phone if shown else None,
        memberships=[
            PersonMembershipPublic(body_id=body.id, body_name=body.name, role=role)
            for body, role in profile.memberships
        ],
        archived_at=person.archived_at,
        version=person.version,
    )


@router.get("", response_model=PersonPage)
def list_people(
    session: SessionDep,
    actor: MemberDep,
    q: SearchQuery = "",
    organisation_id: IdQuery = None,
    page: PageQuery = 1,
    per_page: PerPageQuery = 25,
) -> PersonPage:
    result = people.list_people(
        session, actor, q=q, organisation_id=organisation_id, page=page, per_page=per_page
    )
    items = [
        PersonListItem.model_validate(
            row.person, update={"organisation_name": row.organisation_name}
        )
        for row in result.items
    ]
    return PersonPage(items=items, total=result.total, page=result.page, per_page=result.per_page)


@router.get("/me", response_model=PersonPublic)
def get_me(session: SessionDep, actor: MemberDep) -> PersonPublic:
    return public(people.get_person(session, actor, person_id=_own_id(actor)))


@router.get("/{person_id}", response_model=PersonPublic)
def get_person(session: SessionDep, actor: MemberDep, person_id: PathId) -> PersonPublic:
    return public(people.get_person(session, actor, person_id=person_id))


@router.patch("/{person_id}", response_model=PersonPublic)
def update_person(
    session: SessionDep, actor: MemberDep, person_id: PathId, payload: PersonUpdate
) -> PersonPublic:
    """Change only the fields sent (one's own profile, or anyone's for an admin)."""
    current: Person = people.get_person(session, actor, person_id=person_id).person
    data = {name: getattr(current, name) for name in EDITABLE} | payload.model_dump(
        exclude_unset=True, exclude={"version"}
    )
    people.update_person(session, actor, person_id=person_id, version=payload.version, **data)
    return public(people.get_person(session, actor, person_id=person_id))


def _own_id(actor: Actor) -> int:
    assert actor.person_id is not None  # MemberDep let only a signed-in actor through
    return actor.person_id
