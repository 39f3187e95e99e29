"""/api/v1/tokens — one's own personal API tokens (Authorization: Bearer wethi_…)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from forum import accounts
from forum.api.params import PathId
from forum.models import ApiTokenIssued, ApiTokenPublic, ApiTokenRequest
from forum.web import MemberDep, SessionDep

router = APIRouter(prefix="/tokens", tags=["tokens"])


@router.get("", response_model=list[ApiTokenPublic])
def list_tokens(session: SessionDep, actor: MemberDep) -> list[ApiTokenPublic]:
    return [
        ApiTokenPublic.model_validate(api_token)
        for api_token in accounts.list_api_tokens(session, actor)
    ]


@router.post("", response_model=ApiTokenIssued, status_code=201)
def create_token(session: SessionDep, actor: MemberDep, payload: ApiTokenRequest) -> ApiTokenIssued:
    """The token itself is in this answer only: keep it somewhere safe."""
    api_token, token = accounts.create_api_token(session, actor, **payload.model_dump())
    return ApiTokenIssued.model_validate(api_token, update={"token": token})


@router.delete("/{token_id}", status_code=204)
def revoke_token(session: SessionDep, actor: MemberDep, token_id: PathId) -> Response:
    accounts.revoke_api_token(session, actor, token_id=token_id)
    return Response(status_code=204)
