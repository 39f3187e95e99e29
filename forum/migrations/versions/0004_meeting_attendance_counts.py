"""Keep each meeting's attendance counts (on the list, present) on the meeting itself,
moved by database triggers on every attendance change, so a meeting list reads two
numbers per meeting instead of counting its lines.

The trigger text is this migration's own copy (a migration must not change when the
models do); forum.models.ATTENDANCE_COUNT_TRIGGERS holds the same for schemas built from
the models, and tests check that both keep the counts right.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 02:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TAKE_OUT = (
    "UPDATE meeting SET attendance_total = attendance_total - 1, "
    "attendance_present = attendance_present"
    " - CASE WHEN OLD.status IN ('present', 'guest') THEN 1 ELSE 0 END "
    "WHERE id = OLD.meeting_id;"
)
PUT_IN = (
    "UPDATE meeting SET attendance_total = attendance_total + 1, "
    "attendance_present = attendance_present"
    " + CASE WHEN NEW.status IN ('present', 'guest') THEN 1 ELSE 0 END "
    "WHERE id = NEW.meeting_id;"
)
TRIGGERS = {
    "sqlite": [
        f"CREATE TRIGGER attendance_counts_insert AFTER INSERT ON attendance BEGIN {PUT_IN} END",
        f"CREATE TRIGGER attendance_counts_delete AFTER DELETE ON attendance BEGIN {TAKE_OUT} END",
        "CREATE TRIGGER attendance_counts_update AFTER UPDATE OF status, meeting_id ON attendance "
        "WHEN OLD.status IS NOT NEW.status OR OLD.meeting_id IS NOT NEW.meeting_id "
        f"BEGIN {TAKE_OUT} {PUT_IN} END",
    ],
    "postgresql": [
        "CREATE FUNCTION attendance_counts() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {TAKE_OUT} END IF; "
        f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {PUT_IN} END IF; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER attendance_counts AFTER INSERT OR DELETE ON attendance "
        "FOR EACH ROW EXECUTE FUNCTION attendance_counts()",
        "CREATE TRIGGER attendance_counts_update AFTER UPDATE OF status, meeting_id ON attendance "
        "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status "
        "OR OLD.meeting_id IS DISTINCT FROM NEW.meeting_id) "
        "EXECUTE FUNCTION attendance_counts()",
    ],
}
DROP = {
    "sqlite": [
        "DROP TRIGGER attendance_counts_insert",
        "DROP TRIGGER attendance_counts_delete",
        "DROP TRIGGER attendance_counts_update",
    ],
    "postgresql": [
        "DROP TRIGGER attendance_counts ON attendance",
        "DROP TRIGGER attendance_counts_update ON attendance",
        "DROP FUNCTION attendance_counts()",
    ],
}
COUNT = (
    "UPDATE meeting SET "
    "attendance_total = (SELECT count(*) FROM attendance WHERE attendance.meeting_id = meeting.id), "
    "attendance_present = (SELECT count(*) FROM attendance WHERE attendance.meeting_id = meeting.id "
    "AND attendance.status IN ('present', 'guest'))"
)


def upgrade() -> None:
    for name in ("attendance_total", "attendance_present"):
        op.add_column("meeting", sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
    op.execute(COUNT)
    for statement in TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_column("meeting", "attendance_present")
    op.drop_column("meeting", "attendance_total")
