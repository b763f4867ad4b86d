"""Every state-changing request needs the session's CSRF token; a refusal changes nothing."""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from handlers import texts
from storage.models_web import StaffAccount

NEW = {"channel": "telegram", "platform_id": "4242", "name": "Người mới", "role": "staff"}


async def _accounts(bot) -> int:
    async with bot.db.session() as db:
        return int(await db.scalar(select(func.count()).select_from(StaffAccount)) or 0)


async def test_a_form_without_the_token_is_refused(staff_client, web_bot, caplog) -> None:
    client = await staff_client(role="admin")
    with caplog.at_level(logging.INFO, logger="motcua.web"):
        response = await client.post("/staff/accounts", data=NEW, allow_redirects=False)
    assert response.status == 403
    assert texts.WEB_CSRF_REFUSED in await response.text()
    assert await _accounts(web_bot) == 2
    refusals = [r.getMessage() for r in caplog.records if "CSRF" in r.getMessage()]
    assert refusals == ["refused POST /staff/accounts: missing or wrong CSRF token"]


async def test_a_wrong_token_is_refused(staff_client, web_bot) -> None:
    client = await staff_client(role="admin")
    response = await client.post("/staff/accounts", data={**NEW, "_csrf": "guess"}, allow_redirects=False)
    assert response.status == 403
    assert await _accounts(web_bot) == 2


async def test_another_staff_members_token_is_refused(staff_client, web_bot) -> None:
    admin = await staff_client(role="admin")
    other = await staff_client(role="admin", identity="telegram:9100")
    assert admin.csrf_token != other.csrf_token
    response = await admin.post(
        "/staff/accounts", data={**NEW, "_csrf": other.csrf_token}, allow_redirects=False
    )
    assert response.status == 403
    assert await _accounts(web_bot) == 3  # the two seeded ones and `other`


async def test_the_token_in_the_header_is_accepted(staff_client, web_bot) -> None:
    client = await staff_client(role="admin")
    response = await client.post(
        "/staff/accounts", data=NEW, headers={"X-CSRF-Token": client.csrf_token}, allow_redirects=False
    )
    assert response.status == 303
    assert await _accounts(web_bot) == 3


async def test_sign_out_needs_the_token_too(staff_client) -> None:
    client = await staff_client(role="staff")
    assert (await client.post("/staff/signout", allow_redirects=False)).status == 403
    assert (await client.get("/staff/")).status == 200  # still signed in


async def test_the_sign_in_form_needs_the_browsers_own_token(staff_client, sign_in_link, web_bot) -> None:
    """A stranger's page cannot post its own link into someone's browser (login CSRF)."""
    client = await staff_client(signed_in=False)
    path = await sign_in_link()
    response = await client.post(
        "/staff/signin/link", data={"token": path.rsplit("/", 1)[1], "_csrf": "x"}, allow_redirects=False
    )
    assert response.status == 403
    page = await client.get(path)  # the link was not used up by the refused attempt
    assert page.status == 200


async def test_every_page_form_carries_the_token(staff_client) -> None:
    client = await staff_client(role="admin")
    html = await (await client.get("/staff/accounts")).text()
    forms = html.count("<form")
    assert forms >= 3  # sign-out, add, one remove button per other account
    assert html.count(f'name="_csrf" value="{client.csrf_token}"') == forms
