"""Ballots (issue 13): a ballot and its options, the roll of who voted, a named ballot's
choices, a secret ballot's sealed choices while it is open and its shuffled papers after,
the receipts issued (voting.models says why they are kept apart), and the tellers'
counts of paper ballots and shows of hands.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 00:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ballot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("ranked_rule", sa.String(length=20), nullable=False),
        sa.Column("majority", sa.String(length=20), nullable=False),
        sa.Column("quorum", sa.Integer(), nullable=False),
        sa.Column("most", sa.Integer(), nullable=False),
        sa.Column("dots", sa.Integer(), nullable=False),
        sa.Column("budget_satang", sa.BigInteger(), nullable=True),
        sa.Column("secrecy", sa.String(length=10), nullable=False),
        sa.Column("eligibility", sa.String(length=20), nullable=False),
        sa.Column("results_shown", sa.String(length=20), nullable=False),
        sa.Column("may_change", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("opens_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("closes_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("opened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("eligible", sa.Integer(), nullable=False),
        sa.Column("bulletin_head", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["body.id"],
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
            ["meeting_id"],
            ["meeting.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_ballot_body_id"), "ballot", ["body_id"], unique=False)
    op.create_index(op.f("ix_ballot_item_id"), "ballot", ["item_id"], unique=False)
    op.create_index(op.f("ix_ballot_meeting_id"), "ballot", ["meeting_id"], unique=False)
    op.create_table(
        "ballot_option",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("cost_satang", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["ballot.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ballot_id", "position"),
    )
    op.create_index(
        op.f("ix_ballot_option_ballot_id"), "ballot_option", ["ballot_id"], unique=False
    )
    op.create_table(
        "ballot_paper",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["ballot.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_ballot_paper_ballot_id"), "ballot_paper", ["ballot_id"], unique=False)
    op.create_table(
        "ballot_receipt",
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["ballot.id"],
        ),
        sa.PrimaryKeyConstraint("receipt_hash"),
    )
    op.create_index(
        op.f("ix_ballot_receipt_ballot_id"), "ballot_receipt", ["ballot_id"], unique=False
    )
    op.create_table(
        "ballot_sealed",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["ballot.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_ballot_sealed_ballot_id"), "ballot_sealed", ["ballot_id"], unique=False
    )
    op.create_table(
        "ballot_teller_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.Integer(), nullable=False),
        sa.Column("entered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["ballot.id"],
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["entered_by"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_ballot_teller_count_ballot_id"), "ballot_teller_count", ["ballot_id"], unique=False
    )
    op.create_table(
        "ballot_voter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=True),
        sa.Column("cast_by", sa.Integer(), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("key_hashes", sa.Text(), nullable=False),
        sa.Column("voted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["ballot.id"],
        ),
        sa.ForeignKeyConstraint(
            ["cast_by"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["live_participant.id"],
        ),
        sa.ForeignKeyConstraint(
            ["seat_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ballot_id", "participant_id"),
        sa.UniqueConstraint("ballot_id", "seat_id"),
    )
    op.create_index(op.f("ix_ballot_voter_ballot_id"), "ballot_voter", ["ballot_id"], unique=False)
    op.create_table(
        "ballot_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("voter_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["ballot.id"],
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"],
            ["ballot_voter.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("voter_id"),
    )
    op.create_index(op.f("ix_ballot_vote_ballot_id"), "ballot_vote", ["ballot_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_ballot_vote_ballot_id"), table_name="ballot_vote")
    op.drop_table("ballot_vote")
    op.drop_index(op.f("ix_ballot_voter_ballot_id"), table_name="ballot_voter")
    op.drop_table("ballot_voter")
    op.drop_index(op.f("ix_ballot_teller_count_ballot_id"), table_name="ballot_teller_count")
    op.drop_table("ballot_teller_count")
    op.drop_index(op.f("ix_ballot_sealed_ballot_id"), table_name="ballot_sealed")
    op.drop_table("ballot_sealed")
    op.drop_index(op.f("ix_ballot_receipt_ballot_id"), table_name="ballot_receipt")
    op.drop_table("ballot_receipt")
    op.drop_index(op.f("ix_ballot_paper_ballot_id"), table_name="ballot_paper")
    op.drop_table("ballot_paper")
    op.drop_index(op.f("ix_ballot_option_ballot_id"), table_name="ballot_option")
    op.drop_table("ballot_option")
    op.drop_index(op.f("ix_ballot_meeting_id"), table_name="ballot")
    op.drop_index(op.f("ix_ballot_item_id"), table_name="ballot")
    op.drop_index(op.f("ix_ballot_body_id"), table_name="ballot")
    op.drop_table("ballot")
