"""handoff_web: conversation messages for the staff console, where a handoff was taken, announcement photos

Revision ID: 0703_handoff_web
Revises: 0201_feedback
Create Date: 2026-12-01 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0703_handoff_web"
down_revision = "0201_feedback"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("via", sa.String(length=8), nullable=True))
    op.create_table(
        "handoff_messages",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("handoff_id", _ID, nullable=False),
        sa.Column("at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sender", sa.String(length=8), nullable=False),
        sa.Column("author", sa.String(length=96), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("photo", sa.String(length=512), nullable=True),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoffs.id"],
            name=op.f("fk_handoff_messages_handoff_id_handoffs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_messages")),
    )
    with op.batch_alter_table("handoff_messages", schema=None) as batch_op:
        batch_op.create_index("ix_handoff_messages_handoff_id", ["handoff_id", "id"], unique=False)
    op.create_table(
        "broadcast_photos",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("token", sa.String(length=48), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=96), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_photos")),
        sa.UniqueConstraint("token", name=op.f("uq_broadcast_photos_token")),
    )


def downgrade() -> None:
    op.drop_table("broadcast_photos")
    with op.batch_alter_table("handoff_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_handoff_messages_handoff_id")
    op.drop_table("handoff_messages")
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_column("via")
