"""dossiers: dossier states fed by the one-stop system, their events and followers

Revision ID: 0801_dossiers
Revises: 0001_foundation
Create Date: 2026-12-01 13:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0801_dossiers"
down_revision = "0001_foundation"
branch_labels = ("dossiers",)
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = storage.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dossiers",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("procedure_code", sa.String(length=32), nullable=False),
        sa.Column("procedure_name", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("state_at", _AT, nullable=False),
        sa.Column("due_at", _AT, nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("phone_tail", sa.String(length=4), nullable=True),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("updated_at", _AT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossiers")),
        sa.UniqueConstraint("code", name="uq_dossiers_code"),
    )
    op.create_table(
        "dossier_events",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("dossier_id", _ID, nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("at", _AT, nullable=False),
        sa.Column("due_at", _AT, nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("received_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_dossier_events_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_events")),
        sa.UniqueConstraint("event_id", name="uq_dossier_events_event_id"),
    )
    with op.batch_alter_table("dossier_events", schema=None) as batch_op:
        batch_op.create_index("ix_dossier_events_dossier_at", ["dossier_id", "at"], unique=False)
    op.create_table(
        "dossier_followers",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("dossier_id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_dossier_followers_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_dossier_followers_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_followers")),
        sa.UniqueConstraint("dossier_id", "user_id", name="uq_dossier_followers_dossier_user"),
    )


def downgrade() -> None:
    op.drop_table("dossier_followers")
    with op.batch_alter_table("dossier_events", schema=None) as batch_op:
        batch_op.drop_index("ix_dossier_events_dossier_at")
    op.drop_table("dossier_events")
    op.drop_table("dossiers")
