"""Dossier events for tests: a valid event's fields, and feeding one to an app as the API would."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl

from bot.app import App
from handlers.dossier_events import FIELDS, Ingested, ingest, validate

CODE = "000.00.17.H31-260105-0001"
OTHER_CODE = "000.00.17.H31-260105-0002"
PHONE = "0912 345 678"
KHAI_SINH = ("1.001193", "Thủ tục đăng ký khai sinh")  # the bundled base's khai-sinh topic code

_counter = 0


def event(**over: Any) -> dict[str, Any]:
    """A valid event of the national portal's shape; each call a new event id unless given."""
    global _counter
    _counter += 1
    base: dict[str, Any] = {
        "event_id": f"evt-{_counter}",
        "dossier_code": CODE,
        "procedure_code": KHAI_SINH[0],
        "procedure_name": KHAI_SINH[1],
        "state": "received",
        "time": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).isoformat(),
        "due_date": "2026-12-20",
        "citizen_phone": PHONE,
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


async def feed(app: App, **over: Any) -> Ingested:
    """Store one event through the same path as the API (validate, then ingest in one transaction)."""
    settings = app.services.settings
    now = app.services.clock()
    facts = validate(
        event(**over),
        source="api",
        code_pattern=settings.dossier_code_pattern,
        timezone=settings.timezone,
        now=now,
    )
    async with app.db.session() as db:
        outcome = await ingest(db, app.services, facts, now)
        await db.commit()
    return outcome


def later(hours: float) -> str:
    """An event time `hours` after the default one (events must move forward to change the state)."""
    return (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2) + dt.timedelta(hours=hours)).isoformat()


def xlsx_bytes(*rows: list[Any]) -> bytes:
    """A workbook as staff export it: the API's fields as the header row, then `rows` as cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(FIELDS))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
