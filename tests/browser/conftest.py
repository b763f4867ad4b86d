"""Browser tests: a real Chromium (Debian's package) driven by Playwright against a real server.

Fixtures:
- `server` — the bot on a fresh SQLite database with the Telegram fake (tests/fake_telegram.py):
  every runner `motcua run` would start (Telegram long polling, outbox workers...) and the HTTP
  server assembled by `bot.commands.run.build_server` (so /staff/ is mounted as in production),
  on 127.0.0.1 with a free port. `server.base_url`, `server.bot` (the App), `server.fake`.
  Staff accounts: ADMIN_UID 9001 (admin) and STAFF_UID 9002 (staff), Telegram user ids.
- `browser` — a Chromium context with a fresh profile in the test's tmp_path.
- `signed_in_page(role="staff")` — a page signed in THROUGH Telegram: the staff member types
  /web to the bot in the fake, the page opens the link the bot sent and presses the confirm button.
- `screenshot(page, name)` — saves `name`.png under the test's tmp_path (returns the path).

The tests skip when /usr/bin/chromium is missing, unless MOTCUA_REQUIRE_BROWSER=1 (CI),
where they fail. Playwright never downloads a browser here: it is given the binary.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.app import App, build_app
from bot.commands.run import build_server
from bot.runners import Runner, runner_factories
from handlers import texts
from tests.conftest import FIXTURE_KB, make_settings
from tests.fake_telegram import FakeTelegram

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ADMIN_UID = 9001
STAFF_UID = 9002
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/staff/signin/[A-Za-z0-9_-]+)")


def _require_browser() -> None:
    if not CHROMIUM.exists():
        if os.environ.get("MOTCUA_REQUIRE_BROWSER") == "1":
            pytest.fail(
                "MOTCUA_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing (apt-get install chromium)"
            )
        pytest.skip("/usr/bin/chromium is not installed")
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.fail("playwright is not installed: pip install -e '.[test]'")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    bot: App
    fake: FakeTelegram
    base_url: str

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    _require_browser()
    fake = FakeTelegram()
    await fake.start()
    staff_file = tmp_path / "staff.txt"
    staff_file.write_text(f"telegram:{ADMIN_UID} admin Quản trị Một\ntelegram:{STAFF_UID} staff Cán bộ Hai\n")
    port = free_port()
    settings = make_settings(
        tmp_path,
        knowledge_dir=FIXTURE_KB,
        staff_file=staff_file,
        telegram_token=fake.token,
        telegram_api_url=fake.api_url,
        telegram_poll_timeout=1,
        telegram_shutdown_grace=5,
        outbox_poll_seconds=0.2,
        http_port=port,
        public_url=f"http://127.0.0.1:{port}",
    )
    bot = await build_app(settings)
    runners: list[Runner] = [r for r in (f(bot) for f in runner_factories()) if r is not None]
    web_app, _health = build_server(bot, runners)
    web_runner = web.AppRunner(web_app, access_log=None)
    await web_runner.setup()
    await web.TCPSite(web_runner, "127.0.0.1", port).start()
    started: list[Runner] = []
    try:
        for runner in runners:
            await runner.start()
            started.append(runner)
        yield Server(bot, fake, f"http://127.0.0.1:{port}")
    finally:
        for runner in reversed(started):
            await runner.stop()
        await web_runner.cleanup()
        await bot.close()
        await fake.stop()


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Any]:
    _require_browser()
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        context = await pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            locale="vi-VN",
            viewport={"width": 390, "height": 844},  # a phone first: the console must read there
        )
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            await context.close()


async def link_from_bot(server: Server, uid: int) -> str:
    """Type /web to the bot in Telegram (the fake) as `uid`; the link of its answer."""
    before = len(server.fake.messages_to(uid))
    await server.fake.send_text(uid, "/web")
    await server.fake.wait_for(lambda: len(server.fake.messages_to(uid)) > before, within=15)
    for message in server.fake.messages_to(uid)[before:]:
        found = LINK.search(message.get("text") or "")
        if found:
            return found.group(1)
    raise AssertionError("the bot sent no sign-in link")


@pytest.fixture
def signed_in_page(server: Server, browser: Any) -> Callable[..., Awaitable[Any]]:
    async def make(role: str = "staff") -> Any:
        uid = ADMIN_UID if role == "admin" else STAFF_UID
        link = await link_from_bot(server, uid)
        page = await browser.new_page()
        await page.goto(link)
        await page.get_by_role("button", name=texts.WEB_SIGNIN_CONFIRM_BUTTON).click()
        await page.wait_for_url(server.url("/staff/"))
        return page

    return make


@pytest.fixture
def screenshot(tmp_path: Path) -> Callable[[Any, str], Awaitable[Path]]:
    async def take(page: Any, name: str) -> Path:
        path = tmp_path / f"{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        return path

    return take


async def eventually(check: Callable[[], bool], within: float = 10.0) -> None:
    """Wait for a side effect another task produces (the outbox, the fake)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check():
        if loop.time() > deadline:
            raise AssertionError("the expected change did not happen in time")
        await asyncio.sleep(0.05)
