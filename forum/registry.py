"""Named registries: the one way a package adds to the platform.

Each extension point of the core (permission rules, live channels, notification and
search kinds, a meeting's stage and delete hooks, the meeting page's panels, PDPA export
and erasure, demo content) is a `Registry`. Only a package's manifest (`component.py`,
called by `forum.app.create_app`) fills them, so `forum/app.py` and one manifest show all
that a package adds; nothing registers when a module is imported (tests/unit/
test_manifests.py checks it).

The tests build an app per test, and every app installs the same manifests: the same
registration again is accepted, a different one under a taken name is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

_ALL: list[Registry] = []


class DuplicateRegistration(ValueError):
    pass


@dataclass(frozen=True)
class _Entry(Generic[T]):
    value: T
    order: int


class Registry(Generic[T]):
    """Values under unique names, read in their stated order (then in registration order)."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._entries: dict[str, _Entry[T]] = {}
        self._values: dict[str, T] = {}
        # The value under a name, or None: the dict's own `get`, for the hottest reads (each
        # permission check a page makes).
        self.lookup = self._values.get
        self._sorted: list[tuple[str, _Entry[T]]] | None = None  # read on busy pages
        _ALL.append(self)

    def add(self, name: str, value: T, *, order: int = 0) -> None:
        """Register `value` under `name`; the same value again is accepted. Raises
        DuplicateRegistration for a different value under a taken name."""
        entry = _Entry(value, order)
        if self._entries.get(name, entry) != entry:
            raise DuplicateRegistration(f"{self.what}: {name!r} is registered twice")
        self._entries[name] = entry
        self._values[name] = value
        self._sorted = None

    def get(self, name: str) -> T | None:
        return self._values.get(name)

    def __getitem__(self, name: str) -> T:
        return self._values[name]

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> list[str]:
        return [name for name, _ in self._ordered()]

    def values(self) -> list[T]:
        return [entry.value for _, entry in self._ordered()]

    def items(self) -> list[tuple[str, T]]:
        return [(name, entry.value) for name, entry in self._ordered()]

    def __iter__(self) -> Iterator[T]:
        return iter(self.values())

    def _ordered(self) -> list[tuple[str, _Entry[T]]]:
        if self._sorted is None:
            self._sorted = sorted(self._entries.items(), key=lambda pair: pair[1].order)
        return self._sorted


def all_registries() -> list[Registry]:
    """Every registry the imported modules define (for the architecture tests)."""
    return list(_ALL)
