"""Every dashboard figure on a seeded November (tests/stats_seed.py), on SQLite and PostgreSQL.

The same figures must come out whether a day was counted from the question
log or from the daily counts, and per area they add up to the whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.feedback_core import add_working_days, working_days_between
from knowledge.loader import load_knowledge
from knowledge.schema import Locality
from storage.db import Database
from storage.stats import Dashboard, dashboard
from storage.stats_period import Period, PeriodError, month_of, parse_month, period_for, quarter_of, week_of
from storage.stats_rollup import roll_up, watermark
from tests import stats_seed as seed
from tests.stats_seed import EXPECTED, NOVEMBER, NOW

LOC = seed.locality(load_knowledge().locality)


def days(a: dt.date, b: dt.date) -> int:
    return working_days_between(a, b, LOC)


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    await database.upgrade()
    async with database.session() as s:
        await seed.seed(s, LOC)
    yield database
    await database.close()


async def figures(db: Database, period: Period = NOVEMBER, area: str | None = None) -> Dashboard:
    async with db.session() as s:
        return await dashboard(s, period, working_days=days, now=NOW, area=area)


def check_november(d: Dashboard) -> None:
    q = d.questions
    assert (q.total, q.answered, q.clarified, q.refused) == (
        EXPECTED["questions"], EXPECTED["answered"], EXPECTED["clarified"], EXPECTED["refused"]
    )  # fmt: skip
    assert len(q.per_day) == 30 and q.per_day[0].day == dt.date(2026, 11, 1)
    nonzero = {x.day: (x.answer, x.clarify, x.fallback) for x in q.per_day if x.total}
    assert nonzero == EXPECTED["per_day"]
    assert q.answered_share == 5 / 8
    assert q.top_topics == EXPECTED["top_topics"]
    assert q.top_aspects == EXPECTED["top_aspects"]
    s = d.satisfaction
    assert {k: (v.up, v.down) for k, v in s.topics.items()} == EXPECTED["topic_shares"]
    assert {k: (v.up, v.down) for k, v in s.walkthroughs.items()} == EXPECTED["walkthrough_shares"]
    assert {k: (v.up, v.down) for k, v in s.complaints.items()} == EXPECTED["complaint_shares"]
    assert (s.handoffs.up, s.handoffs.down) == EXPECTED["handoffs"]
    assert (s.overall.up, s.overall.down) == EXPECTED["overall"]
    assert s.overall.rate == 5 / 8
    trend = {day: (sh.up, sh.down) for day, sh in s.trend if sh.total}
    assert trend == {
        dt.date(2026, 11, 2): (3, 0),  # two answers and a walkthrough
        dt.date(2026, 11, 3): (0, 2),
        dt.date(2026, 11, 5): (1, 0),
        dt.date(2026, 11, 6): (1, 0),
        dt.date(2026, 11, 21): (0, 1),
    }
    assert sum(sh.total for _, sh in s.trend) == s.overall.total
    funnels = {f.walkthrough_id: (f.started, f.finished, f.stops) for f in d.funnels}
    assert funnels == EXPECTED["funnels"]
    assert (d.guides_started, d.guides_finished) == (4, 2)
    got = {
        c.category: (c.received, c.resolved, c.on_time, c.overdue, c.working_days)
        for c in d.complaints.categories
    }
    assert got == EXPECTED["complaints"]
    total = d.complaints.total
    assert (total.received, total.resolved, total.on_time, total.late, total.overdue) == (4, 3, 1, 2, 2)
    assert total.average_days == 16 / 3
    assert total.on_time_share == 1 / 3
    [b] = d.announcements
    assert (b.recipients, b.delivered, b.blocked, b.failed, b.pending) == EXPECTED["announcement"]
    assert b.preview == "Lịch tiếp công dân tháng 11"
    by_topic, by_area, n = EXPECTED["subscribers"]
    assert {k: v for k, v in d.subscribers.by_topic.items() if v} == by_topic
    assert d.subscribers.by_area == by_area
    assert d.subscribers.total == n


async def test_every_figure_of_november(db: Database) -> None:
    check_november(await figures(db))


async def test_daily_counts_give_the_same_figures_and_count_each_day_once(db: Database) -> None:
    live = await figures(db)
    live_area = await figures(db, area=seed.AREA)
    async with db.session() as s:
        counted = await roll_up(s, seed.TZ, dt.date(2026, 11, 20))
    assert counted == 20  # 1 to 19 November, and 31 October (the first question's day)
    async with db.session() as s:
        assert await watermark(s, seed.TZ) == dt.date(2026, 11, 19)
        assert await roll_up(s, seed.TZ, dt.date(2026, 11, 20)) == 0
    half = await figures(db)  # counted up to the 19th, the rest from the log
    check_november(half)
    assert half.as_json() == live.as_json()
    async with db.session() as s:
        await roll_up(s, seed.TZ, dt.date(2026, 12, 10))
    assert (await figures(db)).as_json() == live.as_json()
    assert (await figures(db, area=seed.AREA)).as_json() == live_area.as_json()


async def test_areas_add_up_to_the_whole(db: Database) -> None:
    whole = await figures(db)
    parts = [await figures(db, area=a) for a in (seed.AREA, seed.OTHER_AREA, "")]
    assert sum(p.questions.total for p in parts) == whole.questions.total
    assert sum(p.questions.answered for p in parts) == whole.questions.answered
    assert sum(p.complaints.total.received for p in parts) == whole.complaints.total.received
    assert sum(p.satisfaction.overall.total for p in parts) == whole.satisfaction.overall.total
    mine = parts[0]
    assert (mine.questions.total, mine.questions.answered, mine.questions.refused) == (3, 2, 1)
    assert [(c.category, c.received, c.resolved) for c in mine.complaints.categories] == [("ho-so", 1, 2)]
    assert mine.subscribers.total == 1
    nobody = parts[2]  # no area chosen, and the question of a person whose identity was erased
    assert (nobody.questions.total, nobody.questions.clarified, nobody.questions.refused) == (3, 1, 1)


async def test_json_of_the_api(db: Database) -> None:
    doc = (await figures(db)).as_json()
    assert doc["period"] == {"from": "2026-11-01", "to": "2026-12-01", "timezone": seed.TZ}
    assert doc["questions"]["total"] == 8 and doc["questions"]["answered_share"] == 5 / 8
    assert doc["questions"]["per_day"][1] == {
        "day": "2026-11-02",
        "answered": 2,
        "clarified": 1,
        "refused": 1,
    }
    assert doc["complaints"]["total"]["average_working_days"] == 16 / 3
    assert doc["satisfaction"]["overall"] == {"up": 5, "down": 3, "total": 8, "rate": 5 / 8}
    assert doc["walkthroughs"][0]["stops"] == [{"step": "s2", "count": 2}]


async def test_a_week_and_an_empty_period(db: Database) -> None:
    week = await figures(db, week_of(dt.date(2026, 11, 4), seed.TZ))  # Monday 2 to Sunday 8 November
    assert week.questions.total == 6 and len(week.questions.per_day) == 7
    empty = await figures(db, month_of(2026, 6, seed.TZ))
    assert empty.questions.total == 0 and empty.questions.answered_share is None
    assert empty.satisfaction.overall.rate is None and empty.complaints.categories == []


def test_periods() -> None:
    assert week_of(dt.date(2026, 11, 4), seed.TZ) == Period(
        dt.date(2026, 11, 2), dt.date(2026, 11, 9), seed.TZ
    )
    assert month_of(2026, 12, seed.TZ).end == dt.date(2027, 1, 1)
    assert quarter_of(dt.date(2026, 11, 4), seed.TZ) == Period(
        dt.date(2026, 10, 1), dt.date(2027, 1, 1), seed.TZ
    )
    assert parse_month("2026-11", seed.TZ) == NOVEMBER
    assert NOVEMBER.start_utc == dt.datetime(2026, 10, 31, 17, tzinfo=dt.UTC)
    custom = period_for("custom", dt.date(2026, 12, 1), seed.TZ, "2026-11-01", "2026-11-30")
    assert custom == NOVEMBER
    for bad in ("2026-13", "11/2026", "x"):
        with pytest.raises(PeriodError):
            parse_month(bad, seed.TZ)
    with pytest.raises(PeriodError):
        period_for("custom", dt.date(2026, 12, 1), seed.TZ, "2026-11-30", "2026-11-01")
    with pytest.raises(PeriodError):
        period_for("custom", dt.date(2026, 12, 1), seed.TZ, "2020-01-01", "2026-11-01")


@given(
    start=st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)),
    n=st.integers(0, 60),
    holidays=st.lists(st.dates(dt.date(2026, 1, 1), dt.date(2028, 3, 31)), max_size=12),
    weekdays=st.sets(st.integers(1, 7), min_size=1),
)
def test_working_days_between_is_the_inverse_of_add_working_days(
    start: dt.date, n: int, holidays: list[dt.date], weekdays: set[int]
) -> None:
    loc: Locality = LOC.model_copy(
        update={
            "holidays": holidays,
            "working_hours": LOC.working_hours.model_copy(update={"days": sorted(weekdays)}),
        }
    )
    end = add_working_days(start, n, loc) if n else start
    assert working_days_between(start, end, loc) == n
    naive = sum(
        1
        for i in range(1, (end - start).days + 1)
        if (start + dt.timedelta(days=i)).isoweekday() in weekdays
        and start + dt.timedelta(days=i) not in holidays
    )
    assert working_days_between(start, end, loc) == naive
    assert working_days_between(end, start, loc) == 0 or end == start
