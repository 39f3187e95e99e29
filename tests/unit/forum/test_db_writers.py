"""SQLite writers queue on a lock within a process (forum/db.py): a transaction holds it
from its first write until it commits, rolls back or its connection goes back to the pool,
and the next writer is woken the moment it is released."""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa

from forum import db


def _engine(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'writers.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE t (n INTEGER)"))
    return engine


def _lock(engine) -> threading.Lock:
    with engine.connect() as connection:
        return type(connection.connection.dbapi_connection).writers


def test_a_transaction_holds_the_lock_from_its_first_write_until_it_ends(tmp_path):
    engine = _engine(tmp_path)
    writers = _lock(engine)
    for end in ("commit", "rollback", "close"):
        connection = engine.connect()
        connection.execute(sa.text("SELECT count(*) FROM t"))
        assert not writers.locked()  # reading takes nothing
        connection.execute(sa.text("INSERT INTO t VALUES (1)"))
        assert writers.locked()
        if end == "close":
            connection.close()  # back to the pool, which rolls back
        else:
            getattr(connection, end)()
            connection.close()
        assert not writers.locked(), end


def test_the_next_writer_waits_for_the_commit_and_goes_at_once(tmp_path):
    engine = _engine(tmp_path)
    order: list[str] = []
    first = engine.connect()
    first.execute(sa.text("INSERT INTO t VALUES (1)"))

    def second() -> None:
        with engine.begin() as connection:
            connection.execute(sa.text("INSERT INTO t VALUES (2)"))
            order.append("second wrote")

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.2)
    assert order == []  # queued behind the first transaction
    order.append("first commits")
    first.commit()
    first.close()
    thread.join(5)
    assert order == ["first commits", "second wrote"]
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM t")).scalar_one() == 2


def test_a_failed_write_releases_the_lock_with_its_rollback(tmp_path):
    engine = _engine(tmp_path)
    writers = _lock(engine)
    with engine.connect() as connection:
        try:
            connection.execute(sa.text("INSERT INTO nowhere VALUES (1)"))
        except sa.exc.OperationalError:
            connection.rollback()
    assert not writers.locked()
    with engine.begin() as connection:  # and the next writer goes through
        connection.execute(sa.text("INSERT INTO t VALUES (3)"))
    assert not writers.locked()


def test_a_durable_commit_syncs_fully_and_the_connection_goes_back_to_normal(tmp_path):
    """forum.db.durable: a vote's transaction commits with synchronous=FULL (on the disk
    before it is acknowledged); the pooled connection then serves others as before."""
    from sqlmodel import Session

    engine = db.make_engine(f"sqlite:///{tmp_path / 'durable.sqlite3'}")
    with Session(engine) as session:
        assert session.connection().exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        db.durable(session)
        assert session.connection().exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        session.commit()
    with Session(engine) as session:  # the same pooled connection, back to NORMAL
        assert session.connection().exec_driver_sql("PRAGMA synchronous").scalar() == 1
    engine.dispose()
