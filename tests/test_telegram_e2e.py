"""End-to-end: the Telegram runner (real python-telegram-bot) against the strict fake Bot API.

Whole conversations over long polling and the webhook, Telegram's errors
(429, 403, 400, 5xx), a bad token, and shutdown with updates in flight.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.app import App, build_app
from bot.channels.telegram import SECRET_HEADER, TelegramRunner
from bot.config import ConfigError
from handlers import texts
from handlers.messages import Reply
from storage.repos import get_user
from tests.conftest import FIXTURE_KB, make_settings
from tests.fake_telegram import FakeTelegram, button_data

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Harness:
    fake: FakeTelegram
    app: App
    runner: TelegramRunner
    waits: list[float]


def quick_sleep(waits: list[float]):
    """Record the waits the runner asks for, without spending them (tests stay fast)."""

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(0.001)

    return sleep


async def make_harness(fake: FakeTelegram, tmp_path: Path, **extra) -> Harness:
    settings = make_settings(
        tmp_path,
        knowledge_dir=FIXTURE_KB,
        telegram_token=fake.token,
        telegram_api_url=fake.api_url,
        telegram_poll_timeout=1,
        telegram_shutdown_grace=5,
        **extra,
    )
    app = await build_app(settings)
    waits: list[float] = []
    runner = TelegramRunner(app, sleep=quick_sleep(waits))
    return Harness(fake, app, runner, waits)


@pytest.fixture
async def tg(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await make_harness(fake, tmp_path)
    await harness.runner.start()
    yield harness
    await harness.runner.stop()
    await harness.app.close()


async def settle(h: Harness) -> None:
    """Wait until every update the fake has made is received and handled by the runner."""
    last = h.fake._next_update - 1
    await h.fake.wait_for(lambda: (h.runner._offset or 0) > last or last in h.runner._seen)
    await h.runner.drain(5)


# ---------------------------------------------------------------- conversations


async def test_start_registers_commands_and_polls(tg: Harness) -> None:
    names = [c["command"] for c in tg.fake.commands]
    assert names[:2] == ["start", "menu"]
    assert "lienhe" in names
    assert tg.fake.calls_of("deleteWebhook"), "polling must clear a webhook first"
    # the outbox sender of the channel is available to the broadcast / complaint-reply workers
    assert tg.app.senders["telegram"] is tg.runner.sender


async def test_start_menu_and_buttons(tg: Harness) -> None:
    fake = tg.fake
    await fake.send_text(11, "/start")
    [welcome] = await fake.wait_messages(11, 1)
    assert welcome["text"].startswith("Xin chào")
    assert welcome["html"] is not None  # sent in HTML parse mode
    await fake.press(11, welcome, button_data(welcome, "Liên hệ"))
    messages = await fake.wait_messages(11, 3)
    assert "Điện thoại" in messages[1]["text"]
    assert all(fake.callback_queries.values()), "every button press is answered"
    assert not fake.errors


async def test_question_answer_and_detail_button(tg: Harness) -> None:
    fake = tg.fake
    await fake.send_text(12, "làm giấy khai sinh cho con")
    [answer] = await fake.wait_messages(12, 1)
    assert "khai sinh" in answer["text"].lower()
    await fake.press(12, answer, button_data(answer, "Giấy tờ"))
    messages = await fake.wait_messages(12, 2)
    assert "Giấy tờ cần chuẩn bị" in messages[-1]["text"]
    assert not fake.errors


async def test_menu_command_with_bot_username(tg: Harness) -> None:
    await tg.fake.send_text(13, f"/menu@{tg.fake.username}")
    [menu] = await tg.fake.wait_messages(13, 1)
    assert menu["text"].startswith(texts.MENU_PROMPT)  # then the first contact's AI notice


async def test_ten_thousand_character_message(tg: Harness) -> None:
    long_text = ("tôi muốn hỏi về thủ tục đăng ký khai sinh cho con " * 200)[:10_000]
    await tg.fake.send_text(14, long_text)
    messages = await tg.fake.wait_messages(14, 1)
    assert messages and not tg.fake.errors


async def test_sticker_voice_and_someone_elses_contact_get_polite_replies(tg: Harness) -> None:
    fake = tg.fake
    await fake.send_sticker(15)
    await settle(tg)
    first = fake.texts_to(15)
    assert first[0].startswith(texts.CANNOT_USE_MEDIA["sticker"]) and "(AI)" in first[0]  # first contact
    assert first[1:] == [texts.MENU_PROMPT]
    await fake.send_voice(15)
    await settle(tg)
    assert fake.texts_to(15)[2] == texts.CANNOT_USE_MEDIA["other"]
    await fake.send_contact(15, "0912345678", own=False)
    await settle(tg)
    assert fake.texts_to(15)[4] == texts.CANNOT_USE_MEDIA["other"]
    assert not fake.errors


async def test_photo_with_caption_uses_both(tg: Harness) -> None:
    await tg.fake.send_photo(16, caption="khai sinh")
    await settle(tg)
    sent = tg.fake.texts_to(16)
    # no complaint flow: photo politely declined (then the first contact's AI notice)
    assert sent[0].startswith(texts.CANNOT_USE_MEDIA["photo"])
    assert any("Đăng ký khai sinh" in t for t in sent[1:])  # the caption is answered as a question


async def test_location_and_own_contact(tg: Harness) -> None:
    await tg.fake.send_location(17, 20.65, 106.05)
    await tg.fake.wait_messages(17, 1)
    assert tg.fake.texts_to(17)[0].startswith(texts.CANNOT_USE_MEDIA["location"])  # + the AI notice
    await tg.fake.send_contact(17, "0912345678")
    await settle(tg)
    assert texts.CANNOT_USE_MEDIA["contact"] in tg.fake.texts_to(17)


async def test_edited_and_forwarded_messages_are_answered(tg: Harness) -> None:
    fake = tg.fake
    update = await fake.send_text(18, "xin chào")
    await fake.wait_messages(18, 1)
    await fake.edit_text(18, update["message"], "tạm trú")
    await fake.wait_messages(18, 2)
    assert "tạm trú" in fake.texts_to(18)[1].lower()
    await fake.forward_text(18, "khai sinh")
    await fake.wait_messages(18, 3)
    assert "khai sinh" in fake.texts_to(18)[2].lower()


async def test_groups_answer_only_when_addressed(tg: Harness) -> None:
    fake = tg.fake
    group = fake.group(-1001)["id"]
    fake.user(19)
    await fake.send_text(19, "khai sinh", chat_id=group)
    await fake.send_sticker(19, chat_id=group)
    await settle(tg)
    assert fake.messages_to(group) == []
    await fake.send_text(19, f"@{fake.username} khai sinh", chat_id=group)
    await fake.wait_messages(group, 1)
    assert "khai sinh" in fake.texts_to(group)[0].lower()
    await fake.send_text(19, f"/lienhe@{fake.username}", chat_id=group)
    await fake.wait_messages(group, 2)
    bot_message = fake.messages_to(group)[0]
    await fake.send_text(19, "tạm trú", chat_id=group, reply_to_message=bot_message)
    messages = await fake.wait_messages(group, 4)
    assert "tạm trú" in messages[-1]["text"].lower()
    assert fake.messages_to(19) == []  # answers go to the group, not privately


async def test_expired_or_foreign_button_data(tg: Harness) -> None:
    fake = tg.fake
    await fake.send_text(20, "/start")
    [welcome] = await fake.wait_messages(20, 1)
    await fake.press(20, welcome, "zz:not-ours")
    messages = await fake.wait_messages(20, 2)
    assert messages[1]["text"] == texts.EXPIRED_BUTTON
    assert all(fake.callback_queries.values())


async def test_concurrent_users_each_get_their_answer(tg: Harness) -> None:
    fake = tg.fake
    users = list(range(100, 140))
    for uid in users:
        await fake.send_text(uid, "/start")
        await fake.send_text(uid, "tạm trú")
    for uid in users:
        messages = await fake.wait_messages(uid, 2)
        assert messages[0]["text"].startswith("Xin chào")  # order kept within a chat
        assert "tạm trú" in messages[1]["text"].lower()
    assert not fake.errors


async def test_html_from_users_and_knowledge_is_escaped(tg: Harness) -> None:
    fake = tg.fake
    fake.user(21)
    text = "a < b & c > d <b>không in đậm</b> &amp;"
    await tg.runner.channel.reply(21, [Reply(text)])
    [message] = fake.messages_to(21)
    assert message["text"] == text  # the strict fake parsed it back to exactly the plain text


async def test_long_reply_is_split_on_paragraphs(tg: Harness) -> None:
    fake = tg.fake
    fake.user(22)
    paragraphs = [f"Đoạn {i}: " + "nội dung thủ tục hành chính " * 40 for i in range(12)]
    await tg.runner.channel.reply(22, [Reply("\n\n".join(paragraphs))])
    sent = fake.texts_to(22)
    assert len(sent) > 1 and all(len(t) <= 4096 for t in sent)
    assert "\n\n".join(sent) == "\n\n".join(paragraphs)


async def test_edit_reply_replaces_the_pressed_message(tg: Harness) -> None:
    fake = tg.fake
    await fake.send_text(23, "/start")
    [welcome] = await fake.wait_messages(23, 1)
    await tg.runner.channel.reply(
        23, [Reply("Đã chọn.", edit=True), Reply("Tiếp theo")], edit_message_id=welcome["message_id"]
    )
    messages = fake.messages_to(23)
    assert [m["text"] for m in messages] == ["Đã chọn.", "Tiếp theo"]
    assert "reply_markup" not in messages[0]
    # editing a message that no longer exists follows with a new message instead
    await tg.runner.channel.reply(23, [Reply("Mới", edit=True)], edit_message_id=9999)
    assert fake.texts_to(23)[-1] == "Mới"


async def test_contact_request_keyboard_is_removed_afterwards(tg: Harness) -> None:
    fake = tg.fake
    fake.user(24)
    await tg.runner.channel.reply(24, [Reply("Xin phép anh/chị cho số điện thoại", request_contact=True)])
    first = fake.messages_to(24)[0]
    assert first["_markup"]["keyboard"][0][0]["request_contact"] is True
    await tg.runner.channel.reply(24, [Reply("Xin cảm ơn")])
    assert fake.messages_to(24)[1]["_markup"] == {"remove_keyboard": True}


# ---------------------------------------------------------------- Telegram errors


async def test_429_waits_retry_after_and_retries(tg: Harness) -> None:
    tg.fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    await tg.fake.send_text(30, "/start")
    await tg.fake.wait_messages(30, 1)
    assert any(2.5 < w <= 3.0 for w in tg.waits)  # retry_after, less the moment since the 429
    assert tg.runner.budget.stats.pauses == 1  # the whole bot's budget paused, not only this chat


async def test_403_marks_the_user_unreachable(tg: Harness) -> None:
    fake = tg.fake
    await fake.send_text(31, "/start")
    await fake.wait_messages(31, 1)
    fake.block(31)
    await fake.send_text(31, "khai sinh")
    await settle(tg)
    async with tg.app.db.session() as db:
        user = await get_user(db, "telegram", "31")
        assert user is not None and user.blocked


async def test_blocking_the_bot_marks_the_user_unreachable(tg: Harness) -> None:
    await tg.fake.send_text(32, "/start")
    await tg.fake.wait_messages(32, 1)
    await tg.fake.block_bot(32)
    await settle(tg)
    async with tg.app.db.session() as db:
        user = await get_user(db, "telegram", "32")
        assert user is not None and user.blocked
    assert len(tg.fake.messages_to(32)) == 1 and not tg.fake.errors  # nothing sent to a blocked chat


async def test_400_is_logged_and_falls_back_to_plain_text(
    tg: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    fake = tg.fake
    fake.fail_next("sendMessage", 400, "Bad Request: can't parse entities: test")
    with caplog.at_level(logging.WARNING, logger="bot.channels.telegram"):
        await fake.send_text(33, "/start")
        [message] = await fake.wait_messages(33, 1)
    assert message["text"].startswith("Xin chào")
    sends = fake.calls_of("sendMessage")
    assert sends[0]["parse_mode"] == "HTML" and "parse_mode" not in sends[-1]
    assert any("chat=33" in r.getMessage() and "parse entities" in r.getMessage() for r in caplog.records)


async def test_network_errors_retry_with_backoff(tg: Harness) -> None:
    tg.fake.fail_next("sendMessage", 502, "Bad Gateway", times=2)
    await tg.fake.send_text(34, "/start")
    await tg.fake.wait_messages(34, 1)
    assert tg.waits[:2] == [0.5, 1.0]


async def test_polling_survives_getupdates_errors(tg: Harness) -> None:
    tg.fake.fail_next("getUpdates", 502, "Bad Gateway")
    await asyncio.sleep(0.05)
    await tg.fake.send_text(35, "/start")
    await tg.fake.wait_messages(35, 1)


async def test_bad_token_stops_startup_with_a_clear_message(fake: FakeTelegram, tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, knowledge_dir=FIXTURE_KB, telegram_token="999:wrong", telegram_api_url=fake.api_url
    )
    app = await build_app(settings)
    try:
        runner = TelegramRunner(app)
        with pytest.raises(ConfigError, match="MOTCUA_TELEGRAM_TOKEN was rejected"):
            await runner.start()
        await runner.stop()
    finally:
        await app.close()


async def test_stop_finishes_updates_in_flight(fake: FakeTelegram, tmp_path: Path) -> None:
    h = await make_harness(fake, tmp_path)
    real_handle = h.app.dispatcher.handle
    started = asyncio.Event()

    async def slow_handle(incoming):
        started.set()
        await asyncio.sleep(0.3)
        return await real_handle(incoming)

    h.app.dispatcher.handle = slow_handle  # type: ignore[method-assign]
    await h.runner.start()
    try:
        await fake.send_text(36, "/start")
        await asyncio.wait_for(started.wait(), 5)
        await h.runner.stop()
        assert len(fake.messages_to(36)) == 1  # answered before stop returned
        assert fake.calls_of("getUpdates")[-1]["offset"] > 0  # handled updates confirmed
    finally:
        await h.app.close()


# ---------------------------------------------------------------- webhook


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def hooked(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[tuple[Harness, str]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg/hook"
    h = await make_harness(fake, tmp_path, telegram_webhook_url=url, telegram_webhook_secret="s3cret_-X")
    web_app = web.Application()
    h.runner.add_routes(web_app)
    site_runner = web.AppRunner(web_app, access_log=None)
    await site_runner.setup()
    await web.TCPSite(site_runner, "127.0.0.1", port).start()
    await h.runner.start()
    yield h, url
    await h.runner.stop()
    await site_runner.cleanup()
    await h.app.close()


async def test_webhook_is_registered_and_serves_conversations(hooked: tuple[Harness, str]) -> None:
    h, url = hooked
    assert h.fake.webhook == {"url": url, "secret": "s3cret_-X", "max_connections": 40}
    await h.fake.send_text(40, "/start")
    [welcome] = await h.fake.wait_messages(40, 1)
    await h.fake.press(40, welcome, button_data(welcome, "Liên hệ"))
    await h.fake.wait_messages(40, 3)
    assert h.fake.webhook_statuses == [200, 200]


async def test_webhook_rejects_requests_without_the_secret(hooked: tuple[Harness, str]) -> None:
    h, url = hooked
    h.fake.user(41)
    update = {"update_id": 5000, **h.fake.text_update(41, "/start")}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json=update) as resp:
            assert resp.status == 403
        async with session.post(url, json=update, headers={SECRET_HEADER: "s3cret_-Y"}) as resp:
            assert resp.status == 403
        async with session.post(url, data=b"{not json", headers={SECRET_HEADER: "s3cret_-X"}) as resp:
            assert resp.status == 400
    await asyncio.sleep(0.1)
    assert h.fake.messages_to(41) == []
    assert 5000 not in h.runner._seen  # never processed


async def test_webhook_duplicates_are_processed_once(hooked: tuple[Harness, str]) -> None:
    h, _ = hooked
    h.fake.user(42)
    update = {"update_id": 6000, **h.fake.text_update(42, "/start")}
    assert await h.fake.deliver_webhook(update) == 200
    assert await h.fake.deliver_webhook(update) == 200  # Telegram re-sends: acknowledged again
    await h.fake.wait_messages(42, 1)
    await h.runner.drain()
    assert len(h.fake.messages_to(42)) == 1


async def test_webhook_acknowledges_before_processing(hooked: tuple[Harness, str]) -> None:
    h, _ = hooked
    real_handle = h.app.dispatcher.handle

    async def slow_handle(incoming):
        await asyncio.sleep(1.5)
        return await real_handle(incoming)

    h.app.dispatcher.handle = slow_handle  # type: ignore[method-assign]
    h.fake.user(43)
    update = {"update_id": 7000, **h.fake.text_update(43, "/start")}
    began = time.perf_counter()
    assert await h.fake.deliver_webhook(update) == 200
    assert time.perf_counter() - began < 1.0  # acknowledged long before the 1.5 s of handling
    assert h.fake.messages_to(43) == []
    await h.fake.wait_messages(43, 1)


# ---------------------------------------------------------------- `motcua run` as a process


async def start_motcua_run(fake: FakeTelegram, tmp_path: Path, **env: str) -> asyncio.subprocess.Process:
    import os
    import sys

    full_env = {
        **os.environ,
        "MOTCUA_DATA_DIR": str(tmp_path),
        "MOTCUA_KNOWLEDGE_DIR": str(FIXTURE_KB),
        "MOTCUA_TELEGRAM_TOKEN": fake.token,
        "MOTCUA_TELEGRAM_API_URL": fake.api_url,
        "MOTCUA_TELEGRAM_POLL_TIMEOUT": "1",
        "MOTCUA_HTTP_PORT": str(free_port()),
        **env,
    }
    full_env.pop("MOTCUA_DATABASE_URL", None)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=ROOT,
        env=full_env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def stop_process(proc: asyncio.subprocess.Process) -> tuple[int, str]:
    import signal

    proc.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    return proc.returncode or 0, err.decode()


async def test_motcua_run_polls_and_stops_on_sigterm(fake: FakeTelegram, tmp_path: Path) -> None:
    proc = await start_motcua_run(fake, tmp_path)
    try:
        await fake.wait_for(lambda: bool(fake.calls_of("getUpdates")), within=60)
        await fake.send_text(60, "/start")
        [welcome] = await fake.wait_messages(60, 1, within=20)
        assert welcome["text"].startswith("Xin chào")
    finally:
        code, err = await stop_process(proc)
    assert code == 0, err
    assert "Traceback" not in err


async def test_motcua_run_serves_the_webhook(fake: FakeTelegram, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg/hook"
    proc = await start_motcua_run(fake, tmp_path, MOTCUA_HTTP_PORT=str(port), MOTCUA_TELEGRAM_WEBHOOK_URL=url)
    try:
        await fake.wait_for(lambda: fake.webhook is not None, within=60)
        secret = fake.webhook["secret"]
        assert secret and len(secret) >= 32  # generated, since none was configured
        fake.user(61)
        forged = {"update_id": 1, **fake.text_update(61, "/start")}
        async with aiohttp.ClientSession() as session:
            async with session.post(url, json=forged) as resp:
                assert resp.status == 403
        await fake.send_text(61, "/start")
        messages = await fake.wait_messages(61, 1, within=20)
        assert len(messages) == 1 and messages[0]["text"].startswith("Xin chào")
    finally:
        code, err = await stop_process(proc)
    assert code == 0, err


async def test_refused_webhook_url_stops_startup_clearly(fake: FakeTelegram, tmp_path: Path) -> None:
    h = await make_harness(fake, tmp_path, telegram_webhook_url="https://bot.example.vn/hook")
    fake.fail_next(
        "setWebhook", 400, "Bad Request: bad webhook: Failed to resolve host: Name or service not known"
    )
    try:
        with pytest.raises(ConfigError, match="refused MOTCUA_TELEGRAM_WEBHOOK_URL"):
            await h.runner.start()
        await h.runner.stop()
    finally:
        await h.app.close()


async def test_conversation_on_each_database(fake: FakeTelegram, tmp_path: Path, db_url: str) -> None:
    h = await make_harness(fake, tmp_path, database_url=db_url)
    await h.runner.start()
    try:
        await fake.send_text(70, "/start")
        [welcome] = await fake.wait_messages(70, 1)
        await fake.press(70, welcome, button_data(welcome, "Liên hệ"))
        await fake.wait_messages(70, 3)
        fake.block(70)
        await fake.send_text(70, "khai sinh")
        await settle(h)
        async with h.app.db.session() as db:
            user = await get_user(db, "telegram", "70")
            assert user is not None and user.blocked
    finally:
        await h.runner.stop()
        await h.app.close()


async def test_phone_number_shared_with_the_contact_button(tg: Harness) -> None:
    """A flow asking for a phone number gets the contact keyboard; sharing removes it again."""
    fake = tg.fake
    await fake.send_text(80, "/start")
    [welcome] = await fake.wait_messages(80, 1)
    await fake.press(80, welcome, "g:cb")  # the walkthroughs' "call me back" button
    await settle(tg)
    asking = [m for m in fake.messages_to(80) if (m.get("_markup") or {}).get("keyboard")]
    assert asking, fake.texts_to(80)
    assert asking[0]["_markup"]["keyboard"][0][0]["request_contact"] is True
    before = len(fake.messages_to(80))
    await fake.send_contact(80, "0912345678")
    await settle(tg)
    [thanks] = fake.messages_to(80)[before:]
    assert "0912345678" in thanks["text"]
    assert thanks["_markup"] == {"remove_keyboard": True}  # the phone keyboard goes away
    assert thanks["reply_markup"]["inline_keyboard"]  # and the buttons are added by an edit
    assert fake.calls_of("editMessageReplyMarkup")
    assert not fake.errors
