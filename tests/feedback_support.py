"""Shared pieces of the feedback tests: an app with staff and a fixed clock, outbox reading."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App, build_app
from handlers.messages import Reply
from handlers.serialize import replies_from_payload
from storage.models import Outbox
from storage.models_feedback import Complaint, ComplaintEvent
from tests.conftest import TESTS_DIR, Chat, make_settings

FEEDBACK_KB = TESTS_DIR / "data" / "kb_feedback"
STAFF = "test:staff1=staff,test:staff2=admin"
# Monday 30 November 2026, 09:00 in Hà Nội (UTC+7): inside office hours
MONDAY_9AM = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
# the same Monday at 20:00 local: outside office hours
MONDAY_8PM = dt.datetime(2026, 11, 30, 13, 0, tzinfo=dt.UTC)


@dataclass
class Clock:
    now: dt.datetime

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: Any) -> None:
        self.now += dt.timedelta(**delta)


async def make_feedback_app(tmp_path: Path, database_url: str = "", **extra: Any) -> tuple[App, Clock]:
    settings = make_settings(
        tmp_path,
        database_url=database_url,
        knowledge_dir=FEEDBACK_KB,
        staff=extra.pop("staff", STAFF),
        **extra,
    )
    app = await build_app(settings)
    clock = Clock(MONDAY_9AM)
    app.services.clock = clock
    return app, clock


@pytest.fixture
async def fb_app(tmp_path: Path) -> AsyncIterator[App]:
    app, _ = await make_feedback_app(tmp_path)
    yield app
    await app.close()


@pytest.fixture
async def fb_app_any(tmp_path: Path, db_url: str) -> AsyncIterator[App]:
    """Like fb_app, on SQLite and (when configured) PostgreSQL."""
    app, _ = await make_feedback_app(tmp_path, database_url=db_url)
    yield app
    await app.close()


@pytest.fixture
def citizen(fb_app: App) -> Chat:
    return Chat(fb_app, user="c1", name="Nguyễn Văn An")


@pytest.fixture
def staff(fb_app: App) -> Chat:
    return Chat(fb_app, user="staff1", name="Cán bộ Bình")


async def outbox(app: App, **where: Any) -> list[Outbox]:
    async with app.db.session() as db:
        stmt = select(Outbox).order_by(Outbox.id)
        for key, value in where.items():
            stmt = stmt.where(getattr(Outbox, key) == value)
        return list(await db.scalars(stmt))


def payload_replies(row: Outbox) -> list[Reply]:
    return replies_from_payload(row.payload)


def payload_text(row: Outbox) -> str:
    return "\n".join(r.text for r in payload_replies(row))


async def complaints(app: App) -> list[Complaint]:
    async with app.db.session() as db:
        return list(await db.scalars(select(Complaint).order_by(Complaint.id)))


async def events(app: App, code: str) -> list[str]:
    async with app.db.session() as db:
        c = await db.scalar(select(Complaint).where(Complaint.code == code))
        rows = await db.scalars(
            select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id).order_by(ComplaintEvent.id)
        )
        return [e.kind for e in rows]


async def file_complaint(
    chat: Chat,
    description: str = "Đường thôn 3 đoạn gần trường học bị ngập sâu mỗi khi mưa lớn",
    *,
    category: str = "ha-tang",
    phone: str | None = None,
) -> str:
    """Go through the whole complaint flow; returns the tracking code shown."""
    await chat.say("/phananh")
    if "pa:new" in chat.actions:
        await chat.press("pa:new")
    await chat.press(f"pa:cat:{category}")
    await chat.say(description)
    await chat.press("pa:next")
    if phone:
        await chat.press("pa:phone:yes")
        await chat.say(phone)
    else:
        await chat.press("pa:phone:no")
    assert "pa:send" in chat.actions, chat.text
    await chat.press("pa:send")
    import re

    m = re.search(r"PA-\d{4}-\d{6}", chat.text)
    assert m, chat.text
    return m.group(0)
