"""Live sessions, the rest of issue 4: clusters (themes) of ideas, quick polls with their
options and answers, the session's countdown timer, and promotions of ideas or clusters into
agenda items or project-proposal drafts, linked back to their ideas.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 08:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "live_cluster",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_session.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_live_cluster_session_id"), "live_cluster", ["session_id"], unique=False
    )
    op.create_table(
        "live_poll",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("multiple", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("opened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_session.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_live_poll_session_id"), "live_poll", ["session_id"], unique=False)
    op.create_table(
        "live_poll_option",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["live_poll.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_live_poll_option_poll_id"), "live_poll_option", ["poll_id"], unique=False
    )
    op.create_table(
        "live_promotion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["live_cluster.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["agenda_item.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_session.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_live_promotion_item_id"), "live_promotion", ["item_id"], unique=False)
    op.create_index(
        op.f("ix_live_promotion_session_id"), "live_promotion", ["session_id"], unique=False
    )
    op.create_table(
        "live_poll_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["option_id"],
            ["live_poll_option.id"],
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["live_participant.id"],
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["live_poll.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("option_id", "participant_id"),
    )
    op.create_index(
        op.f("ix_live_poll_answer_participant_id"),
        "live_poll_answer",
        ["participant_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_live_poll_answer_poll_id"), "live_poll_answer", ["poll_id"], unique=False
    )
    op.create_table(
        "live_promotion_idea",
        sa.Column("promotion_id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["live_idea.id"],
        ),
        sa.ForeignKeyConstraint(
            ["promotion_id"],
            ["live_promotion.id"],
        ),
        sa.PrimaryKeyConstraint("promotion_id", "idea_id"),
    )
    op.create_index(
        op.f("ix_live_promotion_idea_idea_id"), "live_promotion_idea", ["idea_id"], unique=False
    )
    with op.batch_alter_table("live_idea") as batch_op:
        batch_op.add_column(sa.Column("cluster_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_live_idea_cluster_id"), ["cluster_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_live_idea_cluster_id_live_cluster", "live_cluster", ["cluster_id"], ["id"]
        )
    op.add_column(
        "live_session",
        sa.Column("timer_ends_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )
    op.add_column("live_session", sa.Column("timer_left", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("live_session", "timer_left")
    op.drop_column("live_session", "timer_ends_at")
    with op.batch_alter_table("live_idea") as batch_op:
        batch_op.drop_constraint("fk_live_idea_cluster_id_live_cluster", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_live_idea_cluster_id"))
        batch_op.drop_column("cluster_id")
    op.drop_table("live_promotion_idea")
    op.drop_table("live_poll_answer")
    op.drop_table("live_promotion")
    op.drop_table("live_poll_option")
    op.drop_table("live_poll")
    op.drop_table("live_cluster")
