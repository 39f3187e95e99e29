"""A body's revision: moved by the database on every change to its meetings (added,
changed, deleted — and so on every attendance change, which moves a meeting's counts), so
the body's meeting list is rendered once per change and kept (forum.web.render_kept).

The trigger text is this migration's own copy; forum.models.BODY_REVISION_DDL makes the
same for schemas built from the models, and a test compares the two.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 06:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUMP_OLD = "UPDATE body SET revision = revision + 1 WHERE id = OLD.body_id;"
BUMP_NEW = "UPDATE body SET revision = revision + 1 WHERE id = NEW.body_id;"
TRIGGERS = {
    "sqlite": [
        f"CREATE TRIGGER body_revision_meeting_insert AFTER INSERT ON meeting BEGIN {BUMP_NEW} END",
        "CREATE TRIGGER body_revision_meeting_update AFTER UPDATE ON meeting "
        f"BEGIN {BUMP_OLD} {BUMP_NEW} END",
        f"CREATE TRIGGER body_revision_meeting_delete AFTER DELETE ON meeting BEGIN {BUMP_OLD} END",
    ],
    "postgresql": [
        "CREATE FUNCTION body_revision_meeting() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {BUMP_OLD} END IF; "
        f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {BUMP_NEW} END IF; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER body_revision_meeting AFTER INSERT OR UPDATE OR DELETE ON meeting "
        "FOR EACH ROW EXECUTE FUNCTION body_revision_meeting()",
    ],
}
DROP = {
    "sqlite": [
        "DROP TRIGGER body_revision_meeting_insert",
        "DROP TRIGGER body_revision_meeting_update",
        "DROP TRIGGER body_revision_meeting_delete",
    ],
    "postgresql": [
        "DROP TRIGGER body_revision_meeting ON meeting",
        "DROP FUNCTION body_revision_meeting()",
    ],
}


def upgrade() -> None:
    op.add_column("body", sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
    for statement in TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    op.drop_column("body", "revision")
