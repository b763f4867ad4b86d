"""The runner's side of the update journal (storage/models_telegram.py).

Why a journal and not "confirm after handling": Telegram confirms by offset,
so one slow chat would hold back the confirmation of everything behind it,
and after a crash every unconfirmed update would come back, handled or not.
Writing a batch to the database before the offset moves costs one statement
per getUpdates (or per webhook request) and makes the guarantee simple: what
Telegram was told we have, the database has, until it is handled.

Done marks are written in the background, coalesced: while one write runs the
next ones gather. The duplicates a `kill -9` can cause are the updates being
handled at that instant plus those whose done mark was not written yet.

When the database cannot be written the runner still handles updates (the
citizen at least gets the apology) and de-duplicates in memory; it says so in
the log once per distinct error.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
from collections.abc import Sequence

from storage import telegram_updates as tu
from storage.db import Database
from storage.models import utcnow

log = logging.getLogger("bot.channels.telegram")

KEEP = dt.timedelta(days=2)  # Telegram keeps unconfirmed updates for 24 hours


class UpdateJournal:
    """Takes updates (first time only, across workers), marks them done, finds orphans."""

    TAKE_ATTEMPTS = 5  # recording a batch, when the pool had no connection but others got one

    def __init__(self, db: Database, *, lease: float, worker_id: str | None = None) -> None:
        self.db = db
        self.lease = lease
        self.worker_id = worker_id or f"{socket.gethostname()[:40]}:{os.getpid()}:{id(self) % 10000}"
        self.bot_id = 0
        self._done: list[int] = []
        self._flusher: asyncio.Task[None] | None = None
        self._last_error = ""

    def _warn(self, what: str, exc: BaseException) -> None:
        """One log line per distinct failure, not one per update."""
        key = f"{what}: {type(exc).__name__}: {exc}"
        if key != self._last_error:
            self._last_error = key
            log.error("telegram update journal: cannot %s (%s: %s)", what, type(exc).__name__, exc)

    def _ok(self) -> None:
        if self._last_error:
            log.warning("telegram update journal: the database is writable again")
            self._last_error = ""

    async def take(self, updates: Sequence[tuple[int, str]]) -> set[int] | None:
        """Record updates (id, JSON); the ids new to every worker, or None if the database failed.

        Webhook requests arrive up to setWebhook's max_connections at once: each takes one of
        the conversations' database slots, so together they never exhaust the pool; one that
        found no pooled connection while others went through tries again, since an update
        not recorded is one a `kill -9` could lose after Telegram was told it arrived.
        """
        if not updates:
            return set()
        slots = self.db.handler_slots
        failure: Exception | None = None
        for _ in range(self.TAKE_ATTEMPTS):
            async with slots.slot() as trouble:
                try:
                    async with self.db.session() as s:
                        new = await tu.take(s, self.bot_id, updates, self.worker_id, utcnow())
                        await s.commit()
                except Exception as exc:
                    failure = exc
                else:
                    self._ok()
                    return new
            if not trouble.starved or slots.failing():
                break
        assert failure is not None
        self._warn("record updates", failure)
        return None

    def done(self, update_id: int) -> None:
        """Mark an update handled (written in the background, coalesced with others)."""
        self._done.append(update_id)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_loop())

    async def _flush_loop(self) -> None:
        while self._done:
            batch, self._done = self._done, []
            try:
                async with self.db.session() as s:
                    await tu.mark_done(s, self.bot_id, batch)
                    await s.commit()
                self._ok()
            except Exception as exc:
                # the rows stay pending: handled again after the lease (a duplicate, never a loss)
                self._warn("mark updates done", exc)
                return

    async def flush(self) -> None:
        """Write the done marks still waiting (at shutdown)."""
        if self._flusher is not None:
            await asyncio.gather(self._flusher, return_exceptions=True)
        if self._done:
            await self._flush_loop()

    async def orphans(self, *, everything: bool, limit: int) -> list[tuple[int, str]]:
        """Pending updates whose worker is gone: all of them (long polling has one poller),
        or those whose claim is older than the lease (webhook workers)."""
        now = utcnow()
        older_than = now + dt.timedelta(seconds=1) if everything else now - dt.timedelta(seconds=self.lease)
        try:
            async with self.db.session() as s:
                taken = await tu.claim_stale(
                    s, self.bot_id, self.worker_id, older_than=older_than, now=now, limit=limit
                )
                await s.commit()
        except Exception as exc:
            self._warn("look for updates left by a stopped worker", exc)
            return []
        return taken

    async def renew(self, update_ids: Sequence[int]) -> None:
        try:
            async with self.db.session() as s:
                await tu.renew(s, self.bot_id, self.worker_id, update_ids, utcnow())
                await s.commit()
        except Exception as exc:
            self._warn("renew the claim on updates in progress", exc)

    async def prune(self) -> None:
        try:
            async with self.db.session() as s:
                await tu.prune(s, utcnow() - KEEP)
                await s.commit()
        except Exception as exc:
            self._warn("prune old updates", exc)
