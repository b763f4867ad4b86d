"""Every figure of the statistics dashboard, counted by SQL aggregates over a period.

The dashboard, the JSON API and the monthly workbook all call `dashboards()`
(the dashboard through `dashboard()`), so a figure cannot differ between them.
Queries group in the database and return a few hundred rows at most, whatever
the size of the question log (a busy commune's year is about a million
questions). A scope (storage/stats_scope.py) narrows every figure to one area,
or files every figure under its area in the same queries (the workbook's
sheets): questions, ratings and walkthroughs under the citizen's subscription
area, complaints under the complaint's own area ("" = none).

Definitions (docs/stats.md says them in words for staff):
- a question is answered, clarified ("Ý anh/chị là…?") or refused (the
  matcher's `fallback`), as logged by handlers/answers.py;
- 👍 share: useful (1) ratings over all ratings of answers (topic, aspect or
  FAQ), complaint handling and conversations with an officer; a walkthrough
  counts "hài lòng" and "rất hài lòng" against "không hài lòng", on the day
  it finished.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Text, and_, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.models import Outbox, User
from storage.models_broadcast import Broadcast
from storage.models_guides import ACTIVE, DETOUR, EXPIRED, FINISHED, STOPPED, GuideRun
from storage.outbox import TOPIC_KEYS as SUBSCRIPTION_TOPICS
from storage.stats_complaints import ComplaintFigures, complaint_figures
from storage.stats_period import Period
from storage.stats_rollup import Counts, question_counts
from storage.stats_satisfaction import (
    SatisfactionFigures,
    Share,
    empty_satisfaction,
    satisfaction_figures,
)
from storage.stats_scope import ALL, Scope, citizen_area, fetch, in_area

DECISIONS = ("answer", "clarify", "fallback")
TOP = 10


@dataclass
class DayDecisions:
    day: dt.date
    answer: int = 0
    clarify: int = 0
    fallback: int = 0

    @property
    def total(self) -> int:
        return self.answer + self.clarify + self.fallback


@dataclass
class QuestionFigures:
    per_day: list[DayDecisions]
    top_topics: list[tuple[str, int]]
    top_aspects: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(d.total for d in self.per_day)

    @property
    def answered(self) -> int:
        return sum(d.answer for d in self.per_day)

    @property
    def clarified(self) -> int:
        return sum(d.clarify for d in self.per_day)

    @property
    def refused(self) -> int:
        return sum(d.fallback for d in self.per_day)

    @property
    def answered_share(self) -> float | None:
        return self.answered / self.total if self.total else None


@dataclass
class Funnel:
    """One walkthrough: runs started in the period and where they are now."""

    walkthrough_id: str
    started: int = 0
    finished: int = 0
    detour: int = 0
    stopped: int = 0
    expired: int = 0
    active: int = 0
    stops: list[tuple[str, int]] = field(default_factory=list)  # step id -> runs that ended there

    @property
    def unfinished(self) -> int:
        return self.stopped + self.expired + self.active


@dataclass
class Announcement:
    id: int
    send_at: dt.datetime
    status: str
    preview: str
    recipients: int
    delivered: int
    blocked: int
    failed: int
    pending: int


@dataclass
class Subscribers:
    by_topic: dict[str, int]
    by_area: dict[str, int]  # "" = no area chosen
    total: int


@dataclass
class Dashboard:
    period: Period
    area: str | None
    questions: QuestionFigures
    satisfaction: SatisfactionFigures
    complaints: ComplaintFigures
    funnels: list[Funnel]
    announcements: list[Announcement]
    subscribers: Subscribers

    @property
    def guides_started(self) -> int:
        return sum(f.started for f in self.funnels)

    @property
    def guides_finished(self) -> int:
        return sum(f.finished for f in self.funnels)

    def as_json(self) -> dict[str, Any]:
        """The figures as the JSON API returns them (dates as ISO text)."""
        q, s = self.questions, self.satisfaction
        return _jsonable(
            {
                "period": self.period.as_json(),
                "area": self.area,
                "questions": {
                    "total": q.total,
                    "answered": q.answered,
                    "clarified": q.clarified,
                    "refused": q.refused,
                    "answered_share": q.answered_share,
                    "per_day": [
                        {"day": d.day, "answered": d.answer, "clarified": d.clarify, "refused": d.fallback}
                        for d in q.per_day
                    ],
                    "top_topics": [{"topic": t, "count": n} for t, n in q.top_topics],
                    "top_aspects": [{"aspect": a, "count": n} for a, n in q.top_aspects],
                },
                "satisfaction": {
                    "overall": s.overall.as_json(),
                    "topics": {k: v.as_json() for k, v in s.topics.items()},
                    "walkthroughs": {k: v.as_json() for k, v in s.walkthroughs.items()},
                    "complaints": {k: v.as_json() for k, v in s.complaints.items()},
                    "handoffs": s.handoffs.as_json(),
                    "trend": [{"from": day, **share.as_json()} for day, share in s.trend],
                },
                "complaints": self.complaints.as_json(),
                "walkthroughs": [
                    {**asdict(f), "stops": [{"step": st, "count": n} for st, n in f.stops]}
                    for f in self.funnels
                ],
                "announcements": [asdict(a) for a in self.announcements],
                "subscribers": asdict(self.subscribers),
            }
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _between(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start_utc, column < period.end_utc)


# ---------------------------------------------------------------- questions
def question_figures(counts: Counts, period: Period) -> QuestionFigures:
    by_day = {d: DayDecisions(d) for d in period.days}
    for (day, decision), n in counts.per_day.items():
        entry = by_day.get(day)
        if entry is not None and decision in DECISIONS:
            setattr(entry, decision, getattr(entry, decision) + n)
    return QuestionFigures(
        per_day=list(by_day.values()),
        top_topics=_top(counts.topics),
        top_aspects=_top(counts.aspects),
    )


def _top(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]


# ---------------------------------------------------------------- walkthroughs
_STATUS_FIELDS = {
    ACTIVE: "active",
    FINISHED: "finished",
    DETOUR: "detour",
    STOPPED: "stopped",
    EXPIRED: "expired",
}


async def funnels(
    db: AsyncSession, period: Period, scope: Scope = Scope(), *, stops: bool = True
) -> dict[str, list[Funnel]]:
    """Walkthrough funnels per area key (the runner's area)."""
    key = scope.columns(citizen_area(GuideRun.user_id))
    where = [_between(GuideRun.started_at, period), *scope.citizens(GuideRun.user_id)]
    n = func.count()
    rows = await fetch(
        db,
        select(*key, GuideRun.walkthrough_id, GuideRun.status, n)
        .where(*where)
        .group_by(*key, GuideRun.walkthrough_id, GuideRun.status),
    )
    found: dict[str, dict[str, Funnel]] = defaultdict(dict)
    for row in rows:
        area, (walkthrough, status, count) = scope.split(row)
        f = found[area].setdefault(str(walkthrough), Funnel(str(walkthrough)))
        f.started += int(count)
        name = _STATUS_FIELDS.get(str(status))
        if name is not None:
            setattr(f, name, getattr(f, name) + int(count))
    if stops:
        ended = await fetch(
            db,
            select(*key, GuideRun.walkthrough_id, GuideRun.step_id, n)
            .where(*where, GuideRun.status.in_((STOPPED, EXPIRED, ACTIVE)))
            .group_by(*key, GuideRun.walkthrough_id, GuideRun.step_id),
        )
        per: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for row in ended:
            area, (walkthrough, step, count) = scope.split(row)
            per[(area, str(walkthrough))][str(step)] += int(count)
        for (area, wid), counter in per.items():
            found[area][wid].stops = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        area: sorted(fs.values(), key=lambda f: (-f.started, f.walkthrough_id)) for area, fs in found.items()
    }


# ---------------------------------------------------------------- announcements
async def announcements(db: AsyncSession, period: Period, area: str | None = None) -> list[Announcement]:
    """Announcements sent (or due) in the period, with their deliveries by outcome.

    With an area, only broadcasts that targeted that area, with all their deliveries.
    """
    rows = (
        await db.scalars(
            select(Broadcast)
            .where(_between(Broadcast.send_at, period))
            .order_by(Broadcast.send_at, Broadcast.id)
        )
    ).all()
    if area is not None:
        rows = [b for b in rows if (b.audience or {}).get("area") == (area or None)]
    if not rows:
        return []
    refs = [str(b.id) for b in rows]
    counts = await fetch(
        db,
        select(Outbox.ref, Outbox.status, func.count())
        .where(Outbox.kind == "broadcast", Outbox.ref.in_(refs))
        .group_by(Outbox.ref, Outbox.status),
    )
    by_ref: dict[str, Counter[str]] = defaultdict(Counter)
    for ref, status, n in counts:
        by_ref[str(ref)][str(status)] += int(n)
    out = []
    for b in rows:
        c = by_ref[str(b.id)]
        out.append(
            Announcement(
                id=b.id,
                send_at=b.send_at,
                status=b.status,
                preview=" ".join(b.text.split())[:80],
                recipients=b.total or sum(c.values()),
                delivered=c["sent"],
                blocked=c["unreachable"],
                failed=c["failed"] + c["skipped"],
                pending=c["pending"] + c["sending"] + c["waiting"],
            )
        )
    return out


# ---------------------------------------------------------------- subscribers
async def subscribers(db: AsyncSession, scope: Scope = Scope()) -> dict[str, Subscribers]:
    """Citizens subscribed now (announcements reach them), by topic and by area, per area key."""
    subs = func.coalesce(cast(User.subscriptions, Text()), "")
    # the list is stored as JSON text ("[\"chung\", \"yte\"]") on both databases
    topic_sums = [
        func.sum(case((subs.like(f'%"{key}"%'), 1), else_=0)).label(key) for key in SUBSCRIPTION_TOPICS
    ]
    where = [User.blocked.is_(False), subs.not_in(("", "[]", "null")), *scope.citizens(User.id)]
    area_col = func.coalesce(User.area, "").label("area")
    rows = await fetch(db, select(area_col, func.count(), *topic_sums).where(*where).group_by(area_col))
    out: dict[str, Subscribers] = {}
    for row in rows:
        area = str(row[0])
        key = area if scope.by_area else ALL
        found = out.setdefault(key, _no_subscribers())
        found.by_area[area] = int(row[1])
        found.total += int(row[1])
        for i, topic in enumerate(SUBSCRIPTION_TOPICS):
            found.by_topic[topic] += int(row[2 + i] or 0)
    for found in out.values():
        found.by_area = dict(sorted(found.by_area.items()))
    return out


def _no_subscribers() -> Subscribers:
    return Subscribers(by_topic=dict.fromkeys(SUBSCRIPTION_TOPICS, 0), by_area={}, total=0)


# ---------------------------------------------------------------- all of it
async def dashboards(
    db: AsyncSession,
    period: Period,
    *,
    working_days: Callable[[dt.date, dt.date], int],
    now: dt.datetime,
    scope: Scope = Scope(),
    areas: list[str] | None = None,
    detail: bool = True,
) -> dict[str, Dashboard]:
    """Every figure for the period, per area key: `ALL` for `Scope()` or `Scope(area)`, each area
    ("" = none) for `Scope(by_area=True)`, every one of `areas` present even with nothing counted.

    `working_days(a, b)` counts the office's working days after day a up to day b
    (handlers.feedback_core.working_days_between with the locality's holidays). `detail=False`
    (and by area) leaves out what only the charts show (the satisfaction trend, the steps where
    walkthroughs stop, the announcements): the workbook's lines are the same figures.
    """
    detail = detail and not scope.by_area
    counts = await question_counts(db, period, scope)
    satisfaction = await satisfaction_figures(db, period, scope, trend=detail)
    complaints = await complaint_figures(db, period, working_days=working_days, now=now, scope=scope)
    runs = await funnels(db, period, scope, stops=detail)
    sent = await announcements(db, period, scope.area) if detail else []
    subscribed = await subscribers(db, scope)
    keys = list(areas) if scope.by_area and areas is not None else [ALL]
    if scope.by_area and areas is None:
        keys = sorted({*counts, *satisfaction, *complaints, *runs, *subscribed})
    return {
        key: Dashboard(
            period=period,
            area=key if scope.by_area else scope.area,
            questions=question_figures(counts.get(key, Counts()), period),
            satisfaction=satisfaction.get(key) or empty_satisfaction(),
            complaints=complaints.get(key) or ComplaintFigures([]),
            funnels=runs.get(key, []),
            announcements=sent,
            subscribers=subscribed.get(key) or _no_subscribers(),
        )
        for key in keys
    }


async def dashboard(
    db: AsyncSession,
    period: Period,
    *,
    working_days: Callable[[dt.date, dt.date], int],
    now: dt.datetime,
    area: str | None = None,
    detail: bool = True,
) -> Dashboard:
    """Every figure for the period, over everyone (`area` None) or one area ("" = none chosen)."""
    found = await dashboards(db, period, working_days=working_days, now=now, scope=Scope(area), detail=detail)
    return found[ALL]


__all__ = [
    "ALL",
    "Announcement",
    "Dashboard",
    "DayDecisions",
    "Funnel",
    "QuestionFigures",
    "SatisfactionFigures",
    "Scope",
    "Share",
    "Subscribers",
    "dashboard",
    "dashboards",
    "in_area",
]
