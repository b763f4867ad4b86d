"""The daily overdue-complaint reminder, as a runner of `motcua run`.

It wakes every few minutes; once the local reminder hour has passed on a
working day it queues the reminder (handlers.feedback_core.remind_overdue
makes sure that happens once a day even with several workers). The outbox
sender loop delivers it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from aiohttp import web

from handlers.feedback_core import make_office, remind_overdue

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


class ReminderRunner:
    name = "complaint-reminders"
    is_channel = False

    def __init__(self, app: App, interval: float = 300.0) -> None:
        self.app = app
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    def add_routes(self, web_app: web.Application) -> None:
        return None

    async def tick(self) -> int | None:
        """One check: queue today's reminder if it is time and not done yet."""
        services = self.app.services
        now = services.clock()
        settings = services.settings
        from zoneinfo import ZoneInfo

        if now.astimezone(ZoneInfo(settings.timezone)).hour < settings.reminder_hour:
            return None
        office = make_office(services.staff, settings, services.knowledge.kb.locality)
        async with services.db.session() as db:
            count = await remind_overdue(db, office, now)
            await db.commit()
        if count:
            log.info("queued the overdue reminder: %d complaints", count)
        return count

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("overdue reminder failed; will retry")
            await asyncio.sleep(self.interval)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def reminder_runner(app: App) -> ReminderRunner:
    return ReminderRunner(app)
