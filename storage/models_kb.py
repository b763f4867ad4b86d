"""The staff overlay of the knowledge base, staff reviews of unanswered questions, daily counts.

`kb_stamps` holds one row per shared artefact ("overlay"): its version, the
digest and text of the file it stands for. Every worker compares the version
with the one it loaded (bot/kb_sync.py) and reloads when it is newer, writing
the file first when its own copy differs, so workers on machines that do not
share a data directory converge too.

`kb_reviews` remembers which groups of questions staff already handled, by a
digest of the folded question text: the improvement page hides them without
keeping a copy of what a citizen wrote.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, BigId, UTCDateTime, utcnow

REVIEW_ACTIONS = ("example", "alias", "faq", "out_of_scope", "dismiss")


class KbStamp(Base):
    __tablename__ = "kb_stamps"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    digest: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)  # the overlay file as staff accepted it
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(96))


class KbReview(Base):
    __tablename__ = "kb_reviews"
    __table_args__ = (Index("ix_kb_reviews_digest", "digest"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    digest: Mapped[str] = mapped_column(String(40))  # sha1 of the folded question text
    action: Mapped[str] = mapped_column(String(16))
    topic_id: Mapped[str | None] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(96))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QuestionDaily(Base):
    """Questions of one finished local day, counted: what the dashboard reads instead of the log.

    kind "decision" (key answer / clarify / fallback), "topic" and "aspect" (keys of answered
    questions); area "*" is everyone, "" citizens who chose no area. The counts outlive the
    question log's retention: they say how many, never who or what.
    """

    __tablename__ = "question_daily"

    # area first: the dashboard reads one area's days (everyone's: "*")
    area: Mapped[str] = mapped_column(String(128), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD, local
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class StatsRollup(Base):
    """How far question_daily is complete: every local day up to `through` (in `tz`) is counted."""

    __tablename__ = "stats_rollups"

    tz: Mapped[str] = mapped_column(String(64), primary_key=True)
    through: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD, local
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
