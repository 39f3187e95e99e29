"""Markdown for agenda descriptions, rendered safe: paragraphs, line breaks, bold and
italic, lists, and links to http(s) addresses only. Raw HTML is never passed through:
`<script>` or `<img onerror=…>` typed in a description comes out as the text it is."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup

_SAFE_SCHEMES = ("http://", "https://")


def _safe_link(url: str) -> bool:
    """Only web addresses: no javascript:, data:, vbscript:, file: or relative tricks."""
    return url.strip().lower().startswith(_SAFE_SCHEMES)


@cache
def _parser() -> MarkdownIt:
    # "zero" turns every rule off; only the subset agenda texts need is turned back on.
    parser = MarkdownIt("zero", {"html": False, "breaks": True, "linkify": False})
    parser.enable(["emphasis", "list", "link", "autolink", "newline", "escape"])
    parser.validateLink = _safe_link  # type: ignore[method-assign]

    def link_open(renderer, tokens, index, options, env):  # type: ignore[no-untyped-def]
        tokens[index].attrSet("rel", "nofollow noopener noreferrer")
        return renderer.renderToken(tokens, index, options, env)

    parser.add_render_rule("link_open", link_open)
    return parser


def render_markdown(text: str) -> Markup:
    """The HTML of `text` (a description), safe to put in a page."""
    if not text.strip():
        return Markup("")
    # Safe by construction: raw HTML is off and links are checked (above).
    return Markup(_parser().render(text))  # noqa: S704
