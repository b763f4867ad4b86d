"""question_log.aspect and question_log.faq_id: which part of a topic an answer gave

Revision ID: 0501_answer_aspects
Revises: 0002_users_store_name
Create Date: 2026-12-01 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0501_answer_aspects"
down_revision = "0002_users_store_name"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain nullable ADD COLUMNs on both databases: old rows simply have no aspect.
    op.add_column("question_log", sa.Column("aspect", sa.String(length=20), nullable=True))
    op.add_column("question_log", sa.Column("faq_id", sa.String(length=82), nullable=True))


def downgrade() -> None:
    op.drop_column("question_log", "faq_id")
    op.drop_column("question_log", "aspect")
