"""Shared set-up for the Zalo tests: the app, a fake platform, and the adapter's
webhook served on 127.0.0.1, so every test drives real HTTP both ways."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.app import App, build_app
from handlers.context import Context
from handlers.messages import Incoming, Reply
from tests.conftest import FIXTURE_KB, make_settings


async def serve(routes: Callable[[web.Application], None]) -> tuple[web.AppRunner, str]:
    """Serve the adapter's routes on a free local port; returns (runner, base URL)."""
    web_app = web.Application()
    routes(web_app)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


async def zalo_app(tmp_path: Path, database_url: str = "", **settings: Any) -> App:
    return await build_app(
        make_settings(tmp_path, database_url=database_url, knowledge_dir=FIXTURE_KB, **settings)
    )


class Recorder:
    """A stand-in complaint flow: records what the citizen sends so tests can see
    that photos, locations and shared contacts reach the handlers intact."""

    def __init__(self) -> None:
        self.seen: list[Incoming] = []

    def install(self, app: App) -> None:
        router = app.services.router
        router.command("phananhthu", self.start, "test complaint")
        router.flow("complaint_test", self.step)

    async def start(self, ctx: Context, msg: Incoming) -> list[Reply]:
        ctx.set_flow("complaint_test")
        return [Reply("Xin mời gửi ảnh, vị trí và thông tin liên hệ.", request_contact=True)]

    async def step(self, ctx: Context, msg: Incoming) -> list[Reply] | None:
        self.seen.append(msg)
        if msg.contact is not None:
            ctx.clear_flow()
            return [Reply(f"Đã ghi nhận phản ánh, liên hệ {msg.contact.phone}.")]
        return [Reply("Đã nhận.")]


def days_ago(days: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(days=days)


Sleep = Callable[[float], Awaitable[None]]
