"""The settings handlers read: a small typed slice of `bot.config.Settings`.

Handlers are channel- and deployment-free; they see only the knobs that shape
a conversation (time zone, limits, deadlines), built once in `bot/app.py`, so
a test can build one without a whole configuration and a handler cannot
reach a token or a database URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RetentionSettings:
    """How long each kind of personal data is kept (days), then the daily purge erases it.

    Defaults are stated in docs/privacy.md and the privacy notice; MOTCUA_RETENTION_*
    overrides them. The Law (91/2025/QH15) keeps data only as long as its purpose needs.
    """

    question_log_days: int = 180  # questions kept to improve the answers
    session_days: int = 90  # conversation state and walkthrough progress after the last message
    complaint_person_days: int = 365  # who sent a complaint, after it was closed
    phone_days: int = 90  # phone numbers for call-backs, after the call / the last message
    photo_days: int = 365  # complaint photos, after the complaint was closed
    outbox_days: int = 30  # what a delivered (or failed) outbox message said
    audit_days: int = 730  # the audit log of staff actions


@dataclass(frozen=True)
class HandlerSettings:
    timezone: str = "Asia/Ho_Chi_Minh"
    staff_chat: str = ""  # channel:id of a staff group chat for notices; empty: each staff member
    complaints_per_day: int = 3
    complaint_due_days: int = 10  # working days
    complaint_max_chars: int = 2000
    complaint_max_photos: int = 5
    complaint_max_photo_mb: int = 10
    guide_expiry_days: int = 14
    guide_resume_after_hours: int = 3
    rate_burst: int = 30
    rate_per_minute: int = 60
    retention: RetentionSettings = field(default_factory=RetentionSettings)
