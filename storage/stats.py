"""Every figure of the statistics dashboard, counted by SQL aggregates over a period.

The dashboard, the JSON API and the monthly workbook all call `dashboard()`,
so a figure cannot differ between them. Queries group in the database and
return a few hundred rows at most, whatever the size of the question log (a
busy commune's year is about a million questions); `area` narrows every figure
to citizens who chose that area ("" = those who chose none).

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

from sqlalchemy import Text, and_, case, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.models import Outbox, User
from storage.models_broadcast import Broadcast
from storage.models_feedback import Complaint, Rating
from storage.models_guides import ACTIVE, DETOUR, EXPIRED, FINISHED, STOPPED, GuideRun
from storage.outbox import TOPIC_KEYS as SUBSCRIPTION_TOPICS
from storage.stats_complaints import ComplaintFigures, complaint_figures
from storage.stats_period import Period, as_date, day_bucket
from storage.stats_rollup import question_counts

DECISIONS = ("answer", "clarify", "fallback")
ANSWER_KINDS = ("topic", "aspect", "faq")
GUIDE_UP = ("very_satisfied", "satisfied")
GUIDE_DOWN = ("unsatisfied",)
TOP = 10
TREND_WEEKLY_AFTER = 31  # days: longer periods show the trend per week


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


# ---------------------------------------------------------------- filters
def in_area(column: Any, area: str | None) -> list[ColumnElement[bool]]:
    """Rows of citizens of an area (None: everyone; "": those who chose none, or whose identity
    was erased, as the daily counts file them)."""
    if area is None:
        return []
    if area == "":
        chose_none = select(User.id).where(or_(User.area.is_(None), User.area == ""))
        return [or_(column.is_(None), column.in_(chose_none))]
    return [column.in_(select(User.id).where(User.area == area))]


def _dialect(db: AsyncSession) -> str:
    return db.get_bind().dialect.name


def _between(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start_utc, column < period.end_utc)


# ---------------------------------------------------------------- questions
async def question_figures(db: AsyncSession, period: Period, area: str | None = None) -> QuestionFigures:
    counts = await question_counts(db, period, area)
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


# ---------------------------------------------------------------- satisfaction
def _bucket(day: dt.date, period: Period) -> dt.date:
    if (period.end - period.start).days <= TREND_WEEKLY_AFTER:
        return day
    return max(period.start, day - dt.timedelta(days=day.weekday()))


def _trend_buckets(period: Period) -> list[dt.date]:
    return list(dict.fromkeys(_bucket(d, period) for d in period.days))


async def satisfaction_figures(
    db: AsyncSession, period: Period, area: str | None = None, *, trend: bool = True
) -> SatisfactionFigures:
    where = [_between(Rating.at, period), *in_area(Rating.user_id, area)]
    n = func.count()
    rows = await db.execute(
        select(Rating.target_id, Rating.value, n)
        .where(*where, Rating.target_kind.in_(ANSWER_KINDS))
        .group_by(Rating.target_id, Rating.value)
    )
    topics: dict[str, Share] = defaultdict(Share)
    for target, value, count in rows.all():  # "khai-sinh", "khai-sinh.fee", "khai-sinh.<faq id>"
        _count(topics[str(target).partition(".")[0]], int(value) == 1, int(count))
    handoffs = Share()
    for value, count in (
        await db.execute(
            select(Rating.value, n).where(*where, Rating.target_kind == "handoff").group_by(Rating.value)
        )
    ).all():
        _count(handoffs, int(value) == 1, int(count))
    # a rating whose complaint is gone still counts (under no category), as in the trend
    category = func.coalesce(Complaint.category, "").label("category")
    by_category = await db.execute(
        select(category, Rating.value, n)
        .outerjoin(Complaint, Complaint.code == Rating.target_id)
        .where(*where, Rating.target_kind == "complaint")
        .group_by(category, Rating.value)
    )
    complaints: dict[str, Share] = defaultdict(Share)
    for cat, value, count in by_category.all():
        _count(complaints[str(cat)], int(value) == 1, int(count))
    guide_where = [
        _between(GuideRun.finished_at, period),
        GuideRun.rating.in_((*GUIDE_UP, *GUIDE_DOWN)),
        *in_area(GuideRun.user_id, area),
    ]
    guides = await db.execute(
        select(GuideRun.walkthrough_id, GuideRun.rating, n)
        .where(*guide_where)
        .group_by(GuideRun.walkthrough_id, GuideRun.rating)
    )
    walkthroughs: dict[str, Share] = defaultdict(Share)
    for walkthrough, rating, count in guides.all():
        _count(walkthroughs[str(walkthrough)], rating in GUIDE_UP, int(count))
    buckets = {b: Share() for b in _trend_buckets(period)} if trend else {}
    if trend:
        await _trend(db, period, where, guide_where, buckets)
    return SatisfactionFigures(
        topics=_sorted(topics),
        walkthroughs=_sorted(walkthroughs),
        complaints=_sorted(complaints),
        handoffs=handoffs,
        trend=sorted(buckets.items()),
    )


async def _trend(
    db: AsyncSession, period: Period, where: list[Any], guide_where: list[Any], trend: dict[dt.date, Share]
) -> None:
    dialect = _dialect(db)
    n = func.count()
    rating_day = day_bucket(Rating.at, period, dialect).label("day")
    per_day = await db.execute(
        select(rating_day, Rating.value, n)
        .where(*where, Rating.target_kind.in_((*ANSWER_KINDS, "handoff", "complaint")))
        .group_by(rating_day, Rating.value)
    )
    for bucket, value, count in per_day.all():
        _count(trend[_bucket(as_date(bucket), period)], int(value) == 1, int(count))
    guide_day = day_bucket(GuideRun.finished_at, period, dialect).label("day")
    up = case((GuideRun.rating.in_(GUIDE_UP), 1), else_=0).label("up")
    guide_days = await db.execute(select(guide_day, up, n).where(*guide_where).group_by(guide_day, up))
    for bucket, is_up, count in guide_days.all():
        _count(trend[_bucket(as_date(bucket), period)], bool(is_up), int(count))


def _count(share: Share, up: bool, n: int) -> None:
    if up:
        share.up += n
    else:
        share.down += n


def _sorted(shares: dict[str, Share]) -> dict[str, Share]:
    return dict(sorted(shares.items(), key=lambda kv: (-kv[1].total, kv[0])))


# ---------------------------------------------------------------- walkthroughs
async def funnels(
    db: AsyncSession, period: Period, area: str | None = None, *, stops: bool = True
) -> list[Funnel]:
    where = [_between(GuideRun.started_at, period), *in_area(GuideRun.user_id, area)]
    n = func.count()
    rows = await db.execute(
        select(GuideRun.walkthrough_id, GuideRun.status, n)
        .where(*where)
        .group_by(GuideRun.walkthrough_id, GuideRun.status)
    )
    found: dict[str, Funnel] = {}
    fields = {
        ACTIVE: "active",
        FINISHED: "finished",
        DETOUR: "detour",
        STOPPED: "stopped",
        EXPIRED: "expired",
    }
    for walkthrough, status, count in rows.all():
        f = found.setdefault(str(walkthrough), Funnel(str(walkthrough)))
        f.started += int(count)
        name = fields.get(str(status))
        if name is not None:
            setattr(f, name, getattr(f, name) + int(count))
    if not stops:
        return sorted(found.values(), key=lambda f: (-f.started, f.walkthrough_id))
    ended = await db.execute(
        select(GuideRun.walkthrough_id, GuideRun.step_id, n)
        .where(*where, GuideRun.status.in_((STOPPED, EXPIRED, ACTIVE)))
        .group_by(GuideRun.walkthrough_id, GuideRun.step_id)
    )
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for walkthrough, step, count in ended.all():
        per[str(walkthrough)][str(step)] += int(count)
    for wid, counter in per.items():
        found[wid].stops = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    return sorted(found.values(), key=lambda f: (-f.started, f.walkthrough_id))


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
    counts = await db.execute(
        select(Outbox.ref, Outbox.status, func.count())
        .where(Outbox.kind == "broadcast", Outbox.ref.in_(refs))
        .group_by(Outbox.ref, Outbox.status)
    )
    by_ref: dict[str, Counter[str]] = defaultdict(Counter)
    for ref, status, n in counts.all():
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
async def subscribers(db: AsyncSession, area: str | None = None) -> Subscribers:
    """Citizens subscribed now (announcements reach them), by topic and by area."""
    subs = func.coalesce(cast(User.subscriptions, Text()), "")
    # the list is stored as JSON text ("[\"chung\", \"yte\"]") on both databases
    topic_sums = [
        func.sum(case((subs.like(f'%"{key}"%'), 1), else_=0)).label(key) for key in SUBSCRIPTION_TOPICS
    ]
    where = [User.blocked.is_(False), subs.not_in(("", "[]", "null")), *in_area(User.id, area)]
    area_col = func.coalesce(User.area, "").label("area")
    rows = (
        await db.execute(select(area_col, func.count(), *topic_sums).where(*where).group_by(area_col))
    ).all()
    by_topic = dict.fromkeys(SUBSCRIPTION_TOPICS, 0)
    by_area: dict[str, int] = {}
    for row in rows:
        by_area[str(row[0])] = int(row[1])
        for i, key in enumerate(SUBSCRIPTION_TOPICS):
            by_topic[key] += int(row[2 + i] or 0)
    return Subscribers(by_topic=by_topic, by_area=dict(sorted(by_area.items())), total=sum(by_area.values()))


# ---------------------------------------------------------------- all of it
async def dashboard(
    db: AsyncSession,
    period: Period,
    *,
    working_days: Callable[[dt.date, dt.date], int],
    now: dt.datetime,
    area: str | None = None,
    detail: bool = True,
) -> Dashboard:
    """Every figure for the period. `working_days(a, b)` counts the office's working days after
    day a up to day b (handlers.feedback_core.working_days_between with the locality's holidays).

    `detail=False` leaves out what only the charts show (the satisfaction trend, the steps
    where walkthroughs stop, the announcements): the workbook's lines are the same figures.
    """
    return Dashboard(
        period=period,
        area=area,
        questions=await question_figures(db, period, area),
        satisfaction=await satisfaction_figures(db, period, area, trend=detail),
        complaints=await complaint_figures(db, period, working_days=working_days, now=now, area=area),
        funnels=await funnels(db, period, area, stops=detail),
        announcements=await announcements(db, period, area) if detail else [],
        subscribers=await subscribers(db, area),
    )


__all__ = [
    "Announcement",
    "Dashboard",
    "DayDecisions",
    "Funnel",
    "QuestionFigures",
    "SatisfactionFigures",
    "Share",
    "Subscribers",
    "dashboard",
]
