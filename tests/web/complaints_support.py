"""Shared pieces of the complaints console tests: an office calendar with a holiday, complaints on demand."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.app import App
from handlers.feedback_core import due_at
from storage import complaints as repo
from storage.models import AuditLog, Outbox
from storage.models_feedback import Complaint, ComplaintEvent
from tests.feedback_support import FEEDBACK_KB, Clock

# Monday 30 November 2026, 09:00 in Hà Nội; the locality below has a (test) holiday on Wednesday 2 December
MONDAY_9AM = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
HOLIDAY = dt.date(2026, 12, 2)
DUE_DAYS = 2
CODE = re.compile(r"PA-\d{4}-\d{6}")


def locality_with_holiday(tmp_path: Path) -> Path:
    text = (FEEDBACK_KB / "locality.yaml").read_text(encoding="utf-8")
    path = tmp_path / "locality.yaml"
    path.write_text(text + f"\nholidays:\n  - {HOLIDAY.isoformat()}\n", encoding="utf-8")
    return path


def settings_extra(tmp_path: Path) -> dict[str, Any]:
    return {
        "knowledge_dir": FEEDBACK_KB,
        "locality_file": locality_with_holiday(tmp_path),
        "complaint_due_days": DUE_DAYS,
        "web_session_hours": 72.0,  # the tests move the clock by days within one session
    }


def set_clock(app: App, at: dt.datetime) -> Clock:
    clock = Clock(at)
    app.services.clock = clock
    return clock


async def add_complaint(
    app: App,
    at: dt.datetime,
    description: str = "Đường thôn 3 đoạn gần trường học bị ngập sâu mỗi khi mưa lớn",
    *,
    category: str = "ha-tang",
    channel: str | None = "telegram",
    platform_id: str | None = "501",
    name: str | None = "Nguyễn Văn An",
    phone: str | None = "0912345678",
    photos: tuple[str, ...] = (),
    latitude: float | None = None,
    longitude: float | None = None,
    area: str | None = None,
    assignee: str | None = None,
    status: str | None = None,
    due: dt.datetime | None = None,
) -> str:
    """A complaint as the chat stores it (same deadline rule unless `due` is given), filed at `at`."""
    loc = app.knowledge.kb.locality
    tz = app.settings.timezone
    async with app.db.session() as db:
        c = await repo.create_complaint(
            db,
            now=at,
            year=at.year,
            due_at=due or due_at(at, app.settings.complaint_due_days, loc, tz),
            user_id=None,
            channel=channel,
            platform_id=platform_id,
            reporter_name=name,
            phone=phone,
            category=category,
            description=description,
            photos=list(photos),
            latitude=latitude,
            longitude=longitude,
        )
        c.area = area
        c.assignee = assignee
        if status:
            c.status = status
        await db.commit()
        return c.code


async def complaint(app: App, code: str) -> Complaint:
    async with app.db.session() as db:
        c = await db.scalar(select(Complaint).where(Complaint.code == code))
        assert c is not None
        return c


async def event_kinds(app: App, code: str) -> list[tuple[str, str | None]]:
    async with app.db.session() as db:
        c = await db.scalar(select(Complaint).where(Complaint.code == code))
        assert c is not None
        rows = await db.scalars(
            select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id).order_by(ComplaintEvent.id)
        )
        return [(e.kind, e.actor) for e in rows]


async def outbox_rows(app: App) -> list[Outbox]:
    async with app.db.session() as db:
        return list(await db.scalars(select(Outbox).order_by(Outbox.id)))


async def audit_rows(app: App, target: str) -> list[tuple[str, str]]:
    async with app.db.session() as db:
        rows = await db.scalars(select(AuditLog).where(AuditLog.target == target).order_by(AuditLog.id))
        return [(r.actor, r.action) for r in rows]


def codes_in(html: str) -> list[str]:
    """The complaint codes of the inbox's list, in order (each card links to its code once)."""
    return re.findall(r'href="/staff/complaints/(PA-\d{4}-\d{6})"', html)
