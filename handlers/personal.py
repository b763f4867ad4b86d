"""Small helpers every feature's personal-data registration uses (see handlers/privacy.py).

Kept apart from the privacy feature so a feature can register its eraser without
importing the feature that shows /dulieucuatoi.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import texts
from storage.privacy import redact_outbox


async def count(db: AsyncSession, stmt: Select[Any]) -> int:
    return int(await db.scalar(stmt) or 0)


async def redact_notices(db: AsyncSession, refs: Iterable[str]) -> int:
    """Queued or sent staff notices about these refs lose the citizen's name, phone and words."""
    return await redact_outbox(db, refs, lambda ref: texts.PV_ERASED_NOTICE.format(ref=ref))


def cutoff(now: dt.datetime, days: int) -> dt.datetime:
    return now - dt.timedelta(days=days)


def local_iso(moment: dt.datetime | None, tz: str) -> str | None:
    """A stored moment for the file of a person's data: ISO 8601 in the commune's time, with offset."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(tz)).replace(microsecond=0).isoformat()
