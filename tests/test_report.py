"""The monthly workbook, re-opened with openpyxl and read cell by cell against the dashboard."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import yaml
from openpyxl import load_workbook

from bot.report_xlsx import FIRST_ROW, sheet_name, summary_rows, write_monthly
from handlers import texts
from handlers.feedback_core import working_days_between
from knowledge.loader import load_knowledge
from storage.db import Database
from storage.stats import dashboard
from tests import stats_seed as seed
from tests.stats_seed import NOVEMBER, NOW
from tests.test_cli import motcua

KB = seed.with_locality(load_knowledge())

# the summary as the form lists it, worked out by hand (tests/stats_seed.py)
SUMMARY = [
    ("questions", 8),
    ("answered", 5),
    ("answered_share", 5 / 8),
    ("guides", 4),
    ("guides_finished", 2),
    ("complaints", 4),
    ("resolved", 3),
    ("on_time", 1),
    ("on_time_share", 1 / 3),
    ("overdue", 2),
    ("average_days", round(16 / 3, 2)),
    ("ratings", 8),
    ("satisfaction", 5 / 8),
    ("subscribers", 2),
]


def read_rows(ws) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    return [
        tuple(ws.cell(row=r, column=c).value for c in range(1, 5))
        for r in range(FIRST_ROW, FIRST_ROW + len(SUMMARY))
    ]


async def test_workbook_cells_equal_the_dashboard(db_url: str, tmp_path: Path) -> None:
    db = Database(db_url)
    await db.upgrade()
    async with db.session() as s:
        await seed.seed(s, KB.locality)
    out = tmp_path / "bao-cao.xlsx"
    await write_monthly(db, NOVEMBER, KB, out, now=NOW)

    def days(a: dt.date, b: dt.date) -> int:
        return working_days_between(a, b, KB.locality)

    expected = {}
    async with db.session() as s:
        for area in (None, seed.AREA, seed.OTHER_AREA, ""):
            expected[area] = await dashboard(s, NOVEMBER, working_days=days, now=NOW, area=area)
    await db.close()

    wb = load_workbook(out)
    assert wb.sheetnames == [texts.RP_SUMMARY_SHEET, seed.AREA, seed.OTHER_AREA, texts.ST_AREA_NONE]
    ws = wb[texts.RP_SUMMARY_SHEET]
    assert ws["A1"].value == texts.RP_TITLE.format(month="11/2026")
    assert ws["A3"].value == texts.RP_PERIOD.format(start="01/11/2026", last="30/11/2026")
    assert tuple(ws.cell(row=FIRST_ROW - 1, column=c).value for c in range(1, 5)) == texts.RP_HEAD
    rows = read_rows(ws)
    for i, ((key, value), row) in enumerate(zip(SUMMARY, rows, strict=True), 1):
        assert row[0] == i and row[1] == texts.RP_ROWS[key]
        assert row[3] == value, key
    from_dashboard = [(r.key, r.value) for r in summary_rows(expected[None])]
    assert [(k, v) for k, v in SUMMARY] == from_dashboard
    assert ws.cell(row=FIRST_ROW + 2, column=4).number_format == "0.0%"
    for area, title in ((seed.AREA, seed.AREA), (seed.OTHER_AREA, seed.OTHER_AREA), ("", texts.ST_AREA_NONE)):
        sheet = wb[title]
        values = [row[3] for row in read_rows(sheet)]
        want = [texts.RP_NOT_APPLICABLE if r.value is None else r.value for r in summary_rows(expected[area])]
        assert values == want, title
    mine = [row[3] for row in read_rows(wb[seed.AREA])]
    assert mine[:3] == [3, 2, 2 / 3]  # questions, answered, share of the citizens of Thôn Một
    # complaints by category under the lines of an area sheet
    sheet = wb[seed.AREA]
    start = FIRST_ROW + len(SUMMARY) + 1
    assert sheet.cell(row=start, column=2).value == texts.ST_PA_TITLE
    assert [sheet.cell(row=start + 2, column=c).value for c in range(2, 8)] == [
        texts.PA_CAT_DOSSIER,
        1,
        2,
        1,
        0,
        6.0,
    ]


def test_sheet_names_are_valid_and_unique() -> None:
    taken: set[str] = set()
    assert sheet_name("Thôn [1]: A/B?", taken) == "Thôn 1 A B"
    long = "Địa bàn " + "x" * 40
    first, second = sheet_name(long, taken), sheet_name(long, taken)
    assert len(first) == 31 and len(second) == 31 and first != second


def test_the_cli_writes_the_month(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    url = f"sqlite+aiosqlite:///{data / 'motcua.db'}"

    async def prepare() -> None:
        db = Database(url)
        await db.upgrade()
        async with db.session() as s:
            await seed.seed(s, KB.locality)
        await db.close()

    asyncio.run(prepare())
    locality = tmp_path / "locality.yaml"
    locality.write_text(
        yaml.safe_dump(KB.locality.model_dump(mode="json"), allow_unicode=True), encoding="utf-8"
    )
    env = {"MOTCUA_DATA_DIR": str(data), "MOTCUA_LOCALITY_FILE": str(locality)}
    out = tmp_path / "thang-11.xlsx"
    done = motcua("report", "monthly", "--month", "2026-11", "--output", str(out), env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "01/11/2026 – 30/11/2026" in done.stdout
    rows = read_rows(load_workbook(out)[texts.RP_SUMMARY_SHEET])
    assert [row[3] for row in rows] == [v for _, v in SUMMARY]
    bad = motcua("report", "monthly", "--month", "11/2026", "--output", str(out), env=env)
    assert bad.returncode == 2 and "YYYY-MM" in bad.stderr
    wrong = motcua("report", "monthly", "--month", "2026-11", "--output", str(tmp_path / "x.csv"), env=env)
    assert wrong.returncode == 2 and ".xlsx" in wrong.stderr
