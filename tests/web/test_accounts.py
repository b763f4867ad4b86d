"""/staff/accounts: admins list, add and remove staff accounts; the chat follows at once."""

from __future__ import annotations

from sqlalchemy import select

from handlers import texts
from handlers.messages import Incoming
from storage.models import AuditLog
from storage.models_web import SOURCE_WEB, StaffAccount, WebSession
from tests.web.conftest import ADMIN, STAFF, post_form

NEW = {"channel": "telegram", "platform_id": "4242", "name": "Nguyễn Văn Mới", "role": "staff"}


async def _by_key(bot, key: str) -> StaffAccount | None:
    channel, _, platform_id = key.partition(":")
    async with bot.db.session() as db:
        return await db.scalar(
            select(StaffAccount).where(
                StaffAccount.channel == channel, StaffAccount.platform_id == platform_id
            )
        )


async def _actions(bot) -> list[tuple[str, str, str | None]]:
    async with bot.db.session() as db:
        rows = await db.execute(
            select(AuditLog.actor, AuditLog.action, AuditLog.target).order_by(AuditLog.id)
        )
    return [tuple(r) for r in rows.all()]


async def _asks_web(bot, key: str) -> str:
    channel, _, platform_id = key.partition(":")
    replies = await bot.dispatcher.handle(Incoming(channel=channel, platform_id=platform_id, text="/web"))  # type: ignore[arg-type]
    return replies[0].text


async def test_the_list_shows_every_account_with_role_and_source(staff_client) -> None:
    client = await staff_client(role="admin")
    html = await (await client.get("/staff/accounts")).text()
    assert "Telegram: 9001" in html and "Telegram: 9002" in html
    assert "Quản trị Một" in html and "Cán bộ Hai" in html
    assert texts.WEB_ACCOUNTS_SOURCE["file"] in html
    assert html.count(texts.WEB_ACCOUNTS_REMOVE + "</button>") == 1  # not on one's own row


async def test_staff_members_cannot_see_or_change_accounts(staff_client, web_bot) -> None:
    client = await staff_client(role="staff")
    page = await client.get("/staff/accounts")
    assert page.status == 403 and texts.WEB_FORBIDDEN in await page.text()
    admin = await _by_key(web_bot, ADMIN)
    assert admin is not None
    assert (await post_form(client, "/accounts", NEW)).status == 403
    assert (await post_form(client, f"/accounts/{admin.id}/remove", {})).status == 403
    assert await _by_key(web_bot, "telegram:4242") is None
    assert await _by_key(web_bot, ADMIN) is not None


async def test_adding_an_account_lets_it_use_staff_commands(staff_client, web_bot) -> None:
    client = await staff_client(role="admin")
    office = web_bot.knowledge.kb.locality.office_name
    assert (await _asks_web(web_bot, "telegram:4242")).startswith(texts.STAFF_ONLY.format(office=office))
    response = await post_form(client, "/accounts", NEW)
    assert response.status == 303 and response.headers["Location"] == "/staff/accounts"
    page = await (await client.get("/staff/accounts")).text()
    assert texts.WEB_ACCOUNTS_ADDED.format(identity="telegram:4242", role=texts.WEB_ROLE_STAFF) in page
    account = await _by_key(web_bot, "telegram:4242")
    assert account is not None and (account.role, account.name, account.source) == (
        "staff",
        NEW["name"],
        SOURCE_WEB,
    )
    assert texts.WEB_LINK_MESSAGE.split("{")[0] in await _asks_web(web_bot, "telegram:4242")
    assert (f"web:staff#{client.staff_id}", "staff.add", f"staff#{account.id}") in await _actions(web_bot)


async def test_bad_input_is_explained_and_nothing_is_added(staff_client, web_bot) -> None:
    client = await staff_client(role="admin")
    bad = {"channel": "fax", "platform_id": "12 34", "name": "x" * 121, "role": "boss"}
    response = await post_form(client, "/accounts", bad)
    assert response.status == 400
    html = await response.text()
    for problem in (
        texts.WEB_ACCOUNTS_BAD_CHANNEL,
        texts.WEB_ACCOUNTS_BAD_ID,
        texts.WEB_ACCOUNTS_BAD_NAME,
        texts.WEB_ACCOUNTS_BAD_ROLE,
    ):
        assert problem in html
    assert 'value="12 34"' in html  # what was typed is kept for correction
    async with web_bot.db.session() as db:
        assert len(list(await db.scalars(select(StaffAccount)))) == 2
    assert all(action != "staff.add" for _, action, _ in await _actions(web_bot))


async def test_changing_a_role_through_the_form(staff_client, web_bot) -> None:
    client = await staff_client(role="admin")
    response = await post_form(
        client, "/accounts", {"channel": "telegram", "platform_id": "9002", "name": "Hai", "role": "admin"}
    )
    assert response.status == 303
    account = await _by_key(web_bot, STAFF)
    assert account is not None and account.role == "admin" and account.source == SOURCE_WEB


async def test_removing_an_account_ends_its_sessions_and_its_staff_rights(
    staff_client, web_bot, tmp_path
) -> None:
    admin = await staff_client(role="admin")
    member = await staff_client(role="staff")
    target = await _by_key(web_bot, STAFF)
    assert target is not None
    response = await post_form(admin, f"/accounts/{target.id}/remove", {})
    assert response.status == 303
    assert (
        texts.WEB_ACCOUNTS_REMOVED.format(identity=STAFF) in await (await admin.get("/staff/accounts")).text()
    )
    assert await _by_key(web_bot, STAFF) is None
    assert (await member.get("/staff/", allow_redirects=False)).status == 303  # signed out
    async with web_bot.db.session() as db:
        assert [s.staff_id for s in await db.scalars(select(WebSession))] == [admin.staff_id]
    assert STAFF not in (tmp_path / "staff.txt").read_text()  # the file would bring it back otherwise
    office = web_bot.knowledge.kb.locality.office_name
    assert (await _asks_web(web_bot, STAFF)).startswith(texts.STAFF_ONLY.format(office=office))
    assert (f"web:staff#{admin.staff_id}", "staff.remove", f"staff#{target.id}") in await _actions(web_bot)


async def test_an_admin_cannot_remove_themself_or_the_last_admin(staff_client, web_bot) -> None:
    client = await staff_client(role="admin")
    response = await post_form(client, f"/accounts/{client.staff_id}/remove", {})
    assert response.status == 400 and texts.WEB_ACCOUNTS_NOT_SELF in await response.text()
    demote = {"channel": "telegram", "platform_id": "9001", "name": "", "role": "staff"}
    response = await post_form(client, "/accounts", demote)
    assert response.status == 400 and texts.WEB_ACCOUNTS_LAST_ADMIN in await response.text()
    account = await _by_key(web_bot, ADMIN)
    assert account is not None and account.role == "admin"


async def test_removing_an_unknown_account_says_so(staff_client) -> None:
    client = await staff_client(role="admin")
    response = await post_form(client, "/accounts/999999/remove", {}, follow=True)
    assert texts.WEB_ACCOUNTS_NOT_FOUND in await response.text()
