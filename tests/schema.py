"""The schema the tests build straight from the models (a test checks the migrations make
the same: tests/unit/forum/test_migrations.py)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import forum.models  # noqa: F401  (with the above: every table joins the metadata)


def create_all(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)
