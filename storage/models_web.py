"""Staff accounts and the staff web console's sign-in links, sessions and attempts.

Accounts live in the database so an admin can add a colleague on a page and every
worker sees it; the staff file (storage/staff.py) still seeds them. Links and
sessions keep only a SHA-256 of their secret, so a copy of the database cannot be
used to sign in; attempts keep only a hash of the client address, for an hour.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, BigId, UTCDateTime, utcnow

ROLE_STAFF = "staff"
ROLE_ADMIN = "admin"
# where an account came from: the staff file, MOTCUA_STAFF, or an admin on the web page
SOURCE_FILE = "file"
SOURCE_INLINE = "inline"
SOURCE_WEB = "web"


class StaffAccount(Base):
    __tablename__ = "staff_accounts"
    __table_args__ = (UniqueConstraint("channel", "platform_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(24))
    platform_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(8), default=ROLE_STAFF)
    source: Mapped[str] = mapped_column(String(8), default=SOURCE_WEB)
    password_hash: Mapped[str | None] = mapped_column(String(200))  # argon2id; admins only, optional
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def key(self) -> str:
        return f"{self.channel}:{self.platform_id}"


class WebSignInLink(Base):
    """A one-time sign-in link sent by the bot after `/web`."""

    __tablename__ = "web_sign_in_links"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class WebSession(Base):
    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))  # echoed in every form of this session
    flashes: Mapped[list[str]] = mapped_column(JSON, default=list)  # messages shown on the next page
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class WebSignInAttempt(Base):
    """One sign-in attempt, by a keyed hash of the client address: the rate limit's memory."""

    __tablename__ = "web_sign_in_attempts"
    __table_args__ = (Index("ix_web_sign_in_attempts_address_at", "address_hash", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    address_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
