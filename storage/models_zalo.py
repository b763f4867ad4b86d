"""Zalo storage: the OA's OAuth tokens and the webhook events already seen.

Tokens live in the database, not in environment variables, because Zalo
rotates them: every refresh returns a new single-use refresh token that must
survive restarts, or the OA is locked out until an admin re-consents.
Seen events live here too so several workers (or a restart) never answer
the same Zalo message twice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, BigId, UTCDateTime, utcnow

TOKEN_OK = "ok"
TOKEN_REAUTH = "reauth_required"


class ZaloToken(Base):
    """The current access/refresh token pair of one OA (name "oa" unless several are configured)."""

    __tablename__ = "zalo_tokens"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    access_token: Mapped[str | None] = mapped_column(Text)
    refresh_token: Mapped[str | None] = mapped_column(Text)
    access_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    refreshed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(24), default=TOKEN_OK)
    last_error: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ZaloEvent(Base):
    """One webhook/polling event already taken for processing (deduplication by platform id)."""

    __tablename__ = "zalo_events"
    __table_args__ = (
        UniqueConstraint("channel", "event_key", name="uq_zalo_events_channel_key"),
        Index("ix_zalo_events_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    event_key: Mapped[str] = mapped_column(String(160))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
