"""complaint area: where the reported problem is, set by staff (inbox filter)

Revision ID: 0702_complaint_web
Revises: 0201_feedback
Create Date: 2026-12-01 13:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0702_complaint_web"
down_revision = "0201_feedback"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("complaints", sa.Column("area", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("area")
