"""/api/v1/bodies and /api/v1/memberships — the working groups, the committee, and who
sits in them with which role."""

from __future__ import annotations

from fastapi import APIRouter, Response

from forum import bodies
from forum.api.params import PathId
from forum.models import (
    BodyCreate,
    BodyDetail,
    BodyList,
    BodyListItem,
    BodyPublic,
    BodyUpdate,
    MemberPublic,
    MembershipCreate,
    MembershipPublic,
    MembershipUpdate,
)
from forum.web import MemberDep, SessionDep

router = APIRouter(tags=["bodies"])

EDITABLE = ("kind", "name", "name_en", "region_id", "description")


def member_public(row: bodies.MemberRow) -> MemberPublic:
    return MemberPublic.model_validate(
        row.membership,
        update={
            "display_name": row.person.display_name,
            "organisation_name": row.organisation_name,
        },
    )


@router.get("/bodies", response_model=BodyList)
def list_bodies(session: SessionDep, actor: MemberDep, archived: bool = False) -> BodyList:
    rows = bodies.list_bodies(session, actor, archived=archived)
    items = [
        BodyListItem.model_validate(
            row.body, update={"region_name": row.region_name, "members": row.members}
        )
        for row in rows
    ]
    return BodyList(items=items, total=len(items))


@router.post("/bodies", response_model=BodyPublic, status_code=201)
def create_body(session: SessionDep, actor: MemberDep, payload: BodyCreate) -> BodyPublic:
    return BodyPublic.model_validate(
        bodies.create_body(session, actor, **payload.model_dump(exclude_unset=True))
    )


@router.get("/bodies/{body_id}", response_model=BodyDetail)
def get_body(session: SessionDep, actor: MemberDep, body_id: PathId) -> BodyDetail:
    body = bodies.get_body(session, actor, body_id=body_id)
    members = [member_public(row) for row in bodies.list_members(session, actor, body_id=body_id)]
    return BodyDetail.model_validate(body, update={"members": members})


@router.patch("/bodies/{body_id}", response_model=BodyPublic)
def update_body(
    session: SessionDep, actor: MemberDep, body_id: PathId, payload: BodyUpdate
) -> BodyPublic:
    """Change only the fields sent; `version` is the one you read (409 when it is stale)."""
    current = bodies.get_body(session, actor, body_id=body_id)
    data = {name: getattr(current, name) for name in EDITABLE} | payload.model_dump(
        exclude_unset=True, exclude={"version"}
    )
    return BodyPublic.model_validate(
        bodies.update_body(session, actor, body_id=body_id, version=payload.version, **data)
    )


@router.post("/bodies/{body_id}/members", response_model=MembershipPublic, status_code=201)
def add_member(
    session: SessionDep, actor: MemberDep, body_id: PathId, payload: MembershipCreate
) -> MembershipPublic:
    return MembershipPublic.model_validate(
        bodies.add_member(session, actor, body_id=body_id, **payload.model_dump())
    )


@router.patch("/memberships/{membership_id}", response_model=MembershipPublic)
def change_role(
    session: SessionDep, actor: MemberDep, membership_id: PathId, payload: MembershipUpdate
) -> MembershipPublic:
    return MembershipPublic.model_validate(
        bodies.change_role(session, actor, membership_id=membership_id, role=payload.role)
    )


@router.delete("/memberships/{membership_id}", status_code=204)
def remove_member(session: SessionDep, actor: MemberDep, membership_id: PathId) -> Response:
    bodies.remove_member(session, actor, membership_id=membership_id)
    return Response(status_code=204)


@router.post("/bodies/{body_id}/archive", response_model=BodyPublic)
def archive_body(session: SessionDep, actor: MemberDep, body_id: PathId) -> BodyPublic:
    return BodyPublic.model_validate(
        bodies.set_body_archived(session, actor, body_id=body_id, archived=True)
    )


@router.post("/bodies/{body_id}/restore", response_model=BodyPublic)
def restore_body(session: SessionDep, actor: MemberDep, body_id: PathId) -> BodyPublic:
    return BodyPublic.model_validate(
        bodies.set_body_archived(session, actor, body_id=body_id, archived=False)
    )
