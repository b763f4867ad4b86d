"""Telegram storage: the journal of updates taken from Telegram.

An update is written here before Telegram is told it arrived (the getUpdates
offset, or the webhook's 200), and marked done once it is handled. So:

- a `kill -9` loses nothing: what was confirmed to Telegram is in the
  journal, and pending rows are handled again after the restart;
- several webhook workers share one de-duplication: the primary key admits
  an update once, whichever worker Telegram happens to send it to.

The primary key includes the bot's id because update ids are per bot: a
commune that swaps its bot must not have the new bot's updates taken for
duplicates of the old one's.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, UTCDateTime, utcnow

UPDATE_PENDING = "pending"
UPDATE_DONE = "done"


class TelegramUpdate(Base):
    """One update taken from Telegram: pending (payload kept) until handled, then done."""

    __tablename__ = "telegram_updates"
    __table_args__ = (
        Index("ix_telegram_updates_status_claimed", "status", "claimed_at"),
        Index("ix_telegram_updates_received_at", "received_at"),
    )

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(8), default=UPDATE_PENDING)
    payload: Mapped[str | None] = mapped_column(Text)  # the update's JSON while pending
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
