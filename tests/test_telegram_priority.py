"""Live replies and an announcement in one process, against the fake Bot API with Telegram's
flood limits made strict (30/s for the bot, one per second per chat after a short burst, a
flood wait for the whole bot after any 429): citizens asking during the announcement are
answered ahead of it and nobody gets a 429 (issue 17, item 8)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.channels.telegram import TelegramRunner
from bot.outbox_sender import OutboxRunner
from handlers.messages import Reply
from handlers.serialize import replies_to_payload
from storage import outbox as ob
from storage.repos import get_or_create_user
from tests.conftest import FIXTURE_KB, make_settings
from tests.fake_telegram import FakeTelegram

SUBSCRIBERS = list(range(1000, 1100))  # four seconds of announcement at 25/s
CITIZENS = list(range(2000, 2006))
NOTICE = "📢 Lịch tiếp công dân tuần này thay đổi"


@dataclass
class Stack:
    fake: FakeTelegram
    app: App
    runner: TelegramRunner
    outbox: OutboxRunner


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    fake = FakeTelegram(global_per_second=30, per_chat_per_second=1, per_chat_burst=3)
    await fake.start()
    settings = make_settings(
        tmp_path,
        knowledge_dir=FIXTURE_KB,
        telegram_token=fake.token,
        telegram_api_url=fake.api_url,
        telegram_poll_timeout=1,
        outbox_poll_seconds=0.1,
    )
    app = await build_app(settings)
    async with app.db.session() as s:
        for uid in SUBSCRIBERS:
            fake.user(uid)
            user = await get_or_create_user(s, "telegram", str(uid))
            user.subscriptions = ["chung"]
        await s.commit()
    runner = TelegramRunner(app)  # real sleeps: the pacing is what is tested
    await runner.start()
    outbox = OutboxRunner(app, "telegram")  # the runner's sender, so the runner's budget
    await outbox.start()
    yield Stack(fake, app, runner, outbox)
    await outbox.stop()
    await runner.stop()
    await app.close()
    await fake.stop()


def send_order(fake: FakeTelegram) -> list[int]:
    """The chat of every sendMessage, in the order the fake received them (all accepted: see errors)."""
    assert not [e for e in fake.errors if e[0] == "sendMessage"]
    return [int(p["chat_id"]) for method, p in fake.calls if method == "sendMessage"]


async def test_replies_during_an_announcement_go_first_and_get_no_429(stack: Stack) -> None:
    fake, app = stack.fake, stack.app
    async with app.db.session() as s:
        await ob.create_broadcast(
            s,
            created_by="cli:test",
            text=NOTICE,
            audience=ob.Audience(topic="chung"),
            payload=replies_to_payload([Reply(NOTICE)]),
        )
        await s.commit()
    await fake.wait_for(lambda: sum(fake.count[u] for u in SUBSCRIBERS) >= 10, within=10)
    for uid in CITIZENS:  # one after another, each waiting for the answer, as people do
        await fake.send_text(uid, "làm giấy khai sinh cần gì")
        await fake.wait_messages(uid, 1, within=10)
    replied_while_running = sum(fake.count[u] for u in SUBSCRIBERS) < len(SUBSCRIBERS)
    await fake.wait_for(lambda: all(fake.count[u] == 1 for u in SUBSCRIBERS), within=30)

    assert fake.rate_limited == 0  # not one 429, to citizens or to subscribers
    assert replied_while_running
    order = send_order(fake)
    last_notice = max(i for i, chat in enumerate(order) if chat in SUBSCRIBERS)
    first_replies = [order.index(uid) for uid in CITIZENS]
    # Every answer went out while announcement messages were still queued behind it:
    # the citizen did not wait for the announcement to finish.
    assert all(i < last_notice for i in first_replies)
    stats = stack.runner.budget.stats
    assert stats.replies >= len(CITIZENS)
    assert stats.stolen > 0  # answers took slots the announcement had reserved
    assert stats.pauses == 0
