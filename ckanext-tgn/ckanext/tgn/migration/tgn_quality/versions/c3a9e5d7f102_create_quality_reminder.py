"""Create the reminders sent: one row per dataset and due date.

Revision ID: c3a9e5d7f102
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c3a9e5d7f102"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No foreign key to package, as for our other tables: CKAN's resets would trip on it.
    op.create_table(
        "tgn_quality_reminder",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("due", sa.Date, primary_key=True),
        sa.Column("sent", sa.DateTime, nullable=False),
        sa.Column("recipients", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tgn_quality_reminder")
