"""The settings handlers read: a small typed slice of `bot.config.Settings`.

Handlers are channel- and deployment-free; they see only the knobs that shape
a conversation (time zone, limits, deadlines), built once in `bot/app.py`, so
a test can build one without a whole configuration and a handler cannot
reach a token or a database URL.
"""

from __future__ import annotations

from dataclasses import dataclass


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
