"""Live forum sessions (issue 4): a session on a meeting joined by a 6-digit code, its
participants (guests with a nickname, or members as themselves), their ideas and the votes
on them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 06:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "live_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("prompt", sa.String(length=300), nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("premoderation", sa.Boolean(), nullable=False),
        sa.Column("idea_limit", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
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
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index(
        op.f("ix_live_session_meeting_id"), "live_session", ["meeting_id"], unique=False
    )
    op.create_table(
        "live_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("nickname", sa.String(length=60), nullable=False),
        sa.Column("show_account_name", sa.Boolean(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("consent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_session.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "person_id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(
        op.f("ix_live_participant_session_id"), "live_participant", ["session_id"], unique=False
    )
    op.create_table(
        "live_idea",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("edited_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["live_idea.id"],
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["live_participant.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_session.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("participant_id", "idempotency_key"),
    )
    op.create_index(
        op.f("ix_live_idea_participant_id"), "live_idea", ["participant_id"], unique=False
    )
    op.create_index(op.f("ix_live_idea_session_id"), "live_idea", ["session_id"], unique=False)
    op.create_table(
        "live_idea_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["live_idea.id"],
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["live_participant.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idea_id", "participant_id"),
    )
    op.create_index(op.f("ix_live_idea_vote_idea_id"), "live_idea_vote", ["idea_id"], unique=False)
    op.create_index(
        op.f("ix_live_idea_vote_participant_id"), "live_idea_vote", ["participant_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_live_idea_vote_participant_id"), table_name="live_idea_vote")
    op.drop_index(op.f("ix_live_idea_vote_idea_id"), table_name="live_idea_vote")
    op.drop_table("live_idea_vote")
    op.drop_index(op.f("ix_live_idea_session_id"), table_name="live_idea")
    op.drop_index(op.f("ix_live_idea_participant_id"), table_name="live_idea")
    op.drop_table("live_idea")
    op.drop_index(op.f("ix_live_participant_session_id"), table_name="live_participant")
    op.drop_table("live_participant")
    op.drop_index(op.f("ix_live_session_meeting_id"), table_name="live_session")
    op.drop_table("live_session")
