"""Satisfaction: 👍 shares of answers, walkthroughs, complaint handling and officers, and their trend.

Split from storage/stats.py (which re-exports these names). Ratings of
answers, walkthroughs and conversations are filed under the rater's area;
ratings of a complaint's handling under the complaint's area (its citizen's
while staff have not set one), as the complaint figures are
(storage/stats_scope.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.models_feedback import Complaint, Rating
from storage.models_guides import GuideRun
from storage.stats_period import Period, as_date, day_bucket
from storage.stats_scope import Scope, citizen_area, complaint_area, fetch

ANSWER_KINDS = ("topic", "aspect", "faq")
GUIDE_UP = ("very_satisfied", "satisfied")
GUIDE_DOWN = ("unsatisfied",)
TREND_WEEKLY_AFTER = 31  # days: longer periods show the trend per week


@dataclass
@dataclass
class Share:
    """👍 and 👎 counts; `rate` is the 👍 share (None when nobody rated)."""

    up: int = 0
    down: int = 0

    @property
    def total(self) -> int:
        return self.up + self.down

    @property
    def rate(self) -> float | None:
        return self.up / self.total if self.total else None

    def add(self, other: Share) -> None:
        self.up += other.up
        self.down += other.down

    def as_json(self) -> dict[str, Any]:
        return {"up": self.up, "down": self.down, "total": self.total, "rate": self.rate}


@dataclass
@dataclass
class SatisfactionFigures:
    topics: dict[str, Share]
    walkthroughs: dict[str, Share]
    complaints: dict[str, Share]  # by complaint category
    handoffs: Share
    trend: list[tuple[dt.date, Share]]  # bucket start (a day, or a Monday for long periods)

    @property
    def overall(self) -> Share:
        total = Share()
        for group in (self.topics, self.walkthroughs, self.complaints):
            for share in group.values():
                total.add(share)
        total.add(self.handoffs)
        return total

    @property
    def answers(self) -> Share:
        return _sum(self.topics.values())

    @property
    def guides(self) -> Share:
        return _sum(self.walkthroughs.values())

    @property
    def complaint_handling(self) -> Share:
        return _sum(self.complaints.values())


def _sum(shares: Any) -> Share:
    total = Share()
    for s in shares:
        total.add(s)
    return total


def _between(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start_utc, column < period.end_utc)


def _bucket(day: dt.date, period: Period) -> dt.date:
    if (period.end - period.start).days <= TREND_WEEKLY_AFTER:
        return day
    return max(period.start, day - dt.timedelta(days=day.weekday()))


def _trend_buckets(period: Period) -> list[dt.date]:
    return list(dict.fromkeys(_bucket(d, period) for d in period.days))


class _Shares:
    """Shares counted per area key, then per group (topic, walkthrough, category)."""

    def __init__(self) -> None:
        self.groups: dict[str, dict[str, Share]] = defaultdict(lambda: defaultdict(Share))

    def count(self, area: str, group: str, up: bool, n: int) -> None:
        _count(self.groups[area][group], up, n)


async def satisfaction_figures(
    db: AsyncSession, period: Period, scope: Scope = Scope(), *, trend: bool = True
) -> dict[str, SatisfactionFigures]:
    """The figures per area key; the trend only for one scope (`by_area` leaves it out)."""
    trend = trend and not scope.by_area
    rater = scope.columns(citizen_area(Rating.user_id))
    where = [_between(Rating.at, period), *scope.citizens(Rating.user_id)]
    n = func.count()
    topics, walkthroughs, complaints = _Shares(), _Shares(), _Shares()
    handoffs: dict[str, Share] = defaultdict(Share)
    # every conversation with an officer has its own target id: grouped as one, not per id
    target = case((Rating.target_kind == "handoff", ""), else_=Rating.target_id).label("target")
    rows = await fetch(
        db,
        select(*rater, Rating.target_kind, target, Rating.value, n)
        .where(*where, Rating.target_kind.in_((*ANSWER_KINDS, "handoff")))
        .group_by(*rater, Rating.target_kind, target, Rating.value),
    )
    for row in rows:  # targets "khai-sinh", "khai-sinh.fee", "khai-sinh.<faq id>"
        area, (kind, target, value, count) = scope.split(row)
        if kind == "handoff":
            _count(handoffs[area], int(value) == 1, int(count))
        else:
            topics.count(area, str(target).partition(".")[0], int(value) == 1, int(count))
    # a rating whose complaint is gone still counts (under no category), as in the trend
    category = func.coalesce(Complaint.category, "").label("category")
    place = scope.columns(complaint_area(Rating.user_id))
    complaint_where = [
        _between(Rating.at, period),
        Rating.target_kind == "complaint",
        *scope.complaints(Rating.user_id),
    ]
    by_category = await fetch(
        db,
        select(*place, category, Rating.value, n)
        .outerjoin(Complaint, Complaint.code == Rating.target_id)
        .where(*complaint_where)
        .group_by(*place, category, Rating.value),
    )
    for row in by_category:
        area, (cat, value, count) = scope.split(row)
        complaints.count(area, str(cat), int(value) == 1, int(count))
    guide_where = [
        _between(GuideRun.finished_at, period),
        GuideRun.rating.in_((*GUIDE_UP, *GUIDE_DOWN)),
        *scope.citizens(GuideRun.user_id),
    ]
    runner = scope.columns(citizen_area(GuideRun.user_id))
    guides = await fetch(
        db,
        select(*runner, GuideRun.walkthrough_id, GuideRun.rating, n)
        .where(*guide_where)
        .group_by(*runner, GuideRun.walkthrough_id, GuideRun.rating),
    )
    for row in guides:
        area, (walkthrough, rating, count) = scope.split(row)
        walkthroughs.count(area, str(walkthrough), rating in GUIDE_UP, int(count))
    buckets = {b: Share() for b in _trend_buckets(period)} if trend else {}
    if trend:
        await _trend(db, period, where, complaint_where, guide_where, buckets)
    areas = {*topics.groups, *walkthroughs.groups, *complaints.groups, *handoffs}
    return {
        area: SatisfactionFigures(
            topics=_sorted(topics.groups[area]),
            walkthroughs=_sorted(walkthroughs.groups[area]),
            complaints=_sorted(complaints.groups[area]),
            handoffs=handoffs[area],
            trend=sorted(buckets.items()),
        )
        for area in areas
    }


def empty_satisfaction() -> SatisfactionFigures:
    return SatisfactionFigures(topics={}, walkthroughs={}, complaints={}, handoffs=Share(), trend=[])


async def _trend(
    db: AsyncSession,
    period: Period,
    where: list[Any],
    complaint_where: list[Any],
    guide_where: list[Any],
    trend: dict[dt.date, Share],
) -> None:
    dialect = db.get_bind().dialect.name
    n = func.count()
    rating_day = day_bucket(Rating.at, period, dialect).label("day")
    by_day = select(rating_day, Rating.value, n).group_by(rating_day, Rating.value)
    for query in (
        by_day.where(*where, Rating.target_kind.in_((*ANSWER_KINDS, "handoff"))),
        by_day.outerjoin(Complaint, Complaint.code == Rating.target_id).where(*complaint_where),
    ):
        for bucket, value, count in await fetch(db, query):
            _count(trend[_bucket(as_date(bucket), period)], int(value) == 1, int(count))
    guide_day = day_bucket(GuideRun.finished_at, period, dialect).label("day")
    up = case((GuideRun.rating.in_(GUIDE_UP), 1), else_=0).label("up")
    guide_days = await fetch(db, select(guide_day, up, n).where(*guide_where).group_by(guide_day, up))
    for bucket, is_up, count in guide_days:
        _count(trend[_bucket(as_date(bucket), period)], bool(is_up), int(count))


def _count(share: Share, up: bool, n: int) -> None:
    if up:
        share.up += n
    else:
        share.down += n


def _sorted(shares: dict[str, Share]) -> dict[str, Share]:
    return dict(sorted(shares.items(), key=lambda kv: (-kv[1].total, kv[0])))
