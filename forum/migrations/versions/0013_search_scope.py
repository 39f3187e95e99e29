"""Who may find an entry, inside the full-text index (issue 12, part 4): a body's agenda items,
suggestions and resolutions are the whole programme's, its discussion posts its members'
(deliberation.rules). Each entry's `scope` holds that as tokens ("p 12": the programme's, of
body 12; "m12": body 12's members'), which the SQLite index holds instead of the body id, so a
search filters by what its reader may read inside the index, as before by body. The entries
already there get their scope from their kind as of this migration (posts: members only).

The full-text DDL is this migration's own copy; deliberation.models.SEARCH_INDEX_DDL holds the
same for schemas built from the models, and a test compares the two.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 22:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILL = (
    "UPDATE search_entry SET scope = CASE WHEN kind = 'post' "
    "THEN 'm' || CAST(body_id AS TEXT) ELSE 'p ' || CAST(body_id AS TEXT) END"
)


def _index(column: str) -> list[str]:
    """The SQLite full-text table and its triggers, the entry's `column` its last column."""
    columns = f"search_title, search_text, search_parts, {column}"
    new = f"-NEW.id, NEW.search_title, NEW.search_text, NEW.search_parts, NEW.{column}"
    old = f"'delete', -OLD.id, OLD.search_title, OLD.search_text, OLD.search_parts, OLD.{column}"
    return [
        f"CREATE VIRTUAL TABLE search_entry_fts USING fts5({columns}, content='', "
        "tokenize=\"unicode61 remove_diacritics 0 categories 'L* N* Mn Mc'\")",
        "CREATE TRIGGER search_entry_fts_insert AFTER INSERT ON search_entry BEGIN "  # noqa: S608 (our own column names only)
        f"INSERT INTO search_entry_fts(rowid, {columns}) VALUES ({new}); END",
        "CREATE TRIGGER search_entry_fts_delete AFTER DELETE ON search_entry BEGIN "  # noqa: S608 (our own column names only)
        f"INSERT INTO search_entry_fts(search_entry_fts, rowid, {columns}) VALUES ({old}); END",
        "CREATE TRIGGER search_entry_fts_update AFTER UPDATE ON search_entry BEGIN "  # noqa: S608 (our own column names only)
        f"INSERT INTO search_entry_fts(search_entry_fts, rowid, {columns}) VALUES ({old}); "
        f"INSERT INTO search_entry_fts(rowid, {columns}) VALUES ({new}); END",
        f"INSERT INTO search_entry_fts(rowid, {columns}) "  # noqa: S608 (our own column names only)
        f"SELECT -id, search_title, search_text, search_parts, {column} FROM search_entry",
    ]


DROP_INDEX = [
    "DROP TRIGGER search_entry_fts_update",
    "DROP TRIGGER search_entry_fts_delete",
    "DROP TRIGGER search_entry_fts_insert",
    "DROP TABLE search_entry_fts",
]


def upgrade() -> None:
    op.add_column(
        "search_entry", sa.Column("scope", sa.String(length=24), nullable=False, server_default="")
    )
    op.execute(FILL)
    if op.get_bind().dialect.name == "sqlite":
        for statement in DROP_INDEX + _index("scope"):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in DROP_INDEX + _index("body_id"):
            op.execute(statement)
    op.drop_column("search_entry", "scope")
