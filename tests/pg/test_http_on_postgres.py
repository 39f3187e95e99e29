"""Every HTTP test of tests/http, run again on PostgreSQL.

Each tests/http/[<folders>/]test_<topic>.py becomes a class `TestHttp<Folders><Topic>`
here (tests/http/deliberation/sessions/test_polls.py: TestHttpDeliberationSessionsPolls): its test functions
and fixtures as static methods, its module marks as the class's marks. Pytest then
resolves `engine` from tests/pg/conftest.py, so the very same tests run on a real
PostgreSQL; a new module in tests/http is included without touching this file, and two
modules may define fixtures of the same name without clashing.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

HTTP_TESTS = Path(__file__).resolve().parent.parent / "http"
# tests/pg/conftest.py provides these; a copy from elsewhere must not shadow them.
OWN_FIXTURES = {
    "engine",
    "fresh_database",
    "empty_database",
    "postgres_server",
    "postgres_template",
    "test_databases",
}


def _is_fixture(value: object) -> bool:
    return hasattr(value, "_fixture_function_marker") or hasattr(value, "_pytestfixturefunction")


def _static_fixture(value: object) -> object:
    """The same fixture, callable from a class without `self` (@pytest.fixture over @staticmethod)."""
    marker = getattr(value, "_fixture_function_marker", None)
    if marker is None:  # pytest < 8.4: a plain function carrying its marker
        return staticmethod(value)  # type: ignore[arg-type]
    return marker(staticmethod(value._get_wrapped_function()))  # type: ignore[attr-defined]


def _runs_on_anyio(module: object, module_marks: list) -> bool:
    def anyio(marks: object) -> bool:
        return any(getattr(mark, "name", "") == "anyio" for mark in marks)  # type: ignore[attr-defined]

    coroutines = [
        value
        for name, value in vars(module).items()
        if name.startswith("test") and inspect.iscoroutinefunction(value)
    ]
    return bool(coroutines) and (
        anyio(module_marks) or any(anyio(getattr(value, "pytestmark", [])) for value in coroutines)
    )


def _class_for(module_name: str) -> type:
    module = importlib.import_module(module_name)
    members: dict[str, object] = {"__module__": __name__, "__doc__": module.__doc__}
    marks = getattr(module, "pytestmark", [])
    members["pytestmark"] = list(marks) if isinstance(marks, list | tuple) else [marks]
    for name, value in vars(module).items():
        if name in OWN_FIXTURES:
            continue
        if name.startswith("test") and inspect.isfunction(value):
            members[name] = staticmethod(value)
        elif _is_fixture(value):
            members[name] = _static_fixture(value)
        elif (
            name.startswith("Test")
            and inspect.isclass(value)
            and value.__module__ == module.__name__
        ):
            members[name] = value
    if _runs_on_anyio(module, members["pytestmark"]):
        # anyio's plugin marks coroutine tests while collecting them, but does not see
        # through @staticmethod: request its backend fixture for the whole class instead.
        members["pytestmark"].append(pytest.mark.usefixtures("anyio_backend"))
    *folders, topic = module_name.removeprefix("tests.http.").split(".")
    words = [*folders, topic.removeprefix("test_")]
    name = "".join(part.title() for word in words for part in word.split("_"))
    return type("TestHttp" + name, (), members)


def _shared_fixtures() -> dict[str, object]:
    """Fixtures of tests/http/conftest.py, if there is one (pytest would not look there from here)."""
    if not (HTTP_TESTS / "conftest.py").exists():
        return {}
    module = importlib.import_module("tests.http.conftest")
    return {
        name: value
        for name, value in vars(module).items()
        if _is_fixture(value) and name not in OWN_FIXTURES
    }


globals().update(_shared_fixtures())
for _path in sorted(HTTP_TESTS.rglob("test_*.py")):
    _module = ".".join(("tests", "http", *_path.relative_to(HTTP_TESTS).with_suffix("").parts))
    _class = _class_for(_module)
    assert _class.__name__ not in globals(), f"two HTTP test modules make {_class.__name__}"
    globals()[_class.__name__] = _class
