"""What every API module shares: typed path and query parameters and the error responses
the OpenAPI document names. Bounds keep hostile numbers away from the database (an id past
a 32-bit INTEGER would fail there, not here with a clear message)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query

from forum.forms import Number
from forum.models import MAX_ID, ApiError

MAX_PAGE = 100_000

# Numbers as people write them: ASCII or Thai digits (forum.forms.Number).
PathId = Annotated[Number, Path(ge=1, le=MAX_ID)]
IdQuery = Annotated[Number | None, Query(ge=1, le=MAX_ID)]
PageQuery = Annotated[Number, Query(ge=1, le=MAX_PAGE, description="1 is the first page.")]
PerPageQuery = Annotated[Number, Query(ge=1, le=100)]
VersionQuery = Annotated[Number, Query(ge=0, le=MAX_ID, description="The version you last read.")]
SearchQuery = Annotated[str, Query(max_length=200, description="Part of a name (Thai or English).")]

ERRORS: dict[int | str, dict[str, Any]] = {
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
}
