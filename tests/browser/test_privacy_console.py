"""A data-subject request answered in a real browser; the citizen reads the outcome in Telegram (the fake)."""

from __future__ import annotations

from sqlalchemy import select

from handlers import texts
from storage.models_privacy import DataRequest
from tests.browser.conftest import ADMIN_UID, STAFF_UID, Server, eventually
from tests.conftest import Chat

CITIZEN = 5002
DETAIL = "Tên tôi trong phản ánh bị ghi sai, xin sửa thành Phan Thị Hoa"
OUTCOME = "Đã sửa tên người gửi trong phản ánh."


def texts_to(server: Server, uid: int) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in server.fake.messages_to(uid)]


async def test_an_officer_closes_a_request_and_the_citizen_is_told(
    server: Server, signed_in_page, screenshot
) -> None:
    for uid in (ADMIN_UID, STAFF_UID):
        server.fake.user(uid, "Cán bộ")  # officers have written to the bot before
    server.fake.user(CITIZEN, "Phan Thị Hoa")
    chat = Chat(server.bot, user=str(CITIZEN), channel="telegram", name="Phan Thị Hoa")
    await chat.say("/yeucaudulieu")
    await chat.press("pv:r:correct")
    await chat.say(DETAIL)
    async with server.bot.db.session() as db:
        rid = int(await db.scalar(select(DataRequest.id)) or 0)
    # the staff notice lands first, or it would be read as the bot's answer to /web
    for uid in (ADMIN_UID, STAFF_UID):
        await eventually(lambda uid=uid: any(f"YC-{rid}" in t for t in texts_to(server, uid)), within=15)

    page = await signed_in_page("staff")
    await page.get_by_role("navigation").get_by_role("link", name=texts.WEB_NAV_PRIVACY).click()
    await page.wait_for_url(server.url("/staff/privacy"))
    await screenshot(page, "privacy-requests")
    await page.get_by_role("link", name=f"YC-{rid}", exact=True).click()
    await page.wait_for_url(server.url(f"/staff/privacy/{rid}"))
    assert DETAIL in await page.content()
    await page.fill("textarea[name=outcome]", OUTCOME)
    await page.get_by_role("button", name=texts.WEB_PV_DONE_BUTTON).click()
    await page.get_by_text(texts.WEB_PV_DONE_FLASH.format(id=rid)).wait_for()
    await screenshot(page, "privacy-request-done")
    done = texts.DSR_DONE.format(id=rid, outcome=OUTCOME)
    await eventually(lambda: done in texts_to(server, CITIZEN), within=15)
    async with server.bot.db.session() as db:
        row = await db.get(DataRequest, rid)
        assert row is not None and (row.status, row.outcome) == ("done", OUTCOME)
        assert row.handled_by is not None and row.handled_by.startswith("web:staff#")
