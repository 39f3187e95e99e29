"""Index meetings by body and start, so a body's meeting list reads one page, not all.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 00:48:26.276361
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_meeting_body_starts", "meeting", ["body_id", "starts_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_meeting_body_starts", table_name="meeting")
