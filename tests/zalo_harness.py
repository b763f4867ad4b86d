"""Shared set-up for the Zalo tests: the app, a fake platform, and the adapter's
webhook served on 127.0.0.1, so every test drives real HTTP both ways."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from bot.app import App, build_app
from handlers.context import Context
from handlers.flow import Flow, Kind, Run
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


class _Step(StrEnum):
    WAITING = "waiting"


class _NoData(BaseModel):
    pass


class Recorder:
    """A stand-in complaint flow: records what the citizen sends so tests can see
    that photos, locations and shared contacts reach the handlers intact."""

    def __init__(self) -> None:
        self.seen: list[Incoming] = []
        self.flow: Flow[_Step, _NoData] = Flow("complaint_test", _Step, _NoData, cancelled="Đã hủy.")
        self.flow.on(_Step.WAITING, *Kind)(self.step)

    def install(self, app: App) -> None:
        router = app.services.router
        router.command("phananhthu", self.start, "test complaint")
        router.flow(self.flow)

    async def start(self, ctx: Context, msg: Incoming) -> list[Reply]:
        self.flow.start(ctx, _Step.WAITING)
        return [Reply("Xin mời gửi ảnh, vị trí và thông tin liên hệ.", request_contact=True)]

    async def step(self, ctx: Context, msg: Incoming, run: Run[_Step, _NoData]) -> list[Reply] | None:
        self.seen.append(msg)
        if msg.contact is not None:
            run.end(ctx)
            return [Reply(f"Đã ghi nhận phản ánh, liên hệ {msg.contact.phone}.")]
        return [Reply("Đã nhận.")]


def days_ago(days: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(days=days)


Sleep = Callable[[float], Awaitable[None]]
