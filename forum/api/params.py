"""What every API module shares: typed path and query parameters and the error responses
the OpenAPI document names. Bounds keep hostile numbers away from the database (an id past
a 32-bit INTEGER would fail there, not here with a clear message)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query

from forum.forms import AS_WRITTEN
from forum.models import MAX_ID, ApiError

MAX_PAGE = 100_000

# Numbers as people write them: ASCII or Thai digits (forum.forms.AS_WRITTEN). The
# validator comes after Path/Query: so placed, the bounds reach the OpenAPI document as
# minimum and maximum (nested in another Annotated they would not).
PathId = Annotated[int, Path(ge=1, le=MAX_ID), AS_WRITTEN]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID), AS_WRITTEN]
PageQuery = Annotated[int, Query(ge=1, le=MAX_PAGE, description="1 is the first page."), AS_WRITTEN]
PerPageQuery = Annotated[int, Query(ge=1, le=100), AS_WRITTEN]
VersionQuery = Annotated[
    int, Query(ge=0, le=MAX_ID, description="The version you last read."), AS_WRITTEN
]
SearchQuery = Annotated[str, Query(max_length=200, description="Part of a name (Thai or English).")]

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ApiError,
        "description": "A request body that is not JSON at all (its fields are then 422).",
    },
    401: {
        "model": ApiError,
        "description": "Not logged in: no session, or a missing, unknown or revoked token.",
    },
    403: {
        "model": ApiError,
        "description": "Not allowed, or a session call without its X-CSRF-Token header.",
    },
    404: {"model": ApiError, "description": "No such record."},
    409: {
        "model": ApiError,
        "description": "Not possible now, or a stale `version` (someone else changed it).",
    },
    422: {
        "model": ApiError,
        "description": "Invalid input: `fields` holds one message per field, in the user's language.",
    },
    429: {
        "model": ApiError,
        "description": "Too many attempts (wrong codes, sign-ins): wait, then try again.",
    },
}
