"""Index attendance by meeting and status, so a meeting list counts who is present and
who is invited from the index alone, without reading each attendance line.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 01:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_attendance_meeting_status", "attendance", ["meeting_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_attendance_meeting_status", table_name="attendance")
