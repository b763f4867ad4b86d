"""API keys of the systems allowed to exchange complaints over Open311 GeoReport v2.

Only a SHA-256 digest of each key is stored: a copy of the database (a backup,
a support dump) then lets nobody file complaints or read personal data. The
keys are long random strings, so an unsalted digest cannot be reversed by
guessing. `personal_data` says whether the key's holder may see who filed a
complaint and what they wrote (docs/open311.md).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, BigId, UTCDateTime, utcnow


class Open311Key(Base):
    __tablename__ = "open311_keys"
    __table_args__ = (
        UniqueConstraint("name", name="uq_open311_keys_name"),
        UniqueConstraint("key_hash", name="uq_open311_keys_key_hash"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))  # who holds it, e.g. "so-tttt-tinh"
    key_hash: Mapped[str] = mapped_column(String(64))  # hex SHA-256 of the key
    personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
