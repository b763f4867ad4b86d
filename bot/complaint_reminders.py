"""The daily overdue-complaint reminder and the handoff wait limit, as a runner of `motcua run`.

It wakes every minute: handoffs nobody took in MOTCUA_HANDOFF_WAIT_MINUTES
become a call-back offer to the citizen; once the local reminder hour has passed on a
working day it queues the reminder (handlers.feedback_core.remind_overdue
makes sure that happens once a day even with several workers). The outbox
sender loop delivers it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.periodic import PeriodicRunner, serves_a_channel
from handlers.feedback_core import make_office, remind_overdue
from handlers.handoff import expire_waiting

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


class ReminderRunner(PeriodicRunner):
    name = "complaint-reminders"
    what = "overdue reminder (will retry)"
    log = log

    def __init__(self, app: App, interval: float = 60.0) -> None:
        super().__init__(app, interval)

    async def tick(self) -> int | None:
        """One check: expire unanswered handoffs; queue today's reminder if it is time and not done yet."""
        services = self.app.services
        now = services.clock()
        settings = self.app.settings
        from zoneinfo import ZoneInfo

        async with services.db.session() as db:
            expired = await expire_waiting(db, now, settings.handoff_wait_minutes)
            await db.commit()
        if expired:
            log.info("%d handoffs nobody took were turned into call-back offers", expired)
        if now.astimezone(ZoneInfo(settings.timezone)).hour < settings.reminder_hour:
            return None
        office = make_office(services.staff, services.settings, services.knowledge.kb.locality)
        async with services.db.session() as db:
            count = await remind_overdue(db, office, now)
            await db.commit()
        if count:
            log.info("queued the overdue reminder: %d complaints", count)
        return count


def reminder_runner(app: App) -> ReminderRunner | None:
    """The reminder worker, when some channel is configured (its messages need one to go out)."""
    if not serves_a_channel(app.settings):
        return None
    return ReminderRunner(app)
