"""open311: API keys, and the complaint fields an Open311 client sends (address, email)

Revision ID: 0802_open311
Revises: 0201_feedback
Create Date: 2026-12-01 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0802_open311"
down_revision = "0201_feedback"  # it alters the complaints table made there
branch_labels = ("open311",)
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "open311_keys",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("personal_data", sa.Boolean(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_keys")),
        sa.UniqueConstraint("key_hash", name="uq_open311_keys_key_hash"),
        sa.UniqueConstraint("name", name="uq_open311_keys_name"),
    )
    # plain ADD COLUMN of nullable columns on both databases: no rebuild of the complaints table
    op.add_column("complaints", sa.Column("email", sa.String(length=254), nullable=True))
    op.add_column("complaints", sa.Column("address", sa.String(length=300), nullable=True))
    op.add_column("complaints", sa.Column("address_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_column("address_id")
        batch_op.drop_column("address")
        batch_op.drop_column("email")
    op.drop_table("open311_keys")
