"""Issue 12, part 2: whole numbers from users, read in one place (forum.forms.whole_number).
Every integer parameter of every route, HTML and JSON, is fed digits of other kinds
(circled, superscript, full-width, another script's): each answers a clear 4xx, never a
server error and never as if the number were left out; Thai digits (๐–๙) answer as the
same number in 0–9 does. Integer form fields are refused with the message in Thai and
change nothing."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from forum.forms import ascii_digits
from forum.models import AuditEvent
from tests.http import test_permission_matrix as matrix
from tests.routes import all_routes, parameters

pytestmark = pytest.mark.anyio

world = matrix.world  # the permission matrix's records: one of each a route can name
concrete = matrix.concrete

OTHER_DIGITS = {"circled": "②", "superscript": "²", "full-width": "２", "arabic-indic": "٢"}
THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
OTHER_DIGITS_TH = "โปรดเขียนตัวเลขด้วยเลขอารบิก 0–9 หรือเลขไทย ๐–๙"
# Parameters that hold a whole number: ids, pages, versions, the live session's 6-digit code.
NUMBER_NAMES = {"page", "per_page", "version", "number", "newer", "older", "code"}
# Values for the query parameters no record names (a second page, the first version).
QUERY_VALUES = {"page": 2, "per_page": 5, "version": 1, "newer": 1, "older": 1}


def is_number(name: str) -> bool:
    return name in NUMBER_NAMES or name.endswith("_id")


def integer_doors(app) -> list[tuple[str, str, str, str]]:
    """(method, path, where, name) of every integer parameter of every route."""
    return [
        (method, path, where, name)
        for method, path, route in all_routes(app)
        for where, name in parameters(route)
        if is_number(name)
    ]


def test_the_walk_finds_the_integer_parameters_of_html_and_json_routes(app):
    doors = integer_doors(app)
    assert ("GET", "/search", "query", "page") in doors
    assert ("GET", "/api/v1/people", "query", "per_page") in doors
    assert ("GET", "/api/v1/meetings/{meeting_id}/agenda", "path", "meeting_id") in doors
    assert (
        "DELETE",
        "/api/v1/meetings/{meeting_id}/agenda/items/{item_id}",
        "query",
        "version",
    ) in doors
    assert len(doors) > 200


def url_with(path: str, world, where: str, name: str, value: str) -> str:
    if where == "path":
        return concrete(path.replace("{" + name + "}", value), world)
    return f"{concrete(path, world)}?{name}={value}"


async def send(client, method: str, url: str):
    if url.startswith("/api/"):
        return await client.json(method, url, {})
    return await (client.get(url) if method == "GET" else client.post(url, {}))


@pytest.mark.parametrize("kind", list(OTHER_DIGITS))
async def test_other_digits_in_any_integer_parameter_answer_a_clear_4xx(
    app, world, as_member, kind
):
    admin = await as_member("admin")
    wrong = []
    for method, path, where, name in integer_doors(app):
        if path == "/logout":
            continue
        real = str(world["params"].get(name, QUERY_VALUES.get(name, 1)))
        response = await send(
            admin, method, url_with(path, world, where, name, real[:-1] + OTHER_DIGITS[kind])
        )
        if not 400 <= response.status_code < 500:
            wrong.append(f"{method} {path} {where}:{name} -> {response.status_code}")
    assert wrong == []


async def test_a_query_number_in_other_digits_is_explained_in_thai(as_member):
    member = await as_member()
    for url in (
        "/search?q=ดิน&page=②",
        "/people?page=²",
        "/organisations?page=①",
        "/notifications?page=②",
        "/organisations?province_id=２",
    ):
        response = await member.get(url)
        assert response.status_code == 422 and OTHER_DIGITS_TH in response.text, url
    api = await member.json("GET", "/api/v1/people?page=②")
    assert api.status_code == 422 and api.json()["fields"]["page"] == OTHER_DIGITS_TH


async def test_thai_digits_answer_as_the_same_number_in_ascii(app, world, as_member):
    admin = await as_member("admin")
    differ = []
    for method, path, where, name in integer_doors(app):
        if method != "GET":
            continue  # reading twice changes nothing; the writes are the form fields' test
        real = str(world["params"].get(name, QUERY_VALUES.get(name, 1)))
        ascii_answer = await send(admin, method, url_with(path, world, where, name, real))
        thai_answer = await send(
            admin, method, url_with(path, world, where, name, real.translate(THAI))
        )
        if thai_answer.status_code != ascii_answer.status_code:
            differ.append(
                f"{path} {where}:{name}: {ascii_answer.status_code} in 0-9, {thai_answer.status_code} in ๐-๙"
            )
    assert differ == []


async def test_a_session_code_typed_in_thai_digits_opens_the_session(as_member, world, make_client):
    code = str(world["params"]["code"])
    page = await make_client().get(f"/s/{code.translate(THAI)}")
    assert page.status_code == 200 and 'name="nickname"' in page.text
    assert ascii_digits(code.translate(THAI)) == code


# Integer fields of forms, as their pages send them: (path, the fields that make the form
# otherwise valid, the integer field fed other digits, whether a person types it — its
# message is then shown beside it; a hidden or chosen one is refused all the same).
FORM_FIELDS = [
    ("/people/{person_id}/edit", {"display_name": "ชื่อ"}, "version", False),
    ("/organisations/{organisation_id}/edit", {"name": "สำนักงาน"}, "version", False),
    ("/bodies/{body_id}/edit", {"name": "คณะ"}, "version", False),
    ("/meetings/{meeting_id}/edit", {"title": "ประชุม"}, "version", False),
    ("/meetings/{meeting_id}/agenda/items", {"title": "วาระ"}, "part_id", False),
    ("/meetings/{meeting_id}/agenda/items/{item_id}/move", {"version": "0"}, "position", False),
    (
        "/meetings/{meeting_id}/agenda/items/{item_id}/posts",
        {"body": "ความเห็น"},
        "parent_id",
        False,
    ),
    ("/sessions/{session_id}/timer", {}, "minutes", True),
    ("/sessions/{session_id}/ideas/{idea_id}/merge", {}, "into_id", False),
    (
        "/sessions/{session_id}/promote",
        {"title": "เรื่อง", "target": "next_meeting"},
        "idea_id",
        False,
    ),
    ("/sessions/{session_id}/clusters/assign", {"cluster_id": "1"}, "idea_id", False),
]


@pytest.mark.parametrize(
    "path, values, field, typed",
    FORM_FIELDS,
    ids=[f"{path} {field}" for path, _v, field, _t in FORM_FIELDS],
)
async def test_an_integer_form_field_in_other_digits_is_refused_and_changes_nothing(
    session, world, as_member, path, values, field, typed
):
    admin = await as_member("admin")
    audited = session.exec(select(func.count()).select_from(AuditEvent)).one()
    response = await admin.post(concrete(path, world), values | {field: "②"})
    assert response.status_code == 422, response.text[-400:]
    assert OTHER_DIGITS_TH in response.text or not typed
    session.expire_all()
    assert session.exec(select(func.count()).select_from(AuditEvent)).one() == audited
