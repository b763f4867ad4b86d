"""Figures per area: complaints under the area staff recorded on them, on SQLite and PostgreSQL.

The seeded November (tests/stats_seed.py) files complaints 1 and 4 under
Thôn Một (citizen a), 2 and 5 under no area (citizen b), 3 under Thôn Hai
(citizen c). Here staff have recorded where three of the problems are:
complaint 1 is in Thôn Hai, 3 and 5 in Thôn Một; 2 and 4 have no area and
stay under their citizen's. Every figure below is worked out by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from bot.report_xlsx import FIRST_ROW, summary_rows, write_monthly
from handlers import texts
from handlers.feedback_core import category_label, working_days_between
from knowledge.loader import load_knowledge
from storage.db import Database
from storage.models import QuestionLog
from storage.models_feedback import Complaint
from storage.stats import Dashboard, Scope, dashboard, dashboards
from storage.stats_rollup import behind, roll_up, watermark
from tests import stats_seed as seed
from tests.stats_seed import AREA, NOVEMBER, NOW, OTHER_AREA

KB = seed.with_locality(load_knowledge())
PLACES = {1: OTHER_AREA, 3: AREA, 5: AREA}

# per area: (category, received, resolved, on time, overdue, working days summed)
COMPLAINTS = {
    AREA: [("ha-tang", 1, 0, 0, 1, 0), ("khac", 1, 0, 0, 1, 0), ("ho-so", 0, 1, 0, 0, 10)],
    OTHER_AREA: [("ho-so", 1, 1, 1, 0, 2)],
    "": [("ho-so", 1, 1, 0, 0, 4)],
}


def days(a: dt.date, b: dt.date) -> int:
    return working_days_between(a, b, KB.locality)


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    await database.upgrade()
    async with database.session() as s:
        await seed.seed(s, KB.locality)
        for number, area in PLACES.items():
            await s.execute(update(Complaint).where(Complaint.number == number).values(area=area))
        await s.commit()
    yield database
    await database.close()


def complaint_rows(d: Dashboard) -> list[tuple[str, int, int, int, int, int]]:
    return [
        (c.category, c.received, c.resolved, c.on_time, c.overdue, c.working_days)
        for c in d.complaints.categories
    ]


async def test_complaints_count_under_their_own_area(db: Database) -> None:
    async with db.session() as s:
        whole = await dashboard(s, NOVEMBER, working_days=days, now=NOW)
        parts = {
            a: await dashboard(s, NOVEMBER, working_days=days, now=NOW, area=a)
            for a in (AREA, OTHER_AREA, "")
        }
    for area, rows in COMPLAINTS.items():
        assert complaint_rows(parts[area]) == rows, area
    # the whole commune does not change, and the areas still add up to it
    total = whole.complaints.total
    assert (total.received, total.resolved, total.on_time, total.overdue) == (4, 3, 1, 2)
    for field in ("received", "resolved", "on_time", "overdue", "working_days"):
        assert sum(getattr(p.complaints.total, field) for p in parts.values()) == getattr(total, field)
    # the rating of complaint 1's handling goes with the complaint to Thôn Hai, not its citizen's area
    assert {k: (v.up, v.down) for k, v in parts[OTHER_AREA].satisfaction.complaints.items()} == {
        "ho-so": (1, 0)
    }
    assert parts[AREA].satisfaction.complaints == {}
    assert sum(p.satisfaction.overall.total for p in parts.values()) == whole.satisfaction.overall.total
    # questions stay with the citizen's subscription area
    assert parts[AREA].questions.total == 3 and parts[OTHER_AREA].questions.total == 2


async def test_grouped_by_area_equals_one_area_at_a_time(db: Database) -> None:
    """The workbook's one-pass figures (Scope(by_area=True)) are the dashboard's, area by area,
    whether questions come from the log or the daily counts."""
    areas = [AREA, OTHER_AREA, ""]
    for rolled in (False, True):
        if rolled:
            async with db.session() as s:
                assert await roll_up(s, seed.TZ, dt.date(2026, 11, 15), batch=4) == 15
                assert await watermark(s, seed.TZ) == dt.date(2026, 11, 14)
        async with db.session() as s:
            grouped = await dashboards(
                s, NOVEMBER, working_days=days, now=NOW, scope=Scope(by_area=True), areas=areas
            )
            for area in areas:
                one = await dashboard(s, NOVEMBER, working_days=days, now=NOW, area=area, detail=False)
                got = grouped[area].as_json()
                assert got == {**one.as_json(), "area": area}, (area, rolled)
            assert list(grouped) == areas


async def test_workbook_area_sheets_cell_by_cell(db: Database, tmp_path: Path) -> None:
    out = tmp_path / "bao-cao.xlsx"
    await write_monthly(db, NOVEMBER, KB, out, now=NOW)
    wb = load_workbook(out)
    n = len(summary_rows(await _summary(db)))
    head = FIRST_ROW + n + 1  # the complaint table's title, then its header
    for area, title in ((AREA, AREA), (OTHER_AREA, OTHER_AREA), ("", texts.ST_AREA_NONE)):
        ws = wb[title]
        lines = {
            ws.cell(row=r, column=2).value: ws.cell(row=r, column=4).value
            for r in range(FIRST_ROW, FIRST_ROW + n)
        }
        rows = COMPLAINTS[area]
        received, resolved = sum(r[1] for r in rows), sum(r[2] for r in rows)
        on_time, overdue, spent = sum(r[3] for r in rows), sum(r[4] for r in rows), sum(r[5] for r in rows)
        assert lines[texts.RP_ROWS["complaints"]] == received, title
        assert lines[texts.RP_ROWS["resolved"]] == resolved, title
        assert lines[texts.RP_ROWS["on_time"]] == on_time, title
        assert lines[texts.RP_ROWS["overdue"]] == overdue, title
        assert lines[texts.RP_ROWS["average_days"]] == round(spent / resolved, 2), title
        assert lines[texts.RP_ROWS["on_time_share"]] == on_time / resolved, title
        assert ws.cell(row=head, column=2).value == texts.ST_PA_TITLE
        table = [
            tuple(ws.cell(row=r, column=c).value for c in range(2, 8))
            for r in range(head + 2, head + 2 + len(rows))
        ]
        want = [
            (_label(cat), rec, res, ok, late, round(wd / res, 2) if res else texts.RP_NOT_APPLICABLE)
            for cat, rec, res, ok, late, wd in rows
        ]
        assert table == want, title
        assert (
            ws.cell(row=head + 2 + len(rows), column=2).value is None
        )  # nothing after the table but the note
        assert ws.cell(row=head + 3 + len(rows), column=2).value == texts.RP_AREA_NOTE
    summary = wb[texts.RP_SUMMARY_SHEET]
    assert summary.cell(row=FIRST_ROW + 5, column=4).value == 4  # complaints received: the whole commune


async def test_the_first_count_of_a_log_is_done_in_batches_and_reported(db: Database) -> None:
    today = dt.date(2026, 12, 10)
    async with db.session() as s:
        assert await behind(s, seed.TZ, today) is True  # questions since 31 October, nothing counted
        assert await roll_up(s, seed.TZ, today, limit=31) == 31  # 31 October – 30 November, a week at a time
        assert await watermark(s, seed.TZ) == dt.date(2026, 11, 30)
        assert await behind(s, seed.TZ, today) is True
        assert await roll_up(s, seed.TZ, today) == 9
        assert await behind(s, seed.TZ, today) is False
        # the next morning yesterday is not counted yet: that is the hourly job's ordinary lag
        assert await behind(s, seed.TZ, today + dt.timedelta(days=1)) is False
    async with db.session() as s:
        counted = await dashboard(s, NOVEMBER, working_days=days, now=NOW)
    assert counted.questions.total == 8 and counted.questions.top_topics == [("khai-sinh", 3), ("ket-hon", 2)]


async def test_an_empty_log_is_not_behind(db_url: str) -> None:
    database = Database(db_url)
    await database.upgrade()
    async with database.session() as s:
        assert await behind(s, seed.TZ, dt.date(2026, 12, 10)) is False
        s.add(
            QuestionLog(channel="telegram", text="x", normalized="x", score=0.1, decision="fallback",
                        candidates=[], at=seed.local(9, month=12))
        )  # fmt: skip
        await s.commit()
        assert await behind(s, seed.TZ, dt.date(2026, 12, 10)) is False  # only yesterday
        assert await behind(s, seed.TZ, dt.date(2026, 12, 11)) is True
    await database.close()


async def _summary(db: Database) -> Dashboard:
    async with db.session() as s:
        return await dashboard(s, NOVEMBER, working_days=days, now=NOW, detail=False)


def _label(category: str) -> str:
    return category_label(category)
