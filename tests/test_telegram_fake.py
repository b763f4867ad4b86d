"""The fake Bot API server is as strict as Telegram: if it accepted what Telegram rejects,
the end-to-end tests would prove nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter

from tests.fake_telegram import SHARED_SPEC, FakeTelegram, load_spec, parse_html


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    client = Bot(fake.token, base_url=fake.api_url)
    await client.initialize()
    yield client
    await client.shutdown()


async def raw(fake: FakeTelegram, method: str, **params) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{fake.api_url}{fake.token}/{method}", json=params) as resp:
            return resp.status, await resp.json()


async def test_unknown_method_missing_and_unknown_fields(fake: FakeTelegram) -> None:
    fake.user(1)
    status, body = await raw(fake, "sendMesage", chat_id=1, text="x")
    assert status == 404 and body["ok"] is False
    status, body = await raw(fake, "sendMessage", chat_id=1)
    assert status == 400 and "'text' is required" in body["description"]
    status, body = await raw(fake, "sendMessage", chat_id=1, text="x", parse_mod="HTML")
    assert status == 400 and "unknown parameter 'parse_mod'" in body["description"]
    status, body = await raw(fake, "sendMessage", chat_id=1, text="x", disable_notification="maybe")
    assert status == 400 and "Boolean" in body["description"]
    status, body = await raw(fake, "sendMessage", chat_id=1, text="x")
    assert status == 200 and body["result"]["text"] == "x"


async def test_spec_methods_not_implemented_are_refused(fake: FakeTelegram) -> None:
    fake.user(1)
    status, body = await raw(fake, "sendDice", chat_id=1)
    assert status == 400 and "not implemented" in body["description"]


async def test_wrong_token_raises_invalid_token(fake: FakeTelegram) -> None:
    client = Bot("1:wrong", base_url=fake.api_url)
    with pytest.raises(InvalidToken):
        await client.initialize()
    await client.shutdown()


async def test_text_limits(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(2)
    await bot.send_message(2, "x" * 4096)
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(2, "x" * 4097)
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(2, "📄" * 2049)  # 4098 UTF-16 units
    await bot.send_message(2, "&lt;" * 4096, parse_mode="HTML")  # length counts after entity parsing
    with pytest.raises(BadRequest, match="empty"):
        await bot.send_message(2, "<b> </b>", parse_mode="HTML")


@pytest.mark.parametrize(
    "html",
    ["a < b", "a > b", "Tom & Jerry", "<b>đậm", "<b><i>x</b></i>", "<script>x</script>", "&nbsp;", "</b>"],
)
async def test_malformed_html_is_rejected(fake: FakeTelegram, bot: Bot, html: str) -> None:
    fake.user(3)
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(3, html, parse_mode="HTML")


def test_html_parser_accepts_what_telegram_accepts() -> None:
    assert parse_html("<b>a</b> &lt;&gt;&amp;&quot; &#273;&#x1EA1;") == 'a <>&" đạ'
    assert parse_html('<a href="https://x.vn">x</a><span class="tg-spoiler">s</span>') == "xs"


async def test_callback_data_and_url_buttons(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(4)
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="x" * 64)]])
    await bot.send_message(4, "ok", reply_markup=ok)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="đ" * 33)]])  # 66 bytes
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(4, "x", reply_markup=too_long)
    bad_url = InlineKeyboardMarkup([[InlineKeyboardButton("a", url="www.example.vn")]])
    with pytest.raises(BadRequest, match=r"(?i)button_url_invalid"):
        await bot.send_message(4, "x", reply_markup=bad_url)
    wide = InlineKeyboardMarkup([[InlineKeyboardButton(str(i), callback_data=str(i)) for i in range(9)]])
    with pytest.raises(BadRequest, match=r"(?i)buttons_too_much"):
        await bot.send_message(4, "x", reply_markup=wide)


async def test_unknown_and_blocked_chats(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"[Cc]hat not found"):
        await bot.send_message(999, "x")
    fake.user(5)
    fake.block(5)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(5, "x")
    fake.unblock(5)
    await bot.send_message(5, "x")
    assert fake.count[5] == 1


async def test_flood_limits_answer_429_with_retry_after(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(6)
    fake.user(7)
    fake.set_limits(per_chat_per_second=1)
    await bot.send_message(6, "1")
    with pytest.raises(RetryAfter) as limited:
        await bot.send_message(6, "2")
    assert limited.value.retry_after == 1
    with pytest.raises(RetryAfter):  # the flood wait holds the whole bot, as Telegram's does
        await bot.send_message(7, "another chat during the wait")
    fake.set_limits(per_chat_per_second=1)  # the wait over
    await bot.send_message(7, "other chat is not limited")
    fake.set_limits(global_per_second=2)
    await bot.send_message(6, "a")
    await bot.send_message(7, "b")
    with pytest.raises(RetryAfter):
        await bot.send_message(7, "c")
    assert fake.rate_limited == 3
    status, body = await raw(fake, "sendMessage", chat_id=7, text="d")
    assert status == 429 and body["parameters"]["retry_after"] >= 1


async def test_a_chat_may_get_a_short_burst_then_one_per_second(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(6)
    fake.set_limits(per_chat_per_second=1, per_chat_burst=3)
    for part in ("1", "2", "3"):
        await bot.send_message(6, part)
    with pytest.raises(RetryAfter) as limited:
        await bot.send_message(6, "4")
    assert limited.value.retry_after >= 1 and fake.rate_limited == 1


async def test_edit_and_callback_answers(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(8)
    sent = await bot.send_message(8, "một")
    await bot.edit_message_text("hai", chat_id=8, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("hai", chat_id=8, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="not found"):
        await bot.edit_message_text("ba", chat_id=8, message_id=12345)
    update = await fake.press(8, fake.messages_to(8)[0], "m:home")
    query_id = update["callback_query"]["id"]
    assert await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)


async def test_long_polling_and_offsets(fake: FakeTelegram, bot: Bot) -> None:
    waiting = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    await fake.send_text(9, "xin chào")
    updates = await asyncio.wait_for(waiting, 2)
    assert [u.message.text for u in updates] == ["xin chào"]
    again = await bot.get_updates(timeout=0)
    assert len(again) == 1  # not confirmed yet
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()


async def test_webhook_blocks_polling_and_commands_are_checked(fake: FakeTelegram, bot: Bot) -> None:
    from telegram import BotCommand
    from telegram.error import Conflict

    await bot.set_webhook("https://bot.example.vn/hook", secret_token="abc")
    with pytest.raises(Conflict):
        await bot.get_updates(timeout=0)
    await bot.delete_webhook()
    await bot.set_my_commands([BotCommand("start", "Bắt đầu")])
    assert fake.commands == [{"command": "start", "description": "Bắt đầu"}]
    status, body = await raw(fake, "setMyCommands", commands=[{"command": "Bad Cmd", "description": "x"}])
    assert status == 400 and "BOT_COMMAND_INVALID" in body["description"]


def test_spec_has_the_methods_and_required_flags() -> None:
    spec = load_spec()
    assert spec["sendMessage"]["chat_id"]["required"] and spec["sendMessage"]["text"]["required"]
    assert not spec["sendMessage"]["reply_markup"]["required"]
    assert len(spec) >= 150
    if SHARED_SPEC.is_file():  # the vendored reduction matches the shared full spec
        full = json.loads(SHARED_SPEC.read_text(encoding="utf-8"))
        assert set(full["methods"]) == set(spec)
