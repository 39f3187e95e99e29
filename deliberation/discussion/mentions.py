"""A post's text made safe to show: Markdown rendered by deliberation.markdown (the agenda's
renderer: no raw HTML, web links only) with its @mentions turned into links to the people.

Thai names hold spaces (สมชาย ใจดี), so a mention is written with brackets: @[สมชาย ใจดี],
the name as the body's list of members shows it. Each name must be a member's, or the post
is refused with a message naming it (a mistyped name would otherwise notify no one).
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from deliberation.markdown import render_markdown
from forum.errors import FieldMessage, InvalidInput

MENTION = re.compile(r"@\[([^\[\]\n]{1,200})\]")
MAX_MENTIONS = 20
# Stand-ins for the mentions while the Markdown is rendered (private-use characters, taken
# out of the text first): the renderer escapes text, not these, and they come back as links.
_OPEN, _CLOSE = "\ue010", "\ue011"
_STAND_IN = re.compile(f"{_OPEN}(\\d+){_CLOSE}")


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def resolve(text: str, members: list[tuple[int, str]]) -> dict[str, list[int]]:
    """The names mentioned in `text` with the ids of the members so named (two members of
    one name are both mentioned). Raises InvalidInput naming an unknown name."""
    by_name: dict[str, list[int]] = {}
    for person_id, name in members:
        by_name.setdefault(_key(name), []).append(person_id)
    found: dict[str, list[int]] = {}
    for match in MENTION.finditer(text):
        key = _key(match.group(1))
        if key in found:
            continue
        if key not in by_name:
            raise InvalidInput(
                {
                    "body": FieldMessage(
                        "No member of this body is called “%(name)s”. Write a mention as "
                        "@[name], with the name as the list of members shows it.",
                        {"name": " ".join(match.group(1).split())},
                    )
                }
            )
        found[key] = by_name[key]
        if len(found) > MAX_MENTIONS:
            raise InvalidInput({"body": "A post can mention at most 20 people."})
    return found


def render(text: str, mentioned: dict[str, list[int]]) -> Markup:
    """The post's HTML: Markdown rendered safe, each known @[name] a link to the person."""
    text = text.replace(_OPEN, "").replace(_CLOSE, "")
    links: list[tuple[str, str]] = []  # (the link, the plain "@name"), both escaped

    def stand_in(match: re.Match[str]) -> str:
        name = " ".join(match.group(1).split())
        ids = mentioned.get(_key(name))
        if not ids:
            return match.group(0)
        plain = str(escape(f"@{name}"))
        links.append((f'<a class="mention" href="/people/{ids[0]}">{plain}</a>', plain))
        return f"{_OPEN}{len(links) - 1}{_CLOSE}"

    html = str(render_markdown(MENTION.sub(stand_in, text)))
    # Each stand-in becomes its link only in text outside any other link; inside a tag (a
    # link's title, a URL) or inside a link's text it becomes the plain escaped "@name".
    pieces = _TAG.split(html)
    in_link = 0
    for index, piece in enumerate(pieces):
        if index % 2:  # a tag
            if piece.startswith("<a ") or piece == "<a>":
                in_link += 1
            elif piece == "</a>":
                in_link = max(0, in_link - 1)
            pieces[index] = _STAND_IN.sub(lambda m: links[int(m.group(1))][1], piece)
        else:
            form = 1 if in_link else 0
            pieces[index] = _STAND_IN.sub(lambda m, form=form: links[int(m.group(1))][form], piece)
    # Safe: the rest is the renderer's output; each link is built from an id and an escaped name.
    return Markup("".join(pieces))  # noqa: S704


_TAG = re.compile(r"(<[^>]*>)")


def render_known(text: str, members: list[tuple[int, str]]) -> Markup:
    """An earlier text (a revision): names no longer a member's stay as typed."""
    by_name: dict[str, list[int]] = {}
    for person_id, name in members:
        by_name.setdefault(_key(name), []).append(person_id)
    return render(text, by_name)
