"""Thai search that finds what a reader means (issue 12, part 1): each entry's words as
search reads them (search_title, search_text, and search_parts: the parts of listed
compounds) become what the full-text index holds, instead of the text cut down to
dictionary syllables; a per-body vocabulary (search_word) for "did you mean". The entries
already there keep cut_version 0: deliberation cuts them again, and indexes the outcomes
recorded before resolutions were, when the server starts (its start-up tasks) — a
migration runs SQL only, never a package's code.

The full-text DDL is this migration's own copy (a migration must not change when the models
do); deliberation.models.SEARCH_INDEX_DDL holds the same for schemas built from the models.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_INDEX = {
    "sqlite": [
        "CREATE VIRTUAL TABLE search_entry_fts USING fts5("
        "search_title, search_text, search_parts, body_id, content='', "
        "tokenize=\"unicode61 remove_diacritics 0 categories 'L* N* Mn Mc'\")",
        "CREATE TRIGGER search_entry_fts_insert AFTER INSERT ON search_entry BEGIN "
        "INSERT INTO search_entry_fts(rowid, search_title, search_text, search_parts, body_id) "
        "VALUES (-NEW.id, NEW.search_title, NEW.search_text, NEW.search_parts, NEW.body_id); END",
        "CREATE TRIGGER search_entry_fts_delete AFTER DELETE ON search_entry BEGIN "
        "INSERT INTO search_entry_fts(search_entry_fts, rowid, search_title, search_text, search_parts, body_id) "
        "VALUES ('delete', -OLD.id, OLD.search_title, OLD.search_text, OLD.search_parts, OLD.body_id); END",
        "CREATE TRIGGER search_entry_fts_update AFTER UPDATE ON search_entry BEGIN "
        "INSERT INTO search_entry_fts(search_entry_fts, rowid, search_title, search_text, search_parts, body_id) "
        "VALUES ('delete', -OLD.id, OLD.search_title, OLD.search_text, OLD.search_parts, OLD.body_id); "
        "INSERT INTO search_entry_fts(rowid, search_title, search_text, search_parts, body_id) "
        "VALUES (-NEW.id, NEW.search_title, NEW.search_text, NEW.search_parts, NEW.body_id); END",
        "INSERT INTO search_entry_fts(rowid, search_title, search_text, search_parts, body_id) "
        "SELECT -id, search_title, search_text, search_parts, body_id FROM search_entry",
    ],
    "postgresql": [
        "ALTER TABLE search_entry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('simple', search_title), 'A') || "
        "setweight(to_tsvector('simple', search_text), 'B') || "
        "setweight(to_tsvector('simple', search_parts), 'D')) STORED",
        "CREATE INDEX ix_search_entry_search_vector ON search_entry USING gin (search_vector)",
    ],
}
OLD_INDEX = {
    "sqlite": [
        "CREATE VIRTUAL TABLE search_entry_fts USING fts5("
        "segmented_title, segmented, body_id, content='', "
        "tokenize=\"unicode61 remove_diacritics 0 categories 'L* N* Mn Mc'\")",
        "CREATE TRIGGER search_entry_fts_insert AFTER INSERT ON search_entry BEGIN "
        "INSERT INTO search_entry_fts(rowid, segmented_title, segmented, body_id) "
        "VALUES (-NEW.id, NEW.segmented_title, NEW.segmented, NEW.body_id); END",
        "CREATE TRIGGER search_entry_fts_delete AFTER DELETE ON search_entry BEGIN "
        "INSERT INTO search_entry_fts(search_entry_fts, rowid, segmented_title, segmented, body_id) "
        "VALUES ('delete', -OLD.id, OLD.segmented_title, OLD.segmented, OLD.body_id); END",
        "CREATE TRIGGER search_entry_fts_update AFTER UPDATE ON search_entry BEGIN "
        "INSERT INTO search_entry_fts(search_entry_fts, rowid, segmented_title, segmented, body_id) "
        "VALUES ('delete', -OLD.id, OLD.segmented_title, OLD.segmented, OLD.body_id); "
        "INSERT INTO search_entry_fts(rowid, segmented_title, segmented, body_id) "
        "VALUES (-NEW.id, NEW.segmented_title, NEW.segmented, NEW.body_id); END",
        "INSERT INTO search_entry_fts(rowid, segmented_title, segmented, body_id) "
        "SELECT -id, segmented_title, segmented, body_id FROM search_entry",
    ],
    "postgresql": [
        "ALTER TABLE search_entry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('simple', translate(segmented_title, '<>&', '   ')), 'A') || "
        "setweight(to_tsvector('simple', translate(segmented, '<>&', '   ')), 'B')) STORED",
        "CREATE INDEX ix_search_entry_search_vector ON search_entry USING gin (search_vector)",
    ],
}
DROP_INDEX = {
    "sqlite": [
        "DROP TRIGGER search_entry_fts_update",
        "DROP TRIGGER search_entry_fts_delete",
        "DROP TRIGGER search_entry_fts_insert",
        "DROP TABLE search_entry_fts",
    ],
    "postgresql": [
        "DROP INDEX ix_search_entry_search_vector",
        "ALTER TABLE search_entry DROP COLUMN search_vector",
    ],
}
def _run(statements: dict[str, list[str]]) -> None:
    for statement in statements[op.get_bind().dialect.name]:
        op.execute(statement)


def upgrade() -> None:
    _run(DROP_INDEX)
    for name in ("search_title", "search_text", "search_parts"):
        op.add_column("search_entry", sa.Column(name, sa.Text(), nullable=False, server_default=""))
    op.add_column(
        "search_entry", sa.Column("cut_version", sa.Integer(), nullable=False, server_default="0")
    )
    op.create_table(
        "search_word",
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("word", sa.String(length=100), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["body_id"], ["body.id"]),
        sa.PrimaryKeyConstraint("body_id", "word"),
    )
    _run(NEW_INDEX)


def downgrade() -> None:
    _run(DROP_INDEX)
    op.execute("DELETE FROM search_entry WHERE kind = 'resolution'")
    op.drop_table("search_word")
    with op.batch_alter_table("search_entry") as batch:
        for name in ("cut_version", "search_parts", "search_text", "search_title"):
            batch.drop_column(name)
    _run(OLD_INDEX)
