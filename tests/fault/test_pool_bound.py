"""More Telegram updates in flight than the database pool has connections (issue 17, item 1 on
PostgreSQL): before the bound, the conversations that found no pooled connection within the pool
timeout got the apology and their updates were confirmed unhandled, lost after `kill -9`.

The pool here is tiny and its timeout short, so the same arithmetic happens in a second on
SQLite (and on PostgreSQL when MOTCUA_TEST_DATABASE_URL is set).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

import handlers.dispatcher as dispatcher_module
import storage.db as storage_db
from handlers import texts
from storage.db import HandlerSlots
from tests.fake_telegram import FakeTelegram
from tests.test_telegram_e2e import make_harness

HOLD = 0.25  # seconds each conversation keeps its connection
SHORT_TIMEOUT = 0.3  # the pool's wait, shorter than two conversations in a row
APOLOGY = texts.SYSTEM_ERROR.split("{")[0][:30]
TINY = {"database_pool_size": 3, "database_pool_overflow": 0}  # with `tiny_pool`


@pytest.fixture
def tiny_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """1 connection kept free of conversations, a 0.3 s wait for one; slow conversations.

    The pool itself (3 connections) is the tests' settings: TINY."""
    monkeypatch.setattr(storage_db, "RESERVED_CONNECTIONS", 1)
    monkeypatch.setattr(storage_db, "POOL_TIMEOUT", SHORT_TIMEOUT)
    monkeypatch.setattr(storage_db, "SQLITE_POOL_TIMEOUT", SHORT_TIMEOUT)
    real = dispatcher_module.open_conversation

    async def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = await real(*args, **kwargs)
        await asyncio.sleep(HOLD)  # the connection stays checked out meanwhile
        return found

    monkeypatch.setattr(dispatcher_module, "open_conversation", slow)


@pytest.mark.usefixtures("tiny_pool")
async def test_updates_beyond_the_pool_wait_for_a_connection(
    fake: FakeTelegram, tmp_path: Path, db_url: str
) -> None:
    h = await make_harness(fake, tmp_path, database_url=db_url, **TINY)
    assert h.app.db.capacity == 3 and h.app.db.handler_slots.size == 2
    await h.runner.start()
    users = list(range(700, 712))
    try:
        for uid in users:
            await fake.send_text(uid, "/start")
        for uid in users:
            [reply] = await fake.wait_messages(uid, 1, within=15)
            assert reply["text"].startswith("Xin chào"), reply["text"][:80]
        assert h.app.db.handler_slots.waits > 0  # they did queue, at the slots and not at the pool
    finally:
        await h.runner.stop()
        await h.app.close()


@pytest.mark.usefixtures("tiny_pool")
async def test_a_conversation_that_got_no_connection_is_handled_again(
    fake: FakeTelegram, tmp_path: Path, db_url: str
) -> None:
    """Something outside the conversations holds the pool: the starved update is not apologised
    for and confirmed, it is handled again once a connection is free."""
    h = await make_harness(fake, tmp_path, database_url=db_url, **TINY)
    await h.runner.start()
    hogs = [h.app.db.engine.connect() for _ in range(h.app.db.capacity)]
    try:
        held = [await c.__aenter__() for c in hogs]
        assert len(held) == 3
        h.app.db.handler_slots.last_good = time.monotonic() + 5  # others are ending well: busy, not stalled
        await fake.send_text(720, "/start")
        await asyncio.sleep(
            SHORT_TIMEOUT * 7
        )  # past the journal's five tries: the conversation found none too
        for c in hogs:
            await c.__aexit__(None, None, None)
        hogs = []
        [reply] = await fake.wait_messages(720, 1, within=10)
        assert reply["text"].startswith("Xin chào"), reply["text"][:80]
        assert h.runner.starved_retries >= 1
    finally:
        for c in hogs:
            await c.__aexit__(None, None, None)
        await h.runner.stop()
        await h.app.close()


async def test_slots_wait_while_the_database_is_busy() -> None:
    slots = HandlerSlots(1, stall=0.3)
    order: list[str] = []

    async def conversation(name: str, seconds: float) -> None:
        async with slots.slot():
            await asyncio.sleep(seconds)
        order.append(name)

    # each holder ends well within the stall window: the third waits 0.5 s in all, still in line
    await asyncio.gather(conversation("a", 0.25), conversation("b", 0.25), conversation("c", 0.0))
    assert order == ["a", "b", "c"]
    assert slots.waits == 2 and slots.overrun == 0


async def test_slots_wait_out_slow_conversations_that_fail_nowhere() -> None:
    """A cold start on a loaded machine: nothing ends for longer than the stall window, but
    nothing fails either; waiters keep waiting instead of flooding the pool."""
    slots = HandlerSlots(1, stall=0.2)

    async def slow() -> None:
        async with slots.slot():
            await asyncio.sleep(0.6)

    holder = asyncio.create_task(slow())
    await asyncio.sleep(0)
    async with slots.slot():
        assert holder.done()
    assert slots.overrun == 0


async def test_slots_let_a_waiter_go_when_the_database_is_failing() -> None:
    """Conversations end with database errors and none well for the stall window: the waiter
    goes on, to fail fast with the apology instead of queueing behind a stalled database."""
    slots = HandlerSlots(1, stall=0.2)
    slots.last_good -= 10
    slots.last_bad = time.monotonic()  # the last one to end met a statement timeout
    release = asyncio.Event()

    async def stuck() -> None:
        async with slots.slot():
            await release.wait()

    holder = asyncio.create_task(stuck())
    await asyncio.sleep(0)
    began = time.monotonic()
    async with slots.slot():
        waited = time.monotonic() - began
    release.set()
    await holder
    assert waited < 1.0
    assert slots.overrun == 1


@pytest.mark.usefixtures("tiny_pool")
async def test_a_webhook_update_that_got_no_connection_is_still_journaled(
    fake: FakeTelegram, tmp_path: Path, db_url: str
) -> None:
    """Answered 200 means Telegram forgets it: it must be in the journal by then, pool or not."""
    from sqlalchemy import select

    from storage.models_telegram import TelegramUpdate
    from tests.test_telegram_reliability import post_update, webhook_worker

    h, url, site = await webhook_worker(fake, tmp_path, database_url=db_url, **TINY)
    await h.runner.start()
    hogs = [h.app.db.engine.connect() for _ in range(h.app.db.capacity)]
    try:
        for c in hogs:
            await c.__aenter__()
        h.app.db.handler_slots.last_good = time.monotonic() + 5  # busy, not stalled
        fake.user(730)
        posting = asyncio.create_task(
            post_update(url, {"update_id": 7300, **fake.text_update(730, "/start")})
        )
        await asyncio.sleep(SHORT_TIMEOUT * 2.5)  # the journal found no connection, twice
        for c in hogs:
            await c.__aexit__(None, None, None)
        hogs = []
        assert await posting == 200
        async with h.app.db.session() as s:
            ids = (await s.scalars(select(TelegramUpdate.update_id))).all()
        assert 7300 in ids
        [reply] = await fake.wait_messages(730, 1, within=10)
        assert reply["text"].startswith("Xin chào")
    finally:
        for c in hogs:
            await c.__aexit__(None, None, None)
        await h.runner.stop()
        await site.cleanup()
        await h.app.close()


@pytest.mark.usefixtures("tiny_pool")
async def test_zalo_conversations_beyond_the_pool_wait_for_a_connection(tmp_path: Path, db_url: str) -> None:
    """Both Zalo channels hand messages to `converse`: a burst waits at the slots, none is apologised for."""
    from bot.app import build_app
    from bot.channels.zalo_common import converse
    from handlers.messages import Incoming, Reply
    from tests.conftest import make_settings

    app = await build_app(make_settings(tmp_path, database_url=db_url, **TINY))
    sent: dict[str, list[Reply]] = {}

    async def send(platform_id: str, replies: list[Reply]) -> None:
        sent[platform_id] = replies

    try:
        users = [f"z{n}" for n in range(12)]
        await asyncio.gather(
            *(converse(app, [Incoming(channel="zalo_oa", platform_id=u, text="/start")], send) for u in users)
        )
        assert sorted(sent) == sorted(users)
        assert all(r[0].text.startswith("Xin chào") for r in sent.values()), [
            r[0].text[:40] for r in sent.values()
        ]
        assert app.db.handler_slots.waits > 0
    finally:
        await app.close()


async def test_the_pool_is_sized_by_settings_and_the_slots_follow(tmp_path: Path, db_url: str) -> None:
    """A deployment with several workers sizes each process's pool to fit PostgreSQL's max_connections."""
    from bot.app import build_app
    from bot.config import ConfigError
    from tests.conftest import make_settings

    app = await build_app(
        make_settings(tmp_path, database_url=db_url, database_pool_size=12, database_pool_overflow=3)
    )
    try:
        assert app.db.capacity == 15
        assert app.db.handler_slots.size == 15 - storage_db.RESERVED_CONNECTIONS
    finally:
        await app.close()
    for size, overflow in ((0, 10), (10, -1), (501, 0)):
        with pytest.raises(ConfigError, match="MOTCUA_DATABASE_POOL_SIZE"):
            make_settings(tmp_path, database_pool_size=size, database_pool_overflow=overflow)
