"""dossiers: the ownership check's lock per dossier, across every chat account

Revision ID: 0903_dossier_web
Revises: 0801_dossiers
Create Date: 2026-12-01 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0903_dossier_web"
down_revision = "0801_dossiers"  # it alters the dossiers table made there
branch_labels = None
depends_on = None

_AT = storage.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    # plain ADD COLUMN on both databases (a constant default): no rebuild of the dossiers table
    op.add_column(
        "dossiers", sa.Column("check_fails", sa.Integer(), nullable=False, server_default=sa.text("0"))
    )
    op.add_column("dossiers", sa.Column("check_window_at", _AT, nullable=True))
    op.add_column("dossiers", sa.Column("check_locked_until", _AT, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_column("check_locked_until")
        batch_op.drop_column("check_window_at")
        batch_op.drop_column("check_fails")
