"""Tracking codes: unique and consecutive per year, also under concurrency, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select

from storage import complaints as repo
from storage.db import Database
from storage.models_feedback import Complaint


async def _one(db: Database, year: int, n: int) -> str:
    """One submission in its own transaction; no retries: concurrency must not make it fail."""
    now = dt.datetime(year, 3, 1, tzinfo=dt.UTC)
    async with db.session() as s:
        c = await repo.create_complaint(
            s, now=now, year=year, due_at=now, user_id=None, channel="test", platform_id=f"u{n}",
            reporter_name=None, phone=None, category="khac", description=f"nội dung {n}",
            photos=[], latitude=None, longitude=None,
        )  # fmt: skip
        await asyncio.sleep(0.01)  # hold the counter row while the others queue behind it
        await s.commit()
        return c.code


async def test_codes_are_unique_and_consecutive_under_concurrency(db_url: str) -> None:
    db = Database(db_url)
    try:
        await db.upgrade()
        codes = await asyncio.gather(*(_one(db, 2026, n) for n in range(12)))
        assert sorted(codes) == [f"PA-2026-{n:06d}" for n in range(1, 13)]
        # a new year starts again at 1; the old year continues
        assert await _one(db, 2027, 99) == "PA-2027-000001"
        assert await _one(db, 2026, 100) == "PA-2026-000013"
        # a rolled-back submission gives its number back
        async with db.session() as s:
            assert await repo.allocate_number(s, 2026) == 14
            await s.rollback()
        assert await _one(db, 2026, 101) == "PA-2026-000014"
        async with db.session() as s:
            rows = list(await s.scalars(select(Complaint.code)))
        assert len(rows) == len(set(rows)) == 15
    finally:
        await db.close()


def test_parse_code() -> None:
    assert repo.parse_code("tra cứu pa-2026-123 giúp tôi") == "PA-2026-000123"
    assert repo.parse_code("PA 2026 - 000123") == "PA-2026-000123"
    assert repo.parse_code("PA-2026-0001234") is None
    assert repo.parse_code("mã 2026-000123") is None


async def test_citizens_sending_at_the_same_moment_get_distinct_codes(tmp_path, db_url: str) -> None:
    import re

    from tests.conftest import Chat
    from tests.feedback_support import make_feedback_app

    app, _ = await make_feedback_app(tmp_path, database_url=db_url)
    try:
        chats = [Chat(app, user=f"c{n}") for n in range(6)]
        for n, chat in enumerate(chats):
            await chat.say("/phananh")
            await chat.press("pa:cat:khac")
            await chat.say(f"Nội dung phản ánh số {n} về vệ sinh môi trường")
            await chat.press("pa:next")
            await chat.press("pa:phone:no")
        results = await asyncio.gather(*(chat.press("pa:send") for chat in chats))
        codes = sorted(re.search(r"PA-2026-\d{6}", r[0].text).group(0) for r in results)
        assert codes == [f"PA-2026-{n:06d}" for n in range(1, 7)]
    finally:
        await app.close()
