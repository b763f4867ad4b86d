"""The outbox worker with the real TelegramSender against the strict fake Bot API:
a broadcast with a blocked chat and an injected 429, the staff progress message
edited in place, and the final report."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from telegram import Bot

from bot.app import App, build_app
from bot.channels.telegram import TelegramSender
from bot.outbox_sender import OutboxWorker, SenderConfig, TelegramOutboxSender
from handlers.messages import Reply
from handlers.serialize import replies_to_payload
from storage import outbox as ob
from storage.models import Outbox, User
from storage.repos import get_or_create_user
from tests.conftest import FIXTURE_KB, make_settings
from tests.fake_telegram import FakeTelegram

STAFF = 900
CITIZENS = [101, 102, 103, 104, 105]


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[tuple[App, FakeTelegram, TelegramOutboxSender]]:
    fake = FakeTelegram(global_per_second=30)
    await fake.start()
    app = await build_app(make_settings(tmp_path, knowledge_dir=FIXTURE_KB))
    async with app.db.session() as s:
        for uid in CITIZENS:
            fake.user(uid)
            u = await get_or_create_user(s, "telegram", str(uid))
            u.subscriptions = ["chung"]
        await s.commit()
    fake.user(STAFF)
    bot = Bot(fake.token, base_url=fake.api_url)
    await bot.initialize()
    sender = TelegramOutboxSender(TelegramSender(bot))
    yield app, fake, sender
    await sender.close()
    await app.close()
    await fake.stop()


async def test_broadcast_through_the_fake_bot_api(env) -> None:
    app, fake, sender = env
    fake.block(103)
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=104)
    async with app.db.session() as s:
        b = await ob.create_broadcast(
            s,
            created_by=f"telegram:{STAFF}",
            text="Lịch tiêm chủng",
            audience=ob.Audience(),
            payload=replies_to_payload([Reply("📢 Lịch tiêm chủng <tháng 12> & nhắc nhở")]),
            notify=("telegram", str(STAFF)),
        )
        await s.commit()
    worker = OutboxWorker(app.db, sender, SenderConfig(rate=25, concurrency=2, poll_seconds=0.05))
    await worker.monitor.tick()  # the progress message
    await worker.drain()  # the broadcast, then the report is queued
    await worker.drain()  # the report
    for uid in (101, 102, 104, 105):
        assert fake.texts_to(uid) == ["📢 Lịch tiêm chủng <tháng 12> & nhắc nhở"]  # HTML-escaped on the wire
    assert fake.texts_to(103) == []
    assert worker.stats.rate_limited == 1 and worker.stats.unreachable == 1
    async with app.db.session() as s:
        rows = {r.platform_id: r for r in (await s.scalars(select(Outbox).where(Outbox.kind == "broadcast")))}
        blocked = await s.scalar(select(User).where(User.platform_id == "103"))
    assert {pid: r.status for pid, r in rows.items()} == {
        "101": "sent",
        "102": "sent",
        "103": "unreachable",
        "104": "sent",
        "105": "sent",
    }
    assert all(r.platform_message_id for r in rows.values() if r.status == "sent")
    assert "blocked" in rows["103"].error and blocked.blocked and blocked.subscriptions == []
    staff = fake.texts_to(STAFF)
    assert len(staff) == 2  # one progress message (edited in place) and the final report
    assert staff[0].startswith(f"Thông báo số {b.id}: đã gửi")
    assert "Đã gửi: 4/5" in staff[1] and "Không liên lạc được (đã chặn, bỏ theo dõi): 1" in staff[1]


async def test_progress_message_is_edited(env) -> None:
    app, fake, sender = env
    async with app.db.session() as s:
        await ob.create_broadcast(
            s,
            created_by=f"telegram:{STAFF}",
            text="t",
            audience=ob.Audience(),
            payload=replies_to_payload([Reply("t")]),
            notify=("telegram", str(STAFF)),
        )
        await s.commit()
    worker = OutboxWorker(app.db, sender, SenderConfig(rate=25, concurrency=1))
    await worker.monitor.tick()
    assert fake.texts_to(STAFF) == ["Thông báo số 1: đã gửi 0/5 [--------------------] 0%"]
    async with app.db.session() as s:
        rows = await ob.claim(s, "telegram", worker.worker_id, limit=3, lease_seconds=60)
    for row in rows:
        await worker.deliver(row)
    await worker.monitor.tick()
    assert fake.texts_to(STAFF) == ["Thông báo số 1: đã gửi 3/5 [############--------] 60%"]
