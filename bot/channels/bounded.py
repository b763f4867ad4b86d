"""Every channel's way into the dispatcher: no more conversations at the database than its pool serves.

Without a bound, a burst (64 Telegram updates in flight, a Zalo broadcast answered by
thousands) met a pool of 20 connections; the rest waited, gave up and got the apology,
and the message was confirmed unhandled. `storage.db.HandlerSlots` holds them back
instead, and a conversation that still got no pooled connection never reached the
database, so it is handled again, as long as other conversations end well meanwhile
(the database is busy, not stalled); a stalled database gets the apology.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from handlers.messages import Incoming, Reply, log_id

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

STARVED_RETRIES = 5  # a conversation that got no pooled connection is handled again this often


class StarvedCount:
    """How many conversations were handled again after the pool had no connection (for tests, benchmarks)."""

    def __init__(self) -> None:
        self.value = 0


async def dispatch_bounded(app: App, incoming: Incoming, starved: StarvedCount | None = None) -> list[Reply]:
    """The dispatcher's replies to one message, within the database's handler slots."""
    slots = app.db.handler_slots
    replies: list[Reply] = []
    for attempt in range(STARVED_RETRIES + 1):
        async with slots.slot() as trouble:
            replies = await app.dispatcher.handle(incoming)
        if not trouble.starved or attempt == STARVED_RETRIES or slots.failing():
            return replies
        if starved is not None:
            starved.value += 1
        log.warning(
            "%s message from %s found no free database connection; handling it again",
            incoming.channel,
            log_id(incoming.user_key),
        )
    return replies
