"""Alembic is the only way the schema changes: the migrations must build exactly the
models' schema, and a server must refuse to run on a schema that is behind.
(tests/pg/test_migrations_pg.py runs the same checks on PostgreSQL.)"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, select

from forum import db
from tests import schema

CLI = [sys.executable, "-c", "from forum.cli import main; main()"]


# The search index's full-text part is made by dialect-specific DDL outside the models'
# metadata (deliberation.models.SEARCH_INDEX_DDL): the FTS5 table with its shadow tables
# on SQLite, a generated column and its index on PostgreSQL.
FULL_TEXT_OBJECTS = ("search_entry_fts", "search_vector", "ix_search_entry_search_vector")


def _not_full_text(_object, name, _type, _reflected, _compare_to) -> bool:
    return not (name or "").startswith(FULL_TEXT_OBJECTS)


def schema_differences(engine: Engine) -> list:
    """What autogenerate would change to make the database match the models ([] = same)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _not_full_text}
        )
        return compare_metadata(context, SQLModel.metadata)


def migrate_then_step_back(engine: Engine) -> None:
    """A schema one revision behind the code (at base while there is a single revision)."""
    db.migrate(engine)
    command.downgrade(db.alembic_config(engine.url.render_as_string(hide_password=False)), "-1")


def run_cli(
    *args: str, database_url: str, data_dir: Path, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`wethi …` in its own process, as an operator would run it."""
    env = os.environ | {"WETHI_DATABASE_URL": database_url, "WETHI_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [*CLI, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_migrations_reach_head_and_build_exactly_the_models_schema(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'migrated.sqlite3'}")
    db.migrate(engine)
    assert db.schema_is_current(engine)
    assert schema_differences(engine) == []
    engine.dispose()


def test_serve_refuses_a_schema_that_is_behind(tmp_path):
    url = f"sqlite:///{tmp_path / 'behind.sqlite3'}"
    engine = db.make_engine(url)
    migrate_then_step_back(engine)
    assert not db.schema_is_current(engine)
    engine.dispose()

    result = run_cli("serve", "--port", str(free_port()), database_url=url, data_dir=tmp_path)

    assert result.returncode == 2, result.stdout + result.stderr
    assert "wethi migrate" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_brings_an_empty_database_to_head(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"

    result = run_cli("migrate", database_url=url, data_dir=tmp_path)

    assert result.returncode == 0, result.stderr
    engine = db.make_engine(url)
    assert db.schema_is_current(engine)
    engine.dispose()


def test_unknown_database_url_stops_migrate_with_one_clear_line(tmp_path):
    result = run_cli("migrate", database_url="mysql://x", data_dir=tmp_path)

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration error: ")
    assert "WETHI_DATABASE_URL" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_counts_migration_fills_in_the_counts_of_existing_meetings(tmp_path):
    """0004 puts each meeting's attendance counts on it, from the lines already there, and
    from then on the database keeps them."""
    url = f"sqlite:///{tmp_path / 'counts.db'}"
    engine = db.make_engine(url)
    command.upgrade(db.alembic_config(url), "0003")
    now = "2026-11-27 02:00:00.000000"
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO body (id, kind, name, name_en, description, created_at, version) "
            f"VALUES (1, 'working_group', 'คณะทำงาน', '', '', '{now}', 1)"
        )
        connection.exec_driver_sql(
            "INSERT INTO meeting (id, body_id, year_be, number, title, starts_at, ends_at, venue, "
            "online_url, status, checkin_code, created_at, version) VALUES "
            f"(1, 1, 2569, 1, '', '{now}', '{now}', 'ห้องประชุม', '', 'closed', '123456', '{now}', 1)"
        )
        for status in ("present", "guest", "absent", "invited"):
            connection.exec_driver_sql(
                "INSERT INTO attendance (meeting_id, guest_name, guest_organisation, status, "
                f"absence_reason, updated_at) VALUES (1, '{status}', '', '{status}', '', '{now}')"
            )
    db.migrate(engine)
    with engine.begin() as connection:
        counts = "SELECT attendance_present, attendance_total FROM meeting WHERE id = 1"
        assert connection.exec_driver_sql(counts).one() == (2, 4)
        connection.exec_driver_sql(
            "UPDATE attendance SET status = 'present' WHERE status = 'absent'"
        )
        assert connection.exec_driver_sql(counts).one() == (3, 4)
    command.downgrade(db.alembic_config(url), "0003")
    assert schema_differences(engine)  # the counts are gone again
    engine.dispose()


def test_migrations_make_the_same_triggers_and_full_text_index_as_the_models(tmp_path):
    """Triggers and the FTS5 table are DDL outside the compared metadata: the migrations'
    copies must stay the same as the models' (ATTENDANCE_COUNT_TRIGGERS, SEARCH_INDEX_DDL)."""

    def objects(engine: Engine) -> dict[str, str]:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'trigger' OR name LIKE 'search_entry_fts%'"
            ).all()
        return {name: " ".join((sql or "").split()) for name, sql in rows}

    migrated = db.make_engine(f"sqlite:///{tmp_path / 'migrated.sqlite3'}")
    db.migrate(migrated)
    built = db.make_engine(f"sqlite:///{tmp_path / 'built.sqlite3'}")
    schema.create_all(built)
    assert objects(migrated) == objects(built)
    assert {"attendance_counts_insert", "search_entry_fts_insert", "search_entry_fts"} <= set(
        objects(migrated)
    )
    migrated.dispose()
    built.dispose()


def test_search_migration_cuts_existing_entries_again_and_indexes_recorded_resolutions(tmp_path):
    """0010 (issue 12): entries indexed before it are found the new way (whole words, read
    alike) once the server's start-up tasks ran (deliberation's code, not the migration's),
    each body's vocabulary is counted, and outcomes recorded before it are found."""
    import asyncio

    from sqlmodel import Session

    from deliberation import search
    from deliberation.models import SearchWord
    from forum import components
    from forum.models import Role
    from forum.policy import Actor

    url = f"sqlite:///{tmp_path / 'search.db'}"
    engine = db.make_engine(url)
    command.upgrade(db.alembic_config(url), "0009")
    now = "2026-11-27 02:00:00.000000"
    with engine.begin() as connection:
        run = connection.exec_driver_sql
        run(
            "INSERT INTO body (id, kind, name, name_en, description, created_at, version) "
            f"VALUES (1, 'working_group', 'คณะทำงาน', '', '', '{now}', 1)"
        )
        run(
            "INSERT INTO meeting (id, body_id, year_be, number, title, starts_at, ends_at, venue, "
            "online_url, status, checkin_code, created_at, version) VALUES "
            f"(1, 1, 2569, 1, '', '{now}', '{now}', 'ห้องประชุม', '', 'closed', '123456', '{now}', 1)"
        )
        # as 0009's search cut it: down to dictionary syllables
        run(
            "INSERT INTO search_entry (kind, ref_id, body_id, meeting_id, title, text, segmented_title, "
            "segmented, updated_at) VALUES ('post', 7, 1, 1, '', 'ชุมชนติดตั้งโซล่าเซลล์ในจังหวัดน่าน', '', "
            f"'ชุมชน\x1fติดตั้ง\x1fโซ\x1fล่า\x1fเซลล์\x1fใน\x1fจัง\x1fหวัด\x1fน่าน', '{now}')"
        )
        agenda = run(
            "INSERT INTO agenda (meeting_id, status, published_version, created_at, version) "
            f"VALUES (1, 'published', 1, '{now}', 1) RETURNING id"
        ).scalar_one()
        part = run(
            f"INSERT INTO agenda_part (agenda_id, kind, position, title) VALUES ({agenda}, 'other', 5, '') RETURNING id"
        ).scalar_one()
        run(
            "INSERT INTO agenda_item (agenda_id, part_id, position, title, description, kind, presenter_name, "
            "outcome, discussion_summary, resolution, outcome_version, time_spent_seconds, created_at, updated_at) "
            f"VALUES ({agenda}, {part}, 1, 'ธนาคารน้ำใต้ดิน', '', 'consider', '', 'approved', '', "
            f"'ที่ประชุมเห็นชอบให้ขยายผลธนาคารน้ำใต้ดิน', 1, 0, '{now}', '{now}')"
        )
    db.migrate(engine)
    reader = Actor(person_id=1, display_name="", roles={1: Role.member})
    with Session(engine) as session:
        assert search.search(session, reader, query="โซลาร์เซลล์").total == 0  # not cut yet
    assert {"deliberation.search.cut_again", "deliberation.indexing.resolutions"} <= set(components.STARTUP_TASKS.names())
    asyncio.run(components.run_startup_tasks(engine))
    asyncio.run(components.run_startup_tasks(engine))  # again: nothing left to do, nothing counted twice
    with Session(engine) as session:
        assert [hit.ref_id for hit in search.search(session, reader, query="โซลาร์เซลล์").items] == [7]
        assert search.search(session, reader, query="หวัด").total == 0
        [resolution] = search.search(session, reader, query="น้ำใต้ดิน").items
        assert resolution.kind == "resolution"
        vocabulary = {word.word: word.entries for word in session.exec(select(SearchWord)).all()}
        assert vocabulary["โซลาร์เซลล์"] == 1 and vocabulary["ธนาคารน้ำใต้ดิน"] == 1
        # 0013: who may find an entry is in the index: another body's chair finds the
        # resolution (the programme's), not the post (the members')
        outsider = Actor(person_id=2, display_name="", roles={2: Role.chair})
        assert search.search(session, outsider, query="โซลาร์เซลล์").total == 0
        assert [hit.kind for hit in search.search(session, outsider, query="น้ำใต้ดิน").items] == ["resolution"]
    command.downgrade(db.alembic_config(url), "0009")
    engine.dispose()
