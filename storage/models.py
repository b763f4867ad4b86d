"""SQLAlchemy 2 models shared by SQLite and PostgreSQL.

Only portable types: JSON (not JSONB), timezone-aware timestamps stored as
UTC, no SQLite-only SQL. Every schema change also needs an Alembic migration;
tests/test_migrations.py compares the two.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timestamps always come back timezone-aware in UTC, on both databases.

    SQLite stores no zone; without this, comparisons between loaded and fresh
    values raise on one database and not the other.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


# BigInteger primary keys do not autoincrement on SQLite; use Integer there.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """One identity on one channel. Personal fields are nullable so they can be erased."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "platform_id", name="uq_users_channel_platform"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    platform_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(128))
    phone: Mapped[str | None] = mapped_column(String(20))
    consent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    subscriptions: Mapped[list[str]] = mapped_column(JSON, default=list)
    area: Mapped[str | None] = mapped_column(String(128))
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    # False once the person erased their data: the display name the platform sends with every
    # message is then not stored again.
    store_name: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def key(self) -> str:
        return f"{self.channel}:{self.platform_id}"


class ChatSession(Base):
    """The conversation state of a user: the active flow and its data."""

    __tablename__ = "sessions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    flow: Mapped[str | None] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QuestionLog(Base):
    """Every free-text question with what the matcher made of it (for KB improvement)."""

    __tablename__ = "question_log"
    __table_args__ = (Index("ix_question_log_decision_at", "decision", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text)
    topic_id: Mapped[str | None] = mapped_column(String(40))
    score: Mapped[float | None] = mapped_column(Float)
    decision: Mapped[str] = mapped_column(String(16))
    aspect: Mapped[str | None] = mapped_column(String(20))  # what was asked: fee, documents…
    faq_id: Mapped[str | None] = mapped_column(String(82))  # "<topic>.<faq id>" when an FAQ answered
    candidates: Mapped[list[Any]] = mapped_column(JSON, default=list)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Outbox(Base):
    """One message to one recipient that nobody asked for right now (broadcast, complaint reply).

    Written in the same transaction as what caused it, delivered later by the
    sender loop of its channel; a row is never deleted, only moved between states.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_channel_status_due", "channel", "status", "not_before"),
        Index("ix_outbox_kind_ref_status", "kind", "ref", "status"),
        # one delivery per (broadcast, recipient): a retried or doubled enqueue cannot duplicate it
        UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    platform_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(24))  # broadcast, complaint_reply, notice
    ref: Mapped[str | None] = mapped_column(String(64))  # e.g. broadcast id, complaint code
    payload: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # serialised replies
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    platform_message_id: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # added by 0301_broadcast: the worker holding the claim (its lease is claimed_at + lease seconds)
    worker: Mapped[str | None] = mapped_column(String(64))
    dedupe_key: Mapped[str | None] = mapped_column(String(96))


class AuditLog(Base):
    """Who did what and when: every staff action is recorded here."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(96))
    action: Mapped[str] = mapped_column(String(48))
    target: Mapped[str | None] = mapped_column(String(96))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


from storage import (  # noqa: E402  (feature models register on Base after it exists)
    models_broadcast,  # noqa: F401
    models_feedback,  # noqa: F401
    models_guides,  # noqa: F401
    models_health,  # noqa: F401
    models_open311,  # noqa: F401
    models_privacy,  # noqa: F401
    models_telegram,  # noqa: F401
    models_zalo,  # noqa: F401
)
