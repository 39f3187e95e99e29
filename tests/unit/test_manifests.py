"""One way in (DESIGN.md §1): a package adds to the platform only through its manifest,
which forum/app.py installs; importing a module registers nothing, and route modules
never reach into each other."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from forum import bodies, components, live, meetings, notifications, policy, privacy, registry
from forum import demo as forum_demo
from forum.app import MANIFESTS, create_app
from forum.config import get_settings

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("forum", "deliberation", "voting", "minutes")

_IMPORT_EVERYTHING = """
import importlib, json, pkgutil, sys
from forum import registry
names = []
for package in {packages!r}:
    module = importlib.import_module(package)
    names.append(package)
    for found in pkgutil.walk_packages(module.__path__, package + "."):
        if ".migrations" in found.name:
            continue
        importlib.import_module(found.name)
        names.append(found.name)
print(json.dumps({{
    "modules": names,
    "registries": {{r.what: r.names() for r in registry.all_registries()}},
}}))
"""


def test_importing_every_module_registers_nothing():
    """Every module of every package imported (manifests and routes too), no app made:
    every registry is still empty."""
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_EVERYTHING.format(packages=PACKAGES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"WETHI_SECRET_KEY": "x" * 40, "PATH": ""},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.splitlines()[-1])
    assert "deliberation.component" in found["modules"]
    assert len(found["registries"]) >= 10  # every registry module was imported
    assert {what: names for what, names in found["registries"].items() if names} == {}


def test_the_manifests_fill_every_registry():
    create_app(get_settings())
    assert [manifest.__name__ for manifest in MANIFESTS] == [
        "forum.component",
        "deliberation.component",
        "voting.component",
    ]
    assert {
        "forum.meeting.view",
        "deliberation.agenda.edit",
        "deliberation.live_session.run",
        "voting.ballot.cast",
    } <= (policy.registered_actions())
    assert {"meeting", "agenda", "item", "session"} <= set(live.CHANNELS.names())
    assert live.CHANNELS.get("session").ticketed and not live.CHANNELS.get("meeting").ticketed
    assert live.CHANNELS.get("session").snapshot is not None
    assert meetings.STATUS_HOOKS.names() == ["deliberation.conduct", "deliberation.publishing"]
    assert meetings.DELETE_HOOKS.names() == ["deliberation.agenda"]
    # the meeting page's panels, in their stated order: the item under consideration first
    assert meetings.PAGE_PANELS.names() == [
        "deliberation.conduct",
        "deliberation.sessions",
        "voting.ballots",
    ]
    assert bodies.PAGE_LINKS.names() == ["voting.ballots"]
    assert privacy.EXPORT_HOOKS.names() == ["deliberation", "voting"]
    assert components.COMMANDS.names() == ["verify"]
    assert privacy.ERASURE_HOOKS.names() == ["deliberation"]
    assert forum_demo.DEMO_HOOKS.names() == ["deliberation", "voting"]
    assert {kind.name for kind in notifications.kinds()} >= {
        "agenda_published",
        "suggestion_answered",
        "reply",
        "mention",
    }
    from deliberation import search

    assert set(search.KINDS.names()) >= {"agenda_item", "agenda_suggestion", "post"}


def test_installing_twice_is_the_same_and_a_different_registration_is_refused():
    create_app(get_settings())
    before = {r.what: r.items() for r in registry.all_registries()}
    create_app(get_settings())  # every test builds its app: the same registrations again
    assert {r.what: r.items() for r in registry.all_registries()} == before
    with pytest.raises(registry.DuplicateRegistration, match="twice"):
        meetings.PAGE_PANELS.add("deliberation.conduct", lambda *_: None)
    with pytest.raises(registry.DuplicateRegistration):
        policy.rule("deliberation.agenda.edit")(lambda actor, target: True)


def _route_modules() -> list[Path]:
    return [
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "routes" in path.relative_to(ROOT).parts[:-1] or path.name == "routes.py"
    ]


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def test_route_modules_do_not_use_each_others_private_names():
    """A route module calls services and presenters, never another route module's helpers:
    no `from …routes.x import _name`, no `x._name` on a route module imported as `x`."""
    route_names = {_module_name(path) for path in _route_modules()}
    offenders = []
    for path in _route_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    target = f"{node.module}.{alias.name}"
                    if target in route_names:
                        aliases.add(alias.asname or alias.name)
                    elif node.module in route_names and alias.name.startswith("_"):
                        offenders.append(f"{_module_name(path)}: {target}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in route_names:
                        aliases.add(alias.asname or alias.name)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
            ):
                offenders.append(f"{_module_name(path)}: {node.value.id}.{node.attr}")
    assert route_modules_found(route_names)
    assert offenders == []


def route_modules_found(names: set[str]) -> bool:
    return any(name.startswith("deliberation.") for name in names) and any(
        name.startswith("forum.") for name in names
    )


def test_route_modules_do_not_import_each_other():
    """What route modules share lives in a module that is no route module (a presenter, the
    package's `routes/__init__.py`, forum.web)."""
    route_names = {_module_name(path) for path in _route_modules()} - {
        name
        for name in (_module_name(path) for path in _route_modules())
        if name.endswith("__init__")
    }
    offenders = []
    for path in _route_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            offenders += [f"{_module_name(path)} -> {t}" for t in targets if t in route_names]
    assert offenders == []
