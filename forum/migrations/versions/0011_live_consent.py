"""The live sessions' consent ledger (issue 12, part 5): each participant's consent to the
join notice, with its version, as members' consents are kept; the participants already
there are entered with version 1 at the time they joined.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "live_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("notice_version", sa.Integer(), nullable=False),
        sa.Column("given_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["participant_id"], ["live_participant.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_live_consent_participant_id"), "live_consent", ["participant_id"], unique=False
    )
    op.execute(
        "INSERT INTO live_consent (participant_id, notice_version, given_at) "
        "SELECT id, 1, consent_at FROM live_participant"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_live_consent_participant_id"), table_name="live_consent")
    op.drop_table("live_consent")
