"""Running the meeting (issue 3 part 8): the agenda's current item and since when; each
item's time taken, its outcome (discussion summary, resolution มติ, who recorded it, an
optimistic-lock version); and each item's description stored rendered, so a page never
renders Markdown on a read.

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


def upgrade() -> None:
    op.add_column("agenda", sa.Column("current_item_id", sa.Integer(), nullable=True))
    op.add_column("agenda", sa.Column("current_since", UTC(), nullable=True))
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


def downgrade() -> None:
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
    op.drop_column("agenda", "current_since")
    op.drop_column("agenda", "current_item_id")
