"""Rendered fragments kept for reuse, with holes for what differs per reader.

A page part that many people read and few change (an agenda of 25 items, a thread of 200
posts) is rendered once per version of its data and kept here under a key naming that
version (deliberation's agendas: Agenda.revision, moved by the database on every change).
What differs per reader (the CSRF token in its forms, "3 new" markers, the edit link on
one's own posts) is rendered as a hole, `hole(name, key)`, and filled on each request
from the reader's own small data: a hit costs a join of strings instead of the render.

A hole is an HTML comment of a fixed shape. Text from people cannot make one: every
text is escaped on its way into a page (`<` becomes `&lt;`), and the Markdown renderer
passes no raw HTML.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

from markupsafe import Markup

_HOLE = re.compile(r"<!--hole ([a-z_]+) ([0-9a-z_]*)-->")


def hole(name: str, key: object = "") -> Markup:
    """The marker a cached render leaves where the reader's own text goes (`name`: lower
    case letters and _; `key`: an id or a word)."""
    marker = f"<!--hole {name} {key}-->"
    assert _HOLE.fullmatch(marker), marker
    return Markup(marker)  # noqa: S704 (checked shape, no user text)


Filler = Callable[[str], str]  # the hole's key -> its HTML (already safe)


@dataclass(frozen=True)
class Fragment:
    """A rendered fragment cut at its holes: literal text at even positions, the holes'
    (name, key) at odd ones."""

    parts: tuple[str, ...]
    holes: tuple[tuple[str, str], ...]

    @property
    def size(self) -> int:
        return sum(map(len, self.parts))

    def fill(self, fillers: Mapping[str, Filler]) -> Markup:
        out = [self.parts[0]]
        for (name, key), text in zip(self.holes, self.parts[1:], strict=True):
            out.append(fillers[name](key))
            out.append(text)
        return Markup("".join(out))  # noqa: S704 (rendered escaped; fillers return safe HTML)


def cut(html: str) -> Fragment:
    """A rendered fragment, cut at its holes."""
    pieces = _HOLE.split(html)  # text, name, key, text, name, key, …, text
    return Fragment(tuple(pieces[0::3]), tuple(zip(pieces[1::3], pieces[2::3], strict=True)))


class FragmentCache:
    """A least-recently-used map of key -> Fragment within a budget of characters (a
    thread of 200 posts renders to about 400,000), shared by the requests of one process
    (thread-safe: sync routes run in a thread pool)."""

    def __init__(self, budget: int = 16_000_000) -> None:
        self.budget = budget
        self.used = 0
        self._entries: OrderedDict[Hashable, Fragment] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> Fragment | None:
        with self._lock:
            fragment = self._entries.get(key)
            if fragment is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return fragment

    def put(self, key: Hashable, html: str) -> Fragment:
        fragment = cut(html)
        if len(html) > self.budget:
            return fragment  # used this once, never kept
        with self._lock:
            replaced = self._entries.pop(key, None)
            if replaced is not None:
                self.used -= replaced.size
            self._entries[key] = fragment
            self.used += fragment.size
            while self.used > self.budget:
                _key, dropped = self._entries.popitem(last=False)
                self.used -= dropped.size
        return fragment

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.used = 0
