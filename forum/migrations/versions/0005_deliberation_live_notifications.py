"""The deliberation package's tables (agenda, suggestions, versions, documents, discussion
threads, the Thai search index), the live hub's stored frames, and notifications.

The search index's full-text part is dialect-specific: an FTS5 table kept by triggers on
SQLite, a generated tsvector with a GIN index on PostgreSQL. Its text is this migration's
own copy (a migration must not change when the models do); deliberation.models
.SEARCH_INDEX_DDL holds the same for schemas built from the models.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 03:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_INDEX = {
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
    ],
    "postgresql": [
        "ALTER TABLE search_entry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('simple', translate(segmented_title, '<>&', '   ')), 'A') || "
        "setweight(to_tsvector('simple', translate(segmented, '<>&', '   ')), 'B')) STORED",
        "CREATE INDEX ix_search_entry_search_vector ON search_entry USING gin (search_vector)",
    ],
}
DROP_SEARCH_INDEX = {
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


def upgrade() -> None:
    op.create_table(
        "liveframe",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=80), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "seq"),
    )
    op.create_table(
        "agenda_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("variant", sa.String(length=20), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["body.id"],
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("body_id"),
    )
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("in_app", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("read_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("email_due", sa.Boolean(), nullable=False),
        sa.Column("emailed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_notification_email_due"), "notification", ["email_due"], unique=False)
    op.create_index(
        "ix_notification_person_newest", "notification", ["person_id", "id"], unique=False
    )
    op.create_index(
        "ix_notification_person_unread", "notification", ["person_id", "read_at"], unique=False
    )
    op.create_table(
        "notificationpreference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("in_app", sa.Boolean(), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "kind"),
    )
    op.create_table(
        "agenda",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("previous_meeting_id", sa.Integer(), nullable=True),
        sa.Column("published_version", sa.Integer(), nullable=False),
        sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
        ),
        sa.ForeignKeyConstraint(
            ["previous_meeting_id"],
            ["meeting.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id"),
    )
    op.create_table(
        "search_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("segmented_title", sa.Text(), nullable=False),
        sa.Column("segmented", sa.Text(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["body.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "ref_id"),
    )
    op.create_index("ix_search_entry_body", "search_entry", ["body_id", "updated_at"], unique=False)
    op.create_index(
        op.f("ix_search_entry_meeting_id"), "search_entry", ["meeting_id"], unique=False
    )
    op.create_table(
        "agenda_part",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agenda_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_id"],
            ["agenda.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_agenda_part_agenda_id"), "agenda_part", ["agenda_id"], unique=False)
    op.create_table(
        "agenda_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agenda_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_id"],
            ["agenda.id"],
        ),
        sa.ForeignKeyConstraint(
            ["published_by"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agenda_id", "number"),
    )
    op.create_index(
        op.f("ix_agenda_version_agenda_id"), "agenda_version", ["agenda_id"], unique=False
    )
    op.create_table(
        "agenda_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agenda_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("presenter_id", sa.Integer(), nullable=True),
        sa.Column("presenter_name", sa.String(length=200), nullable=False),
        sa.Column("time_box_minutes", sa.Integer(), nullable=True),
        sa.Column("minutes_of_meeting_id", sa.Integer(), nullable=True),
        sa.Column("follows_item_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_id"],
            ["agenda.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["follows_item_id"],
            ["agenda_item.id"],
        ),
        sa.ForeignKeyConstraint(
            ["minutes_of_meeting_id"],
            ["meeting.id"],
        ),
        sa.ForeignKeyConstraint(
            ["part_id"],
            ["agenda_part.id"],
        ),
        sa.ForeignKeyConstraint(
            ["presenter_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_agenda_item_agenda_id"), "agenda_item", ["agenda_id"], unique=False)
    op.create_index(
        "ix_agenda_item_part_position", "agenda_item", ["part_id", "position"], unique=False
    )
    op.create_table(
        "agenda_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["agenda_item.id"],
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stored_name"),
    )
    op.create_index(
        op.f("ix_agenda_document_item_id"), "agenda_document", ["item_id"], unique=False
    )
    op.create_table(
        "agenda_suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agenda_id", sa.Integer(), nullable=False),
        sa.Column("suggested_by", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("answer_reason", sa.Text(), nullable=False),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_id"],
            ["agenda.id"],
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["agenda_item.id"],
        ),
        sa.ForeignKeyConstraint(
            ["suggested_by"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_agenda_suggestion_agenda_id"), "agenda_suggestion", ["agenda_id"], unique=False
    )
    op.create_index(
        op.f("ix_agenda_suggestion_suggested_by"),
        "agenda_suggestion",
        ["suggested_by"],
        unique=False,
    )
    op.create_table(
        "post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("stance", sa.String(length=20), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("edited_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("edit_count", sa.Integer(), nullable=False),
        sa.Column("hidden_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("hidden_by", sa.Integer(), nullable=True),
        sa.Column("hidden_reason", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["body.id"],
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["agenda_item.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["post.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_post_author_id"), "post", ["author_id"], unique=False)
    op.create_index("ix_post_item_id_id", "post", ["item_id", "id"], unique=False)
    op.create_index(op.f("ix_post_meeting_id"), "post", ["meeting_id"], unique=False)
    op.create_index(op.f("ix_post_parent_id"), "post", ["parent_id"], unique=False)
    op.create_table(
        "thread_read",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("last_post_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["agenda_item.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "item_id"),
    )
    op.create_index(op.f("ix_thread_read_item_id"), "thread_read", ["item_id"], unique=False)
    op.create_table(
        "agenda_suggestion_support",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["agenda_suggestion.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("suggestion_id", "person_id"),
    )
    op.create_index(
        op.f("ix_agenda_suggestion_support_person_id"),
        "agenda_suggestion_support",
        ["person_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_agenda_suggestion_support_suggestion_id"),
        "agenda_suggestion_support",
        ["suggestion_id"],
        unique=False,
    )
    op.create_table(
        "post_mention",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["post.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("post_id", "person_id"),
    )
    op.create_index(op.f("ix_post_mention_person_id"), "post_mention", ["person_id"], unique=False)
    op.create_index(op.f("ix_post_mention_post_id"), "post_mention", ["post_id"], unique=False)
    op.create_table(
        "post_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("stance", sa.String(length=20), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("written_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("replaced_by", sa.Integer(), nullable=True),
        sa.Column("replaced_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["post.id"],
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("post_id", "number"),
    )
    op.create_index(op.f("ix_post_revision_post_id"), "post_revision", ["post_id"], unique=False)
    for statement in SEARCH_INDEX[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_SEARCH_INDEX[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_index(op.f("ix_post_revision_post_id"), table_name="post_revision")
    op.drop_table("post_revision")
    op.drop_index(op.f("ix_post_mention_post_id"), table_name="post_mention")
    op.drop_index(op.f("ix_post_mention_person_id"), table_name="post_mention")
    op.drop_table("post_mention")
    op.drop_index(
        op.f("ix_agenda_suggestion_support_suggestion_id"), table_name="agenda_suggestion_support"
    )
    op.drop_index(
        op.f("ix_agenda_suggestion_support_person_id"), table_name="agenda_suggestion_support"
    )
    op.drop_table("agenda_suggestion_support")
    op.drop_index(op.f("ix_thread_read_item_id"), table_name="thread_read")
    op.drop_table("thread_read")
    op.drop_index(op.f("ix_post_parent_id"), table_name="post")
    op.drop_index(op.f("ix_post_meeting_id"), table_name="post")
    op.drop_index("ix_post_item_id_id", table_name="post")
    op.drop_index(op.f("ix_post_author_id"), table_name="post")
    op.drop_table("post")
    op.drop_index(op.f("ix_agenda_suggestion_suggested_by"), table_name="agenda_suggestion")
    op.drop_index(op.f("ix_agenda_suggestion_agenda_id"), table_name="agenda_suggestion")
    op.drop_table("agenda_suggestion")
    op.drop_index(op.f("ix_agenda_document_item_id"), table_name="agenda_document")
    op.drop_table("agenda_document")
    op.drop_index("ix_agenda_item_part_position", table_name="agenda_item")
    op.drop_index(op.f("ix_agenda_item_agenda_id"), table_name="agenda_item")
    op.drop_table("agenda_item")
    op.drop_index(op.f("ix_agenda_version_agenda_id"), table_name="agenda_version")
    op.drop_table("agenda_version")
    op.drop_index(op.f("ix_agenda_part_agenda_id"), table_name="agenda_part")
    op.drop_table("agenda_part")
    op.drop_index(op.f("ix_search_entry_meeting_id"), table_name="search_entry")
    op.drop_index("ix_search_entry_body", table_name="search_entry")
    op.drop_table("search_entry")
    op.drop_table("agenda")
    op.drop_table("notificationpreference")
    op.drop_index("ix_notification_person_unread", table_name="notification")
    op.drop_index("ix_notification_person_newest", table_name="notification")
    op.drop_index(op.f("ix_notification_email_due"), table_name="notification")
    op.drop_table("notification")
    op.drop_table("agenda_template")
    op.drop_table("liveframe")
