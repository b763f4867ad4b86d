"""Complaints (phản ánh, kiến nghị), their history, ratings and handoffs.

Call-back requests share the guides feature's table (storage.models_guides.
GuideCallback), so staff have one list of people to call (/goilai).

A complaint keeps what was reported (category, description, photos, place)
separately from who reported it (user_id, channel, platform_id, phone), so a
citizen's request to erase their personal data can drop the person and keep
the record the office must keep.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, BigId, UTCDateTime, utcnow

# statuses of a complaint, in the order they usually happen
STATUSES = ("received", "assigned", "answered", "closed", "reopened")
OPEN_STATUSES = ("received", "assigned", "reopened")


class ComplaintCounter(Base):
    """The last tracking number handed out in a year.

    Incrementing this row (UPDATE … RETURNING) takes a row lock on PostgreSQL
    and the write lock on SQLite, so concurrent submissions get consecutive
    numbers and a rolled-back submission gives its number back.
    """

    __tablename__ = "complaint_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_status_due", "status", "due_at"),
        Index("ix_complaints_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # PA-2026-000123
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    # who (erasable)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    channel: Mapped[str | None] = mapped_column(String(16))
    platform_id: Mapped[str | None] = mapped_column(String(64))
    reporter_name: Mapped[str | None] = mapped_column(String(128))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))  # given by an Open311 client
    # what (kept for the record)
    category: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    latitude: Mapped[float | None] = mapped_column()
    longitude: Mapped[float | None] = mapped_column()
    # where, in words or as the province's address id (Open311 address_string / address_id)
    address: Mapped[str | None] = mapped_column(String(300))
    address_id: Mapped[str | None] = mapped_column(String(64))
    # handling
    status: Mapped[str] = mapped_column(String(16), default="received")
    assignee: Mapped[str | None] = mapped_column(String(96))  # staff identity channel:id
    answer: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ComplaintEvent(Base):
    """One step in a complaint's history: received, assigned, answered, closed, reopened, note."""

    __tablename__ = "complaint_events"
    __table_args__ = (Index("ix_complaint_events_complaint_at", "complaint_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str | None] = mapped_column(String(96))  # staff identity, "citizen", "cli:…"
    text: Mapped[str | None] = mapped_column(Text)


class Rating(Base):
    """A citizen's rating of something the bot or the office did, with what it rates.

    target_kind: "topic" (an answer), "complaint" (handling of a complaint),
    "handoff" (a conversation with staff). value: 1 useful/satisfied, 0 not.
    """

    __tablename__ = "ratings"
    __table_args__ = (Index("ix_ratings_target", "target_kind", "target_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Handoff(Base):
    """A live conversation between a citizen and a staff member, relayed by the bot."""

    __tablename__ = "handoffs"
    __table_args__ = (Index("ix_handoffs_status", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    channel: Mapped[str | None] = mapped_column(String(16))
    platform_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="waiting")  # waiting, active, ended
    staff_key: Mapped[str | None] = mapped_column(String(96))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    taken_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    ended_by: Mapped[str | None] = mapped_column(String(16))  # citizen, staff
    messages: Mapped[int] = mapped_column(Integer, default=0)


class FeedbackJob(Base):
    """A daily job that ran (e.g. the overdue reminder of a day), so it runs once across workers."""

    __tablename__ = "feedback_jobs"
    __table_args__ = (UniqueConstraint("name", "day", name="uq_feedback_jobs_name_day"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(32))
    day: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD local
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
