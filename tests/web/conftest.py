"""Fixtures for the staff web console's tests (aiohttp test client), on SQLite and PostgreSQL.

- `web_bot` — the bot App on a fresh database: SQLite, and PostgreSQL when
  MOTCUA_TEST_DATABASE_URL is set (the `db_url` fixture of tests/conftest.py
  parametrises every test using it, as the storage tests do). Its staff file
  seeds two accounts: ADMIN (telegram:9001, admin) and STAFF (telegram:9002, staff).
  Tests move its clock with `web_bot.services.clock = lambda: ...`.
- `staff_client` — a factory: `client = await staff_client(role="staff")` returns a
  `StaffClient` (an aiohttp TestClient with its own cookie jar) signed in THROUGH the
  real flow: the identity types /web to the bot, the client opens the link (confirm
  page) and presses the button. `staff_client(identity="telegram:77", role="staff")`
  adds that account first; `staff_client(signed_in=False)` is a browser that did not
  sign in. `client.staff_id` is the account's id, `client.csrf_token` the session's token.
- `post_form(client, path, data, follow=False)` — POSTs a form with the CSRF token
  added; `path` is under /staff ("/accounts" and "/staff/accounts" are the same).
  Redirects are not followed unless `follow=True`, so a test sees the 303 and its Location.
- `sign_in_link(identity)` — what the bot answers to /web: the link's path and token.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App, build_app
from bot.web.app import mount
from bot.web.keys import ANON_CSRF_COOKIE
from handlers.messages import Incoming
from tests.conftest import FIXTURE_KB, make_settings

ADMIN = "telegram:9001"
STAFF = "telegram:9002"
STAFF_FILE = f"{ADMIN} admin Quản trị Một\n{STAFF} staff Cán bộ Hai\n"
LINK = re.compile(r"https?://[^\s/]+(/staff/signin/[A-Za-z0-9_-]+)")
CSRF_INPUT = re.compile(r'name="_csrf" value="([^"]+)"')


class StaffClient(TestClient):  # type: ignore[type-arg]
    staff_id: int | None = None
    csrf_token: str = ""
    identity: str = ""


@pytest.fixture
async def web_bot(tmp_path: Path, db_url: str) -> AsyncIterator[App]:
    staff_file = tmp_path / "staff.txt"
    staff_file.write_text(STAFF_FILE, encoding="utf-8")
    app = await build_app(
        make_settings(tmp_path, database_url=db_url, knowledge_dir=FIXTURE_KB, staff_file=staff_file)
    )
    yield app
    await app.close()


def staff_web_app(bot: App) -> web.Application:
    """The HTTP server's root app with the console mounted as `motcua run` mounts it."""
    from bot.web.app import MAX_BODY

    root = web.Application(client_max_size=MAX_BODY)  # as bot/commands/run.py builds it
    mount(root, bot)
    return root


async def ask_link(bot: App, identity: str) -> str:
    """Type /web to the bot as `identity`; the path of the link it sends back."""
    channel, _, platform_id = identity.partition(":")
    replies = await bot.dispatcher.handle(Incoming(channel=channel, platform_id=platform_id, text="/web"))  # type: ignore[arg-type]
    text = "\n".join(r.text for r in replies)
    found = LINK.search(text)
    assert found, f"no sign-in link in the answer: {text!r}"
    return found.group(1)


@pytest.fixture
def sign_in_link(web_bot: App) -> Callable[[str], Awaitable[str]]:
    async def make(identity: str = STAFF) -> str:
        return await ask_link(web_bot, identity)

    return make


def csrf_of(html: str) -> str:
    found = CSRF_INPUT.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def sign_in(client: StaffClient, path: str) -> ClientResponse:
    """Open the link (the confirm page), press the button; the response after the redirect."""
    page = await client.get(path)
    assert page.status == 200, await page.text()
    html = await page.text()
    token = path.rsplit("/", 1)[1]
    return await client.post(
        "/staff/signin/link", data={"token": token, "_csrf": csrf_of(html)}, allow_redirects=True
    )


@pytest.fixture
async def staff_client(web_bot: App) -> AsyncIterator[Callable[..., Awaitable[StaffClient]]]:
    clients: list[StaffClient] = []

    async def make(
        role: str = "staff", *, identity: str | None = None, signed_in: bool = True
    ) -> StaffClient:
        from storage import staff_accounts

        if identity is None:
            identity = ADMIN if role == "admin" else STAFF
        else:
            async with web_bot.db.session() as db:
                await staff_accounts.upsert(db, identity, role, f"Cán bộ {identity}")
                await db.commit()
            web_bot.services.staff.invalidate()
        client = StaffClient(TestServer(staff_web_app(web_bot)))
        await client.start_server()
        clients.append(client)
        client.identity = identity
        if signed_in:
            response = await sign_in(client, await ask_link(web_bot, identity))
            assert response.status == 200, await response.text()
            client.csrf_token = csrf_of(await response.text())
            async with web_bot.db.session() as db:
                account = await staff_accounts.by_key(db, identity)
                assert account is not None
                client.staff_id = account.id
        return client

    yield make
    for client in clients:
        await client.close()


def token_of(client: TestClient) -> str:  # type: ignore[type-arg]
    token = getattr(client, "csrf_token", "")
    if token:
        return str(token)
    for cookie in client.session.cookie_jar:
        if cookie.key == ANON_CSRF_COOKIE:
            return cookie.value
    return ""


async def post_form(
    client: TestClient,  # type: ignore[type-arg]
    path: str,
    data: dict[str, Any],
    *,
    follow: bool = False,
) -> ClientResponse:
    if not path.startswith("/staff/"):
        path = "/staff" + path
    return await client.post(path, data={**data, "_csrf": token_of(client)}, allow_redirects=follow)


@pytest.fixture
def post() -> Callable[..., Awaitable[ClientResponse]]:
    """`post_form` as a fixture, for tests that prefer not to import it."""
    return post_form
