"""The daily retention purge: every registration erases what is past its period.

Each feature's personal-data registration may carry a `purge` (see
handlers/router.py); this runs them all in one transaction, plus the account's
own (conversation state, names and phones of people long silent) and the audit
log's. `motcua run` runs it once a day (bot/privacy_purge.py, claimed in
feedback_jobs so several workers do it once); `motcua privacy purge` runs it now.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.personal import cutoff
from handlers.router import Router
from handlers.settings import RetentionSettings
from storage.models import AuditLog, ChatSession, User
from storage.models_feedback import FeedbackJob

JOB = "privacy_purge"


def _rows(result: Any) -> int:
    return int(cast("CursorResult[Any]", result).rowcount or 0)


async def purge_account(db: AsyncSession, now: dt.datetime, retention: RetentionSettings) -> int:
    """Conversation state of silent people goes, then their names, then their phones."""
    session_due = cutoff(now, retention.session_days)
    silent = select(User.id).where(User.last_seen_at < session_due).scalar_subquery()
    n = _rows(
        await db.execute(
            update(ChatSession)
            .where(ChatSession.updated_at < session_due, ChatSession.user_id.in_(silent))
            .values(flow=None, data={})
            .execution_options(synchronize_session=False)
        )
    )
    n += _rows(
        await db.execute(
            update(User)
            .where(User.last_seen_at < session_due, User.display_name.is_not(None))
            .values(display_name=None)
            .execution_options(synchronize_session=False)
        )
    )
    n += _rows(
        await db.execute(
            update(User)
            .where(User.last_seen_at < cutoff(now, retention.phone_days), User.phone.is_not(None))
            .values(phone=None, consent_at=None)
            .execution_options(synchronize_session=False)
        )
    )
    return n


async def purge_audit(db: AsyncSession, now: dt.datetime, retention: RetentionSettings) -> int:
    return _rows(await db.execute(delete(AuditLog).where(AuditLog.at < cutoff(now, retention.audit_days))))


async def purge(
    db: AsyncSession, router: Router, now: dt.datetime, retention: RetentionSettings
) -> dict[str, int]:
    """Run every registration's purge; returns rows changed per registration (no personal data)."""
    done: dict[str, int] = {}
    for registration in router.personal.values():
        if registration.purge is not None:
            done[registration.name] = await registration.purge(db, now, retention)
    return done


async def purge_once_today(
    db: AsyncSession, router: Router, now: dt.datetime, retention: RetentionSettings, tz: str
) -> dict[str, int] | None:
    """The daily purge, claimed for the local day so several workers run it once; None if done."""
    day = now.astimezone(ZoneInfo(tz)).date().isoformat()
    insert = sqlite_insert if db.get_bind().dialect.name == "sqlite" else pg_insert
    claimed = await db.execute(
        insert(FeedbackJob)
        .values(name=JOB, day=day, at=now, detail={})
        .on_conflict_do_nothing(index_elements=["name", "day"])
    )
    if _rows(claimed) != 1:
        return None
    done = await purge(db, router, now, retention)
    job = await db.scalar(select(FeedbackJob).where(FeedbackJob.name == JOB, FeedbackJob.day == day))
    if job is not None:
        job.detail = dict(done)
    return done
