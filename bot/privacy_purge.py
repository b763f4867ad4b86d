"""The daily retention purge as a runner of `motcua run` (like bot/complaint_reminders.py).

It wakes every hour; once the local MOTCUA_PRIVACY_PURGE_HOUR has passed it runs
handlers.privacy_purge.purge_once_today, which claims the day in feedback_jobs so
several workers purge once. Logs say how many rows each registration changed,
never whose.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.periodic import PeriodicRunner, serves_a_channel
from handlers.privacy_purge import purge_once_today

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


class PurgeRunner(PeriodicRunner):
    name = "privacy-purge"
    what = "retention purge (will retry)"
    log = log

    def __init__(self, app: App, interval: float = 3600.0) -> None:
        super().__init__(app, interval)

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


def purge_runner(app: App) -> PurgeRunner | None:
    """With every deployment that serves a channel (`motcua run` needs one); else none."""
    if not serves_a_channel(app.settings):
        return None
    return PurgeRunner(app)
