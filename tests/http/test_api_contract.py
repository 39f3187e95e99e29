"""Issue 12, part 3: the JSON API keeps its own contract. Schemathesis generates requests
from /api/v1/openapi.json — every operation, valid and invalid input — as a site admin's
API token, against the app on a real database with one of every record a route can name,
and runs all its checks: no server error, every status code and response body as the
document says, a request the schema accepts is accepted, one it refuses is refused, 405s
carry their Allow header."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from forum import accounts
from tests import factories
from tests.http import test_permission_matrix as matrix

world = matrix.world  # the permission matrix's records (their ids fill the paths)

EXAMPLES = 25  # requests generated per operation and phase


@pytest.fixture
def admin_token(session) -> str:
    admin = factories.person(session, is_admin=True)
    _row, token = accounts.create_api_token(
        session, accounts.actor_for(session, admin), name="contract"
    )
    return token


# What the document cannot state, refused all the same — by the field named, and only so: a
# request the schema accepts may meet these refusals (when the generated ids name records that
# exist), and no other. JSON Schema cannot compare two fields (a meeting must end after it
# starts), nor say which web addresses a URL parser takes (an online meeting's link). Every
# other rule across fields is in the schemas (forum.models.any_of / when); a body that names
# a record that is not there, or a name already taken, is answered 404 / 409
# (forum.errors.NotAChoice / Conflicting); a search that names nothing to find answers with
# no results and a notice.
KNOWN_GAPS: dict[str, tuple[str, ...]] = {
    "POST /api/v1/bodies/{body_id}/meetings [positive]": ("ends_at", "online_url"),
    "PATCH /api/v1/meetings/{meeting_id} [positive]": ("ends_at", "online_url"),
    # what a count must hold depends on the ballot's method (its options, a motion's choices)
    # and the numbers must fit together (no option counted more often than there are papers)
    "POST /api/v1/ballots/{ballot_id}/counts [positive]": ("counts",),
    # a choice's shape is the ballot's method's (a motion's word, an approval's list …)
    "POST /api/v1/ballots/{ballot_id}/votes [positive]": ("choice",),
}


def _only_known(label: str, text: str) -> bool:
    """The failure is the operation's documented refusal: a 422 naming only those fields."""
    fields = KNOWN_GAPS.get(label)
    if not fields or "[422]" not in text or text.count("Schemathesis found 1 distinct") != 1:
        return False
    named = text.split('"fields":{', 1)[-1].split("}", 1)[0]
    return bool(named) and all(
        any(f'"{field}"' == part.split(":", 1)[0].strip() for field in fields)
        for part in named.split(",")
        if ":" in part
    )


def test_every_operation_keeps_the_documented_contract(app, world, admin_token):
    api = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {admin_token}"}
    failures: dict[str, str] = {}
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) > 50
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def call(case):
                case.call_and_validate(headers=headers)

            try:
                call()
            except Unsatisfiable:  # nothing to send wrong: an operation without parameters
                continue
            except (Exception, BaseExceptionGroup) as failure:  # each operation's is listed
                lines = str(failure).strip().splitlines()
                failures[f"{operation.label} [{mode.value}]"] = " | ".join(lines[:14])
    unexpected = {
        label: text for label, text in failures.items() if not _only_known(label, text)
    }
    assert unexpected == {}, "\n".join(f"{label}: {text}" for label, text in unexpected.items())  # noqa: E501


def test_the_document_states_bounds_as_json_schema_does(app):
    """minimum/maximum, never pydantic's ge/le (which no client reads); 400 documented."""
    document = app.openapi()
    text = str(document)
    assert "'ge':" not in text and "'le':" not in text and "'minimum': 1" in text
    people = document["paths"]["/api/v1/people"]["get"]
    assert "400" in document["paths"]["/api/v1/bodies"]["post"]["responses"]
    assert any(
        p["name"] == "per_page" and p["schema"]["maximum"] == 100 for p in people["parameters"]
    )
    search = document["paths"]["/api/v1/search"]["get"]["parameters"]
    assert next(p for p in search if p["name"] == "q")["required"] is True


@pytest.mark.anyio
async def test_a_method_not_allowed_says_which_are_and_a_body_that_is_not_json_is_400(as_member):
    client = await as_member("admin")
    response = await client.json("PUT", "/api/v1/bodies", {})
    assert response.status_code == 405 and set(
        response.headers["allow"].replace(" ", "").split(",")
    ) == {"GET", "POST"}
    headers = {"Content-Type": "application/json", "X-CSRF-Token": await client.csrf_token()}
    unreadable = await client.http.post("/api/v1/bodies", content=b"\xff\xfe{", headers=headers)
    assert unreadable.status_code == 400
    assert unreadable.json()["message"] == "อ่านคำขอไม่ได้ โปรดส่งข้อมูลเป็นออบเจกต์ JSON"
    unfinished = await client.http.post("/api/v1/bodies", content=b'{"name": ', headers=headers)
    assert unfinished.status_code == 422 and unfinished.json()["fields"]
