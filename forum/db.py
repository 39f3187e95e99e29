"""Engines, sessions and the schema check (Alembic is the only way the schema changes)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def utcnow() -> datetime:
    """Aware UTC: the one clock stored in the database (displayed in Bangkok time)."""
    return datetime.now(UTC)


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    # The pool never makes a caller wait (max_overflow=-1): the request dependencies
    # (forum.web) run on the event loop, and a loop waiting for a connection that only
    # the loop can give back (a thread's request closes its session there) would freeze
    # the worker. Connections past `pool_size` are closed when given back.
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=-1,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=-1, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def session_scope(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision."""
    config = alembic_config(str(engine.url.render_as_string(hide_password=False)))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def schema_state(engine: Engine) -> tuple[str | None, str]:
    """(the database's revision, the code's head revision)."""
    script = ScriptDirectory.from_config(alembic_config(""))
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, script.get_current_head() or ""


def schema_is_current(engine: Engine) -> bool:
    current, head = schema_state(engine)
    return current == head


def create_all_for_tests(engine: Engine) -> None:
    """Tests build the schema from the models directly; a test checks migrations match."""
    import forum.models  # noqa: F401  (registers the tables)

    SQLModel.metadata.create_all(engine)


def claim_version(session: Session, model: type[SQLModel], record_id: int, version: int) -> bool:
    """Compare-and-set on a record's `version` column (optimistic locking): True if this
    transaction moved it from `version` to `version + 1`. Of two simultaneous edits of the
    same version, the row lock orders them and only the first gets True."""
    table = model.__table__  # type: ignore[attr-defined]
    result = session.connection().execute(
        table.update().where(table.c.id == record_id, table.c.version == version).values(version=version + 1)
    )
    return result.rowcount == 1
