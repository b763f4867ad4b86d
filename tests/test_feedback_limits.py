# ruff: noqa: F811  (pytest fixtures imported from tests.feedback_support)
"""Per-user rate limits and answer ratings, through the dispatcher."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import func, select

from bot.app import App
from handlers.limits import RateLimiter
from storage.models import ChatSession
from storage.models_feedback import Rating
from tests.conftest import Chat
from tests.feedback_support import fb_app, make_feedback_app  # noqa: F401


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_token_bucket_warns_once_then_drops_then_recovers() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, 60, clock=clock)
    assert [limiter.check("a") for _ in range(3)] == ["ok", "ok", "ok"]
    assert limiter.check("a") == "warn"
    assert limiter.wait_seconds("a") == 1
    assert limiter.check("a") == "drop"
    assert limiter.check("b") == "ok"  # others are not affected
    clock.t += 1.0  # one token back (60 per minute)
    assert limiter.check("a") == "ok"
    assert limiter.check("a") == "warn"


def test_limiter_forgets_old_users() -> None:
    limiter = RateLimiter(1, 1, max_users=2, clock=FakeClock())
    for key in ("a", "b", "c"):
        limiter.check(key)
    assert "a" not in limiter._buckets and len(limiter._buckets) == 2


async def test_a_flood_from_one_user_does_not_hold_up_others(tmp_path) -> None:
    app, _ = await make_feedback_app(tmp_path, rate_burst=5, rate_per_minute=6, staff="test:staff1=staff")
    try:
        flooder = Chat(app, user="spam", channel="telegram")
        answers = [await flooder.say("khai sinh") for _ in range(5)]
        assert all(a and "Đăng ký khai sinh" in a[0].text for a in answers)
        warned = await flooder.say("khai sinh")
        assert "chờ khoảng" in warned[0].text and "10 giây" in warned[0].text
        # further flood is refused without touching the database or the user's lock
        started = time.perf_counter()
        dropped = await asyncio.gather(*(flooder.send(text=f"spam {n}") for n in range(200)))
        assert all(d == [] for d in dropped)
        assert time.perf_counter() - started < 2.0
        # another citizen is served normally meanwhile
        other = Chat(app, user="c2", channel="telegram")
        assert "Đăng ký khai sinh" in (await other.say("khai sinh"))[0].text
        # staff are never limited (they relay conversations); nor are local channels
        staff = Chat(app, user="staff1")
        local = Chat(app, user="console-user", channel="console")
        for _ in range(8):
            assert await local.say("/menu")
        for _ in range(8):
            assert await staff.say("/hopthu")
        async with app.db.session() as db:
            assert await db.scalar(select(func.count()).select_from(ChatSession)) == 4
    finally:
        await app.close()


async def test_answers_ask_whether_they_helped_and_store_it(fb_app: App) -> None:
    chat = Chat(fb_app, user="c1")
    await chat.say("khai sinh")
    assert len(chat.last) == 1 and chat.last[0].text.endswith("Thông tin này có hữu ích không?")
    assert chat.actions[-3:] == ["r:t:khai-sinh:1", "r:t:khai-sinh:0", "d:khai-sinh:more"]
    await chat.tap("Có ích")
    assert "Xin cảm ơn" in chat.text
    await chat.press("r:t:khai-sinh:0")  # changing one's mind updates the rating
    assert "Xin lỗi" in chat.text and "ho:start" in chat.actions and "m:complaint" in chat.actions
    async with fb_app.db.session() as db:
        rows = list(await db.scalars(select(Rating)))
    assert [(r.target_kind, r.target_id, r.value) for r in rows] == [("topic", "khai-sinh", 0)]
    # forged or stale rating buttons are refused
    await chat.press("r:t:no-such-topic:1")
    await chat.press("r:x:khai-sinh:1")
    await chat.press("r:t:khai-sinh:7")
    async with fb_app.db.session() as db:
        assert await db.scalar(select(func.count()).select_from(Rating)) == 1
