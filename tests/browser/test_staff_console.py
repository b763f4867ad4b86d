"""The console in a real browser: sign in by link from Telegram, CSRF, staff accounts."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy import select

from handlers import texts
from storage.models_web import StaffAccount, WebSession
from tests.browser.conftest import STAFF_UID, link_from_bot

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def keep_for_docs(png: Path, name: str) -> None:
    """MOTCUA_UPDATE_SCREENSHOTS=1 refreshes the README's pictures from this run."""
    if os.environ.get("MOTCUA_UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(png, DOCS / name)


async def test_sign_in_by_link_through_the_confirm_step(server, browser, screenshot) -> None:
    link = await link_from_bot(server, STAFF_UID)
    page = await browser.new_page()
    await page.goto(link)
    await page.get_by_text(texts.WEB_SIGNIN_CONFIRM).wait_for()
    keep_for_docs(await screenshot(page, "signin-confirm"), "signin-confirm.png")
    async with server.bot.db.session() as db:
        assert list(await db.scalars(select(WebSession))) == []  # opening the link signed nobody in
    await page.get_by_role("button", name=texts.WEB_SIGNIN_CONFIRM_BUTTON).click()
    await page.wait_for_url(server.url("/staff/"))
    assert texts.WEB_SIGNIN_WELCOME.format(name="Cán bộ Hai") in await page.content()
    await screenshot(page, "home")
    # the same link a second time (another tab, a forwarded copy): refused
    again = await browser.new_page()
    await again.goto(link)
    assert texts.WEB_SIGNIN_LINK_INVALID in await again.content()
    await screenshot(again, "link-used")
    # sign out
    await page.get_by_role("button", name=texts.WEB_SIGN_OUT).click()
    await page.wait_for_url(server.url("/staff/signed-out"))
    await page.goto(server.url("/staff/"))
    assert page.url == server.url("/staff/signin")


async def test_a_form_with_a_wrong_csrf_token_is_refused(server, signed_in_page, screenshot) -> None:
    page = await signed_in_page("admin")
    await page.goto(server.url("/staff/accounts"))
    await page.fill("input[name=platform_id]", "31337")
    await page.evaluate("document.querySelectorAll('input[name=_csrf]').forEach(i => i.value = 'forged')")
    await page.get_by_role("button", name=texts.WEB_ACCOUNTS_ADD_BUTTON).click()
    await page.get_by_text(texts.WEB_CSRF_REFUSED).wait_for()
    await screenshot(page, "csrf-refused")
    async with server.bot.db.session() as db:
        assert await db.scalar(select(StaffAccount).where(StaffAccount.platform_id == "31337")) is None


async def test_accounts_page_adds_and_removes_a_colleague(server, signed_in_page, screenshot) -> None:
    page = await signed_in_page("admin")
    await page.get_by_role("navigation").get_by_role("link", name=texts.WEB_NAV_ACCOUNTS, exact=True).click()
    await page.wait_for_url(server.url("/staff/accounts"))
    await page.select_option("select[name=channel]", "telegram")
    await page.fill("input[name=platform_id]", "4242")
    await page.fill("input[name=name]", "Nguyễn Thị Mới – Văn hóa")
    await page.select_option("select[name=role]", "staff")
    await page.get_by_role("button", name=texts.WEB_ACCOUNTS_ADD_BUTTON).click()
    added = texts.WEB_ACCOUNTS_ADDED.format(identity="telegram:4242", role=texts.WEB_ROLE_STAFF)
    await page.get_by_text(added).wait_for()
    keep_for_docs(await screenshot(page, "accounts"), "accounts.png")
    # the new colleague can now ask the bot for a link in Telegram
    assert (await link_from_bot(server, 4242)).startswith(server.url("/staff/signin/"))
    row = page.locator("tr", has_text="4242")
    asked: list[str] = []

    async def answer(dialog) -> None:
        asked.append(dialog.message)
        await (dialog.dismiss() if len(asked) == 1 else dialog.accept())

    page.on("dialog", answer)
    await row.get_by_role("button", name=texts.WEB_ACCOUNTS_REMOVE).click()  # "no" to the question
    await page.get_by_role("button", name=texts.WEB_ACCOUNTS_REMOVE).first.wait_for()
    async with server.bot.db.session() as db:
        assert await db.scalar(select(StaffAccount).where(StaffAccount.platform_id == "4242")) is not None
    await row.get_by_role("button", name=texts.WEB_ACCOUNTS_REMOVE).click()  # "yes"
    await page.get_by_text(texts.WEB_ACCOUNTS_REMOVED.format(identity="telegram:4242")).wait_for()
    assert asked == [texts.WEB_ACCOUNTS_REMOVE_CONFIRM.format(identity="telegram:4242")] * 2
    await screenshot(page, "accounts-removed")
    async with server.bot.db.session() as db:
        assert await db.scalar(select(StaffAccount).where(StaffAccount.platform_id == "4242")) is None
