"""Signing in to the staff console with the one-time link from /web, signing out, sessions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import pytest
from sqlalchemy import func, select

from bot.web.keys import ANON_CSRF_COOKIE, SESSION_COOKIE
from bot.web.ratelimit import MAX_ATTEMPTS
from handlers import texts
from handlers.messages import Incoming
from storage.models import AuditLog, utcnow
from storage.models_web import StaffAccount, WebSession, WebSignInLink
from tests.web.conftest import ADMIN, STAFF, csrf_of, post_form, sign_in


async def _count(bot, model) -> int:
    async with bot.db.session() as db:
        return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def _account(bot, key: str) -> StaffAccount:
    channel, _, platform_id = key.partition(":")
    async with bot.db.session() as db:
        account = await db.scalar(
            select(StaffAccount).where(
                StaffAccount.channel == channel, StaffAccount.platform_id == platform_id
            )
        )
    assert account is not None
    return account


async def test_the_link_flow_signs_in_as_the_identity_that_asked(staff_client, web_bot) -> None:
    client = await staff_client(role="staff")
    page = await client.get("/staff/")
    html = await page.text()
    assert page.status == 200
    assert texts.WEB_HOME_INTRO.format(name="Cán bộ Hai") in html
    assert 'href="/staff/accounts"' not in html  # a staff member sees no accounts link
    assert client.staff_id == (await _account(web_bot, STAFF)).id
    async with web_bot.db.session() as db:
        actions = list(
            await db.scalars(select(AuditLog.action).where(AuditLog.actor == f"web:staff#{client.staff_id}"))
        )
    assert "signin.link" in actions


async def test_the_welcome_is_flashed_once(staff_client, sign_in_link) -> None:
    client = await staff_client(signed_in=False)
    first = await sign_in(client, await sign_in_link(ADMIN))
    welcome = texts.WEB_SIGNIN_WELCOME.format(name="Quản trị Một")
    assert welcome in await first.text()
    assert welcome not in await (await client.get("/staff/")).text()


async def test_the_link_points_at_the_public_url_and_is_stored_hashed(web_bot, sign_in_link) -> None:
    msg = Incoming(channel="telegram", platform_id="9002", text="/web")
    replies = await web_bot.dispatcher.handle(msg)
    assert replies[0].text.startswith(texts.WEB_LINK_MESSAGE.split("{")[0])
    assert "http://127.0.0.1:8080/staff/signin/" in replies[0].text
    token = replies[0].text.split("/staff/signin/")[1].split()[0]
    async with web_bot.db.session() as db:
        hashes = list(await db.scalars(select(WebSignInLink.token_hash)))
    assert token not in hashes and len(hashes) == 1


async def test_opening_the_link_only_shows_a_confirm_page(staff_client, sign_in_link, web_bot) -> None:
    """A link preview (or a second look) fetches the page; the link still works afterwards."""
    client = await staff_client(signed_in=False)
    path = await sign_in_link(STAFF)
    for _ in range(3):
        page = await client.get(path)
        assert page.status == 200
        assert texts.WEB_SIGNIN_CONFIRM in await page.text()
    assert await _count(web_bot, WebSession) == 0
    html = await (await client.get(path)).text()
    response = await post_form(client, "/signin/link", {"token": path.rsplit("/", 1)[1]})
    assert response.status == 303 and response.headers["Location"] == "/staff/"
    assert csrf_of(html)
    assert await _count(web_bot, WebSession) == 1


async def test_a_link_is_used_once(staff_client, sign_in_link, web_bot) -> None:
    first = await staff_client(signed_in=False)
    second = await staff_client(signed_in=False)
    path = await sign_in_link(STAFF)
    token = path.rsplit("/", 1)[1]
    await first.get(path)
    await second.get(path)
    ok = await post_form(first, "/signin/link", {"token": token})
    assert ok.status == 303
    again = await post_form(second, "/signin/link", {"token": token})
    assert again.status == 400
    assert texts.WEB_SIGNIN_LINK_INVALID in await again.text()
    assert await _count(web_bot, WebSession) == 1
    page = await second.get(path)
    assert page.status == 400 and texts.WEB_SIGNIN_LINK_INVALID in await page.text()


async def test_an_expired_link_is_refused(staff_client, sign_in_link, web_bot) -> None:
    client = await staff_client(signed_in=False)
    path = await sign_in_link(STAFF)
    await client.get("/staff/signin")  # the anonymous CSRF cookie
    later = utcnow() + dt.timedelta(minutes=10, seconds=1)
    web_bot.services.clock = lambda: later
    assert (await client.get(path)).status == 400
    response = await post_form(client, "/signin/link", {"token": path.rsplit("/", 1)[1]})
    assert response.status == 400 and texts.WEB_SIGNIN_LINK_INVALID in await response.text()
    assert await _count(web_bot, WebSession) == 0


@pytest.mark.parametrize("token", ["x" * 43, "", "a" * 500])
async def test_a_forged_link_is_refused_and_logged_without_it(staff_client, web_bot, caplog, token) -> None:
    client = await staff_client(signed_in=False)
    await client.get("/staff/signin")
    with caplog.at_level(logging.INFO):
        response = await post_form(client, "/signin/link", {"token": token})
    assert response.status == 400
    assert await _count(web_bot, WebSession) == 0
    assert any("forged, expired or already used" in r.getMessage() for r in caplog.records)
    assert all(token not in r.getMessage() for r in caplog.records if token)


async def test_a_citizen_asking_for_a_link_gets_the_usual_refusal(web_bot) -> None:
    replies = await web_bot.dispatcher.handle(Incoming(channel="telegram", platform_id="5555", text="/web"))
    office = web_bot.knowledge.kb.locality.office_name
    assert replies[0].text.startswith(texts.STAFF_ONLY.format(office=office))
    assert await _count(web_bot, WebSignInLink) == 0


async def test_not_signed_in_pages_redirect_and_actions_are_refused(staff_client, web_bot) -> None:
    client = await staff_client(signed_in=False)
    home = await client.get("/staff/", allow_redirects=False)
    assert home.status == 303 and home.headers["Location"] == "/staff/signin"
    howto = await client.get("/staff/signin")
    assert texts.WEB_SIGNIN_HOWTO in await howto.text()
    refused = await post_form(
        client, "/accounts", {"channel": "telegram", "platform_id": "1", "role": "admin"}
    )
    assert refused.status == 403
    assert await _count(web_bot, StaffAccount) == 2


async def test_the_session_cookie_is_httponly_strict_and_secure_behind_https(staff_client, web_bot) -> None:
    web_bot.settings = dataclasses.replace(web_bot.settings, public_url="https://motcua.example.vn")
    client = await staff_client(signed_in=False)
    path = await staff_link(web_bot)
    page = await client.get(path)
    anon = page.cookies[ANON_CSRF_COOKIE]
    assert anon["secure"] and anon["httponly"] and anon["samesite"] == "Strict"
    # the test server speaks http, where a browser keeps Secure cookies to itself: sent by hand
    response = await client.post(
        "/staff/signin/link",
        data={"token": path.rsplit("/", 1)[1], "_csrf": anon.value},
        headers={"Cookie": f"{ANON_CSRF_COOKIE}={anon.value}"},
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    cookie = response.cookies[SESSION_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["secure"]
    assert cookie["path"] == "/staff/"


async def staff_link(bot) -> str:
    from tests.web.conftest import ask_link

    return await ask_link(bot, STAFF)


async def test_sign_out_ends_the_session_everywhere(staff_client, web_bot) -> None:
    client = await staff_client(role="staff")
    raw = next(c.value for c in client.session.cookie_jar if c.key == SESSION_COOKIE)
    out = await post_form(client, "/signout", {})
    assert out.status == 303 and out.headers["Location"] == "/staff/signed-out"
    assert await _count(web_bot, WebSession) == 0
    assert texts.WEB_SIGNED_OUT in await (await client.get("/staff/signed-out")).text()
    # the old session id, replayed: not signed in
    replay = await staff_client(signed_in=False)
    replay.session.cookie_jar.update_cookies({SESSION_COOKIE: raw}, replay.make_url("/staff/"))
    home = await replay.get("/staff/", allow_redirects=False)
    assert home.status == 303 and home.headers["Location"] == "/staff/signin"


async def test_sessions_expire(staff_client, web_bot) -> None:
    client = await staff_client(role="staff")
    later = utcnow() + dt.timedelta(hours=web_bot.settings.web_session_hours, seconds=1)
    web_bot.services.clock = lambda: later
    home = await client.get("/staff/", allow_redirects=False)
    assert home.status == 303
    assert await _count(web_bot, WebSession) == 0  # the expired row is gone


async def test_a_forged_session_id_is_not_signed_in(staff_client) -> None:
    client = await staff_client(signed_in=False)
    client.session.cookie_jar.update_cookies({SESSION_COOKIE: "forged"}, client.make_url("/staff/"))
    assert (await client.get("/staff/", allow_redirects=False)).status == 303


async def test_sign_in_attempts_are_rate_limited_per_address(staff_client, sign_in_link, web_bot) -> None:
    client = await staff_client(signed_in=False)
    await client.get("/staff/signin")
    for _ in range(MAX_ATTEMPTS):
        assert (await post_form(client, "/signin/link", {"token": "wrong"})).status == 400
    path = await sign_in_link(STAFF)
    limited = await post_form(client, "/signin/link", {"token": path.rsplit("/", 1)[1]})
    assert limited.status == 429
    assert texts.WEB_SIGNIN_RATE_LIMITED.format(minutes=10) in await limited.text()
    assert await _count(web_bot, WebSession) == 0
    later = utcnow() + dt.timedelta(minutes=10, seconds=1)
    web_bot.services.clock = lambda: later
    path = await sign_in_link(STAFF)
    assert (await post_form(client, "/signin/link", {"token": path.rsplit("/", 1)[1]})).status == 303


async def test_signing_in_again_replaces_the_browsers_session(staff_client, web_bot) -> None:
    client = await staff_client(role="staff")
    path = await staff_link(web_bot)
    await client.get(path)
    response = await post_form(client, "/signin/link", {"token": path.rsplit("/", 1)[1]})
    assert response.status == 303
    assert await _count(web_bot, WebSession) == 1


async def test_nothing_personal_in_the_logs_of_a_sign_in(staff_client, caplog) -> None:
    with caplog.at_level(logging.DEBUG, logger="motcua"):
        client = await staff_client(role="admin")
        await client.get("/staff/accounts")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for personal in ("9001", "9002", "Quản trị Một", "Cán bộ Hai", ADMIN):
        assert personal not in logged


@pytest.mark.parametrize("group", ["-100", "-200"])
async def test_no_link_is_sent_into_a_group_chat(web_bot, group) -> None:
    """Not in a citizens' group, nor in the staff's own group: whoever reads a link could use it."""
    web_bot.services.settings = dataclasses.replace(web_bot.services.settings, staff_chat="telegram:-200")
    msg = Incoming(channel="telegram", platform_id="9002", text="/web", group=group)
    replies = await web_bot.dispatcher.handle(msg)
    assert [r.text for r in replies] == [texts.PRIVATE_ONLY]
    assert await _count(web_bot, WebSignInLink) == 0
