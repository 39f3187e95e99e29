"""`wethi migrate` on a real PostgreSQL: reaches head, builds exactly the models' schema,
and a server refuses to start on a schema that is behind."""

from __future__ import annotations

from forum import db
from tests.unit.forum.test_migrations import (
    free_port,
    migrate_then_step_back,
    run_cli,
    schema_differences,
)


def test_migrations_reach_head_and_build_exactly_the_models_schema(empty_database):
    engine = db.make_engine(empty_database)
    assert not db.schema_is_current(engine)

    db.migrate(engine)

    assert db.schema_is_current(engine)
    assert schema_differences(engine) == []
    engine.dispose()


def test_migrate_command_brings_an_empty_database_to_head(empty_database, tmp_path):
    result = run_cli("migrate", database_url=empty_database, data_dir=tmp_path)

    assert result.returncode == 0, result.stderr
    engine = db.make_engine(empty_database)
    assert db.schema_is_current(engine)
    engine.dispose()


def test_serve_refuses_a_schema_that_is_behind(empty_database, tmp_path):
    engine = db.make_engine(empty_database)
    migrate_then_step_back(engine)
    assert not db.schema_is_current(engine)
    engine.dispose()

    result = run_cli(
        "serve", "--port", str(free_port()), database_url=empty_database, data_dir=tmp_path
    )

    assert result.returncode == 2, result.stdout + result.stderr
    assert "wethi migrate" in result.stderr
    assert "Traceback" not in result.stderr
