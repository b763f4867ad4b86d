"""The daily retention purge as a runner of `motcua run` (like bot/complaint_reminders.py).

It wakes every hour; once the local MOTCUA_PRIVACY_PURGE_HOUR has passed it runs
handlers.privacy_purge.purge_once_today, which claims the day in feedback_jobs so
several workers purge once. Logs say how many rows each registration changed,
never whose.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from aiohttp import web

from handlers.privacy_purge import purge_once_today

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


class PurgeRunner:
    name = "privacy-purge"
    is_channel = False

    def __init__(self, app: App, interval: float = 3600.0) -> None:
        self.app = app
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    def add_routes(self, web_app: web.Application) -> None:
        return None

    async def tick(self) -> dict[str, int] | None:
        """Purge if it is past the purge hour and nobody purged today yet."""
        services = self.app.services
        now = services.clock()
        tz = services.settings.timezone
        if now.astimezone(ZoneInfo(tz)).hour < self.app.settings.privacy_purge_hour:
            return None
        async with services.db.session() as db:
            done = await purge_once_today(db, services.router, now, services.settings.retention, tz)
            await db.commit()
        if done:
            log.info("retention purge: %s", ", ".join(f"{k}={v}" for k, v in done.items()))
        return done

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("retention purge failed; will retry")
            await asyncio.sleep(self.interval)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def purge_runner(app: App) -> PurgeRunner | None:
    """With every deployment that serves a channel (`motcua run` needs one); else none."""
    s = app.settings
    if not (s.telegram_token or s.zalo_oa_app_id or s.zalo_bot_token):
        return None
    return PurgeRunner(app)
