"""The delivery worker: claims due outbox rows and records each outcome.

The outcome of a send is decided by the channel sender's errors (see the
package docstring); this module owns the claim/lease/release cycle around it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.channels.base import (
    ChannelSender,
    OutsideWindow,
    PermanentError,
    RateLimited,
    TransientError,
    Unreachable,
)
from bot.outbox_sender.broadcast_monitor import BroadcastMonitor
from bot.outbox_sender.budget import ChatRules, Priority, SendBudget
from bot.outbox_sender.rate_limit import Clock, RealClock, as_datetime
from handlers import observe
from handlers.serialize import replies_from_payload, template_of
from storage import outbox as ob
from storage.db import Database
from storage.error_log import ErrorLog
from storage.models import Outbox

if TYPE_CHECKING:
    from bot.config import Settings

# One logger name for the whole outbox sender, as before the split: log filters keep matching.
log = logging.getLogger("motcua.outbox")


@dataclass(frozen=True)
class SenderConfig:
    rate: float = 25.0
    concurrency: int = 8
    lease_seconds: float = 60.0
    max_attempts: int = 6
    backoff_seconds: float = 2.0
    backoff_max_seconds: float = 600.0
    per_chat_seconds: float = 1.0
    poll_seconds: float = 1.0
    progress_seconds: float = 5.0
    stop_grace_seconds: float = 10.0

    @property
    def batch(self) -> int:
        """Rows claimed at once: about two seconds of sending, at least one per concurrent task."""
        return max(self.concurrency * 2, int(self.rate * 2))

    @classmethod
    def from_settings(cls, settings: Settings, channel: str) -> SenderConfig:
        return cls(
            rate=settings.outbox_rate_for(channel),
            concurrency=settings.outbox_concurrency,
            lease_seconds=settings.outbox_lease_seconds,
            max_attempts=settings.outbox_max_attempts,
            backoff_seconds=settings.outbox_backoff_seconds,
            backoff_max_seconds=settings.outbox_backoff_max_seconds,
            per_chat_seconds=settings.outbox_per_chat_seconds,
            poll_seconds=settings.outbox_poll_seconds,
            progress_seconds=settings.broadcast_progress_seconds,
        )


@dataclass
class Stats:
    sent: int = 0
    rate_limited: int = 0  # 429s received (and handled by waiting)
    unreachable: int = 0
    skipped: int = 0
    waiting: int = 0
    templated: int = 0  # sent as a channel template because the normal message was outside the window
    failed: int = 0
    retried: int = 0
    cancelled: int = 0


class OutboxWorker:
    """Delivers the outbox rows of one channel until stopped."""

    def __init__(
        self,
        db: Database,
        sender: ChannelSender,
        config: SenderConfig | None = None,
        *,
        clock: Clock | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.db = db
        self.sender = sender
        self.channel = sender.channel
        self.config = config or SenderConfig()
        self.clock = clock or RealClock()
        self.worker_id = worker_id or f"{socket.gethostname()[:40]}:{os.getpid()}:{id(self) % 10000}"
        # The channel runner's budget when the sender has one (live replies of this process
        # come first in it); otherwise one of our own on the same ledger row as every worker.
        shared: SendBudget | None = getattr(sender, "budget", None)
        self.budget = shared or SendBudget.on_database(
            db,
            getattr(sender, "budget_key", self.channel),
            self.config.rate,
            self.clock,
            ChatRules(interval=self.config.per_chat_seconds),
        )
        self.limiter = self.budget.slots
        self.stats = Stats()
        self.errors = ErrorLog(log)  # one line per distinct error per minute during an outage
        self.monitor = BroadcastMonitor(self)
        self._held: dict[int, Outbox] = {}
        self._busy: set[int] = set()
        self._cancelled: set[str] = set()
        self._cancel_checked = 0.0
        self._stop = asyncio.Event()

    def now(self) -> dt.datetime:
        return as_datetime(self.clock.time())

    # --- the loop --------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        """Claim and deliver until stop(); a clean stop gives unsent claims back."""
        queue: asyncio.Queue[Outbox | None] = asyncio.Queue()
        consumers = [asyncio.create_task(self._consume(queue)) for _ in range(self.config.concurrency)]
        side = [asyncio.create_task(self._heartbeat()), asyncio.create_task(self.monitor.run(self._stop))]
        try:
            while not self._stop.is_set():
                room = self.config.batch - queue.qsize()
                got = 0
                if room >= self.config.batch // 2:
                    try:
                        rows = await self._claim(room)
                        self.errors.succeeded(f"outbox claim on {self.channel}")
                    except Exception as exc:
                        self.errors.failed(f"outbox claim on {self.channel}", exc)
                        rows = []
                    for row in rows:
                        self._held[row.id] = row
                        queue.put_nowait(row)
                    got = len(rows)
                if got == 0 or queue.qsize() >= self.config.batch // 2:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._stop.wait(), self._idle_wait(queue))
        finally:
            # stop claiming; rows not started go back; rows being sent finish and are marked
            unsent: list[int] = []
            while not queue.empty():
                left = queue.get_nowait()
                if left is not None:
                    unsent.append(left.id)
            for _ in consumers:
                queue.put_nowait(None)
            _done, late = await asyncio.wait(consumers, timeout=self.config.stop_grace_seconds)
            for task in [*late, *side]:
                task.cancel()
            await asyncio.gather(*consumers, *side, return_exceptions=True)
            unsent += [i for i in self._held if i not in self._busy]
            try:
                async with self.db.session() as s:
                    await ob.release(s, self.worker_id, unsent)
            except Exception:
                log.warning("could not release %d claimed rows; they return after the lease", len(unsent))

    def _idle_wait(self, queue: asyncio.Queue[Outbox | None]) -> float:
        if queue.qsize():
            return max(0.05, min(self.config.poll_seconds, queue.qsize() / self.config.rate / 2))
        return self.config.poll_seconds

    async def _claim(self, limit: int) -> list[Outbox]:
        async with self.db.session() as s:
            return await ob.claim(
                s,
                self.channel,
                self.worker_id,
                limit=limit,
                lease_seconds=self.config.lease_seconds,
                now=self.now(),
            )

    async def drain(self, max_rounds: int = 1000) -> Stats:
        """Deliver everything due now, then return (tests and one-shot CLI runs)."""
        sem = asyncio.Semaphore(self.config.concurrency)

        async def one(row: Outbox) -> None:
            async with sem:
                await self._deliver_guarded(row)

        for _ in range(max_rounds):
            rows = await self._claim(self.config.batch)
            if not rows:
                break
            for row in rows:
                self._held[row.id] = row
            await asyncio.gather(*(one(r) for r in rows))
        await self.monitor.tick()
        return self.stats

    async def _consume(self, queue: asyncio.Queue[Outbox | None]) -> None:
        while True:
            row = await queue.get()
            if row is None:
                return
            await self._deliver_guarded(row)

    async def _heartbeat(self) -> None:
        """Renew the leases of rows still held, so a long 429 pause never hands them to another worker."""
        while True:
            await asyncio.sleep(max(0.5, self.config.lease_seconds / 3))
            try:
                async with self.db.session() as s:
                    await ob.renew_lease(s, self.worker_id, list(self._held), self.now())
            except Exception as exc:
                self.errors.failed("outbox lease renewal", exc)
            else:
                self.errors.succeeded("outbox lease renewal")

    async def _deliver_guarded(self, row: Outbox) -> None:
        self._busy.add(row.id)
        started = time.perf_counter()
        try:
            status = await self.deliver(row)
            observe.emit(
                "delivery", channel=self.channel, status=status, seconds=time.perf_counter() - started
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # the database went away while marking: the lease brings the row back later
            self.errors.failed("outbox row completion (the lease brings rows back)", exc)
        finally:
            self._busy.discard(row.id)
            self._held.pop(row.id, None)

    async def _is_cancelled(self, row: Outbox) -> bool:
        if row.kind != ob.KIND_BROADCAST or not row.ref:
            return False
        now = self.clock.time()
        if now - self._cancel_checked >= 1.0:
            refs = {r.ref for r in self._held.values() if r.kind == ob.KIND_BROADCAST and r.ref}
            async with self.db.session() as s:
                self._cancelled = await ob.cancelled_refs(s, refs | {row.ref})
            self._cancel_checked = now
        return row.ref in self._cancelled

    async def deliver(self, row: Outbox) -> str:
        """Send one row and record the outcome; returns the row's new status."""
        if await self._is_cancelled(row):
            self.stats.cancelled += 1
            return "cancelled"  # cancel_broadcast already marked it
        try:
            replies = replies_from_payload(row.payload)
            if not replies:
                raise ValueError("empty payload")
        except Exception as exc:
            return await self._finish(row, "failed", f"unreadable payload: {exc}")
        cost = sum(1 + (1 if r.photo else 0) for r in replies)  # Bot API calls this row makes
        while True:
            await self.budget.acquire(row.platform_id, Priority.BULK, cost)
            try:
                message_id = await self.sender.send(row.platform_id, replies)
            except RateLimited as exc:
                self.stats.rate_limited += 1
                observe.emit("rate_limited", channel=self.channel)
                log.warning("%s: 429, waiting %.1fs", self.channel, exc.retry_after)
                await self.budget.pause(max(exc.retry_after, 0.1))
                continue
            except Unreachable as exc:
                return await self._unreachable(row, exc)
            except OutsideWindow as exc:
                if row.kind in ob.HELD_KINDS:
                    return await self._outside_window(row, str(exc) or "outside window")
                return await self._finish(row, "skipped", str(exc) or "outside the interaction window")
            except PermanentError as exc:
                return await self._finish(row, "failed", str(exc) or "rejected by the platform")
            except (TransientError, OSError, TimeoutError) as exc:
                return await self._transient(row, f"{type(exc).__name__}: {exc}")
            except Exception as exc:  # a sender bug must not kill the loop; retry like a transient error
                log.exception("%s sender raised unexpectedly for row %s", self.channel, row.id)
                return await self._transient(row, f"{type(exc).__name__}: {exc}")
            async with self.db.session() as s:
                await ob.mark_sent(s, row.id, message_id, self.now())
                await s.commit()
            self.stats.sent += 1
            return "sent"

    async def _unreachable(self, row: Outbox, exc: Unreachable) -> str:
        """The person blocked the bot or left: the row and the person's channel are marked so."""
        async with self.db.session() as s:
            await ob.mark_row_unreachable(s, row, str(exc) or "unreachable")
            await s.commit()
        self.stats.unreachable += 1
        return "unreachable"

    async def _outside_window(self, row: Outbox, reason: str) -> str:
        """A message the citizen is owed (a complaint answer, a followed dossier's new state).

        Sent as the channel's approved template when the row carries its values and one
        is configured (Zalo's ZBS Template Message); otherwise, or when the template is
        refused, it waits until the citizen writes again, as complaint answers always did.
        """
        template = template_of(row.payload)
        send_template = getattr(self.sender, "send_template", None)
        if template is not None and send_template is not None:
            try:
                message_id = await send_template(row.platform_id, *template)
            except OutsideWindow as exc:
                reason = str(exc) or reason  # no template for this purpose
            except Unreachable as exc:
                return await self._unreachable(row, exc)
            except (RateLimited, TransientError, OSError, TimeoutError) as exc:
                return await self._transient(row, f"template: {type(exc).__name__}: {exc}")
            except PermanentError as exc:
                log.warning(
                    "%s: template refused for an outbox row of kind %s: %s", self.channel, row.kind, exc
                )
                reason = f"template refused: {exc}"
            else:
                async with self.db.session() as s:
                    await ob.mark_sent(s, row.id, message_id, self.now())
                    await s.commit()
                self.stats.sent += 1
                self.stats.templated += 1
                return "sent"
        async with self.db.session() as s:
            await ob.mark_waiting(s, row.id, reason, self.now())
            await s.commit()
        self.stats.waiting += 1
        return "waiting"

    async def _finish(self, row: Outbox, status: str, reason: str) -> str:
        async with self.db.session() as s:
            await ob.mark_final(s, row.id, status, reason)
            await s.commit()
        setattr(self.stats, status, getattr(self.stats, status) + 1)
        return status

    async def _transient(self, row: Outbox, reason: str) -> str:
        attempts = (row.attempts or 0) + 1
        if attempts >= self.config.max_attempts:
            return await self._finish(row, "failed", f"gave up after {attempts} attempts: {reason}")
        delay = min(self.config.backoff_max_seconds, self.config.backoff_seconds * 2 ** (attempts - 1))
        async with self.db.session() as s:
            await ob.mark_retry(
                s, row.id, not_before=as_datetime(self.clock.time() + delay), error=reason, count_attempt=True
            )
            await s.commit()
        self.stats.retried += 1
        return "pending"
