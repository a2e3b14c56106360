"""Create the DCAT fragment cache: one row per dataset, one per shared description.

Revision ID: b7d2e4f6a801
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b7d2e4f6a801"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No foreign key to package: CKAN's own table resets would trip on it, and the catalogs
    # start every read from package, so a purged dataset's row is never reached.
    op.create_table(
        "tgn_dcat_fragment",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("uri", sa.UnicodeText, nullable=False),
        sa.Column("revision", sa.DateTime, nullable=False),
        sa.Column("indexed", sa.UnicodeText, nullable=False),
        sa.Column("generation", sa.UnicodeText, nullable=False),
        sa.Column("org_sig", sa.UnicodeText, nullable=False),
        sa.Column("valid_until", sa.Date),
        sa.Column("shared", sa.UnicodeText, nullable=False),
        sa.Column("ttl", sa.UnicodeText, nullable=False),
        sa.Column("rdfxml", sa.UnicodeText, nullable=False),
        sa.Column("jsonld", sa.UnicodeText, nullable=False),
        sa.Column("rendered", sa.DateTime, nullable=False),
    )
    op.create_table(
        "tgn_dcat_shared",
        sa.Column("key", sa.UnicodeText, primary_key=True),
        sa.Column("ttl", sa.UnicodeText, nullable=False),
        sa.Column("rdfxml", sa.UnicodeText, nullable=False),
        sa.Column("jsonld", sa.UnicodeText, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tgn_dcat_shared")
    op.drop_table("tgn_dcat_fragment")
