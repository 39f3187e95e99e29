"""The pages' templates: one Jinja2 environment per language, with the translations
folded in at compile time, values escaped on output, and the labels of enums."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, Template, nodes, select_autoescape
from jinja2.visitor import NodeTransformer
from markupsafe import Markup, escape

from forum import dates, i18n, labels, middleware, static
from forum.errors import FieldMessage
from forum.fragments import hole

ROOT = (
    Path(__file__).resolve().parents[2]
)  # the checkout: templates/ and static/ beside the packages
TEMPLATES_DIR = ROOT / "templates"
STATIC_DIR = ROOT / "static"
STATIC_VERSION = static.directory_version(STATIC_DIR)  # in every static address (forum/static.py)


class _FoldTranslations(NodeTransformer):
    """Replaces each `_("literal")` of a template by its translation, escaped, at compile
    time; `_("literal %(x)s", x=...)` keeps only the formatting for run time. A page's
    dozens of fixed texts then cost nothing per request."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        if not (
            isinstance(node.node, nodes.Name)
            and node.node.name in ("_", "gettext")
            and len(node.args) == 1
            and isinstance(node.args[0], nodes.Const)
            and isinstance(node.args[0].value, str)
            and node.dyn_args is None
            and node.dyn_kwargs is None
        ):
            return node
        text = escape(i18n.translate(node.args[0].value, self.locale))
        if not node.kwargs:
            return nodes.MarkSafe(
                nodes.Const(str(text % {} if "%" in text else text)), lineno=node.lineno
            )
        call = nodes.Call(
            nodes.Name("_format", "load"),
            [nodes.MarkSafe(nodes.Const(str(text)))],
            node.kwargs,
            None,
            None,
            lineno=node.lineno,
        )
        return call


try:  # markupsafe's C escaper (what `escape` calls), without wrapping each result in Markup
    from markupsafe import _escape_inner as _escape_str  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another markupsafe: the public function

    def _escape_str(text: str) -> str:
        return str(escape(text))


def _escape_output(value: Any) -> str:
    """`{{ value }}` in a template. Jinja escapes each value into a Markup object, only to
    join them all into the page: a plain escaped str joins the same, at a fraction of the
    cost (a page of fifty attendees outputs some 700 values). Anything else (Markup, a
    macro's output, an object with __html__) goes through markupsafe as before."""
    kind = type(value)
    if kind is str:
        return _escape_str(value)
    if kind is int:
        return str(value)
    return escape(value)


class _Template(Template):
    @classmethod
    def from_code(cls, environment, code, globals, uptodate=None):  # type: ignore[no-untyped-def]
        template = super().from_code(environment, code, globals, uptodate)
        # The compiled template's functions look `escape` up in their module's namespace.
        template.root_render_func.__globals__["escape"] = _escape_output
        return template


class _LocaleEnvironment(Environment):
    """The templates of one language (see _FoldTranslations): each is compiled once per
    language."""

    def __init__(self, locale: str) -> None:
        super().__init__(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(default=True),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self.locale = locale
        self.template_class = _Template

    def make_globals(self, d: Any = None) -> Any:
        """A template's globals as one plain dict rather than Jinja's ChainMap over the
        environment's: every render copies them into its context, and a dict copies in
        one step. The globals are all set when the environment is made (_make_environment)."""
        return {**self.globals, **(d or {})}

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        folded = _FoldTranslations(self.locale).visit(tree)
        return folded.set_environment(self)


def _template_gettext(message: str, **variables: Any) -> Markup:
    """`_()` in templates with a text known only at run time (a flash message's msgid,
    which comes from a cookie): text and variables both escaped. Plain functions rather
    than Jinja's context-passing newstyle callables, which copy the template context on
    every call inside a loop."""
    return _format(escape(i18n.gettext(message)), **variables)


def _format(text: Markup, **variables: Any) -> Markup:
    """An escaped translation with its variables, escaped (folded `_()` calls)."""
    return text % variables if variables or "%" in text else text


def _template_ngettext(singular: str, plural: str, num: int, **variables: Any) -> Markup:
    variables.setdefault("num", num)
    return escape(i18n.plural_text(singular, plural, num)) % variables


def field_message(message: FieldMessage | None) -> str:
    return i18n.gettext(message.msgid, **message.params) if message else ""


def label(value: StrEnum | str, enum_type: type[StrEnum] | None = None) -> str:
    """The translated display name of an enum member: {{ label(meeting.status, MeetingStatus) }}."""
    kind = enum_type or type(value)
    return i18n.gettext(
        labels.label_msgid(kind, str(value.value if isinstance(value, StrEnum) else value))
    )


def label_options(enum_type: type[StrEnum]) -> list[tuple[str, str]]:
    return [(value, i18n.gettext(msgid)) for value, msgid in labels.options(enum_type)]


def _make_environment(locale: str) -> Environment:
    environment = _LocaleEnvironment(locale)
    environment.globals.update(
        _=_template_gettext,
        gettext=_template_gettext,
        ngettext=_template_ngettext,
        _format=_format,
        field_message=field_message,
        action_label=lambda code: (
            i18n.gettext(labels.ACTION_LABELS[code]) if code in labels.ACTION_LABELS else code
        ),
        field_label=lambda name: (
            i18n.gettext(labels.FIELD_LABELS[name]) if name in labels.FIELD_LABELS else ""
        ),
        # Macros imported without context (the Jinja default) still reach the request's token.
        current_csrf_token=lambda: middleware.current_csrf_token.get(),
        label=label,
        label_options=label_options,
        hole=hole,
        static_version=STATIC_VERSION,
        **{cls.__name__: cls for cls in labels.ENUMS},
    )
    environment.newstyle_gettext = True  # type: ignore[attr-defined]  ({% trans %} blocks call the above)
    environment.filters["datetime"] = lambda value, style="long": (
        dates.format_datetime(value, i18n.current_locale.get(), style) if value else ""
    )
    environment.filters["date"] = lambda value, style="short": (
        dates.format_date(value, i18n.current_locale.get(), style) if value else ""
    )
    environment.filters["time"] = lambda value: (
        dates.format_time(value, i18n.current_locale.get()) if value else ""
    )
    environment.filters["urlquote"] = lambda value: quote(str(value), safe="")
    return environment


ENVIRONMENTS = {locale: _make_environment(locale) for locale in i18n.LOCALES}


def template_environment() -> Environment:
    """The request's language's templates."""
    return ENVIRONMENTS[i18n.current_locale.get()]
