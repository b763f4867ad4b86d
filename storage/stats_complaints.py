"""Complaint figures per category: received, resolved, on time, overdue, handling time.

A complaint is resolved when the office answered it (or closed it without an
answer); its resolution time is `answered_at`, else `closed_at`. It was on
time when resolved no later than its due date. It is overdue when it was
still open at the end of the period and its due date had passed by then.
Handling time counts working days (the locality's week and holidays) from the
day it arrived to the day it was resolved, as its deadline does; the calendar
is the caller's (`working_days`), the counting is SQL. By area, a complaint counts
where staff recorded the problem (`complaints.area`), else under its citizen's area
(storage/stats_scope.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models_feedback import Complaint
from storage.stats_period import Period, as_date, day_bucket
from storage.stats_scope import Scope, complaint_area, fetch

RESOLVED = ("answered", "closed")


@dataclass
class CategoryFigures:
    category: str
    received: int = 0
    resolved: int = 0
    on_time: int = 0
    overdue: int = 0  # open at the end of the period and past its due date
    working_days: int = 0  # summed over resolved complaints (for the average)

    @property
    def late(self) -> int:
        return self.resolved - self.on_time

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.resolved if self.resolved else None

    @property
    def average_days(self) -> float | None:
        return self.working_days / self.resolved if self.resolved else None

    def add(self, other: CategoryFigures) -> None:
        self.received += other.received
        self.resolved += other.resolved
        self.on_time += other.on_time
        self.overdue += other.overdue
        self.working_days += other.working_days

    def as_json(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "received": self.received,
            "resolved": self.resolved,
            "on_time": self.on_time,
            "late": self.late,
            "overdue": self.overdue,
            "on_time_share": self.on_time_share,
            "average_working_days": self.average_days,
        }


@dataclass
class ComplaintFigures:
    categories: list[CategoryFigures]

    @property
    def total(self) -> CategoryFigures:
        total = CategoryFigures("")
        for c in self.categories:
            total.add(c)
        return total

    def as_json(self) -> dict[str, Any]:
        return {"total": self.total.as_json(), "categories": [c.as_json() for c in self.categories]}


async def complaint_figures(
    db: AsyncSession,
    period: Period,
    *,
    working_days: Callable[[dt.date, dt.date], int],
    now: dt.datetime,
    scope: Scope = Scope(),
) -> dict[str, ComplaintFigures]:
    """The figures per area key (storage.stats_scope), a complaint filed under its own area."""
    dialect = db.get_bind().dialect.name
    start, end = period.start_utc, period.end_utc
    resolved_at = func.coalesce(Complaint.answered_at, Complaint.closed_at)
    is_resolved = and_(Complaint.status.in_(RESOLVED), resolved_at.is_not(None))
    key = scope.columns(complaint_area(Complaint.user_id))
    where = scope.complaints(Complaint.user_id)
    out: dict[str, dict[str, CategoryFigures]] = defaultdict(dict)

    def entry(row: Any) -> tuple[CategoryFigures, tuple[Any, ...]]:
        area, (category, *rest) = scope.split(row)
        found = out[area].setdefault(str(category), CategoryFigures(str(category)))
        return found, tuple(rest)

    def grouped(*columns: Any) -> Any:
        return select(*key, Complaint.category, *columns)

    group = [*key, Complaint.category]
    received = await fetch(
        db,
        grouped(func.count())
        .where(Complaint.created_at >= start, Complaint.created_at < end, *where)
        .group_by(*group),
    )
    for row in received:
        e, (n,) = entry(row)
        e.received = int(n)
    in_period = [is_resolved, resolved_at >= start, resolved_at < end, *where]
    on_time = func.sum(case((resolved_at <= Complaint.due_at, 1), else_=0))
    resolved = await fetch(db, grouped(func.count(), on_time).where(*in_period).group_by(*group))
    for row in resolved:
        e, (n, in_time) = entry(row)
        e.resolved, e.on_time = int(n), int(in_time or 0)
    horizon = min(end, now)
    still_open = not_(and_(is_resolved, resolved_at < end))
    overdue = await fetch(
        db,
        grouped(func.count())
        .where(Complaint.created_at < end, Complaint.due_at < horizon, still_open, *where)
        .group_by(*group),
    )
    for row in overdue:
        e, (n,) = entry(row)
        e.overdue = int(n)
    arrived = day_bucket(Complaint.created_at, period, dialect).label("arrived")
    done = day_bucket(resolved_at, period, dialect).label("done")
    spans = await fetch(
        db, grouped(arrived, done, func.count()).where(*in_period).group_by(*group, arrived, done)
    )
    spent: dict[tuple[object, object], int] = {}  # the same (arrived, resolved) days recur
    for row in spans:
        e, (first, last, n) = entry(row)
        if (first, last) not in spent:
            spent[(first, last)] = working_days(as_date(first), as_date(last))
        e.working_days += spent[(first, last)] * int(n)
    return {
        area: ComplaintFigures(sorted(cats.values(), key=lambda c: (-c.received, c.category)))
        for area, cats in out.items()
    }
