"""Dossiers of the one-stop system, their state history, and the citizens who follow them.

motcua does not own dossiers: the province's one-stop information system (or staff
importing a file) tells it what happened, as events. `dossier_events` keeps every
event once (its `event_id` is unique, which is what makes a repeated delivery a
no-op even when two workers receive it at the same moment); `dossiers` holds the
latest state a citizen is shown. Of the applicant's phone only the last four digits
are stored: they are all the ownership check needs.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, BigId, UTCDateTime, utcnow


class Dossier(Base):
    __tablename__ = "dossiers"
    __table_args__ = (UniqueConstraint("code", name="uq_dossiers_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(64))  # canonical (upper case) national dossier code
    procedure_code: Mapped[str] = mapped_column(String(32))
    procedure_name: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(32))  # a handlers.dossier_states.DossierState value
    state_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())  # when the one-stop system set it
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)  # e.g. what must be added; cleared by the purge
    phone_tail: Mapped[str | None] = mapped_column(String(4))  # last 4 digits of the applicant's phone
    # The ownership check across every chat account (handlers/dossiers.py): wrong tries in the
    # window that began at check_window_at, and the lock they led to. In the row, not in a
    # session, so several accounts cannot share out the 10,000 guesses, and all workers agree.
    check_fails: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    check_window_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    check_locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DossierEvent(Base):
    __tablename__ = "dossier_events"
    __table_args__ = (
        UniqueConstraint("event_id", name="uq_dossier_events_event_id"),
        Index("ix_dossier_events_dossier_at", "dossier_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64))  # the sender's id: idempotency key
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(8))  # "api" or "import"
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DossierFollower(Base):
    """A citizen who pressed «Theo dõi»: each new state of the dossier is sent to them once."""

    __tablename__ = "dossier_followers"
    __table_args__ = (UniqueConstraint("dossier_id", "user_id", name="uq_dossier_followers_dossier_user"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # passed the ownership check: their notices carry the details, not only the state
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
