"""The monthly report workbook: the figures a commune sends upward, and one detail sheet per area.

Every number comes from `storage.stats` for the same period (the summary with
no area filter, the area sheets from the same queries grouped by area: the
citizen's area, and for complaints the area recorded on the complaint, each
sheet saying so), so the workbook says exactly what the dashboard shows. Shares are
stored as fractions formatted as percentages, so a spreadsheet can sum them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from handlers import texts
from handlers.feedback_core import category_label, working_days_between
from knowledge.loader import KnowledgeBase
from storage.db import Database
from storage.stats import Dashboard, Scope, dashboard, dashboards
from storage.stats_period import Period

PERCENT = "0.0%"
FIRST_ROW = 6  # rows 1-4 title, unit, period, blank; 5 the header
_BAD_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Row:
    key: str
    unit: str
    value: int | float | None
    percent: bool = False

    @property
    def label(self) -> str:
        return texts.RP_ROWS[self.key]


def summary_rows(d: Dashboard) -> list[Row]:
    """The report's lines, in the order of the form (same order on every sheet)."""
    q, c, s = d.questions, d.complaints.total, d.satisfaction.overall
    return [
        Row("questions", texts.RP_UNIT_TIMES, q.total),
        Row("answered", texts.RP_UNIT_TIMES, q.answered),
        Row("answered_share", texts.RP_UNIT_PERCENT, q.answered_share, percent=True),
        Row("guides", texts.RP_UNIT_TIMES, d.guides_started),
        Row("guides_finished", texts.RP_UNIT_TIMES, d.guides_finished),
        Row("complaints", texts.RP_UNIT_CASES, c.received),
        Row("resolved", texts.RP_UNIT_CASES, c.resolved),
        Row("on_time", texts.RP_UNIT_CASES, c.on_time),
        Row("on_time_share", texts.RP_UNIT_PERCENT, c.on_time_share, percent=True),
        Row("overdue", texts.RP_UNIT_CASES, c.overdue),
        Row(
            "average_days",
            texts.RP_UNIT_DAYS,
            round(c.average_days, 2) if c.average_days is not None else None,
        ),
        Row("ratings", texts.RP_UNIT_TIMES, s.total),
        Row("satisfaction", texts.RP_UNIT_PERCENT, s.rate, percent=True),
        Row("subscribers", texts.RP_UNIT_PEOPLE, d.subscribers.total),
    ]


def sheet_name(name: str, taken: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = " ".join(name.translate(_BAD_SHEET_CHARS).split())[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.casefold() in taken:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.casefold())
    return candidate


def _head(ws: Worksheet, title: str, kb: KnowledgeBase, period: Period) -> None:
    last = period.end - dt.timedelta(days=1)
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = texts.RP_UNIT.format(office=kb.locality.office_name)
    ws["A3"] = texts.RP_PERIOD.format(start=period.start.strftime("%d/%m/%Y"), last=last.strftime("%d/%m/%Y"))
    for col, label in enumerate(texts.RP_HEAD, 1):
        cell = ws.cell(row=FIRST_ROW - 1, column=col, value=label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 58
    ws.column_dimensions["C"].width = 16
    ws.column_dimensions["D"].width = 14


def _rows(ws: Worksheet, rows: list[Row], first: int = FIRST_ROW) -> int:
    for i, row in enumerate(rows):
        r = first + i
        ws.cell(row=r, column=1, value=i + 1)
        ws.cell(row=r, column=2, value=row.label)
        ws.cell(row=r, column=3, value=row.unit)
        cell = ws.cell(row=r, column=4, value=row.value if row.value is not None else texts.RP_NOT_APPLICABLE)
        if row.percent and row.value is not None:
            cell.number_format = PERCENT
    return first + len(rows)


def _complaint_table(ws: Worksheet, d: Dashboard, first: int) -> int:
    """Complaints by category under the summary lines of an area sheet."""
    ws.cell(row=first, column=2, value=texts.ST_PA_TITLE).font = Font(bold=True)
    head = (texts.ST_PA_CATEGORY, texts.ST_PA_RECEIVED, texts.ST_PA_RESOLVED, texts.ST_PA_ON_TIME,
            texts.ST_PA_OVERDUE, texts.ST_PA_DAYS)  # fmt: skip
    for col, label in enumerate(head, 2):
        ws.cell(row=first + 1, column=col, value=label).font = Font(bold=True)
    r = first + 2
    for c in d.complaints.categories:
        values = (
            category_label(c.category) if c.category else texts.ST_PA_NO_CATEGORY,
            c.received,
            c.resolved,
            c.on_time,
            c.overdue,
            round(c.average_days, 2) if c.average_days is not None else texts.RP_NOT_APPLICABLE,
        )
        for col, value in enumerate(values, 2):
            ws.cell(row=r, column=col, value=value)
        r += 1
    return r


def areas_of(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    """(filter value, sheet title) for each area of the locality, then citizens without one."""
    for area in kb.locality.areas:
        yield area, area
    yield "", texts.ST_AREA_NONE


async def sheet_figures(
    database: Database, period: Period, kb: KnowledgeBase, *, now: dt.datetime
) -> list[Dashboard]:
    """The summary's figures, then each area's (in `areas_of` order): the area sheets come from
    the same queries grouped by area (eight sheets cost about two dashboards), counted beside
    the summary in a second session."""

    def days(a: dt.date, b: dt.date) -> int:
        return working_days_between(a, b, kb.locality)

    areas = [a for a, _ in areas_of(kb)]

    async def whole() -> Dashboard:
        async with database.session() as db:
            return await dashboard(db, period, working_days=days, now=now, detail=False)

    async def by_area() -> dict[str, Dashboard]:
        async with database.session() as db:
            return await dashboards(
                db, period, working_days=days, now=now, scope=Scope(by_area=True), areas=areas
            )

    summary, parts = await asyncio.gather(whole(), by_area())
    return [summary, *(parts[a] for a in areas)]


async def build_monthly(
    database: Database, period: Period, kb: KnowledgeBase, *, now: dt.datetime
) -> Workbook:
    summary, *details = await sheet_figures(database, period, kb, now=now)
    month = period.start.strftime("%m/%Y")
    wb = Workbook()
    taken: set[str] = set()
    ws = wb.active
    assert ws is not None
    ws.title = sheet_name(texts.RP_SUMMARY_SHEET, taken)
    _head(ws, texts.RP_TITLE.format(month=month), kb, period)
    end = _rows(ws, summary_rows(summary))
    ws.cell(row=end + 1, column=2, value=texts.RP_NOTE).alignment = Alignment(wrap_text=True)
    for (_, title), detail in zip(areas_of(kb), details, strict=True):
        sheet = wb.create_sheet(sheet_name(title, taken))
        _head(sheet, texts.RP_AREA_TITLE.format(area=title), kb, period)
        end = _rows(sheet, summary_rows(detail))
        end = _complaint_table(sheet, detail, end + 1)
        sheet.cell(row=end + 1, column=2, value=texts.RP_AREA_NOTE).alignment = Alignment(wrap_text=True)
    return wb


async def write_monthly(
    database: Database, period: Period, kb: KnowledgeBase, path: Path, *, now: dt.datetime
) -> None:
    """Write the workbook to `path` (through a temporary file, so a failure leaves no half file)."""
    wb = await build_monthly(database, period, kb, now=now)
    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    tmp.replace(path)


async def monthly_bytes(database: Database, period: Period, kb: KnowledgeBase, *, now: dt.datetime) -> bytes:
    """The workbook as bytes, for the dashboard's download."""
    buffer = BytesIO()
    (await build_monthly(database, period, kb, now=now)).save(buffer)
    return buffer.getvalue()
