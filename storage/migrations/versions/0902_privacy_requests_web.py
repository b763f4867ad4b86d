"""data requests handled in the staff console: when acknowledged, by whom

Revision ID: 0902_privacy_requests_web
Revises: 0601_privacy
Create Date: 2026-12-01 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0902_privacy_requests_web"
down_revision = "0601_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "data_requests",
        sa.Column("acknowledged_at", storage.models.UTCDateTime(timezone=True), nullable=True),
    )
    op.add_column("data_requests", sa.Column("handled_by", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("data_requests") as batch:
        batch.drop_column("handled_by")
        batch.drop_column("acknowledged_at")
