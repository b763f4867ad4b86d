"""The broadcast monitor's steps as conditional updates on `broadcasts`.

Every outbox worker runs a monitor, so each step is an UPDATE guarded by the
state it expects: whichever worker's update matches a row did the step, and
the others see False and leave it alone. The caller commits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models_broadcast import Broadcast


def _won(result: Any) -> bool:
    return cast(CursorResult[Any], result).rowcount == 1


async def start_sending(db: AsyncSession, broadcast_id: int, now: dt.datetime) -> None:
    """scheduled -> sending, stamping when the first worker saw it due."""
    await db.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == "scheduled")
        .values(status="sending", started_at=now)
    )


async def finish(db: AsyncSession, broadcast_id: int, now: dt.datetime, report: dict[str, Any]) -> bool:
    """-> done with its report; True for the one worker that gets to send the report."""
    result = await db.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status.in_(("scheduled", "sending")))
        .values(status="done", finished_at=now, report=report)
    )
    return _won(result)


async def claim_first_progress(db: AsyncSession, broadcast_id: int, marker: str, done: int) -> bool:
    """Mark the first progress message as being posted; True for the one worker that posts it."""
    result = await db.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.progress_message_id.is_(None))
        .values(progress_message_id=marker, progress_sent=done)
    )
    return _won(result)


async def set_progress_message(db: AsyncSession, broadcast_id: int, message_id: str | None) -> None:
    """Record the posted progress message (None: not posted, try again)."""
    await db.execute(
        update(Broadcast).where(Broadcast.id == broadcast_id).values(progress_message_id=message_id)
    )


async def advance_progress(db: AsyncSession, broadcast_id: int, shown: int, done: int) -> bool:
    """Move the shown count from `shown` to `done`; True for the one worker that shows it."""
    result = await db.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.progress_sent == shown)
        .values(progress_sent=done)
    )
    return _won(result)
