"""Daily question counts: finished days are counted once, so a year's dashboard reads a few
thousand rows instead of a million, and the counts outlive the question log's retention.

`roll_up` counts each finished local day after the watermark (`stats_rollups.through`),
one day per transaction, advancing the watermark with a compare-and-set so two workers
never count a day twice. `question_counts` reads the counted days from `question_daily`
and the rest (today, or anything not yet counted) from the log itself, with the same
grouping, so the figures are the same whichever way a day was counted.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import QuestionLog, User, utcnow
from storage.models_kb import QuestionDaily, StatsRollup
from storage.stats_period import Period, as_date, day_bucket

ALL = "*"
MAX_DAYS_PER_CALL = 400


@dataclass
class Counts:
    """Question counts of a period: per (day, decision), per answered topic, per answered aspect."""

    per_day: Counter[tuple[dt.date, str]] = field(default_factory=Counter)
    topics: Counter[str] = field(default_factory=Counter)
    aspects: Counter[str] = field(default_factory=Counter)


def _area_key(area: str | None) -> str:
    return ALL if area is None else area


def _area_filter(area: str | None) -> list[Any]:
    from storage.stats import in_area

    return in_area(QuestionLog.user_id, area)


async def watermark(db: AsyncSession, tz: str) -> dt.date | None:
    """The last local day whose questions are counted in question_daily (None: none yet)."""
    through = await db.scalar(select(StatsRollup.through).where(StatsRollup.tz == tz))
    return dt.date.fromisoformat(through) if through else None


async def _live(db: AsyncSession, period: Period, area: str | None, counts: Counts) -> None:
    """Count [period.start, period.end) straight from the question log."""
    dialect = db.get_bind().dialect.name
    where = [QuestionLog.at >= period.start_utc, QuestionLog.at < period.end_utc, *_area_filter(area)]
    day = day_bucket(QuestionLog.at, period, dialect).label("day")
    rows = await db.execute(
        select(day, QuestionLog.decision, func.count()).where(*where).group_by(day, QuestionLog.decision)
    )
    for bucket, decision, n in rows.all():
        counts.per_day[(as_date(bucket), str(decision))] += int(n)
    answered = [*where, QuestionLog.decision == "answer"]
    for column, counter in ((QuestionLog.topic_id, counts.topics), (QuestionLog.aspect, counts.aspects)):
        found = await db.execute(
            select(column, func.count()).where(*answered, column.is_not(None)).group_by(column)
        )
        for key, n in found.all():
            counter[str(key)] += int(n)


async def _counted(db: AsyncSession, start: dt.date, end: dt.date, area: str | None, counts: Counts) -> None:
    where = [
        QuestionDaily.area == _area_key(area),
        QuestionDaily.day >= start.isoformat(),
        QuestionDaily.day < end.isoformat(),
    ]
    total = func.sum(QuestionDaily.n)
    days = await db.execute(
        select(QuestionDaily.day, QuestionDaily.key, total)
        .where(*where, QuestionDaily.kind == "decision")
        .group_by(QuestionDaily.day, QuestionDaily.key)
    )
    for day, key, n in days.all():
        counts.per_day[(dt.date.fromisoformat(day), str(key))] += int(n)
    keys = await db.execute(
        select(QuestionDaily.kind, QuestionDaily.key, total)
        .where(*where, QuestionDaily.kind.in_(("topic", "aspect")))
        .group_by(QuestionDaily.kind, QuestionDaily.key)
    )
    for kind, key, n in keys.all():
        (counts.topics if kind == "topic" else counts.aspects)[str(key)] += int(n)


async def question_counts(db: AsyncSession, period: Period, area: str | None = None) -> Counts:
    counts = Counts()
    through = await watermark(db, period.tz)
    split = (
        period.start
        if through is None
        else min(max(through + dt.timedelta(days=1), period.start), period.end)
    )
    if split > period.start:
        await _counted(db, period.start, split, area, counts)
    if split < period.end:
        await _live(db, Period(split, period.end, period.tz), area, counts)
    return counts


def _day_rows(
    day: dt.date, grouped: list[tuple[str, str | None, str | None, str, int]]
) -> list[dict[str, Any]]:
    """question_daily rows of one day from its (decision, topic, aspect, area) counts."""
    totals: Counter[tuple[str, str, str]] = Counter()
    for decision, topic, aspect, area, n in grouped:
        for a in (area, ALL):
            totals[("decision", decision, a)] += n
            if decision == "answer" and topic is not None:
                totals[("topic", topic, a)] += n
            if decision == "answer" and aspect is not None:
                totals[("aspect", aspect, a)] += n
    text = day.isoformat()
    return [{"day": text, "kind": k, "key": key, "area": a, "n": n} for (k, key, a), n in totals.items()]


async def roll_up(db: AsyncSession, tz: str, today: dt.date, *, limit: int = MAX_DAYS_PER_CALL) -> int:
    """Count the finished days (before `today`, local) not counted yet; returns how many were.

    Commits after each day; a day another worker counted meanwhile is left to it.
    """
    through = await watermark(db, tz)
    if through is None:
        first = await db.scalar(select(func.min(QuestionLog.at)))
        if first is None:
            return 0
        start = first.astimezone(ZoneInfo(tz)).date()
        await db.execute(
            insert(StatsRollup).values(
                tz=tz, through=(start - dt.timedelta(days=1)).isoformat(), updated_at=utcnow()
            )
        )
        await db.commit()
        through = start - dt.timedelta(days=1)
    done = 0
    while done < limit:
        day = through + dt.timedelta(days=1)
        if day >= today:
            break
        period = Period(day, day + dt.timedelta(days=1), tz)
        claimed = await db.execute(
            update(StatsRollup)
            .where(and_(StatsRollup.tz == tz, StatsRollup.through == through.isoformat()))
            .values(through=day.isoformat(), updated_at=utcnow())
        )
        if getattr(claimed, "rowcount", 0) != 1:
            await db.rollback()
            return done  # another worker is counting; it will go on from here
        area = func.coalesce(User.area, "").label("area")
        grouped = await db.execute(
            select(QuestionLog.decision, QuestionLog.topic_id, QuestionLog.aspect, area, func.count())
            .outerjoin(User, User.id == QuestionLog.user_id)
            .where(QuestionLog.at >= period.start_utc, QuestionLog.at < period.end_utc)
            .group_by(QuestionLog.decision, QuestionLog.topic_id, QuestionLog.aspect, area)
        )
        rows = _day_rows(day, [(str(d), t, a, str(ar), int(n)) for d, t, a, ar, n in grouped.all()])
        if rows:
            await db.execute(insert(QuestionDaily), rows)
        await db.commit()
        through, done = day, done + 1
    return done
