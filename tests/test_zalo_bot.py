"""End-to-end conversations through the Zalo Bot Platform adapter against a fake Bot API."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

from bot.app import App
from bot.channels.base import PermanentError, RateLimited, TransientError
from bot.channels.zalo_bot import ZaloBotRunner, parse_update, render
from handlers import texts
from handlers.messages import Button, Photo, Reply
from tests.fake_zalo_bot import FakeZaloBot
from tests.zalo_harness import Recorder, zalo_app

CHAT = "e4ea2cd5189df1c3a88c"
SECRET = "webhook-secret-123"


@dataclass
class Bot:
    fake: FakeZaloBot
    app: App
    runner: ZaloBotRunner
    recorder: Recorder
    web_runner: web.AppRunner | None
    sleeps: list[float]

    async def wait_for_replies(self, count: int) -> None:
        for _ in range(500):
            if len(self.fake.sent) >= count:
                break
            await asyncio.sleep(0.01)
        await self.runner.queue.idle()

    async def say(self, text: str, chat: str = CHAT) -> list[str]:
        """Send a message through whichever mode runs and return the texts sent back."""
        before = len(self.fake.sent)
        update = self.fake.update(chat, text)
        await self.deliver(update)
        return [m.get("text", "") for m in self.fake.sent[before:]]

    async def deliver(self, update: dict) -> None:
        before = len(self.fake.sent)
        if self.runner.webhook:
            assert await self.fake.push(update) == 200
            await self.runner.queue.idle()
        else:
            await self.fake.updates.put(update)
            await self.wait_for_replies(before + 1)


async def start_bot(tmp_path: Path, *, webhook: bool, token: str | None = None) -> Bot:
    fake = FakeZaloBot()
    await fake.start()
    settings: dict = {"zalo_bot_token": token or fake.token, "zalo_bot_api_url": fake.api_url}
    sock = None
    if webhook:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        settings.update(
            zalo_bot_webhook_url=f"http://127.0.0.1:{port}/hook/zalo", zalo_bot_webhook_secret=SECRET
        )
    else:
        settings.update(zalo_bot_poll_timeout=1)
    app = await zalo_app(tmp_path, **settings)
    sleeps: list[float] = []

    async def short_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        await asyncio.sleep(0.01)

    runner = ZaloBotRunner(app, sleep=short_sleep)
    recorder = Recorder()
    recorder.install(app)
    web_runner = None
    if sock is not None:
        web_app = web.Application()
        runner.add_routes(web_app)
        web_runner = web.AppRunner(web_app, access_log=None)
        await web_runner.setup()
        await web.SockSite(web_runner, sock).start()
    await runner.start()
    bot = Bot(fake, app, runner, recorder, web_runner, sleeps)
    if webhook:
        for _ in range(200):
            if fake.webhook_url:
                break
            await asyncio.sleep(0.01)
    return bot


async def stop_bot(bot: Bot) -> None:
    await bot.runner.stop()
    if bot.web_runner is not None:
        await bot.web_runner.cleanup()
    await bot.app.close()
    await bot.fake.stop()


@pytest.fixture
async def polling(tmp_path: Path) -> AsyncIterator[Bot]:
    bot = await start_bot(tmp_path, webhook=False)
    yield bot
    await stop_bot(bot)


@pytest.fixture
async def hooked(tmp_path: Path) -> AsyncIterator[Bot]:
    bot = await start_bot(tmp_path, webhook=True)
    yield bot
    await stop_bot(bot)


# ---------------------------------------------------------------- polling
async def test_polling_conversation_with_numbered_choices(polling: Bot) -> None:
    (greeting,) = await polling.say("xin chào")
    assert greeting.startswith("Xin chào")
    assert "1. Hỏi về thủ tục" in greeting and texts.CONSOLE_CHOOSE in greeting
    assert polling.fake.calls[0] == "deleteWebhook"  # polling needs the webhook gone
    lines = [line for line in greeting.splitlines() if line[:2] in {f"{i}." for i in range(1, 10)}]
    contact = next(line.split(".")[0] for line in lines if "Liên hệ" in line)
    replies = await polling.say(contact)  # typing the number presses the button
    assert any("18001096" in r for r in replies)
    replies = await polling.say("làm giấy khai sinh cho con")
    assert any("Đăng ký khai sinh" in r for r in replies)


async def test_polling_survives_empty_polls(polling: Bot) -> None:
    await asyncio.sleep(1.2)  # at least one getUpdates ends with 408 "no update"
    assert polling.fake.calls.count("getUpdates") >= 2
    replies = await polling.say("xin chào")
    assert replies and replies[0].startswith("Xin chào")


async def test_rejected_token_is_logged_without_the_token(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bot = await start_bot(tmp_path, webhook=False, token="999:wrong-token-value")
    try:
        for _ in range(200):
            if any(r.levelno == logging.CRITICAL for r in caplog.records):
                break
            await asyncio.sleep(0.01)
    finally:
        await stop_bot(bot)
    assert any(r.levelno == logging.CRITICAL and "401" in r.getMessage() for r in caplog.records)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "wrong-token-value" not in logged


# ---------------------------------------------------------------- webhook
async def test_webhook_is_registered_and_a_conversation_runs(hooked: Bot) -> None:
    assert hooked.fake.webhook_url.endswith("/hook/zalo")
    assert hooked.fake.webhook_secret == SECRET
    (greeting,) = await hooked.say("xin chào")
    assert greeting.startswith("Xin chào")


async def test_forged_webhooks_are_rejected(hooked: Bot) -> None:
    update = hooked.fake.update(CHAT, "xin chào")
    assert await hooked.fake.push(update, secret=None) == 401
    assert await hooked.fake.push(update, secret="not-the-secret") == 403
    await hooked.runner.queue.idle()
    assert hooked.fake.sent == []


async def test_complaint_with_photo_and_caption(hooked: Bot) -> None:
    await hooked.say("/phananhthu")
    update = hooked.fake.update(
        CHAT, event="message.image.received", photo="https://f.zalo.me/p.jpg", caption="Đèn đường hỏng"
    )
    await hooked.deliver(update)
    assert hooked.recorder.seen[0].photo == Photo(ref="https://f.zalo.me/p.jpg")
    assert hooked.recorder.seen[1].text == "Đèn đường hỏng"


async def test_stickers_and_withheld_content_get_polite_answers(hooked: Bot) -> None:
    await hooked.deliver(hooked.fake.update(CHAT, event="message.sticker.received", sticker="abc"))
    assert hooked.fake.sent[0]["text"].startswith("Xin cảm ơn")
    await hooked.deliver(hooked.fake.update(CHAT, event="message.unsupported.received"))
    assert hooked.fake.sent[-1]["text"].startswith(texts.ZALO_UNSUPPORTED)


async def test_redelivered_update_is_answered_once(hooked: Bot) -> None:
    update = hooked.fake.update(CHAT, "xin chào")
    await hooked.deliver(update)
    await hooked.deliver(update)
    assert len(hooked.fake.sent) == 1


# ---------------------------------------------------------------- sender
async def test_sender_splits_long_text_and_maps_errors(hooked: Bot) -> None:
    sender = hooked.runner.sender
    long_reply = Reply(
        "\n\n".join("Đoạn văn dài. " * 40 for _ in range(6)), buttons=[[Button("Menu", "m:home")]]
    )
    message_id = await sender.send(CHAT, [long_reply])
    texts_sent = hooked.fake.texts_to(CHAT)
    assert len(texts_sent) > 1 and all(len(t) <= 2000 for t in texts_sent)
    assert texts_sent[-1].endswith(texts.CONSOLE_CHOOSE) and message_id
    hooked.fake.rate_limit_next = 1
    with pytest.raises(RateLimited):
        await sender.send(CHAT, [Reply("a")])
    hooked.fake.server_error_next = 1
    with pytest.raises(TransientError):
        await sender.send(CHAT, [Reply("a")])
    with pytest.raises(PermanentError):
        await sender.send("", [Reply("a")])


async def test_live_reply_backs_off_on_rate_limit(hooked: Bot) -> None:
    hooked.fake.rate_limit_next = 1
    (greeting,) = await hooked.say("xin chào")
    assert greeting.startswith("Xin chào")
    assert len(hooked.sleeps) == 1 and 0.5 < hooked.sleeps[0] <= 1.0  # the pause, less the moment since


# ---------------------------------------------------------------- parsing and rendering
def test_parse_accepts_both_envelopes_and_name_fields() -> None:
    bare = FakeZaloBot.update(CHAT, "chào")
    bare["message"]["from"] = {"id": CHAT, "first_name": "Lan"}
    key, chat, (msg,) = parse_update(bare)  # type: ignore[misc]
    assert (chat, msg.text, msg.display_name, msg.channel) == (CHAT, "chào", "Lan", "zalo_bot")
    assert parse_update({"ok": True, "result": bare})[0] == key  # type: ignore[index]
    group = FakeZaloBot.update("g1", "chào")
    group["message"]["chat"]["chat_type"] = "GROUP"
    assert parse_update(group) is None
    assert parse_update({"ok": True}) is None and parse_update("garbage") is None


def test_render_numbers_choices_across_replies() -> None:
    calls = render(
        [
            Reply("Chọn", buttons=[[Button("A", "x:a")]]),
            Reply("Tiếp", buttons=[[Button("B", "x:b")]], photo="https://x/y.png"),
        ]
    )
    assert [m for m, _ in calls] == ["sendMessage", "sendPhoto", "sendMessage"]
    assert "1. A" in calls[0][1]["text"] and "2. B" in calls[2][1]["text"]


async def test_runner_factories_start_only_configured_zalo_channels(tmp_path: Path) -> None:
    from bot.runners import runner_factories

    plain = await zalo_app(tmp_path / "a")
    try:
        started = [r for r in (f(plain) for f in runner_factories()) if r is not None]
        # without channel settings no channel and no outbox worker starts (the overlay sync and
        # the daily counts run in every process: they need only the database)
        assert sorted(r.name for r in started) == ["kb-sync", "stats-rollup"]
        assert not plain.senders
    finally:
        await plain.close()
    both = await zalo_app(
        tmp_path / "b",
        zalo_bot_token="1:x",
        zalo_oa_app_id="123",
        zalo_oa_secret_key="s",
        zalo_oa_app_secret="t",
    )
    try:
        runners = [r for r in (f(both) for f in runner_factories()) if r is not None]
        assert sorted(r.name for r in runners if r.is_channel) == ["zalo_bot", "zalo_oa"]
        assert set(both.senders) == {"zalo_bot", "zalo_oa"}
    finally:
        await both.close()


async def test_standalone_sender_for_an_outbox_process(polling: Bot) -> None:
    from bot.channels.zalo_bot import standalone_sender

    sender = standalone_sender(polling.app)
    assert sender is not None
    try:
        assert await sender.send(CHAT, [Reply("Thông báo của phường")])
    finally:
        await sender.close()
    assert polling.fake.texts_to(CHAT) == ["Thông báo của phường"]


async def test_a_database_outage_in_the_maintenance_loop_is_one_line_not_a_traceback_per_round(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = await zalo_app(tmp_path, zalo_bot_token="1:x")
    runner = ZaloBotRunner(app, maintenance_every=0.001)
    calls = 0

    async def prune_fails() -> int:
        nonlocal calls
        calls += 1
        raise TimeoutError("database stalled")

    runner.seen.prune = prune_fails  # type: ignore[method-assign]
    caplog.set_level(logging.DEBUG, logger="bot.channels")
    task = asyncio.create_task(runner._maintain())
    try:
        for _ in range(500):
            if calls >= 20:
                break
            await asyncio.sleep(0.005)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await app.close()
    assert calls >= 20
    shown = [r for r in caplog.records if r.name.startswith("bot.channels") and r.levelno > logging.DEBUG]
    assert len(shown) == 1 and not shown[0].exc_info  # once a minute per distinct error, no traceback
