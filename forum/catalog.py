"""Which English msgids the code and templates use, and which lack a Thai translation.

`python -m forum.catalog` prints the missing ones as .po entries to fill in; a test
fails while any is missing. Python msgids are found without marking each one: the
string arguments of domain errors and `ValueError`s, `gettext`/`_`, `flash=` and
`message=` keywords, the values of InvalidInput's dicts, the `message` attributes of
error classes, and the values of the message tables (`LABELS`, `_MESSAGES`, `_TITLES`).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir

from forum import i18n

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("forum", "deliberation", "voting", "minutes")
_CALLS = {"NotFound", "Forbidden", "NotLoggedIn", "Conflict", "StaleEdit", "InvalidInput", "RateLimited", "ValueError", "FieldMessage", "gettext", "_", "ngettext", "DomainError"}
_KEYWORDS = {"flash", "message"}
_TABLES = {"LABELS", "_MESSAGES", "_TITLES", "FIELD_LABELS", "ACTION_LABELS"}
_FIELD_DICTS = {"problems", "fields", "errors"}
_SKIP = {"catalog.py", "cli.py", "demo.py", "vendor.py", "config.py", "mail.py"}


def _strings(node: ast.AST | None) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Dict):
        return [s for value in node.values for s in _strings(value)]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def python_msgids(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in _CALLS and node.args:
                found.update(_strings(node.args[0]))
            if name == "send" and len(node.args) >= 3:  # mail.send(to, subject, body)
                found.update(_strings(node.args[1]) + _strings(node.args[2]))
            for keyword in node.keywords:
                if keyword.arg in _KEYWORDS:
                    found.update(_strings(keyword.value))
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            # problems["field"] = "msgid": a message for one field of a form
            names |= {t.value.id for t in targets if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name)} & _FIELD_DICTS
            if names & (_TABLES | _FIELD_DICTS) or ("message" in names and isinstance(node.value, ast.Constant)):
                found.update(_strings(node.value))
    return {msgid for msgid in found if msgid.strip() and any(c.isalpha() for c in msgid)}


def template_msgids() -> set[str]:
    method_map = [("**.html", "jinja2")]
    options = {"**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(ROOT / "templates", method_map, options_map=options):
        found.add(message if isinstance(message, str) else message[0])
    return found


def used_msgids() -> set[str]:
    found = template_msgids()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name not in _SKIP and "migrations" not in path.parts:
                found |= python_msgids(path)
    return found


def missing(locale: str = "th") -> list[str]:
    translations = i18n.catalog(locale)
    return sorted(msgid for msgid in used_msgids() if msgid not in translations)


def _po_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


if __name__ == "__main__":
    for msgid in missing(sys.argv[1] if len(sys.argv) > 1 else "th"):
        print(f"msgid {_po_quote(msgid)}\nmsgstr \"\"\n")
