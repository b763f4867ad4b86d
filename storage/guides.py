"""Queries over walkthrough runs, events and call-back requests.

Like storage/repos.py, these add and flush but never commit: the dispatcher
commits a handler's writes together with the session state.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import User, utcnow
from storage.models_guides import (
    ACTIVE,
    FINISHED,
    GuideCallback,
    GuideEvent,
    GuideRun,
)
from storage.privacy import record_consent


async def latest_active_run(db: AsyncSession, user_id: int) -> GuideRun | None:
    """The user's unfinished walkthrough, if any (at most one is active at a time)."""
    return await db.scalar(
        select(GuideRun)
        .where(GuideRun.user_id == user_id, GuideRun.status == ACTIVE)
        .order_by(GuideRun.id.desc())
        .limit(1)
    )


async def latest_finished_run(db: AsyncSession, user_id: int) -> GuideRun | None:
    return await db.scalar(
        select(GuideRun)
        .where(GuideRun.user_id == user_id, GuideRun.status == FINISHED)
        .order_by(GuideRun.finished_at.desc(), GuideRun.id.desc())
        .limit(1)
    )


async def get_run(db: AsyncSession, run_id: int, user_id: int) -> GuideRun | None:
    run = await db.get(GuideRun, run_id)
    return run if run is not None and run.user_id == user_id else None


async def finished_skills(db: AsyncSession, user_id: int) -> set[str]:
    rows = await db.scalars(
        select(GuideRun.skill).where(GuideRun.user_id == user_id, GuideRun.status == FINISHED).distinct()
    )
    return set(rows)


async def finished_walkthroughs(db: AsyncSession, user_id: int) -> set[str]:
    rows = await db.scalars(
        select(GuideRun.walkthrough_id)
        .where(GuideRun.user_id == user_id, GuideRun.status == FINISHED)
        .distinct()
    )
    return set(rows)


def record(
    db: AsyncSession,
    run: GuideRun,
    event: str,
    *,
    step_id: str | None = None,
    at: dt.datetime | None = None,
    **detail: Any,
) -> None:
    """Add one funnel event for a run (flushed with the caller's transaction)."""
    db.add(
        GuideEvent(
            run_id=run.id,
            user_id=run.user_id,
            walkthrough_id=run.walkthrough_id,
            skill=run.skill,
            step_id=step_id if step_id is not None else run.step_id,
            event=event,
            detail=detail,
            at=at or utcnow(),
        )
    )


async def add_callback(
    db: AsyncSession,
    *,
    user: User,
    run: GuideRun | None,
    walkthrough_id: str,
    step_id: str | None,
    phone: str,
    call_after: dt.datetime,
    now: dt.datetime,
    consent_version: str,
) -> GuideCallback:
    row = GuideCallback(
        user_id=user.id,
        run_id=run.id if run else None,
        walkthrough_id=walkthrough_id,
        step_id=step_id,
        phone=phone,
        name=user.display_name,
        status="pending",
        consent_at=now,
        call_after=call_after,
        created_at=now,
    )
    db.add(row)
    await db.flush()
    # a call-back is only taken with consent: what, when, purpose and the notice's version
    record_consent(db, user.id, purpose="callback", what="phone", version=consent_version, at=now)
    return row


async def pending_callbacks(db: AsyncSession, *, include_done: bool = False) -> list[GuideCallback]:
    stmt = select(GuideCallback).order_by(GuideCallback.created_at)
    if not include_done:
        stmt = stmt.where(GuideCallback.status == "pending")
    return list(await db.scalars(stmt))


async def mark_callback_done(db: AsyncSession, callback_id: int, actor: str) -> GuideCallback | None:
    row = await db.get(GuideCallback, callback_id)
    if row is None:
        return None
    row.status = "done"
    row.done_at = utcnow()
    row.done_by = actor
    return row


@dataclass
class WalkthroughFunnel:
    """Per walkthrough: how many began, finished, and where the others stopped."""

    walkthrough_id: str
    skill: str
    started: int = 0  # distinct users
    finished: int = 0  # distinct users
    runs: int = 0
    stopped_at: Counter[str] = field(default_factory=Counter)  # step id -> unfinished runs left there
    reached: Counter[str] = field(default_factory=Counter)  # step id -> runs that saw it


@dataclass
class SkillFunnel:
    skill: str
    started: int = 0
    finished: int = 0
    walkthroughs: dict[str, WalkthroughFunnel] = field(default_factory=dict)

    def top_stop(self) -> tuple[str, str, int] | None:
        """(walkthrough id, step id, count) where most unfinished runs stopped."""
        best: tuple[str, str, int] | None = None
        for w in self.walkthroughs.values():
            for step, count in w.stopped_at.items():
                if best is None or count > best[2]:
                    best = (w.walkthrough_id, step, count)
        return best


async def funnel(db: AsyncSession, since: dt.datetime | None = None) -> dict[str, SkillFunnel]:
    """The funnel per skill from guide_runs and guide_events (runs started since `since`)."""
    stmt = select(
        GuideRun.user_id, GuideRun.walkthrough_id, GuideRun.skill, GuideRun.status, GuideRun.step_id
    )
    if since is not None:
        stmt = stmt.where(GuideRun.started_at >= since)
    skills: dict[str, SkillFunnel] = {}
    started_users: dict[tuple[str, str | None], set[int]] = {}
    finished_users: dict[tuple[str, str | None], set[int]] = {}
    for user_id, wid, skill, status, step_id in (await db.execute(stmt)).all():
        sf = skills.setdefault(skill, SkillFunnel(skill))
        wf = sf.walkthroughs.setdefault(wid, WalkthroughFunnel(wid, skill))
        wf.runs += 1
        for key in ((skill, None), (skill, wid)):
            started_users.setdefault(key, set()).add(user_id)
            if status == FINISHED:
                finished_users.setdefault(key, set()).add(user_id)
        if status != FINISHED:  # active (left mid-way), stopped, expired, or a detour end
            wf.stopped_at[step_id] += 1
    for skill, sf in skills.items():
        sf.started = len(started_users.get((skill, None), ()))
        sf.finished = len(finished_users.get((skill, None), ()))
        for wid, wf in sf.walkthroughs.items():
            wf.started = len(started_users.get((skill, wid), ()))
            wf.finished = len(finished_users.get((skill, wid), ()))
    views = select(
        GuideEvent.walkthrough_id, GuideEvent.step_id, func.count(func.distinct(GuideEvent.run_id))
    )
    views = views.where(GuideEvent.event == "view")
    if since is not None:
        views = views.where(GuideEvent.at >= since)
    views = views.group_by(GuideEvent.walkthrough_id, GuideEvent.step_id)
    for wid, step_id, count in (await db.execute(views)).all():
        for sf in skills.values():
            if wid in sf.walkthroughs and step_id:
                sf.walkthroughs[wid].reached[step_id] = int(count)
    return skills


async def erase_user(db: AsyncSession, user_id: int) -> None:
    """Forget a citizen's walkthroughs, events and call-back requests (erasure under Law 91/2025/QH15).

    Deleting the user row does the same through ON DELETE CASCADE; this is for an
    erasure that keeps the user row (e.g. anonymisation).
    """
    await db.execute(delete(GuideCallback).where(GuideCallback.user_id == user_id))
    await db.execute(delete(GuideEvent).where(GuideEvent.user_id == user_id))
    await db.execute(delete(GuideRun).where(GuideRun.user_id == user_id))


async def pending_callback_count(db: AsyncSession) -> int:
    return int(
        await db.scalar(
            select(func.count()).select_from(GuideCallback).where(GuideCallback.status == "pending")
        )
        or 0
    )
