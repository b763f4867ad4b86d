"""Complaints in a real browser: a citizen files one on Telegram, staff answer it on the console.

The whole path runs as in production: the citizen's messages go through the
Telegram fake and the long-polling runner, the photo comes back through
getFile, the answer goes through the outbox worker `motcua run` starts, and
the citizen receives it in the fake.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path
from typing import Any

from handlers import texts
from tests.browser.conftest import ADMIN_UID, STAFF_UID, Server, eventually
from tests.fake_telegram import FakeTelegram
from tests.web.complaints_support import add_complaint

CITIZEN = 501
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CODE = re.compile(r"PA-\d{4}-\d{6}")


def keep_for_docs(png: Path, name: str) -> None:
    """MOTCUA_UPDATE_SCREENSHOTS=1 refreshes the README's pictures from this run."""
    if os.environ.get("MOTCUA_UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(png, DOCS / name)


def _offering(fake: FakeTelegram, uid: int, data: str) -> dict[str, Any] | None:
    for message in reversed(fake.messages_to(uid)):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            if any(button.get("callback_data") == data for button in row):
                return message
    return None


async def press_when_offered(fake: FakeTelegram, uid: int, data: str) -> None:
    """Wait until the bot shows the button `data`, then press it (as a person does)."""
    await eventually(lambda: _offering(fake, uid, data) is not None, within=15)
    message = _offering(fake, uid, data)
    assert message is not None
    await fake.press(uid, message, data)


async def file_on_telegram(server: Server) -> str:
    """The citizen reports a problem through the chat, with a photo and the place; its code."""
    fake = server.fake
    fake.user(CITIZEN, "Nguyễn Văn An")
    await fake.send_text(CITIZEN, "/phananh")
    await press_when_offered(fake, CITIZEN, "pa:cat:ha-tang")
    await fake.send_text(CITIZEN, "Cống thoát nước trước chợ Phố Hiến bị tắc, nước tràn ra đường mỗi khi mưa")
    await press_when_offered(fake, CITIZEN, "pa:next")
    count = len(fake.messages_to(CITIZEN))
    await fake.send_photo(CITIZEN)
    await eventually(lambda: len(fake.messages_to(CITIZEN)) > count, within=15)
    count = len(fake.messages_to(CITIZEN))
    await fake.send_location(CITIZEN, 20.64582, 106.05119)
    await eventually(lambda: len(fake.messages_to(CITIZEN)) > count, within=15)
    await press_when_offered(fake, CITIZEN, "pa:next")
    await press_when_offered(fake, CITIZEN, "pa:phone:no")
    await press_when_offered(fake, CITIZEN, "pa:send")
    await eventually(lambda: any(CODE.search(t or "") for t in fake.texts_to(CITIZEN)[-2:]), within=15)
    found = CODE.search("\n".join(t or "" for t in fake.texts_to(CITIZEN)[-2:]))
    assert found
    return found.group(0)


async def more_complaints(server: Server) -> None:
    """A few older complaints, so the inbox shows its order and marks."""
    now = server.bot.services.clock()
    days = dt.timedelta(days=1)
    await add_complaint(server.bot, now - 40 * days, "Đèn đường ngõ 5 bị hỏng đã hơn một tháng, buổi tối rất tối",
                        platform_id="601", name="Trần Thị Bình", area="Khu phố 1")  # fmt: skip
    await add_complaint(server.bot, now - 30 * days, "Bộ phận một cửa hẹn trả kết quả hồ sơ nhưng đã trễ hai tuần",
                        category="ho-so", platform_id="602", name="Lê Văn Cường")  # fmt: skip
    await add_complaint(server.bot, now - 12 * days, "Rác thải bên bờ sông không ai thu gom, bốc mùi",
                        platform_id="603", name="Phạm Thu Dung", area="Khu phố 3",
                        assignee=f"telegram:{STAFF_UID}", status="assigned",
                        due=now + dt.timedelta(hours=6))  # fmt: skip
    await add_complaint(server.bot, now - 2 * days, "Nhân viên tiếp dân trả lời thiếu lịch sự khi tôi hỏi thủ tục",
                        category="thai-do", platform_id="604", name="Đỗ Minh Em", area="Khu phố 2")  # fmt: skip


async def test_staff_answer_a_complaint_and_the_citizen_receives_it(
    server: Server, signed_in_page: Any, screenshot: Any
) -> None:
    server.fake.user(STAFF_UID, "Cán bộ Hai")  # staff have a chat with the bot: notices reach them
    server.fake.user(ADMIN_UID, "Quản trị Một")
    code = await file_on_telegram(server)
    # staff hear of it in Telegram first (the outbox); then the staff member asks for a sign-in link
    await eventually(lambda: any(code in (t or "") for t in server.fake.texts_to(STAFF_UID)), within=20)
    await more_complaints(server)
    page = await signed_in_page("staff")
    await page.get_by_role("link", name=texts.WEB_NAV_COMPLAINTS).first.click()
    await page.wait_for_url(server.url("/staff/complaints"))
    await page.get_by_text(code).wait_for()
    await screenshot(page, "complaints-inbox-phone")
    overdue = page.locator("li.cx-overdue")
    assert await overdue.count() == 2  # the two older ones, longest overdue first
    assert "Đèn đường" in await overdue.first.inner_text()
    assert "Rác thải" in await page.locator("li.cx-due_soon").inner_text()
    await page.set_viewport_size({"width": 1280, "height": 900})
    keep_for_docs(await screenshot(page, "complaints-inbox"), "complaints.png")

    await page.get_by_role("link", name=re.compile(code)).click()
    await page.wait_for_url(server.url(f"/staff/complaints/{code}"))
    photo = page.locator("img[alt^='" + texts.WEB_CX_PHOTO_ALT.format(n=1, code=code) + "']")
    await photo.wait_for()
    await photo.evaluate("img => img.complete || new Promise(done => { img.onload = img.onerror = done; })")
    assert await photo.evaluate("img => img.naturalWidth") == 128  # the largest size, through getFile
    assert server.fake.downloads == ["photo-501-l"]
    link = page.get_by_role("link", name=texts.WEB_CX_MAP_LINK)
    assert (await link.get_attribute("href") or "").startswith(
        "https://www.openstreetmap.org/?mlat=20.645820"
    )
    await screenshot(page, "complaint-page")

    await page.set_viewport_size({"width": 390, "height": 844})
    answer = "Phường đã cử tổ công tác thông cống trước chợ; dự kiến xong trong tuần này. Xin cảm ơn anh!"
    await page.fill("textarea[name=text]", answer)
    await page.get_by_role("button", name=texts.WEB_CX_REPLY_BUTTON).click()
    await page.get_by_text(texts.WEB_CX_REPLIED.format(code=code)).wait_for()
    await screenshot(page, "complaint-answered")

    # the outbox worker of `motcua run` delivers it to the citizen in Telegram, with the rating question
    await eventually(lambda: any(answer in (t or "") for t in server.fake.texts_to(CITIZEN)), within=20)
    received = server.fake.messages_to(CITIZEN)
    assert any(texts.PA_RATE_QUESTION.format(code=code) in (m.get("text") or "") for m in received[-2:])
    assert _offering(server.fake, CITIZEN, f"pa:rate:{code}:1") is not None
