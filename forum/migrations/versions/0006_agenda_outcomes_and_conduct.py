"""Running the meeting (issue 3 part 8): the agenda's current item and since when; each
item's time taken, its outcome (discussion summary, resolution มติ, who recorded it, an
optimistic-lock version); each item's description stored rendered, so a page never
renders Markdown on a read; and the agenda's revision, moved by triggers on every change
to what its pages show (parts, items, documents, suggestions and support, posts, the
body's members, the names shown), under which pages cache what they render. The trigger text is this migration's
own copy; deliberation.models.AGENDA_REVISION_DDL makes the same for schemas built from
the models, and a test compares the two.

Existing descriptions are rendered by deliberation.overview on read while their stored
HTML is empty (the next edit stores it).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 05:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sqlmodel.sql.sqltypes.UTCDateTime

REVISION_TRIGGERS = {
    "postgresql": [
        "CREATE FUNCTION agenda_revision_agenda_part() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN IF TG_OP = 'DELETE' THEN UPDATE agenda SET revision = revision + 1 WHERE "
        "id = OLD.agenda_id; ELSE UPDATE agenda SET revision = revision + 1 WHERE id = "
        "NEW.agenda_id; END IF; RETURN NULL; END $$",
        "CREATE TRIGGER agenda_revision_agenda_part AFTER INSERT OR UPDATE OR DELETE ON "
        "agenda_part FOR EACH ROW EXECUTE FUNCTION agenda_revision_agenda_part()",
        "CREATE FUNCTION agenda_revision_agenda_item() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN IF TG_OP = 'DELETE' THEN UPDATE agenda SET revision = revision + 1 WHERE "
        "id = OLD.agenda_id; ELSE UPDATE agenda SET revision = revision + 1 WHERE id = "
        "NEW.agenda_id; END IF; RETURN NULL; END $$",
        "CREATE TRIGGER agenda_revision_agenda_item AFTER INSERT OR UPDATE OR DELETE ON "
        "agenda_item FOR EACH ROW EXECUTE FUNCTION agenda_revision_agenda_item()",
        "CREATE FUNCTION agenda_revision_agenda_document() RETURNS trigger LANGUAGE "
        "plpgsql AS $$ BEGIN IF TG_OP = 'DELETE' THEN UPDATE agenda SET revision = "
        "revision + 1 WHERE id = (SELECT agenda_id FROM agenda_item WHERE agenda_item.id = "
        "OLD.item_id); ELSE UPDATE agenda SET revision = revision + 1 WHERE id = (SELECT "
        "agenda_id FROM agenda_item WHERE agenda_item.id = NEW.item_id); END IF; RETURN "
        "NULL; END $$",
        "CREATE TRIGGER agenda_revision_agenda_document AFTER INSERT OR UPDATE OR DELETE "
        "ON agenda_document FOR EACH ROW EXECUTE FUNCTION "
        "agenda_revision_agenda_document()",
        "CREATE FUNCTION agenda_revision_agenda_suggestion() RETURNS trigger LANGUAGE "
        "plpgsql AS $$ BEGIN IF TG_OP = 'DELETE' THEN UPDATE agenda SET revision = "
        "revision + 1 WHERE id = OLD.agenda_id; ELSE UPDATE agenda SET revision = revision "
        "+ 1 WHERE id = NEW.agenda_id; END IF; RETURN NULL; END $$",
        "CREATE TRIGGER agenda_revision_agenda_suggestion AFTER INSERT OR UPDATE OR DELETE "
        "ON agenda_suggestion FOR EACH ROW EXECUTE FUNCTION "
        "agenda_revision_agenda_suggestion()",
        "CREATE FUNCTION agenda_revision_agenda_suggestion_support() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'DELETE' THEN UPDATE agenda SET revision "
        "= revision + 1 WHERE id = (SELECT agenda_id FROM agenda_suggestion WHERE "
        "agenda_suggestion.id = OLD.suggestion_id); ELSE UPDATE agenda SET revision = "
        "revision + 1 WHERE id = (SELECT agenda_id FROM agenda_suggestion WHERE "
        "agenda_suggestion.id = NEW.suggestion_id); END IF; RETURN NULL; END $$",
        "CREATE TRIGGER agenda_revision_agenda_suggestion_support AFTER INSERT OR UPDATE "
        "OR DELETE ON agenda_suggestion_support FOR EACH ROW EXECUTE FUNCTION "
        "agenda_revision_agenda_suggestion_support()",
        "CREATE FUNCTION agenda_revision_post() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN IF TG_OP = 'DELETE' THEN UPDATE agenda SET revision = revision + 1 WHERE "
        "meeting_id = OLD.meeting_id; ELSE UPDATE agenda SET revision = revision + 1 WHERE "
        "meeting_id = NEW.meeting_id; END IF; RETURN NULL; END $$",
        "CREATE TRIGGER agenda_revision_post AFTER INSERT OR UPDATE OR DELETE ON post FOR "
        "EACH ROW EXECUTE FUNCTION agenda_revision_post()",
        "CREATE FUNCTION agenda_revision_membership() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN IF TG_OP = 'DELETE' THEN UPDATE agenda SET revision = revision + 1 WHERE "
        "meeting_id IN (SELECT id FROM meeting WHERE meeting.body_id = OLD.body_id); ELSE "
        "UPDATE agenda SET revision = revision + 1 WHERE meeting_id IN (SELECT id FROM "
        "meeting WHERE meeting.body_id = NEW.body_id); END IF; RETURN NULL; END $$",
        "CREATE TRIGGER agenda_revision_membership AFTER INSERT OR UPDATE OR DELETE ON "
        "membership FOR EACH ROW EXECUTE FUNCTION agenda_revision_membership()",
        "CREATE FUNCTION agenda_revision_person() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN IF TG_OP = 'DELETE' THEN UPDATE agenda SET revision = revision + 1 WHERE "
        "meeting_id IN (SELECT meeting.id FROM meeting JOIN membership ON "
        "membership.body_id = meeting.body_id WHERE membership.person_id = OLD.id) OR id "
        "IN (SELECT agenda_id FROM agenda_suggestion WHERE suggested_by = OLD.id) OR "
        "meeting_id IN (SELECT meeting_id FROM post WHERE author_id = OLD.id); ELSE UPDATE "
        "agenda SET revision = revision + 1 WHERE meeting_id IN (SELECT meeting.id FROM "
        "meeting JOIN membership ON membership.body_id = meeting.body_id WHERE "
        "membership.person_id = NEW.id) OR id IN (SELECT agenda_id FROM agenda_suggestion "
        "WHERE suggested_by = NEW.id) OR meeting_id IN (SELECT meeting_id FROM post WHERE "
        "author_id = NEW.id); END IF; RETURN NULL; END $$",
        "CREATE TRIGGER agenda_revision_person AFTER UPDATE OF display_name ON person FOR "
        "EACH ROW EXECUTE FUNCTION agenda_revision_person()",
    ],
    "sqlite": [
        "CREATE TRIGGER agenda_revision_agenda_part_insert AFTER INSERT ON agenda_part BEGIN "
        "UPDATE agenda SET revision = revision + 1 WHERE id = NEW.agenda_id; END",
        "CREATE TRIGGER agenda_revision_agenda_part_update AFTER UPDATE ON agenda_part BEGIN "
        "UPDATE agenda SET revision = revision + 1 WHERE id = NEW.agenda_id; END",
        "CREATE TRIGGER agenda_revision_agenda_part_delete AFTER DELETE ON agenda_part BEGIN "
        "UPDATE agenda SET revision = revision + 1 WHERE id = OLD.agenda_id; END",
        "CREATE TRIGGER agenda_revision_agenda_item_insert AFTER INSERT ON agenda_item BEGIN "
        "UPDATE agenda SET revision = revision + 1 WHERE id = NEW.agenda_id; END",
        "CREATE TRIGGER agenda_revision_agenda_item_update AFTER UPDATE ON agenda_item BEGIN "
        "UPDATE agenda SET revision = revision + 1 WHERE id = NEW.agenda_id; END",
        "CREATE TRIGGER agenda_revision_agenda_item_delete AFTER DELETE ON agenda_item BEGIN "
        "UPDATE agenda SET revision = revision + 1 WHERE id = OLD.agenda_id; END",
        "CREATE TRIGGER agenda_revision_agenda_document_insert AFTER INSERT ON agenda_document "
        "BEGIN UPDATE agenda SET revision = revision + 1 WHERE id = (SELECT agenda_id FROM "
        "agenda_item WHERE agenda_item.id = NEW.item_id); END",
        "CREATE TRIGGER agenda_revision_agenda_document_update AFTER UPDATE ON agenda_document "
        "BEGIN UPDATE agenda SET revision = revision + 1 WHERE id = (SELECT agenda_id FROM "
        "agenda_item WHERE agenda_item.id = NEW.item_id); END",
        "CREATE TRIGGER agenda_revision_agenda_document_delete AFTER DELETE ON agenda_document "
        "BEGIN UPDATE agenda SET revision = revision + 1 WHERE id = (SELECT agenda_id FROM "
        "agenda_item WHERE agenda_item.id = OLD.item_id); END",
        "CREATE TRIGGER agenda_revision_agenda_suggestion_insert AFTER INSERT ON "
        "agenda_suggestion BEGIN UPDATE agenda SET revision = revision + 1 WHERE id = "
        "NEW.agenda_id; END",
        "CREATE TRIGGER agenda_revision_agenda_suggestion_update AFTER UPDATE ON "
        "agenda_suggestion BEGIN UPDATE agenda SET revision = revision + 1 WHERE id = "
        "NEW.agenda_id; END",
        "CREATE TRIGGER agenda_revision_agenda_suggestion_delete AFTER DELETE ON "
        "agenda_suggestion BEGIN UPDATE agenda SET revision = revision + 1 WHERE id = "
        "OLD.agenda_id; END",
        "CREATE TRIGGER agenda_revision_agenda_suggestion_support_insert AFTER INSERT ON "
        "agenda_suggestion_support BEGIN UPDATE agenda SET revision = revision + 1 WHERE id = "
        "(SELECT agenda_id FROM agenda_suggestion WHERE agenda_suggestion.id = "
        "NEW.suggestion_id); END",
        "CREATE TRIGGER agenda_revision_agenda_suggestion_support_update AFTER UPDATE ON "
        "agenda_suggestion_support BEGIN UPDATE agenda SET revision = revision + 1 WHERE id = "
        "(SELECT agenda_id FROM agenda_suggestion WHERE agenda_suggestion.id = "
        "NEW.suggestion_id); END",
        "CREATE TRIGGER agenda_revision_agenda_suggestion_support_delete AFTER DELETE ON "
        "agenda_suggestion_support BEGIN UPDATE agenda SET revision = revision + 1 WHERE id = "
        "(SELECT agenda_id FROM agenda_suggestion WHERE agenda_suggestion.id = "
        "OLD.suggestion_id); END",
        "CREATE TRIGGER agenda_revision_post_insert AFTER INSERT ON post BEGIN UPDATE agenda "
        "SET revision = revision + 1 WHERE meeting_id = NEW.meeting_id; END",
        "CREATE TRIGGER agenda_revision_post_update AFTER UPDATE ON post BEGIN UPDATE agenda "
        "SET revision = revision + 1 WHERE meeting_id = NEW.meeting_id; END",
        "CREATE TRIGGER agenda_revision_post_delete AFTER DELETE ON post BEGIN UPDATE agenda "
        "SET revision = revision + 1 WHERE meeting_id = OLD.meeting_id; END",
        "CREATE TRIGGER agenda_revision_membership_insert AFTER INSERT ON membership BEGIN "
        "UPDATE agenda SET revision = revision + 1 WHERE meeting_id IN (SELECT id FROM meeting "
        "WHERE meeting.body_id = NEW.body_id); END",
        "CREATE TRIGGER agenda_revision_membership_update AFTER UPDATE ON membership BEGIN "
        "UPDATE agenda SET revision = revision + 1 WHERE meeting_id IN (SELECT id FROM meeting "
        "WHERE meeting.body_id = NEW.body_id); END",
        "CREATE TRIGGER agenda_revision_membership_delete AFTER DELETE ON membership BEGIN "
        "UPDATE agenda SET revision = revision + 1 WHERE meeting_id IN (SELECT id FROM meeting "
        "WHERE meeting.body_id = OLD.body_id); END",
        "CREATE TRIGGER agenda_revision_person_update AFTER UPDATE OF display_name ON person "
        "BEGIN UPDATE agenda SET revision = revision + 1 WHERE meeting_id IN (SELECT "
        "meeting.id FROM meeting JOIN membership ON membership.body_id = meeting.body_id WHERE "
        "membership.person_id = NEW.id) OR id IN (SELECT agenda_id FROM agenda_suggestion "
        "WHERE suggested_by = NEW.id) OR meeting_id IN (SELECT meeting_id FROM post WHERE "
        "author_id = NEW.id); END",
    ],
}


def upgrade() -> None:
    op.add_column("agenda", sa.Column("current_item_id", sa.Integer(), nullable=True))
    op.add_column("agenda", sa.Column("current_since", UTC(), nullable=True))
    op.add_column("agenda", sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
    for name, type_, default in (
        ("description_html", sa.Text(), ""),
        ("outcome", sa.String(length=20), "pending"),
        ("discussion_summary", sa.Text(), ""),
        ("resolution", sa.Text(), ""),
        ("outcome_version", sa.Integer(), "0"),
        ("time_spent_seconds", sa.Integer(), "0"),
    ):
        op.add_column("agenda_item", sa.Column(name, type_, nullable=False, server_default=default))
    op.add_column("agenda_item", sa.Column("outcome_at", UTC(), nullable=True))
    op.add_column("agenda_item", sa.Column("started_at", UTC(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with a reference in place (no table rebuild under the posts
        # that point at agenda_item).
        op.execute("ALTER TABLE agenda_item ADD COLUMN outcome_by INTEGER REFERENCES person (id)")
    else:
        op.add_column(
            "agenda_item",
            sa.Column("outcome_by", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
        )
    for statement in REVISION_TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in reversed(REVISION_TRIGGERS.get(dialect, [])):
        name = statement.split()[2].split("(")[0]  # CREATE TRIGGER|FUNCTION <name>
        if statement.startswith("CREATE TRIGGER") and dialect == "sqlite":
            op.execute(f"DROP TRIGGER {name}")
        elif statement.startswith("CREATE TRIGGER"):
            op.execute(f"DROP TRIGGER {name} ON {statement.split(' ON ')[1].split()[0]}")
        else:
            op.execute(f"DROP FUNCTION {name}()")
    for name in (
        "outcome_by",
        "started_at",
        "outcome_at",
        "time_spent_seconds",
        "outcome_version",
        "resolution",
        "discussion_summary",
        "outcome",
        "description_html",
    ):
        op.drop_column("agenda_item", name)
    op.drop_column("agenda", "revision")
    op.drop_column("agenda", "current_since")
    op.drop_column("agenda", "current_item_id")
