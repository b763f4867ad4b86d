"""Daily question counts: finished days are counted once, so a year's dashboard reads a few
thousand rows instead of a million, and the counts outlive the question log's retention.

`roll_up` counts the finished local days after the watermark (`stats_rollups.through`),
a week per read and per transaction, advancing the watermark with a compare-and-set so
two workers never count a day twice. It runs in the background (bot/kb_sync.py's hourly
job): the first count of an existing year of questions takes a while, the process serves
meanwhile, and the dashboard says the figures are still being counted (`behind`).
`question_counts` reads the counted days from `question_daily` and the rest (today, or
anything not yet counted) from the log itself, with the same grouping, so the figures
are the same whichever way a day was counted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import QuestionLog, User, utcnow
from storage.models_kb import QuestionDaily, StatsRollup
from storage.stats_period import Period, as_date, day_bucket
from storage.stats_scope import ALL, Scope, citizen_area, fetch

MAX_DAYS_PER_CALL = 400
# Days counted per read and per transaction: a busy commune's week is one read of ~20,000
# questions (off the event loop) and ~5,000 rows written in chunks; the write lock (SQLite
# has one writer, questions are logged meanwhile) is held only while they are written.
BATCH_DAYS = 7
INSERT_ROWS = 1000


@dataclass
class Counts:
    """Question counts of a period: per (day, decision), per answered topic, per answered aspect."""

    per_day: Counter[tuple[dt.date, str]] = field(default_factory=Counter)
    topics: Counter[str] = field(default_factory=Counter)
    aspects: Counter[str] = field(default_factory=Counter)


async def watermark(db: AsyncSession, tz: str) -> dt.date | None:
    """The last local day whose questions are counted in question_daily (None: none yet)."""
    through = await db.scalar(select(StatsRollup.through).where(StatsRollup.tz == tz))
    return dt.date.fromisoformat(through) if through else None


async def _live(db: AsyncSession, period: Period, scope: Scope, counts: dict[str, Counts]) -> None:
    """Count [period.start, period.end) straight from the question log."""
    dialect = db.get_bind().dialect.name
    key = scope.columns(citizen_area(QuestionLog.user_id))
    where = [
        QuestionLog.at >= period.start_utc,
        QuestionLog.at < period.end_utc,
        *scope.citizens(QuestionLog.user_id),
    ]
    day = day_bucket(QuestionLog.at, period, dialect).label("day")
    rows = await fetch(
        db,
        select(*key, day, QuestionLog.decision, func.count())
        .where(*where)
        .group_by(*key, day, QuestionLog.decision),
    )
    for row in rows:
        area, (bucket, decision, n) = scope.split(row)
        counts[area].per_day[(as_date(bucket), str(decision))] += int(n)
    answered = [*where, QuestionLog.decision == "answer"]
    for column, field_name in ((QuestionLog.topic_id, "topics"), (QuestionLog.aspect, "aspects")):
        found = await fetch(
            db,
            select(*key, column, func.count()).where(*answered, column.is_not(None)).group_by(*key, column),
        )
        for row in found:
            area, (value, n) = scope.split(row)
            getattr(counts[area], field_name)[str(value)] += int(n)


async def _counted(
    db: AsyncSession, start: dt.date, end: dt.date, scope: Scope, counts: dict[str, Counts]
) -> None:
    key: list[Any] = [QuestionDaily.area] if scope.by_area else []
    where: list[Any] = [
        QuestionDaily.area != ALL if scope.by_area else QuestionDaily.area == _area_key(scope.area),
        QuestionDaily.day >= start.isoformat(),
        QuestionDaily.day < end.isoformat(),
    ]
    total = func.sum(QuestionDaily.n)
    days = await fetch(
        db,
        select(*key, QuestionDaily.day, QuestionDaily.key, total)
        .where(*where, QuestionDaily.kind == "decision")
        .group_by(*key, QuestionDaily.day, QuestionDaily.key),
    )
    for row in days:
        area, (day, decision, n) = scope.split(row)
        counts[area].per_day[(dt.date.fromisoformat(day), str(decision))] += int(n)
    # topics and aspects summed over the days in SQL: a year is ~50 rows, not ~17,000
    keys = await fetch(
        db,
        select(*key, QuestionDaily.kind, QuestionDaily.key, total)
        .where(*where, QuestionDaily.kind.in_(("topic", "aspect")))
        .group_by(*key, QuestionDaily.kind, QuestionDaily.key),
    )
    for row in keys:
        area, (kind, value, n) = scope.split(row)
        (counts[area].topics if kind == "topic" else counts[area].aspects)[str(value)] += int(n)


def _area_key(area: str | None) -> str:
    return ALL if area is None else area


async def question_counts(db: AsyncSession, period: Period, scope: Scope = Scope()) -> dict[str, Counts]:
    """The period's counts per area key (storage.stats_scope): counted days, then the log."""
    counts: dict[str, Counts] = defaultdict(Counts)
    through = await watermark(db, period.tz)
    split = (
        period.start
        if through is None
        else min(max(through + dt.timedelta(days=1), period.start), period.end)
    )
    if split > period.start:
        await _counted(db, period.start, split, scope, counts)
    if split < period.end:
        await _live(db, Period(split, period.end, period.tz), scope, counts)
    return counts


def _batch_rows(grouped: Sequence[Any]) -> list[dict[str, Any]]:
    """question_daily rows from (day, area, decision, topic, aspect, n) counts, with everyone's
    (area "*"); topics and aspects of answered questions only."""
    totals: Counter[tuple[str, str, str, str]] = Counter()
    for day, area, decision, topic, aspect, n in grouped:
        text = as_date(day).isoformat()
        for a in (str(area), ALL):
            totals[(text, "decision", str(decision), a)] += int(n)
            if decision == "answer" and topic is not None:
                totals[(text, "topic", str(topic), a)] += int(n)
            if decision == "answer" and aspect is not None:
                totals[(text, "aspect", str(aspect), a)] += int(n)
    return [{"day": d, "kind": k, "key": key, "area": a, "n": n} for (d, k, key, a), n in totals.items()]


async def _count_days(db: AsyncSession, period: Period) -> list[dict[str, Any]]:
    """The question_daily rows of the period's days: one grouped read over the covering index
    (a month of a busy commune: ~90,000 questions, ~40,000 groups), nothing per question."""
    dialect = db.get_bind().dialect.name
    day = day_bucket(QuestionLog.at, period, dialect).label("day")
    area = func.coalesce(User.area, "").label("area")
    columns = (QuestionLog.decision, QuestionLog.topic_id, QuestionLog.aspect)
    rows = await fetch(
        db,
        select(day, area, *columns, func.count())
        .outerjoin(User, User.id == QuestionLog.user_id)
        .where(QuestionLog.at >= period.start_utc, QuestionLog.at < period.end_utc)
        .group_by(day, area, *columns),
    )
    return _batch_rows(rows)


async def behind(db: AsyncSession, tz: str, today: dt.date) -> bool:
    """True while finished days before yesterday are still uncounted (the first count of an
    existing log, or after the job was stopped): the dashboard says its figures are being counted."""
    through = await watermark(db, tz)
    if through is not None:
        return through < today - dt.timedelta(days=2)
    first = await db.scalar(select(func.min(QuestionLog.at)))
    return first is not None and first.astimezone(ZoneInfo(tz)).date() < today - dt.timedelta(days=1)


async def roll_up(
    db: AsyncSession,
    tz: str,
    today: dt.date,
    *,
    limit: int = MAX_DAYS_PER_CALL,
    batch: int = BATCH_DAYS,
) -> int:
    """Count the finished days (before `today`, local) not counted yet; returns how many were.

    Up to `batch` days at a time: their counts are read first (no lock held, so questions are
    logged meanwhile even on SQLite), then the watermark is advanced by compare-and-set and the
    counts written in one short transaction. Days another worker counted meanwhile are left to it.
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
        first_day = through + dt.timedelta(days=1)
        end = min(today, first_day + dt.timedelta(days=min(batch, limit - done)))
        if first_day >= end:
            break
        rows = await _count_days(db, Period(first_day, end, tz))
        last = end - dt.timedelta(days=1)
        claimed = await db.execute(
            update(StatsRollup)
            .where(and_(StatsRollup.tz == tz, StatsRollup.through == through.isoformat()))
            .values(through=last.isoformat(), updated_at=utcnow())
        )
        if getattr(claimed, "rowcount", 0) != 1:
            await db.rollback()
            return done  # another worker is counting; it will go on from here
        for i in range(0, len(rows), INSERT_ROWS):
            await db.execute(insert(QuestionDaily), rows[i : i + INSERT_ROWS])
            await asyncio.sleep(0)  # SQLite writes on the loop's thread: let citizens' turns in between
        await db.commit()
        done += (end - first_day).days
        through = last
    return done
