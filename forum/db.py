"""Engines, sessions and the schema check (Alembic is the only way the schema changes)."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

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


# -- a hot read through the driver ----------------------------------------------------------
# A query every page runs (the log-in) costs SQLAlchemy's execution machinery about four
# times what the driver's own cursor costs on SQLite (30 µs against 7). Such a query is
# written once in plain SQL with `?` placeholders and run here, in the session's own
# connection and transaction; a datetime parameter is passed as each database stores it,
# and `read_datetime` reads one back.

_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a UTC datetime in SQLite


def driver_rows(session: Any, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of `sql` (placeholders `?`) as plain tuples, through the DB-API cursor of
    the session's connection."""
    connection = session.connection()
    on_sqlite = connection.dialect.name == "sqlite"
    if on_sqlite:
        params = [
            value.astimezone(UTC).strftime(_SQLITE_DATETIME)
            if isinstance(value, datetime)
            else value
            for value in params
        ]
    else:
        sql = _pyformat(sql)
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql, params)
        return cursor.fetchall()
    finally:
        cursor.close()


@lru_cache(maxsize=64)
def _pyformat(sql: str) -> str:
    return sql.replace("?", "%s")


def read_datetime(value: Any) -> datetime | None:
    """A datetime column as driver_rows hands it back (SQLite: text in UTC), aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# SQLite: a connection per thread that asks for one is kept (the requests' threads,
# WETHI_REQUEST_THREADS, the live hub's and the event loop's), so a burst — a hall joining
# at once — reuses them; making one costs a file open and its pragmas, about a millisecond
# of a request. PostgreSQL's connections are the server's, so fewer are kept there.
SQLITE_POOL = 16


def make_engine(url: str, *, pool_size: int | None = None) -> Engine:
    # The pool never makes a caller wait (max_overflow=-1): the request dependencies
    # (forum.web) run on the event loop, and a loop waiting for a connection that only
    # the loop can give back (a thread's request closes its session there) would freeze
    # the worker. Connections past `pool_size` are closed when given back.
    if url.startswith("sqlite"):
        pool_size = pool_size or SQLITE_POOL
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30, "factory": _writers_queue()},
            pool_size=pool_size,
            max_overflow=-1,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "checkin", _back_to_normal)
        return engine
    return create_engine(url, pool_size=pool_size or 10, max_overflow=-1, pool_pre_ping=True)


def durable(session: Any) -> None:
    """This transaction's commit is on the disk before it returns, whatever the power does
    next (a vote acknowledged is never lost). SQLite in WAL with synchronous=NORMAL survives
    a crashed process but may lose the last commits to a power cut: this connection commits
    with synchronous=FULL until it goes back to the pool. Call it before the transaction's
    first write (SQLite refuses to change it inside a transaction). PostgreSQL's commits
    are durable already."""
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not connection.info.get("durable"):
        connection.exec_driver_sql("PRAGMA synchronous=FULL")
        connection.info["durable"] = True


def _back_to_normal(dbapi_connection, record) -> None:
    if record.info.pop("durable", False) and dbapi_connection is not None:  # None: invalidated
        try:
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error:  # inside a transaction the pool will roll back: next time
            record.info["durable"] = True


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# SQLite lets one transaction write at a time. One that finds the database locked sleeps
# and tries again (1, 2, 5, 10 … 100 ms): under a steady stream of small writes — a hall
# voting, each vote and its live frame a write — those sleeps add up to delays of a second
# with the CPU idle. Within a process, writers queue on a lock instead, and each is woken
# the moment the one before it commits or rolls back. Writers in other processes still
# meet SQLite's own wait.
_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
QUEUE_TIMEOUT = 30.0  # seconds; then the write goes ahead and SQLite's busy wait decides


class _QueuedConnection(sqlite3.Connection):
    """A connection that holds its engine's writer lock from its first write until its
    transaction ends (sqlite3 begins one implicitly before the first write)."""

    writers: threading.Lock  # set per engine by _writers_queue
    holding = False

    def cursor(self, factory: Any = None) -> sqlite3.Cursor:  # type: ignore[override]
        return super().cursor(factory or _QueuedCursor)

    def hold(self) -> None:
        if not self.holding and self.writers.acquire(timeout=QUEUE_TIMEOUT):
            self.holding = True

    def _release(self) -> None:
        if self.holding:
            self.holding = False
            self.writers.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()


def _writers_queue() -> type[_QueuedConnection]:
    """A connection class sharing one writer lock: one per engine (one database)."""
    return type("QueuedConnection", (_QueuedConnection,), {"writers": threading.Lock()})


class _QueuedCursor(sqlite3.Cursor):
    """Takes its connection's place in the writers' queue right before a write runs (after
    SQLAlchemy's own events, as SQLite's own lock would be met)."""

    connection: _QueuedConnection

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        if not self.connection.holding and _WRITE.match(sql):
            self.connection.hold()
        return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:  # type: ignore[override]
        if not self.connection.holding and _WRITE.match(sql):
            self.connection.hold()
        return super().executemany(sql, parameters)


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


def claim_version(session: Session, model: type[SQLModel], record_id: int, version: int) -> bool:
    """Compare-and-set on a record's `version` column (optimistic locking): True if this
    transaction moved it from `version` to `version + 1`. Of two simultaneous edits of the
    same version, the row lock orders them and only the first gets True."""
    table = model.__table__  # type: ignore[attr-defined]
    result = session.connection().execute(
        table.update()
        .where(table.c.id == record_id, table.c.version == version)
        .values(version=version + 1)
    )
    return result.rowcount == 1
