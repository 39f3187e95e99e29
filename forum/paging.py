"""Pages of results: offset pagination over an indexed order, one count query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlmodel import Session, func, select

Row = TypeVar("Row")

MAX_PER_PAGE = 100
MAX_PAGE = 100_000  # beyond any real list; keeps a hostile ?page= from overflowing OFFSET


@dataclass(frozen=True)
class Page(Generic[Row]):
    items: list[Row]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(session: Session, query: Select[Any], *, page: int, per_page: int, scalars: bool = True) -> Page[Any]:
    page = min(max(1, page), MAX_PAGE)
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    total = session.exec(select(func.count()).select_from(query.order_by(None).subquery())).one()
    result = session.exec(query.offset((page - 1) * per_page).limit(per_page))  # type: ignore[call-overload]
    items = list(result.all())
    return Page(items=items, total=total, page=page, per_page=per_page)


def like_pattern(text: str) -> str:
    """A LIKE pattern that finds `text` anywhere (Thai has no spaces, so substring is the
    honest match here); the user's % and _ are escaped with backslash."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
