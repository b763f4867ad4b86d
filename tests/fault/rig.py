"""One app with all three webhooks (Telegram, Zalo OA, Zalo Bot) served on 127.0.0.1 against
the fake platforms, plus what the fault tests and `benchmarks/fault_db.py` count.

Everything goes through the real handlers: the HTTP route, the secret or signature
check, parsing, the dispatcher and the database, and the send back to the fake.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.app import App, build_app
from bot.channels.telegram import SECRET_HEADER, TelegramRunner
from bot.channels.zalo_bot import ZaloBotRunner
from bot.channels.zalo_oa import ZaloOARunner
from bot.channels.zalo_tokens import TokenPair, save_pair
from tests.conftest import FIXTURE_KB, make_settings
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo_bot import FakeZaloBot
from tests.fake_zalo_oa import FakeZaloOA

TG_SECRET = "fault_secret-1"
BOT_SECRET = "fault-bot-secret-1"


# The adapters' deliberate catch-alls for an update that does not fit the platform's own
# types (an integer where Telegram promises a string, a date past the year 9999): logged
# with the update and acknowledged, so the platform does not re-send it. Counted apart.
UNREADABLE = ("cannot read telegram update", "could not read telegram update", "unreadable Zalo")


class Tracebacks(logging.Handler):
    """Log records with a traceback: `records` are unhandled exceptions, `unreadable` the
    adapters' deliberate refusals of updates that break the platform's types."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.unreadable: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.levelno > logging.DEBUG:
            if str(record.msg).startswith(UNREADABLE):
                self.unreadable.append(record)
            else:
                self.records.append(record)

    def summary(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()[:160]}" for r in self.records]

    def kinds(self, unreadable: bool = False) -> dict[str, int]:
        """How many of each (logger, exception type, where it was raised)."""
        out: dict[str, int] = {}
        for r in self.records if not unreadable else self.unreadable:
            assert r.exc_info and r.exc_info[1] is not None
            tb = r.exc_info[2]
            while tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
            where = (
                f"{tb.tb_frame.f_code.co_filename.split('site-packages/')[-1]}:{tb.tb_lineno}" if tb else "?"
            )
            key = f"{r.name} {type(r.exc_info[1]).__name__} at {where}"
            out[key] = out.get(key, 0) + 1
        return out


@dataclass
class Rig:
    app: App
    tg: FakeTelegram
    oa: FakeZaloOA
    zbot: FakeZaloBot
    base: str
    runners: list[Any]
    web_runner: web.AppRunner
    http: aiohttp.ClientSession
    tracebacks: Tracebacks
    loop_errors: list[dict[str, Any]] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    # -------------------------------------------------------------- posting
    async def _post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        async with self.http.post(self.base + path, data=body, headers=headers) as resp:
            await resp.read()
            self.statuses[resp.status] = self.statuses.get(resp.status, 0) + 1
            return resp.status

    async def post_telegram(self, body: bytes) -> int:
        headers = {SECRET_HEADER: TG_SECRET, "Content-Type": "application/json"}
        return await self._post("/tg/hook", body, headers)

    async def post_oa(self, body: bytes, *, timestamp: str | None = None) -> int:
        """Signed like Zalo signs (the timestamp is the body's own when it has one)."""
        if timestamp is None:
            try:
                parsed = json.loads(body)
                timestamp = str(parsed.get("timestamp", "")) if isinstance(parsed, dict) else ""
            except (ValueError, RecursionError):
                timestamp = ""
        headers = {"X-ZEvent-Signature": self.oa.sign(body, timestamp), "Content-Type": "application/json"}
        return await self._post(self.app.settings.zalo_oa_webhook_path, body, headers)

    async def post_zalo_bot(self, body: bytes) -> int:
        headers = {"X-Bot-Api-Secret-Token": BOT_SECRET, "Content-Type": "application/json"}
        return await self._post("/hook/zalo", body, headers)

    # -------------------------------------------------------------- bodies
    def telegram_text(self, uid: int, text: str, name: str = "Người dùng") -> bytes:
        self.tg.user(uid, first_name=name)
        update = {"update_id": self.tg._next_update, **self.tg.text_update(uid, text)}
        self.tg._next_update += 1
        return json.dumps(update, ensure_ascii=False).encode()

    def telegram_press(self, uid: int, data: str) -> bytes:
        self.tg.user(uid)
        message = self.tg._user_message(uid, None, text="x")
        query = {
            "id": str(time.monotonic_ns()),
            "from": self.tg.user(uid),
            "message": {**message, "from": self.tg._bot_user()},
            "chat_instance": f"ci-{uid}",
            "data": data,
        }
        update = {"update_id": self.tg._next_update, "callback_query": query}
        self.tg._next_update += 1
        return json.dumps(update, ensure_ascii=False).encode()

    def oa_text(self, user: str, text: str) -> bytes:
        event = self.oa.text_event(user, text)
        self.oa.interactions[user] = self.oa.now()
        return json.dumps(event, ensure_ascii=False).encode()

    def zalo_bot_text(self, chat: str, text: str, name: str = "Nguyễn Văn A") -> bytes:
        update = self.zbot.update(chat, text)
        update["message"]["from"]["display_name"] = name
        return json.dumps({"ok": True, "result": update}, ensure_ascii=False).encode()

    # -------------------------------------------------------------- waiting
    async def idle(self, within: float = 30.0) -> None:
        """Until every accepted update is handled and its replies sent."""
        deadline = time.monotonic() + within
        tg_runner, oa_runner, bot_runner = self.runners
        await tg_runner.drain(max(0.1, deadline - time.monotonic()))
        await asyncio.wait_for(oa_runner.queue.idle(), max(0.1, deadline - time.monotonic()))
        await asyncio.wait_for(bot_runner.queue.idle(), max(0.1, deadline - time.monotonic()))

    async def readyz(self) -> tuple[int, float]:
        began = time.perf_counter()
        async with self.http.get(self.base + "/readyz") as resp:
            await resp.read()
            return resp.status, time.perf_counter() - began

    async def healthz(self) -> tuple[int, float]:
        began = time.perf_counter()
        async with self.http.get(self.base + "/healthz") as resp:
            await resp.read()
            return resp.status, time.perf_counter() - began

    async def close(self) -> None:
        logging.getLogger().removeHandler(self.tracebacks)
        for runner in reversed(self.runners):
            await runner.stop()
        await self.web_runner.cleanup()
        await self.http.close()
        await self.app.close()
        for fake in (self.tg, self.oa, self.zbot):
            await fake.stop()


class _OldHealth:
    """For measuring the baseline (a checkout without bot/health.py): its one `/healthz`,
    `SELECT 1` on the shared pool, served as both endpoints."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.started: set[str] = set()

    def add_routes(self, web_app: web.Application) -> None:
        async def health(_request: web.Request) -> web.Response:
            try:
                await self.app.db.ping()
            except Exception:
                return web.json_response({"status": "database unavailable"}, status=503)
            return web.json_response({"status": "ok"})

        web_app.router.add_get("/healthz", health)
        web_app.router.add_get("/readyz", health)


def _health(app: App, runners: list[Any]) -> Any:
    if not hasattr(app.db, "check_writable"):  # the baseline's code (bot.health may still import)
        return _OldHealth(app)
    from bot.health import Health

    return Health(app, runners)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start_rig(tmp_path: Path, database_url: str = "", **extra: Any) -> Rig:
    """All three channels in webhook mode on one port, on the fixture knowledge base."""
    tg, oa, zbot = FakeTelegram(), FakeZaloOA(), FakeZaloBot()
    await tg.start()
    await oa.start()
    await zbot.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = make_settings(
        tmp_path,
        database_url=database_url,
        knowledge_dir=FIXTURE_KB,
        telegram_token=tg.token,
        telegram_api_url=tg.api_url,
        telegram_webhook_url=f"{base}/tg/hook",
        telegram_webhook_secret=TG_SECRET,
        telegram_shutdown_grace=5,
        zalo_oa_app_id=oa.app_id,
        zalo_oa_secret_key=oa.oa_secret_key,
        zalo_oa_app_secret=oa.app_secret,
        zalo_oa_api_url=oa.url,
        zalo_oauth_url=oa.url,
        zalo_bot_token=zbot.token,
        zalo_bot_api_url=zbot.api_url,
        zalo_bot_webhook_url=f"{base}/hook/zalo",
        zalo_bot_webhook_secret=BOT_SECRET,
        **extra,
    )
    app = await build_app(settings)
    app.services.clock = oa.now
    access, refresh, lifetime = oa.issue_pair()
    await save_pair(app.db, TokenPair(access, refresh, oa.now() + dt.timedelta(seconds=lifetime)))

    async def quick(seconds: float) -> None:
        await asyncio.sleep(min(seconds, 0.01))

    runners: list[Any] = [
        TelegramRunner(app, sleep=quick),
        ZaloOARunner(app, sleep=quick),
        ZaloBotRunner(app),
    ]
    web_app = web.Application(client_max_size=1024 * 1024)
    health = _health(app, runners)
    health.add_routes(web_app)
    for runner in runners:
        runner.add_routes(web_app)
    web_runner = web.AppRunner(web_app, access_log=None)
    await web_runner.setup()
    await web.TCPSite(web_runner, "127.0.0.1", port).start()
    for runner in runners:
        await runner.start()
        health.started.add(runner.name)
    tracebacks = Tracebacks()
    logging.getLogger().addHandler(tracebacks)
    rig = Rig(app, tg, oa, zbot, base, runners, web_runner, aiohttp.ClientSession(), tracebacks)
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: rig.loop_errors.append(context))
    for _ in range(300):  # the Zalo Bot registers its webhook in the background
        if zbot.webhook_url:
            break
        await asyncio.sleep(0.01)
    return rig
