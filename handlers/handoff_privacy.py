"""What the live conversations with an officer store about a person.

The handoff row holds who asked (user, channel identity); the outbox holds the
request and every relayed message, with the citizen's name and words
(`ho:<id>`). Erasure detaches the person, ends the conversation and redacts
those messages; the purge does the same for conversations ended long ago.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import texts
from handlers.personal import count, cutoff, redact_notices
from handlers.router import Router
from handlers.settings import HandlerSettings, RetentionSettings
from storage.models import User
from storage.models_feedback import Handoff


async def describe(db: AsyncSession, user: User, settings: HandlerSettings) -> list[str]:
    n = await count(db, select(func.count()).select_from(Handoff).where(Handoff.user_id == user.id))
    return [texts.PV_HANDOFFS.format(n=n)]


async def _detach(db: AsyncSession, ids: list[int], now: dt.datetime | None = None) -> None:
    if not ids:
        return
    values: dict[str, object] = {"user_id": None, "channel": None, "platform_id": None, "status": "ended"}
    await db.execute(
        update(Handoff)
        .where(Handoff.id.in_(ids))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    await redact_notices(db, [f"ho:{i}" for i in ids])


async def erase(db: AsyncSession, user: User) -> None:
    await _detach(db, list(await db.scalars(select(Handoff.id).where(Handoff.user_id == user.id))))


async def purge(db: AsyncSession, now: dt.datetime, retention: RetentionSettings) -> int:
    due = cutoff(now, retention.session_days)
    ids = list(
        await db.scalars(
            select(Handoff.id).where(
                Handoff.status == "ended", Handoff.ended_at < due, Handoff.platform_id.is_not(None)
            )
        )
    )
    await _detach(db, ids)
    return len(ids)


def register(router: Router) -> None:
    router.personal_data(
        "handoffs",
        describe=describe,
        erase=erase,
        purge=purge,
        columns=("handoffs.user_id", "handoffs.channel", "handoffs.platform_id"),
        purpose=texts.REG_HANDOFFS_PURPOSE,
        basis=texts.REG_HANDOFFS_BASIS,
        retention="session",
        recipients=texts.REG_HANDOFFS_RECIPIENTS,
    )
