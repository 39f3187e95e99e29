"""A meeting's attendance revision: moved by the database whenever what its attendance list
shows changes (a line added, changed or removed; a listed person's name or organisation; an
organisation's name), so the meeting page renders its list once per change and keeps it
(issue 12's page figures).

The trigger text is this migration's own copy; forum.models.ATTENDANCE_REVISION_DDL makes
the same for schemas built from the models, and a test compares the two.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 21:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUMP = "UPDATE meeting SET attendance_revision = attendance_revision + 1 WHERE id = {}.meeting_id;"
OF_PERSON = (
    "UPDATE meeting SET attendance_revision = attendance_revision + 1 WHERE id IN "
    "(SELECT meeting_id FROM attendance WHERE person_id = NEW.id OR substitute_for_id = NEW.id);"
)
OF_ORGANISATION = (
    "UPDATE meeting SET attendance_revision = attendance_revision + 1 WHERE id IN "
    "(SELECT attendance.meeting_id FROM attendance JOIN person ON person.id = attendance.person_id "
    "WHERE person.organisation_id = NEW.id);"
)
TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER attendance_revision_insert AFTER INSERT ON attendance "
        f"BEGIN {BUMP.format('NEW')} END",
        "CREATE TRIGGER attendance_revision_update AFTER UPDATE ON attendance "
        f"BEGIN {BUMP.format('OLD')} {BUMP.format('NEW')} END",
        "CREATE TRIGGER attendance_revision_delete AFTER DELETE ON attendance "
        f"BEGIN {BUMP.format('OLD')} END",
        "CREATE TRIGGER attendance_revision_person AFTER UPDATE OF display_name, "
        "organisation_id ON person WHEN OLD.display_name IS NOT NEW.display_name "
        f"OR OLD.organisation_id IS NOT NEW.organisation_id BEGIN {OF_PERSON} END",
        "CREATE TRIGGER attendance_revision_organisation AFTER UPDATE OF name "
        "ON organisation WHEN OLD.name IS NOT NEW.name "
        f"BEGIN {OF_ORGANISATION} END",
    ],
    "postgresql": [
        "CREATE FUNCTION attendance_revision() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN IF TG_OP IN ('UPDATE', 'DELETE') THEN {BUMP.format('OLD')} END IF; "
        f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {BUMP.format('NEW')} END IF; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER attendance_revision AFTER INSERT OR UPDATE OR DELETE ON "
        "attendance FOR EACH ROW EXECUTE FUNCTION attendance_revision()",
        "CREATE FUNCTION attendance_revision_person() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN {OF_PERSON} RETURN NULL; END $$",
        "CREATE TRIGGER attendance_revision_person AFTER UPDATE OF display_name, "
        "organisation_id ON person FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM "
        "NEW.display_name OR OLD.organisation_id IS DISTINCT FROM NEW.organisation_id) "
        "EXECUTE FUNCTION attendance_revision_person()",
        "CREATE FUNCTION attendance_revision_organisation() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN {OF_ORGANISATION} RETURN NULL; END $$",
        "CREATE TRIGGER attendance_revision_organisation AFTER UPDATE OF name ON "
        "organisation FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) "
        "EXECUTE FUNCTION attendance_revision_organisation()",
    ],
}
DROP = {
    "sqlite": [
        "DROP TRIGGER attendance_revision_insert",
        "DROP TRIGGER attendance_revision_update",
        "DROP TRIGGER attendance_revision_delete",
        "DROP TRIGGER attendance_revision_person",
        "DROP TRIGGER attendance_revision_organisation",
    ],
    "postgresql": [
        "DROP TRIGGER attendance_revision ON attendance",
        "DROP FUNCTION attendance_revision()",
        "DROP TRIGGER attendance_revision_person ON person",
        "DROP FUNCTION attendance_revision_person()",
        "DROP TRIGGER attendance_revision_organisation ON organisation",
        "DROP FUNCTION attendance_revision_organisation()",
    ],
}


def upgrade() -> None:
    op.add_column(
        "meeting",
        sa.Column("attendance_revision", sa.Integer(), nullable=False, server_default="0"),
    )
    for statement in TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    op.drop_column("meeting", "attendance_revision")
