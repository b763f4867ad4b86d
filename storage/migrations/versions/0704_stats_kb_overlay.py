"""stats: indexes and daily question counts; the knowledge-base overlay stamp and staff reviews

Revision ID: 0704_stats_kb_overlay
Revises: 0501_answer_aspects, 0201_feedback, 0101_guides
Create Date: 2026-12-01 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0704_stats_kb_overlay"
# the indexes are on tables (and a column) those revisions create; the new tables need nothing
down_revision = ("0501_answer_aspects", "0201_feedback", "0101_guides")
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "kb_stamps",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("updated_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=96), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_kb_stamps")),
    )
    op.create_table(
        "kb_reviews",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("digest", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("topic_id", sa.String(length=40), nullable=True),
        sa.Column("actor", sa.String(length=96), nullable=False),
        sa.Column("at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_reviews")),
    )
    op.create_index("ix_kb_reviews_digest", "kb_reviews", ["digest"], unique=False)
    op.create_table(
        "question_daily",
        sa.Column("area", sa.String(length=128), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("area", "day", "kind", "key", name=op.f("pk_question_daily")),
    )
    op.create_table(
        "stats_rollups",
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("through", sa.String(length=10), nullable=False),
        sa.Column("updated_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tz", name=op.f("pk_stats_rollups")),
    )
    op.create_index(
        "ix_question_log_at_stats",
        "question_log",
        ["at", "decision", "topic_id", "aspect", "user_id"],
        unique=False,
    )
    op.create_index(
        "ix_ratings_kind_at", "ratings", ["target_kind", "at", "value", "target_id"], unique=False
    )
    op.create_index("ix_complaints_created_at", "complaints", ["created_at", "category"], unique=False)
    op.create_index(
        "ix_guide_runs_started_at",
        "guide_runs",
        ["started_at", "walkthrough_id", "status", "step_id"],
        unique=False,
    )
    op.create_index(
        "ix_guide_runs_finished_at", "guide_runs", ["finished_at", "rating", "walkthrough_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_guide_runs_finished_at", table_name="guide_runs")
    op.drop_index("ix_guide_runs_started_at", table_name="guide_runs")
    op.drop_index("ix_complaints_created_at", table_name="complaints")
    op.drop_index("ix_ratings_kind_at", table_name="ratings")
    op.drop_index("ix_question_log_at_stats", table_name="question_log")
    op.drop_table("stats_rollups")
    op.drop_table("question_daily")
    op.drop_index("ix_kb_reviews_digest", table_name="kb_reviews")
    op.drop_table("kb_reviews")
    op.drop_table("kb_stamps")
