"""health: the table the readiness probe writes to (and rolls back)

Revision ID: 0501_health
Revises: 0001_foundation
Create Date: 2026-12-01 11:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0501_health"
down_revision = "0001_foundation"
branch_labels = ("health",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "health_probes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_probes")),
    )


def downgrade() -> None:
    op.drop_table("health_probes")
