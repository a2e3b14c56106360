"""Create the validation report table: one row per resource, the latest validation.

Revision ID: a1c3e5f7b901
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a1c3e5f7b901"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tgn_validation_report",
        sa.Column("resource_id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("token", sa.UnicodeText, nullable=False),
        sa.Column("fingerprint", sa.UnicodeText, nullable=False),
        sa.Column("schema_url", sa.UnicodeText),
        sa.Column("requested", sa.DateTime, nullable=False),
        sa.Column("started", sa.DateTime),
        sa.Column("finished", sa.DateTime),
        sa.Column("error_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("truncated", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("made_private", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("outcome", sa.UnicodeText),
    )
    op.create_index("idx_tgn_validation_report_status", "tgn_validation_report", ["status"])


def downgrade() -> None:
    op.drop_table("tgn_validation_report")
