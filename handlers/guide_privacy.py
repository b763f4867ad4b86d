"""What the walkthroughs store about a person: progress, funnel events, call-back requests.

Call-back requests (the guides' and the handoff's) share one table, so this
registration also redacts the staff notices about them (`cb:<id>` in the outbox)
before the rows go.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import texts
from handlers.personal import count, cutoff, redact_notices
from handlers.router import Router
from handlers.settings import HandlerSettings, RetentionSettings
from storage.guides import erase_user as erase_guides
from storage.models import User
from storage.models_guides import GuideCallback, GuideEvent, GuideRun


async def describe(db: AsyncSession, user: User, settings: HandlerSettings) -> list[str]:
    runs = await count(db, select(func.count()).select_from(GuideRun).where(GuideRun.user_id == user.id))
    calls = await count(
        db, select(func.count()).select_from(GuideCallback).where(GuideCallback.user_id == user.id)
    )
    return [texts.PV_GUIDES.format(n=runs), texts.PV_CALLBACKS.format(n=calls)]


async def erase(db: AsyncSession, user: User) -> None:
    ids = list(await db.scalars(select(GuideCallback.id).where(GuideCallback.user_id == user.id)))
    await redact_notices(db, [f"cb:{i}" for i in ids])
    await erase_guides(db, user.id)


async def purge(db: AsyncSession, now: dt.datetime, retention: RetentionSettings) -> int:
    """Call-backs go `phone_days` after they were done (or asked for); progress after `session_days`."""
    phone_due = cutoff(now, retention.phone_days)
    old_calls = list(
        await db.scalars(
            select(GuideCallback.id).where(
                or_(GuideCallback.done_at < phone_due, GuideCallback.created_at < phone_due)
            )
        )
    )
    await redact_notices(db, [f"cb:{i}" for i in old_calls])
    if old_calls:
        await db.execute(delete(GuideCallback).where(GuideCallback.id.in_(old_calls)))
    session_due = cutoff(now, retention.session_days)
    old_runs = list(await db.scalars(select(GuideRun.id).where(GuideRun.updated_at < session_due)))
    if old_runs:
        await db.execute(delete(GuideEvent).where(GuideEvent.run_id.in_(old_runs)))
        await db.execute(delete(GuideRun).where(GuideRun.id.in_(old_runs)))
    await db.execute(delete(GuideEvent).where(GuideEvent.at < session_due))
    return len(old_calls) + len(old_runs)


def register(router: Router) -> None:
    router.personal_data(
        "walkthroughs",
        describe=describe,
        erase=erase,
        purge=purge,
        columns=(
            "guide_runs.user_id",
            "guide_runs.comment",
            "guide_events.user_id",
            "guide_events.detail",
            "guide_callbacks.user_id",
            "guide_callbacks.phone",
            "guide_callbacks.name",
        ),
        purpose=texts.REG_WALKTHROUGHS_PURPOSE,
        basis=texts.REG_WALKTHROUGHS_BASIS,
        retention="phone",
        recipients=texts.REG_WALKTHROUGHS_RECIPIENTS,
    )
