"""A complaint's photos on the console: fetched through the channel's file API, shown only to signed-in staff."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.app import App, build_app
from bot.channels.files import ChannelFile, UrlFiles
from bot.channels.telegram.files import TelegramFiles
from bot.channels.telegram.transport import make_bot
from handlers import texts
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram_files import tiny_png
from tests.web.complaints_support import MONDAY_9AM, add_complaint, set_clock, settings_extra
from tests.web.conftest import STAFF_FILE


@pytest.fixture
async def web_bot(tmp_path: Path, db_url: str, fake: FakeTelegram) -> AsyncIterator[App]:
    """The console's bot with Telegram's file source registered as its runner does."""
    staff_file = tmp_path / "staff.txt"
    staff_file.write_text(STAFF_FILE, encoding="utf-8")
    settings = make_settings(
        tmp_path,
        database_url=db_url,
        staff_file=staff_file,
        telegram_token=fake.token,
        telegram_api_url=fake.api_url,
        **settings_extra(tmp_path),
    )
    app = await build_app(settings)
    set_clock(app, MONDAY_9AM)
    bot = make_bot(settings)
    await bot.initialize()
    app.file_sources["telegram"] = TelegramFiles(bot)
    yield app
    await bot.shutdown()
    await app.close()


async def test_photos_come_through_getfile_and_only_to_signed_in_staff(
    web_bot: App, fake: FakeTelegram, staff_client
) -> None:
    fake.user(501)
    await fake.send_photo(501)  # the citizen's photo; the complaint keeps the largest size's file id
    code = await add_complaint(web_bot, MONDAY_9AM, photos=("photo-501-l",))
    stranger = await staff_client(signed_in=False)
    page = await stranger.get(f"/staff/complaints/{code}/photos/1", allow_redirects=False)
    assert page.status == 303 and page.headers["Location"] == "/staff/signin"
    assert fake.downloads == [] and not fake.calls_of("getFile")  # nothing fetched for a stranger

    client = await staff_client()
    page = await client.get(f"/staff/complaints/{code}/photos/1")
    assert page.status == 200
    assert await page.read() == fake.files["photo-501-l"]
    assert page.headers["Content-Type"] == "image/png"
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert fake.downloads == ["photo-501-l"]
    for missing in (0, 2, 999):
        assert (await client.get(f"/staff/complaints/{code}/photos/{missing}")).status == 404
    assert (await client.get("/staff/complaints/PA-2026-999999/photos/1")).status == 404


async def test_photos_the_channel_no_longer_has_or_cannot_give_now(
    web_bot: App, fake: FakeTelegram, staff_client
) -> None:
    fake.add_file("not-an-image", b"<html><script>alert(1)</script></html>")
    gone = await add_complaint(web_bot, MONDAY_9AM, photos=("deleted-file-id", "not-an-image"))
    client = await staff_client()
    for n in (1, 2):
        page = await client.get(f"/staff/complaints/{gone}/photos/{n}")
        assert page.status == 410 and await page.text() == texts.WEB_CX_PHOTO_GONE
        assert page.headers["Content-Type"].startswith("text/plain")
    zalo = await add_complaint(web_bot, MONDAY_9AM, channel="zalo_oa", photos=("https://127.0.0.1:1/x.jpg",))
    page = await client.get(f"/staff/complaints/{zalo}/photos/1")
    assert page.status == 503 and await page.text() == texts.WEB_CX_PHOTO_LATER  # no Zalo runner here
    fake.fail_next("getFile", 500, "Internal Server Error")
    fake.add_file("later", tiny_png(2, 2, (5, 5, 5)))
    later = await add_complaint(web_bot, MONDAY_9AM, photos=("later",))
    page = await client.get(f"/staff/complaints/{later}/photos/1")
    assert page.status == 503 and await page.text() == texts.WEB_CX_PHOTO_LATER
    assert (await client.get(f"/staff/complaints/{later}/photos/1")).status == 200  # Telegram is back


async def test_photos_of_a_complaint_whose_sender_was_forgotten(
    web_bot: App, fake: FakeTelegram, staff_client
) -> None:
    """After the retention purge the channel is gone but the photos are kept a while: still shown."""
    fake.add_file("kept", tiny_png(3, 3, (1, 1, 1)))
    code = await add_complaint(
        web_bot, MONDAY_9AM, channel=None, platform_id=None, name=None, phone=None, photos=("kept",)
    )
    client = await staff_client()
    page = await client.get(f"/staff/complaints/{code}/photos/1")
    assert page.status == 200 and await page.read() == fake.files["kept"]
    url_code = await add_complaint(
        web_bot, MONDAY_9AM, channel=None, platform_id=None, photos=("http://127.0.0.1:1/gone.jpg",)
    )
    requested: list[str] = []

    class Recording(UrlFiles):
        async def fetch(self, ref: str) -> ChannelFile:
            requested.append(ref)
            return await super().fetch(ref)

    async with aiohttp.ClientSession() as http:
        web_bot.file_sources["zalo_oa"] = Recording("zalo_oa", lambda: http)
        page = await client.get(f"/staff/complaints/{url_code}/photos/1")
    # a URL without a channel (an Open311 media_url, say) is never requested by the server
    assert page.status == 410 and requested == []


async def test_a_photo_sent_to_an_officer_is_shown_in_the_conversation(
    web_bot: App, fake: FakeTelegram, staff_client
) -> None:
    """The conversation page shows the picture itself (not «[ảnh]»), fetched like a complaint's."""
    from sqlalchemy import select

    from handlers.messages import Photo
    from storage.models_feedback import Handoff, HandoffMessage
    from tests.conftest import Chat

    fake.add_file("conv-photo", tiny_png(4, 4, (9, 9, 9)))
    web_bot.services.clock = lambda: MONDAY_9AM
    citizen = Chat(web_bot, user="777", channel="telegram", name="Lê Thị Mai")
    await citizen.say("/gapcanbo")
    await citizen.send(photo=Photo(ref="conv-photo"))
    async with web_bot.db.session() as db:
        hid = int(await db.scalar(select(Handoff.id)))
        line = (await db.scalars(select(HandoffMessage).where(HandoffMessage.photo.is_not(None)))).one()
    photo_url = f"/staff/conversations/{hid}/photos/{line.id}"

    client = await staff_client()
    html = await (await client.get(f"/staff/conversations/{hid}")).text()
    assert f'src="{photo_url}"' in html
    assert texts.WC_PHOTO_ALT.format(who="Lê Thị Mai") in html
    assert f"<p>{texts.HO_PHOTO}</p>" not in html
    listed = await (await client.get(f"/staff/conversations/{hid}/messages.json")).json()
    assert [m["photo"] for m in listed["messages"] if m["photo"]] == [photo_url]

    page = await client.get(photo_url)
    assert page.status == 200 and await page.read() == fake.files["conv-photo"]
    assert page.headers["Cache-Control"] == "private, no-store"
    assert (await client.get(f"/staff/conversations/{hid + 1}/photos/{line.id}")).status == 404
    assert (await client.get(f"/staff/conversations/{hid}/photos/{line.id + 1}")).status == 404
    stranger = await staff_client(signed_in=False)
    assert (await stranger.get(photo_url, allow_redirects=False)).status == 303


async def test_the_console_alone_opens_the_channels_file_apis_for_photos(
    web_bot: App, fake: FakeTelegram, staff_client
) -> None:
    """`motcua web` runs no channel, yet staff still see photos: it registers the file sources itself."""
    from bot.commands.web import photo_sources

    fake.add_file("alone", tiny_png(2, 3, (7, 7, 7)))
    code = await add_complaint(web_bot, MONDAY_9AM, photos=("alone",))
    runner_source = web_bot.file_sources.pop("telegram")
    client = await staff_client()
    assert (await client.get(f"/staff/complaints/{code}/photos/1")).status == 503  # nothing registered
    async with photo_sources(web_bot):
        source = web_bot.file_sources["telegram"]
        assert source is not runner_source and "zalo_oa" not in web_bot.file_sources  # Zalo not configured
        page = await client.get(f"/staff/complaints/{code}/photos/1")
        assert page.status == 200 and await page.read() == fake.files["alone"]
