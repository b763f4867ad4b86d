"""PTB on the aiohttp transport (bot/channels/telegram/transport.py), against the fake Bot API.

The transport must be invisible above it: PTB's types, its error mapping
(RetryAfter, Forbidden, BadRequest, InvalidToken) and file uploads all work as
with PTB's own httpx transport, and network failures become PTB's NetworkError
and TimedOut so the channel's retry logic sees what it expects.
"""

from __future__ import annotations

import asyncio
import io
import json
import socket

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut

from bot.channels.telegram.transport import AiohttpRequest, slim_message_result
from tests.fake_telegram import FakeTelegram


def make(base_url: str, token: str, *, read_timeout: float = 5.0) -> Bot:
    return Bot(
        token,
        base_url=base_url,
        request=AiohttpRequest(read_timeout=read_timeout, connect_timeout=2.0),
        get_updates_request=AiohttpRequest(connection_pool_size=1, read_timeout=read_timeout),
    )


async def test_messages_keyboards_and_edits_round_trip(fake: FakeTelegram) -> None:
    fake.user(7)
    async with make(fake.api_url, fake.token) as bot:
        assert bot.username  # getMe went through the transport
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Có ích 👍", callback_data="r:1")]])
        sent = await bot.send_message(7, "<b>Xin chào</b> anh/chị", parse_mode="HTML", reply_markup=markup)
        assert sent.message_id and sent.chat.id == 7
        stored = fake.messages[7][sent.message_id]
        assert stored["text"] == "Xin chào anh/chị"  # Vietnamese arrived intact, HTML parsed
        assert stored["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "r:1"
        edited = await bot.edit_message_text("Đã sửa", chat_id=7, message_id=sent.message_id)
        assert edited.message_id == sent.message_id
        assert fake.messages[7][sent.message_id]["text"] == "Đã sửa"


async def test_ptb_errors_keep_their_types(fake: FakeTelegram) -> None:
    fake.user(7)
    async with make(fake.api_url, fake.token) as bot:
        with pytest.raises(BadRequest, match="too long"):
            await bot.send_message(7, "x" * 5000)
        fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(7, "x")
        assert caught.value.retry_after in (3, 3.0) or caught.value.retry_after.total_seconds() == 3
        fake.block(7)
        with pytest.raises(Forbidden):
            await bot.send_message(7, "x")
    with pytest.raises(InvalidToken):
        async with make(fake.api_url, "123:wrong") as bot:
            pass


async def test_uploads_go_as_multipart(fake: FakeTelegram) -> None:
    fake.user(7)
    async with make(fake.api_url, fake.token) as bot:
        photo = InputFile(io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 64), filename="a.png")
        sent = await bot.send_photo(7, photo=photo, caption="Ảnh")
        assert sent.message_id


async def test_network_failures_become_ptb_errors() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with AiohttpRequest(connect_timeout=1.0) as request:  # BaseRequest: initialize/shutdown
        with pytest.raises(NetworkError):
            await request.post(f"http://127.0.0.1:{port}/bot1:x/getMe")

    async def slow(_: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/bot1:x/getMe", slow)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with AiohttpRequest(read_timeout=0.2) as request:
            with pytest.raises(TimedOut):
                await request.post(f"http://127.0.0.1:{port}/bot1:x/getMe")
    finally:
        await runner.cleanup()


async def test_unused_requests_refuse_clearly() -> None:
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:9/x", "POST")


def test_message_results_are_cut_to_their_identity() -> None:
    full = {
        "ok": True,
        "result": {
            "message_id": 5,
            "date": 1,
            "chat": {"id": 7, "type": "private"},
            "text": "dài",
            "entities": [],
        },
    }
    slim = json.loads(slim_message_result(json.dumps(full).encode()))
    assert slim == {"ok": True, "result": {"message_id": 5, "date": 1, "chat": {"id": 7, "type": "private"}}}
    assert slim_message_result(b'{"ok": true, "result": true}') == b'{"ok": true, "result": true}'
    assert slim_message_result(b"not json") == b"not json"
