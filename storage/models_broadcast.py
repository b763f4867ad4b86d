"""Broadcasts and the shared send-rate ledger of the outbox.

A broadcast row records what staff asked for (text, audience, time, who); its
deliveries are outbox rows (kind "broadcast", ref = the broadcast id), written
in the same transaction, so a broadcast never exists without its recipients.

`outbox_rate` holds, per bot (a Telegram bot's key, or the channel), the
next free send slot: workers reserve blocks of slots from it and live replies
record the messages they sent without one, so several worker processes
together respect one global rate per bot token instead of each sending at the
full rate (bot/outbox_sender/budget.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, BigId, UTCDateTime, utcnow

BROADCAST_STATES = ("scheduled", "sending", "done", "cancelled")


class Broadcast(Base):
    """One announcement to many citizens; its deliveries live in the outbox."""

    __tablename__ = "broadcasts"
    __table_args__ = (Index("ix_broadcasts_status", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(96))  # staff identity (channel:id) or "cli:<user>"
    text: Mapped[str] = mapped_column(Text)
    photo: Mapped[str | None] = mapped_column(String(512))
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # {"topic":…, "area":…, "channel":…}
    send_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    total: Mapped[int] = mapped_column(Integer, default=0)
    # where progress goes: the staff member's chat (None when sent from the CLI)
    notify_channel: Mapped[str | None] = mapped_column(String(16))
    notify_platform_id: Mapped[str | None] = mapped_column(String(64))
    progress_message_id: Mapped[str | None] = mapped_column(String(64))
    progress_sent: Mapped[int] = mapped_column(Integer, default=0)  # the count last shown to staff
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    cancelled_by: Mapped[str | None] = mapped_column(String(96))
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OutboxRate(Base):
    """The next free send slot of a bot (seconds since the epoch), shared by all workers."""

    __tablename__ = "outbox_rate"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    next_slot: Mapped[float] = mapped_column(Float, default=0.0)
    version: Mapped[int] = mapped_column(Integer, default=0)  # optimistic lock: portable, no FOR UPDATE


class BroadcastPhoto(Base):
    """A photo uploaded for an announcement from the staff console, served at a public address.

    Stored in the database (added by 0703_handoff_web), not on one worker's disk, so
    every worker behind the load balancer can serve it to the platforms that fetch it
    (Telegram and Zalo take an announcement's photo by URL). The token is the address:
    random, so nobody can list the photos of announcements not sent yet.
    """

    __tablename__ = "broadcast_photos"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    token: Mapped[str] = mapped_column(String(48), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(96))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
