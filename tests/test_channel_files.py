"""Complaint photos fetched back through the channel: Telegram getFile + file URL, Zalo URLs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot

from bot.channels.files import FileUnavailable, UrlFiles, image_type
from bot.channels.telegram.files import TelegramFiles
from bot.channels.telegram.transport import make_bot
from tests.conftest import FIXTURE_KB, make_settings
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram_files import LINK_SECONDS, tiny_png


@pytest.fixture
async def bot(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[Bot]:
    settings = make_settings(tmp_path, telegram_token=fake.token, telegram_api_url=fake.api_url)
    bot = make_bot(settings)
    await bot.initialize()
    yield bot
    await bot.shutdown()


async def test_a_photo_a_citizen_sent_comes_back_through_getfile(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(7)
    await fake.send_photo(7)
    got = await TelegramFiles(bot).fetch("photo-7-l")
    assert got.content == fake.files["photo-7-l"] and got.content_type == "image/png"
    assert fake.downloads == ["photo-7-l"]
    assert [m for m, _ in fake.calls if m == "getFile"] == ["getFile"]


async def test_unknown_file_ids_and_non_images_are_unavailable(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(FileUnavailable) as err:
        await TelegramFiles(bot).fetch("no-such-file")
    assert err.value.lasting and "invalid file_id" in str(err.value).lower()
    fake.add_file("doc-1", b"<html><script>alert(1)</script></html>")
    with pytest.raises(FileUnavailable) as err:
        await TelegramFiles(bot).fetch("doc-1")
    assert err.value.lasting and fake.downloads == ["doc-1"]


async def test_telegram_down_is_a_passing_failure(tmp_path: Path) -> None:
    server = FakeTelegram()
    await server.start()
    settings = make_settings(tmp_path, telegram_token=server.token, telegram_api_url=server.api_url)
    bot = make_bot(settings)
    await bot.initialize()
    server.add_file("f", tiny_png(2, 2, (0, 0, 0)))
    await server.stop()
    try:
        with pytest.raises(FileUnavailable) as err:
            await TelegramFiles(bot).fetch("f")
        assert not err.value.lasting
    finally:
        await bot.shutdown()


async def test_the_fake_download_url_is_as_strict_as_telegram(fake: FakeTelegram) -> None:
    fake.add_file("f1", tiny_png(3, 3, (1, 2, 3)))
    base = f"http://127.0.0.1:{fake.port}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/bot{fake.token}/getFile", json={"file_id": "f1"}) as resp:
            info = (await resp.json())["result"]
        assert info["file_size"] == len(fake.files["f1"]) and info["file_unique_id"]
        path = info["file_path"]
        async with http.get(f"{base}/file/bot{fake.token}/{path}") as resp:
            assert resp.status == 200 and await resp.read() == fake.files["f1"]
        async with http.get(f"{base}/file/bot123:wrong/{path}") as resp:
            assert resp.status == 404
        async with http.get(f"{base}/file/bot{fake.token}/photos/never_issued.jpg") as resp:
            assert resp.status == 404
        start = fake.clock()
        fake.clock = lambda: start + LINK_SECONDS + 1  # the link has expired
        async with http.get(f"{base}/file/bot{fake.token}/{path}") as resp:
            assert resp.status == 404
        async with http.post(f"{base}/bot{fake.token}/getFile", json={}) as resp:
            assert resp.status == 400  # file_id is required
        async with http.post(f"{base}/bot{fake.token}/getFile", json={"file_id": "f1", "x": 1}) as resp:
            assert resp.status == 400  # unknown parameter


async def test_zalo_photo_urls_are_downloaded_and_checked() -> None:
    png = tiny_png(4, 4, (9, 9, 9))

    async def image(request: web.Request) -> web.Response:
        return web.Response(body=png, content_type="image/png")

    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<html></html>", content_type="text/html")

    web_app = web.Application()
    web_app.router.add_get("/img", image)
    web_app.router.add_get("/page", page)
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    session = aiohttp.ClientSession()
    files = UrlFiles("zalo_oa", lambda: session)
    try:
        got = await files.fetch(f"http://127.0.0.1:{port}/img")
        assert got.content == png and got.content_type == "image/png"
        for ref, lasting in (
            (f"http://127.0.0.1:{port}/page", True),  # not an image
            (f"http://127.0.0.1:{port}/missing", True),  # 404
            ("photo-id-not-a-url", True),
        ):
            with pytest.raises(FileUnavailable) as err:
                await files.fetch(ref)
            assert err.value.lasting is lasting, ref
        await runner.cleanup()
        with pytest.raises(FileUnavailable) as err:
            await files.fetch(f"http://127.0.0.1:{port}/img")
        assert not err.value.lasting  # the server is gone: try again later
    finally:
        await session.close()
        await runner.cleanup()


def test_image_types_by_their_bytes() -> None:
    assert image_type(tiny_png(1, 1, (0, 0, 0))) == "image/png"
    assert image_type(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert image_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert image_type(b"GIF89a...") == "image/gif"
    assert image_type(b"<svg onload=alert(1)>") is None


async def test_each_channel_runner_registers_its_file_source(tmp_path: Path) -> None:
    from bot.app import build_app
    from bot.channels.telegram import TelegramRunner
    from bot.channels.zalo_bot import ZaloBotRunner
    from bot.channels.zalo_oa import ZaloOARunner

    settings = make_settings(
        tmp_path,
        knowledge_dir=FIXTURE_KB,
        telegram_token="123:abc",
        telegram_api_url="http://127.0.0.1:9/bot",
        zalo_bot_token="1:zalo",
        zalo_bot_api_url="http://127.0.0.1:9",
        zalo_oa_app_id="42",
        zalo_oa_app_secret="s",
        zalo_oa_secret_key="k",
        zalo_oa_api_url="http://127.0.0.1:9",
        zalo_oauth_url="http://127.0.0.1:9",
    )
    app = await build_app(settings)
    try:
        assert app.file_sources == {}
        TelegramRunner(app)
        ZaloBotRunner(app)
        ZaloOARunner(app)
        assert isinstance(app.file_sources["telegram"], TelegramFiles)
        assert (
            isinstance(app.file_sources["zalo_bot"], UrlFiles)
            and app.file_sources["zalo_bot"].channel == "zalo_bot"
        )
        assert (
            isinstance(app.file_sources["zalo_oa"], UrlFiles)
            and app.file_sources["zalo_oa"].channel == "zalo_oa"
        )
    finally:
        await app.close()
