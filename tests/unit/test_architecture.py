"""The layout's contracts (DESIGN.md §1): import direction, services free of the web
framework, every permission action registered, every msgid translated, ruff clean."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from forum import catalog, policy
from forum.app import create_app  # noqa: F401  (loads every package's rules)

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("forum", "deliberation", "voting", "minutes")
WEB_MODULES = {"routes", "api", "web", "routes.py", "api.py", "web.py", "middleware.py", "app.py", "cli.py", "live.py", "static.py", "component.py", "components.py"}


def _python_files(package: str) -> list[Path]:
    return [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]


def test_import_linter_contract_holds():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_services_do_not_import_the_web_framework():
    offenders = []
    for package in PACKAGES:
        for path in _python_files(package):
            relative = path.relative_to(ROOT / package)
            if any(part in WEB_MODULES for part in relative.parts):  # a web module or folder, at any depth
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                if any(name.split(".")[0] in {"fastapi", "starlette"} for name in names):
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


_ACTION_USE = re.compile(r"""\b(?:require|can)\(\s*(?:\w+\s*,\s*)?["']([a-z_]+\.[a-z_.]+)["']""")


def test_every_permission_action_used_is_registered():
    used: set[str] = set()
    for package in PACKAGES:
        for path in _python_files(package):
            used |= set(_ACTION_USE.findall(path.read_text(encoding="utf-8")))
    for path in (ROOT / "templates").rglob("*.html"):
        used |= set(_ACTION_USE.findall(path.read_text(encoding="utf-8")))
    assert used, "the scan found no actions at all"
    assert sorted(used - policy.registered_actions()) == []


def test_an_unregistered_action_is_an_error_not_a_no():
    with pytest.raises(policy.UnknownAction):
        policy.can(policy.ANONYMOUS, "forum.no_such.action")


def test_every_message_has_a_thai_translation():
    assert catalog.missing("th") == []


def test_a_message_has_one_thai_translation_across_the_topic_catalogs():
    """The topic catalogs are merged into one: a msgid translated twice, differently, gets
    one of them everywhere (a search result labelled as a session's badge would be)."""
    from babel.messages.pofile import read_po

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for path in sorted((ROOT / "forum" / "locales" / "th").glob("*.po")):
        with path.open("rb") as file:
            for message in read_po(file):
                if not message.id or not message.string:
                    continue
                earlier = seen.setdefault(message.id, (path.name, message.string))
                if earlier[1] != message.string:
                    clashes.append((message.id, earlier, (path.name, message.string)))
    assert clashes == []


def test_thai_translations_keep_their_placeholders():
    translations = catalog.i18n.catalog("th")
    placeholder = re.compile(r"%\(\w+\)s")
    broken = {k: v for k, v in translations.items() if sorted(placeholder.findall(k)) != sorted(placeholder.findall(v))}
    assert broken == {}


def test_ruff_is_clean():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is a test dependency"
    result = subprocess.run([ruff, "check", "--quiet", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def test_every_audited_action_has_a_name_for_the_audit_log():
    from forum.labels import ACTION_LABELS

    recorded: set[str] = set()
    for package in PACKAGES:
        for path in _python_files(package):
            text = path.read_text(encoding="utf-8")
            for call in re.finditer(r"audit\.record\((.*?)\)\n", text, re.S):
                recorded |= set(re.findall(r'"((?:forum|deliberation|voting|minutes)\.[a-z_]+\.[a-z_]+)"', call.group(1)))
    assert recorded, "the scan found no audited actions"
    assert sorted(recorded - ACTION_LABELS.keys()) == []
