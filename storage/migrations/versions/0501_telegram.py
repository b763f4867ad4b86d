"""telegram: the journal of updates (crash-safe confirmation, de-duplication shared by workers)

Revision ID: 0501_telegram
Revises: 0001_foundation
Create Date: 2026-12-02 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0501_telegram"
down_revision = "0001_foundation"
branch_labels = ("telegram",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "telegram_updates",
        sa.Column("bot_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("bot_id", "update_id", name=op.f("pk_telegram_updates")),
    )
    with op.batch_alter_table("telegram_updates", schema=None) as batch_op:
        batch_op.create_index("ix_telegram_updates_received_at", ["received_at"], unique=False)
        batch_op.create_index("ix_telegram_updates_status_claimed", ["status", "claimed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("telegram_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_telegram_updates_status_claimed")
        batch_op.drop_index("ix_telegram_updates_received_at")
    op.drop_table("telegram_updates")
