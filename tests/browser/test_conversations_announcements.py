"""Conversations and announcements in a real browser, against the server with the Telegram fake.

A citizen writes to the bot in Telegram (the fake); the officer takes the
conversation in the page, sees the citizen's message appear without a reload,
replies, and the citizen receives the reply in Telegram. An announcement is
composed with a photo, previewed, sent, and its progress page follows the
outbox workers to the end.
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from pathlib import Path

import aiohttp
from sqlalchemy import select

from handlers import texts
from storage.models import User, utcnow
from storage.models_feedback import Handoff
from tests.browser.conftest import ADMIN_UID, STAFF_UID, Server, eventually
from tests.browser.test_staff_console import keep_for_docs

CITIZEN = 5001
# Monday 30 November 2026, 09:00 in Hà Nội: office hours, so «gặp cán bộ» reaches an officer
MONDAY_9AM = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


def office_hours(server: Server) -> None:
    """The bot's clock runs from Monday 09:00 (real seconds pass), whatever the real time is."""
    started = utcnow()
    server.bot.services.clock = lambda: MONDAY_9AM + (utcnow() - started)


def texts_to(server: Server, uid: int) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in server.fake.messages_to(uid)]


async def citizen_says(server: Server, uid: int, text: str) -> None:
    before = len(server.fake.messages_to(uid))
    await server.fake.send_text(uid, text)
    await eventually(lambda: len(server.fake.messages_to(uid)) > before, within=15)


async def test_take_a_conversation_chat_without_reloading_and_end_it(
    server: Server, signed_in_page, screenshot
) -> None:
    office_hours(server)
    for uid in (ADMIN_UID, STAFF_UID):
        server.fake.user(uid, "Cán bộ")  # officers have written to the bot before: Telegram knows their chats
    server.fake.user(CITIZEN, "Hoàng Văn Nam")
    await citizen_says(server, CITIZEN, "/gapcanbo")
    assert any("đã báo cán bộ trực" in t for t in texts_to(server, CITIZEN))
    async with server.bot.db.session() as db:
        hid = int((await db.scalar(select(Handoff))).id)  # type: ignore[union-attr]
    # the officers on duty are told in Telegram (the outbox); let that land before the sign-in
    # link is asked for, or the notice would be read as the bot's answer to /web
    notice = texts.HO_STAFF_REQUEST.format(name="Hoàng Văn Nam", hid=hid)
    for uid in (ADMIN_UID, STAFF_UID):
        await eventually(lambda uid=uid: notice in texts_to(server, uid), within=15)

    page = await signed_in_page("staff")
    await page.get_by_role("navigation").get_by_role("link", name=texts.WEB_NAV_CONVERSATIONS).click()
    await page.wait_for_url(server.url("/staff/conversations"))
    row = page.locator("#waiting tr", has_text="Hoàng Văn Nam")
    await screenshot(page, "conversations-waiting")
    await row.get_by_role("button", name=texts.WC_TAKE).click()
    await page.wait_for_url(server.url(f"/staff/conversations/{hid}"))
    await page.get_by_text(texts.WC_TAKEN_FLASH.format(hid=hid)).wait_for()
    await eventually(lambda: texts.HO_STAFF_JOINED in texts_to(server, CITIZEN)[-1], within=15)

    # the citizen writes in Telegram; the line appears in the open page, which is not reloaded
    await page.evaluate("window.__notReloaded = true")
    await server.fake.send_text(CITIZEN, "Cho tôi hỏi làm lại căn cước mất bao lâu?")
    await page.locator(".line.citizen", has_text="làm lại căn cước").wait_for()
    assert await page.evaluate("window.__notReloaded === true")

    # the reply is sent by the page's script and reaches the citizen in Telegram
    await page.fill("#send-text", "Dạ, khoảng 7 ngày làm việc kể từ ngày nhận đủ hồ sơ.")
    await page.get_by_role("button", name=texts.WC_SEND, exact=True).click()
    await page.locator(".line.staff", has_text="7 ngày làm việc").wait_for()
    assert await page.evaluate("window.__notReloaded === true")
    assert await page.input_value("#send-text") == ""
    expected = texts.HO_FROM_STAFF.format(text="Dạ, khoảng 7 ngày làm việc kể từ ngày nhận đủ hồ sơ.")
    await eventually(lambda: expected in texts_to(server, CITIZEN), within=15)
    keep_for_docs(await screenshot(page, "conversation"), "conversation.png")

    await page.get_by_role("button", name=texts.WC_END).click()
    await page.wait_for_url(server.url("/staff/conversations"))
    await page.get_by_text(texts.WC_ENDED_FLASH.format(hid=hid)).wait_for()
    await eventually(lambda: any(texts.HO_STAFF_ENDED in t for t in texts_to(server, CITIZEN)), within=15)
    await screenshot(page, "conversation-ended")
    async with server.bot.db.session() as db:
        handoff = await db.get(Handoff, hid)
        assert handoff is not None and (handoff.status, handoff.ended_by) == ("ended", "staff")
        assert handoff.staff_key == f"telegram:{STAFF_UID}" and handoff.via == "web"


def tiny_png() -> bytes:
    """A valid 1×1 PNG, built here so the test carries no binary file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x0b\x5c\xad")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


async def test_compose_preview_send_and_watch_the_progress_to_done(
    server: Server, signed_in_page, screenshot, tmp_path: Path
) -> None:
    citizens = [6001, 6002, 6003]
    for uid in citizens:
        server.fake.user(uid, f"Dân {uid}")
        await citizen_says(server, uid, "xin chào")
    async with server.bot.db.session() as db:
        for user in await db.scalars(select(User).where(User.platform_id.in_([str(u) for u in citizens]))):
            user.subscriptions = ["chung"]
        await db.commit()
    server.fake.block(6003)  # blocked the bot since: the progress counts it as blocked
    photo = tmp_path / "lich-tiem.png"
    photo.write_bytes(tiny_png())

    page = await signed_in_page("staff")
    await page.goto(server.url("/staff/announcements"))
    await page.get_by_role("link", name=texts.WA_NEW).click()
    await page.fill("textarea[name=text]", "Lịch tiêm chủng mở rộng: sáng thứ Bảy tại trạm y tế phường.")
    await page.set_input_files("input[name=upload]", str(photo))
    await page.check("input[name=audience][value=all]")
    await page.get_by_text(texts.WA_LIVE_COUNT.format(n=3)).wait_for()
    await screenshot(page, "announcement-compose")
    await page.get_by_role("button", name=texts.WA_PREVIEW_BUTTON).click()
    await page.get_by_text(texts.WA_PREVIEW_INTRO).wait_for()
    bubble = page.locator(".phone[data-channel=Telegram] .bubble.text")
    assert "sáng thứ Bảy" in await bubble.inner_text()
    assert await page.locator(".phone[data-channel=Telegram] .bubble.photo img").count() == 1
    await screenshot(page, "announcement-preview")
    await page.get_by_role("button", name=texts.WA_SEND_NOW).click()
    await page.wait_for_url(server.url("/staff/announcements/1"))

    # the outbox workers of `motcua run` deliver; the page follows without a reload
    await page.evaluate("window.__notReloaded = true")
    await page.locator("#status", has_text=texts.BC_STATUS["done"]).wait_for(timeout=30_000)
    assert await page.evaluate("window.__notReloaded === true")
    assert await page.inner_text("#count-sent") == "2"
    assert await page.inner_text("#count-blocked") == "1"
    assert await page.inner_text("#count-pending") == "0"
    await screenshot(page, "announcement-progress")
    for uid in (6001, 6002):
        sent = [m for m in server.fake.messages_to(uid) if m.get("_photo")]
        assert sent and sent[-1]["_photo"].startswith(server.url("/staff/announcements/photo/"))
        assert any("sáng thứ Bảy" in t for t in texts_to(server, uid))
    # the photo address the platforms fetch serves the photo without signing in (no cookies here)
    async with aiohttp.ClientSession() as anonymous, anonymous.get(sent[-1]["_photo"]) as served:
        assert served.status == 200 and await served.read() == photo.read_bytes()
