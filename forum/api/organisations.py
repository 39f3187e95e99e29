"""/api/v1/organisations — Provincial Energy Offices and their network partners."""

from __future__ import annotations

from fastapi import APIRouter

from forum import organisations
from forum.api.params import IdQuery, PageQuery, PathId, PerPageQuery, SearchQuery
from forum.models import (
    Organisation,
    OrganisationCreate,
    OrganisationKind,
    OrganisationListItem,
    OrganisationPage,
    OrganisationPublic,
    OrganisationUpdate,
    Side,
)
from forum.web import MemberDep, SessionDep

router = APIRouter(prefix="/organisations", tags=["organisations"])

EDITABLE = ("name", "name_en", "kind", "side", "province_id", "description")


def public(organisation: Organisation) -> OrganisationPublic:
    return OrganisationPublic.model_validate(organisation)


@router.get("", response_model=OrganisationPage)
def list_organisations(
    session: SessionDep,
    actor: MemberDep,
    q: SearchQuery = "",
    kind: OrganisationKind | None = None,
    side: Side | None = None,
    province_id: IdQuery = None,
    archived: bool = False,
    page: PageQuery = 1,
    per_page: PerPageQuery = 25,
) -> OrganisationPage:
    result = organisations.list_organisations(
        session,
        actor,
        q=q,
        kind=kind or "",
        side=side or "",
        province_id=province_id,
        archived=archived,
        page=page,
        per_page=per_page,
    )
    items = [
        OrganisationListItem.model_validate(
            row.organisation, update={"province_name": row.province_name, "people": row.people}
        )
        for row in result.items
    ]
    return OrganisationPage(
        items=items, total=result.total, page=result.page, per_page=result.per_page
    )


@router.post("", response_model=OrganisationPublic, status_code=201)
def create_organisation(
    session: SessionDep, actor: MemberDep, payload: OrganisationCreate
) -> OrganisationPublic:
    return public(
        organisations.create_organisation(session, actor, **payload.model_dump(exclude_unset=True))
    )


@router.get("/{organisation_id}", response_model=OrganisationPublic)
def get_organisation(
    session: SessionDep, actor: MemberDep, organisation_id: PathId
) -> OrganisationPublic:
    return public(organisations.get_organisation(session, actor, organisation_id=organisation_id))


@router.patch("/{organisation_id}", response_model=OrganisationPublic)
def update_organisation(
    session: SessionDep, actor: MemberDep, organisation_id: PathId, payload: OrganisationUpdate
) -> OrganisationPublic:
    """Change only the fields sent; `version` is the one you read (409 when it is stale)."""
    current = organisations.get_organisation(session, actor, organisation_id=organisation_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    data = {name: getattr(current, name) for name in EDITABLE} | changes
    return public(
        organisations.update_organisation(
            session, actor, organisation_id=organisation_id, version=payload.version, **data
        )
    )


@router.post("/{organisation_id}/archive", response_model=OrganisationPublic)
def archive_organisation(
    session: SessionDep, actor: MemberDep, organisation_id: PathId
) -> OrganisationPublic:
    return public(
        organisations.set_organisation_archived(
            session, actor, organisation_id=organisation_id, archived=True
        )
    )


@router.post("/{organisation_id}/restore", response_model=OrganisationPublic)
def restore_organisation(
    session: SessionDep, actor: MemberDep, organisation_id: PathId
) -> OrganisationPublic:
    return public(
        organisations.set_organisation_archived(
            session, actor, organisation_id=organisation_id, archived=False
        )
    )
