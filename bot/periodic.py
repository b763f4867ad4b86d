"""A background job of `motcua run` that wakes at an interval (reminders, the retention purge).

Both kinds of job need the same things: a task started and cancelled with the
process, failures logged once per distinct error per minute (a database outage
must not print a traceback every interval), and to run only where a channel is
configured, since what they queue needs a channel to go out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from aiohttp import web

from storage.error_log import ErrorLog

if TYPE_CHECKING:
    from bot.app import App
    from bot.config import Settings


def serves_a_channel(settings: Settings) -> bool:
    return bool(settings.telegram_token or settings.zalo_oa_app_id or settings.zalo_bot_token)


class PeriodicRunner:
    """Subclasses set `name`, `what` (for the log) and `log`, and implement `tick`."""

    name = "periodic"
    what = "periodic job (will retry)"
    is_channel = False
    log = logging.getLogger(__name__)

    def __init__(self, app: App, interval: float) -> None:
        self.app = app
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    def add_routes(self, web_app: web.Application) -> None:
        return None

    async def tick(self) -> object:
        raise NotImplementedError

    async def _loop(self) -> None:
        errors = ErrorLog(self.log)
        while True:
            try:
                await self.tick()
            except Exception as exc:
                errors.failed(self.what, exc)
            else:
                errors.succeeded(self.what)
            await asyncio.sleep(self.interval)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
