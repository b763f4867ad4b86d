"""Consent records and data-subject requests (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15).

A consent record says what was agreed, when, for which purpose and which version of
the notice was shown, so the office can show consent was informed; a withdrawal is
a second row, never an edit. A request records what a citizen asked for about their
data, its deadlines (Nghị định 356/2025/NĐ-CP) and its outcome, so staff see what is
due and every request stays on file.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, BigId, UTCDateTime, utcnow

CONSENT_PURPOSES = ("subscriptions", "callback", "complaint_phone", "dossier_follow")
REQUEST_KINDS = ("view", "provide", "correct", "delete", "withdraw", "object")
REQUEST_OPEN = "open"
REQUEST_DONE = "done"
REQUEST_REFUSED = "refused"  # staff could not carry it out; the reason is the outcome


class ConsentRecord(Base):
    __tablename__ = "consent_records"
    __table_args__ = (Index("ix_consent_records_user_purpose", "user_id", "purpose"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(24))
    what: Mapped[str] = mapped_column(String(64))  # the data concerned: "phone", "subscriptions"
    granted: Mapped[bool] = mapped_column(default=True)  # False: a withdrawal
    text_version: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DataRequest(Base):
    __tablename__ = "data_requests"
    __table_args__ = (Index("ix_data_requests_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(12))
    detail: Mapped[str | None] = mapped_column(Text)  # what to correct, in the citizen's words
    status: Mapped[str] = mapped_column(String(12), default=REQUEST_OPEN)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ack_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # the citizen was told
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # carried out or refused
    outcome: Mapped[str | None] = mapped_column(String(160))  # what was done, or why not; no personal data
    handled_by: Mapped[str | None] = mapped_column(String(32))  # "web:staff#12" or "cli", never a name
