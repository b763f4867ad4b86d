"""Nothing a citizen sends over Telegram is lost (issue 17, items 1, 9 and 11).

A "crash" here is what `kill -9` leaves: tasks stopped where they are, no
drain, no done marks written, no confirming getUpdates. The real fault loops
(real processes, real SIGKILL) are tests/fault/ and benchmarks/fault_telegram.py.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.channels.telegram import SECRET_HEADER, TelegramRunner
from bot.config import ConfigError
from tests.fake_telegram import FakeTelegram
from tests.test_telegram_e2e import Harness, free_port, make_harness


async def crash(runner: TelegramRunner) -> None:
    """Stop a runner the way kill -9 does, as far as the database and Telegram can tell."""
    tasks = [*runner._side, *runner._tasks]
    if runner._poller is not None:
        tasks.append(runner._poller)
    if runner.journal._flusher is not None:
        tasks.append(runner.journal._flusher)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    runner.journal._done.clear()
    await runner.bot.shutdown()


def block_dispatcher(h: Harness) -> asyncio.Event:
    """Handling hangs (forever, or until the event is set): updates stay in flight."""
    release = asyncio.Event()
    real = h.app.dispatcher.handle

    async def hanging(incoming):
        await release.wait()
        return await real(incoming)

    h.app.dispatcher.handle = hanging  # type: ignore[method-assign]
    return release


async def test_polling_crash_loses_no_update_in_flight(fake: FakeTelegram, tmp_path: Path) -> None:
    first = await make_harness(fake, tmp_path)
    block_dispatcher(first)
    await first.runner.start()
    for uid in (51, 52, 53):
        await fake.send_text(uid, "/start")
    last = fake._next_update - 1
    # the runner has taken all three, and its next getUpdates has confirmed them to Telegram
    await fake.wait_for(lambda: any(c.get("offset", 0) > last for c in fake.calls_of("getUpdates")))
    assert len(first.runner._tasks) == 3
    await crash(first.runner)
    await first.app.close()

    second = await make_harness(fake, tmp_path)
    await second.runner.start()
    try:
        for uid in (51, 52, 53):
            [welcome] = await fake.wait_messages(uid, 1)
            assert welcome["text"].startswith("Xin chào")
    finally:
        await second.runner.stop()
        await second.app.close()


async def test_polling_keeps_a_bounded_number_in_flight(fake: FakeTelegram, tmp_path: Path) -> None:
    h = await make_harness(fake, tmp_path, telegram_max_in_flight=3)
    release = block_dispatcher(h)
    await h.runner.start()
    try:
        for uid in range(100, 110):
            await fake.send_text(uid, "/start")
        await fake.wait_for(lambda: len(h.runner._tasks) == 3)
        await asyncio.sleep(0.3)
        assert len(h.runner._tasks) == 3  # the other seven wait at Telegram, unconfirmed
        release.set()
        for uid in range(100, 110):
            await fake.wait_messages(uid, 1)
    finally:
        await h.runner.stop()
        await h.app.close()


async def serve_webhook(h: Harness, port: int) -> web.AppRunner:
    web_app = web.Application()
    h.runner.add_routes(web_app)
    site_runner = web.AppRunner(web_app, access_log=None)
    await site_runner.setup()
    await web.TCPSite(site_runner, "127.0.0.1", port).start()
    return site_runner


async def post_update(url: str, update: dict) -> int:
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json=update, headers={SECRET_HEADER: "s3cret_-X"}) as resp:
            return resp.status


async def webhook_worker(fake: FakeTelegram, tmp_path: Path, **extra) -> tuple[Harness, str, web.AppRunner]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg/hook"
    h = await make_harness(
        fake, tmp_path, telegram_webhook_url=url, telegram_webhook_secret="s3cret_-X", **extra
    )
    site = await serve_webhook(h, port)
    return h, url, site


async def test_webhook_workers_share_de_duplication(fake: FakeTelegram, tmp_path: Path) -> None:
    a, url_a, site_a = await webhook_worker(fake, tmp_path)
    b, url_b, site_b = await webhook_worker(fake, tmp_path)
    await a.runner.start()
    await b.runner.start()
    try:
        fake.user(61)
        update = {"update_id": 7000, **fake.text_update(61, "/start")}
        # Telegram re-sends to whichever worker the load balancer picks
        assert await post_update(url_a, update) == 200
        assert await post_update(url_b, update) == 200
        await fake.wait_messages(61, 1)
        await a.runner.drain(5)
        await b.runner.drain(5)
        await asyncio.sleep(0.2)
        assert len(fake.messages_to(61)) == 1
    finally:
        for h, site in ((a, site_a), (b, site_b)):
            await h.runner.stop()
            await site.cleanup()
            await h.app.close()


async def test_webhook_crash_is_finished_by_another_worker(fake: FakeTelegram, tmp_path: Path) -> None:
    a, url_a, site_a = await webhook_worker(fake, tmp_path, telegram_update_lease=0.6)
    block_dispatcher(a)
    await a.runner.start()
    fake.user(62)
    update = {"update_id": 7100, **fake.text_update(62, "/start")}
    assert await post_update(url_a, update) == 200  # acknowledged: Telegram will not re-send
    await crash(a.runner)
    await site_a.cleanup()
    await a.app.close()

    b, _url_b, site_b = await webhook_worker(fake, tmp_path, telegram_update_lease=0.6)
    await b.runner.start()
    try:
        [welcome] = await fake.wait_messages(62, 1, within=10)
        assert welcome["text"].startswith("Xin chào")
    finally:
        await b.runner.stop()
        await site_b.cleanup()
        await b.app.close()


async def test_unreachable_telegram_at_start_is_retried_not_fatal(tmp_path: Path) -> None:
    port = free_port()
    fake = FakeTelegram()
    fake.port = port  # its URL, before anything listens there
    h = await make_harness(fake, tmp_path)
    try:
        await h.runner.start()  # nothing listens there yet: no exception, not ready
        assert h.runner.ready is False
        await asyncio.sleep(0.05)
        await fake.start(port=port)
        await fake.wait_for(lambda: h.runner.ready, within=10)
        await fake.send_text(63, "/start")
        await fake.wait_messages(63, 1)
    finally:
        await h.runner.stop()
        await fake.stop()
        await h.app.close()


async def test_stop_while_telegram_is_still_unreachable(tmp_path: Path) -> None:
    fake = FakeTelegram()
    fake.port = free_port()  # nothing listens there
    h = await make_harness(fake, tmp_path)
    try:
        await h.runner.start()
        await asyncio.sleep(0.05)
        await h.runner.stop()
        assert h.runner.ready is False
        assert all(r._session is None for r in h.runner.bot._request)  # type: ignore[attr-defined]
    finally:
        await h.app.close()


async def test_bad_token_leaves_no_open_session(fake: FakeTelegram, tmp_path: Path) -> None:
    h = await make_harness(fake, tmp_path)
    h.runner.bot._token = "999:wrong"  # type: ignore[attr-defined]
    fake.fail_next("getMe", 401, "Unauthorized")
    try:
        with pytest.raises(ConfigError):
            await h.runner.start()
        assert all(r._session is None for r in h.runner.bot._request)  # type: ignore[attr-defined]
    finally:
        await h.app.close()


def test_read_only_data_directory_is_no_traceback(tmp_path: Path, monkeypatch, caplog) -> None:
    """Item 9: the pid file is best effort, at start and at shutdown."""
    from bot.commands.run import remove_pid_file, write_pid_file

    assert write_pid_file(Path("/proc/motcua-test/motcua.pid")) is None  # a read-only file system
    written = write_pid_file(tmp_path / "motcua.pid")
    assert written is not None and written.read_text().isdigit()

    def refuse(self: Path, missing_ok: bool = False) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "unlink", refuse)  # the directory became read-only while serving
    remove_pid_file(written)
    assert "cannot remove the pid file" in caplog.text
