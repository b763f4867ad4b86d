"""End-to-end over Telegram: a complaint's whole life between a citizen and a staff member.

The real Telegram runner (python-telegram-bot) talks to the strict fake Bot
API. Outbox rows (the staff notice, the answer to the citizen) are delivered
here with the channel's own outbox sender, as the sender loop would.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App, build_app
from bot.channels.telegram import TelegramRunner
from handlers.serialize import replies_from_payload
from storage.models import Outbox
from storage.models_feedback import Complaint, Rating
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram, button_data
from tests.feedback_support import FEEDBACK_KB, MONDAY_9AM, Clock

CITIZEN = 501
STAFF = 900


async def _no_wait(seconds: float) -> None:
    return None


GROUP = -100200


@pytest.fixture(params=["private", "group"])
async def telegram(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[FakeTelegram, App, TelegramRunner]]:
    """Staff get notices privately, or in a staff group (MOTCUA_STAFF_CHAT)."""
    fake = FakeTelegram()
    await fake.start()
    settings = make_settings(
        tmp_path,
        knowledge_dir=FEEDBACK_KB,
        telegram_token=fake.token,
        telegram_api_url=fake.api_url,
        telegram_poll_timeout=1,
        telegram_shutdown_grace=5,
        staff=f"telegram:{STAFF}=staff",
        staff_chat=f"telegram:{GROUP}" if request.param == "group" else "",
    )
    app = await build_app(settings)
    app.services.clock = Clock(MONDAY_9AM)
    runner = TelegramRunner(app, sleep=_no_wait)
    await runner.start()
    fake.user(CITIZEN, "Lan")
    fake.user(STAFF, "Cán bộ Minh")
    fake.group(GROUP, "Cán bộ phường")
    try:
        yield fake, app, runner
    finally:
        await runner.stop()
        await app.close()
        await fake.stop()


async def until(fake: FakeTelegram, chat: int, match: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The first message to `chat` (from now on or already there) that matches."""
    found: list[dict[str, Any]] = []

    def check() -> bool:
        found[:] = [m for m in fake.messages_to(chat) if match(m)]
        return bool(found)

    await fake.wait_for(check, within=10)
    return found[-1]


def has_button(data: str) -> Callable[[dict[str, Any]], bool]:
    def match(message: dict[str, Any]) -> bool:
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        return any(b.get("callback_data") == data for row in rows for b in row)

    return match


def says(part: str) -> Callable[[dict[str, Any]], bool]:
    return lambda m: part in (m.get("text") or m.get("caption") or "")


async def deliver(app: App, runner: TelegramRunner, **where: Any) -> list[Outbox]:
    """Send the pending outbox rows that match, through the Telegram sender, and mark them sent."""
    async with app.db.session() as db:
        stmt = select(Outbox).where(Outbox.status == "pending", Outbox.channel == "telegram")
        for key, value in where.items():
            stmt = stmt.where(getattr(Outbox, key) == value)
        rows = list(await db.scalars(stmt.order_by(Outbox.id)))
        for row in rows:
            row.platform_message_id = await runner.sender.send(
                row.platform_id, replies_from_payload(row.payload)
            )
            row.status = "sent"
        await db.commit()
    return rows


async def test_complaint_life_cycle_over_telegram(telegram: tuple[FakeTelegram, App, TelegramRunner]) -> None:
    fake, app, runner = telegram
    # the citizen writes in free text and the flow starts with it as the description
    await fake.send_text(
        CITIZEN, "Tôi muốn phản ánh cống thoát nước trước chợ bị tắc, nước thải tràn ra đường"
    )
    categories = await until(fake, CITIZEN, has_button("pa:cat:ha-tang"))
    await fake.press(CITIZEN, categories, "pa:cat:ha-tang")
    media = await until(fake, CITIZEN, has_button("pa:next"))
    await fake.send_photo(CITIZEN)
    await until(fake, CITIZEN, says("Đã nhận ảnh 1/5"))
    await fake.press(CITIZEN, media, "pa:next")
    permission = await until(fake, CITIZEN, has_button("pa:phone:yes"))
    assert "Xin phép" in permission["text"]
    await fake.press(CITIZEN, permission, "pa:phone:yes")
    # Telegram's contact button
    asking = await until(fake, CITIZEN, lambda m: bool((m.get("_markup") or {}).get("keyboard")))
    assert asking["_markup"]["keyboard"][0][0]["request_contact"] is True
    await fake.send_contact(CITIZEN, "+84912345678")
    summary = await until(fake, CITIZEN, has_button("pa:send"))
    assert "091****678" in summary["text"] and "cống thoát nước" in summary["text"]
    await fake.press(CITIZEN, summary, button_data(summary, "Gửi phản ánh"))
    saved = await until(fake, CITIZEN, says("PA-2026-"))
    code = re.search(r"PA-2026-\d{6}", saved["text"]).group(0)
    assert code == "PA-2026-000001" and "Xin cảm ơn" in saved["text"]

    # the staff member is told (outbox → Telegram) and answers from the notice's button
    staff_chat = GROUP if app.settings.staff_chat else STAFF
    [notice] = await deliver(app, runner, platform_id=str(staff_chat), kind="notice")
    announced = await until(fake, staff_chat, says(code))
    assert "0912345678" in announced["text"]
    await fake.press(STAFF, announced, f"cs:reply:{code}")
    prompt = await until(fake, staff_chat, says("gõ nội dung trả lời"))
    answer = "Xã đã cử công nhân thông cống chiều nay. Xin cảm ơn chị đã phản ánh."
    if staff_chat == GROUP:  # in a group the bot reads messages addressed to it: a reply to its prompt
        await fake.send_text(STAFF, answer, chat_id=GROUP, reply_to_message=prompt)
    else:
        await fake.send_text(STAFF, answer)
    await until(fake, staff_chat, says("Đã lưu câu trả lời"))

    # the answer reaches the citizen on Telegram, with the rating question
    await deliver(app, runner, platform_id=str(CITIZEN), kind="complaint_reply")
    rate = await until(fake, CITIZEN, has_button(f"pa:rate:{code}:0"))
    assert any("thông cống" in t for t in fake.texts_to(CITIZEN))
    # "Không hài lòng" reopens it with the citizen's reason
    await fake.press(CITIZEN, rate, f"pa:rate:{code}:0")
    await until(fake, CITIZEN, says("lý do"))
    await fake.send_text(CITIZEN, "Chiều nay vẫn chưa có ai đến")
    await until(fake, CITIZEN, says("đã được mở lại"))
    async with app.db.session() as db:
        complaint = await db.scalar(select(Complaint))
        rating = await db.scalar(select(Rating))
    assert complaint.status == "reopened" and complaint.photos == [f"photo-{CITIZEN}-l"]
    assert (rating.target_kind, rating.target_id, rating.value) == ("complaint", code, 0)
    # the staff member who answered hears about it (privately: they are in charge now), and the group
    await deliver(app, runner)
    await until(fake, STAFF, says("chưa có ai đến"))
    if staff_chat == GROUP:
        await until(fake, GROUP, says("chưa có ai đến"))
    # tracking works from Telegram for the citizen; another user learns nothing
    await fake.send_text(CITIZEN, f"tra cứu {code}")
    await until(fake, CITIZEN, says("Mở lại theo đề nghị"))
    await fake.send_text(777, f"/tracuu {code}")
    refused = await until(fake, 777, says(code))
    assert "không phải là phản ánh do anh/chị gửi" in refused["text"]
    assert not fake.errors
    assert notice.platform_message_id


async def test_handoff_over_telegram(telegram: tuple[FakeTelegram, App, TelegramRunner]) -> None:
    fake, app, runner = telegram
    staff_chat = GROUP if app.settings.staff_chat else STAFF
    await fake.send_text(CITIZEN, "gặp cán bộ")
    await until(fake, CITIZEN, says("đã báo cán bộ trực"))
    await deliver(app, runner)
    request = await until(fake, staff_chat, says("muốn gặp cán bộ"))
    take = button_data(request, "Nhận")
    await fake.press(STAFF, request, take)
    taken = await until(fake, staff_chat, says("đã nhận trò chuyện"))
    await deliver(app, runner)
    await until(fake, CITIZEN, says("Cán bộ đã tham gia"))
    # citizen -> staff member (privately: the one who took it)
    await fake.send_text(CITIZEN, "Hồ sơ khai sinh của con tôi nộp hôm thứ Sáu đến đâu rồi ạ?")
    await _delivered(fake, app, runner, STAFF, "nộp hôm thứ Sáu")
    # staff member -> citizen
    reply = "Hồ sơ đã được duyệt, chị mang giấy tờ gốc đến nhận chiều nay nhé."
    if staff_chat == GROUP:
        await fake.send_text(STAFF, reply, chat_id=GROUP, reply_to_message=taken)
    else:
        await fake.send_text(STAFF, reply)
    from_staff = await _delivered(fake, app, runner, CITIZEN, "đã được duyệt")
    # the citizen ends it from the button under the staff member's message; staff are told
    await fake.press(CITIZEN, from_staff, button_data(from_staff, "Kết thúc"))
    await until(fake, CITIZEN, says("hữu ích"))
    await _delivered(fake, app, runner, STAFF, "kết thúc trò chuyện")
    assert not fake.errors


async def _delivered(
    fake: FakeTelegram, app: App, runner: TelegramRunner, chat: int, part: str
) -> dict[str, Any]:
    """Wait for the bot to queue a relay, deliver the outbox, and return the message that arrived."""

    async def queued() -> bool:
        async with app.db.session() as db:
            rows = await db.scalars(select(Outbox).where(Outbox.status == "pending"))
            return any(part in str(r.payload) for r in rows)

    for _ in range(500):
        if await queued():
            break
        await asyncio.sleep(0.01)
    await deliver(app, runner)
    return await until(fake, chat, says(part))
