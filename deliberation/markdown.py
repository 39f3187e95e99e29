"""Markdown for agenda descriptions and posts, rendered safe: paragraphs, line breaks, bold
and italic, lists, and links to http(s) addresses only. Raw HTML is never passed through:
`<script>` or `<img onerror=…>` in a text comes out as the text it is. The services refuse
such texts up front (`check_markup`), so that the writer learns why, rather than seeing them
shown as text."""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup

from forum.errors import InvalidInput

_SAFE_SCHEMES = ("http://", "https://")
_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9-]*(\s[^>]*)?/?>")
_EVENT_HANDLER = re.compile(r"<[^>]*\bon[a-z]+\s*=", re.I)  # even in an unclosed tag
_BAD_LINK = re.compile(
    r"\]\(\s*<?\s*(?!https?://)[^)\s]|<\s*(?:javascript|vbscript|data)\s*:", re.I
)


def check_markup(text: str, *, field: str) -> None:
    """Raise InvalidInput (on `field`) on HTML, event handlers or links that are not web
    addresses."""
    if _HTML_TAG.search(text) or _EVENT_HANDLER.search(text):
        raise InvalidInput(
            {
                field: "HTML is not accepted here (such as <script> or onclick=…). "
                "Use plain text with Markdown: **bold**, *italic*, lists and links."
            }
        )
    if _BAD_LINK.search(text):
        raise InvalidInput({field: "Links must be web addresses starting with https://"})


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


def stored_markdown(html: str, text: str) -> Markup:
    """A description's HTML as stored when it was written; rendered now only for a row
    written before descriptions were stored rendered (migration 0006)."""
    if html or not text.strip():
        return Markup(html)  # noqa: S704 (rendered safe by render_markdown when stored)
    return render_markdown(text)
