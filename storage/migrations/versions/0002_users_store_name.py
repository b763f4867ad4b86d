"""users.store_name: after /xoadulieu the display name is not stored again

Revision ID: 0002_users_store_name
Revises: 0001_foundation
Create Date: 2026-11-28 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_users_store_name"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases (SQLite allows it with a constant default): no
    # copy-and-rename rebuild of a table every other table points at.
    op.add_column("users", sa.Column("store_name", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    op.drop_column("users", "store_name")
