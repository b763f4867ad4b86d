"""The sender loop of one channel: takes due outbox rows and delivers them politely.

Politeness is per platform rules: one global rate per bot (Telegram allows
about 30 messages/s; we default to 25), at least one second between two
messages to the same chat, and an honoured `retry_after` on 429. Outcomes are
decided by the channel sender's errors (bot/channels/base.py):

- RateLimited    → every worker of the channel pauses retry_after; the row is resent (nothing lost)
- Unreachable    → row 'unreachable', user marked blocked and unsubscribed
- OutsideWindow  → broadcasts/notices 'skipped'; complaint replies wait until the user writes again
- TransientError → retried with exponential backoff, 'failed' with the reason after max attempts
- PermanentError → 'failed' with the reason

Crash safety: a row is claimed (leased) before it is sent and marked right
after; a killed worker's rows are claimed again when the lease expires. The
only duplicates possible are sends that reached the platform whose mark was
not committed yet: at most `concurrency` messages per killed worker.

Run it inside `motcua run` (one runner per channel with a sender) or alone:
`python -m bot.outbox_sender --channel telegram` / `motcua outbox work`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from bot.channels.base import (
    ChannelSender,
    OutsideWindow,
    PermanentError,
    RateLimited,
    TransientError,
    Unreachable,
)
from handlers import texts
from handlers.messages import Reply
from handlers.serialize import replies_from_payload
from storage import outbox as ob
from storage.db import Database
from storage.models import Outbox
from storage.models_broadcast import Broadcast

if TYPE_CHECKING:
    from aiohttp import web

    from bot.app import App
    from bot.config import Settings

log = logging.getLogger("motcua.outbox")


# ----------------------------------------------------------------------------- time
class Clock(Protocol):
    def time(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class RealClock:
    def time(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


def as_datetime(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.UTC)


# ----------------------------------------------------------------------------- limits
class SlotLimiter:
    """A global rate shared by every worker of a channel, as a ledger of send slots.

    The worker reserves small blocks of consecutive slots (1/rate apart) from the
    database; slots never overlap between workers, so N workers together still
    send at `rate`. A slot left unused for longer than `late_tolerance` is
    dropped rather than spent later, so idle or stalled time never turns into a
    burst above the platform's limit.
    """

    def __init__(
        self,
        reserve: Callable[[int], Awaitable[float]],
        push_back: Callable[[float], Awaitable[None]],
        rate: float,
        clock: Clock,
        block: int | None = None,
    ) -> None:
        self.rate = rate
        self.interval = 1.0 / rate
        self.block = block or max(1, round(rate / 5))
        self._reserve = reserve
        self._push_back = push_back
        self._clock = clock
        self._slots: list[float] = []
        self._lock = asyncio.Lock()
        self.paused_until = 0.0
        # a slot may be used this late: 25/s x (1 s + 0.15 s) + 1 stays within Telegram's 30 in any second
        self.late_tolerance = max(self.interval, 0.15)

    async def acquire(self, count: int = 1) -> float:
        """Wait for `count` slots; returns at the first one (its time; the rest follow immediately)."""
        async with self._lock:
            while True:
                now = self._clock.time()
                if self.paused_until > now:
                    await self._clock.sleep(self.paused_until - now)
                    continue
                self._slots = [
                    s for s in self._slots if s >= now - self.late_tolerance and s >= self.paused_until
                ]
                if len(self._slots) < count:
                    start = await self._reserve(max(self.block, count))
                    self._slots += [start + i * self.interval for i in range(max(self.block, count))]
                    continue
                first = self._slots[0]
                del self._slots[:count]
                if first > now:
                    await self._clock.sleep(first - now)
                if self.paused_until > first:
                    continue  # a 429 arrived while we waited: these slots are void
                if self._clock.time() - first > self.late_tolerance:
                    continue  # we woke up late (a stalled loop): sending now would bunch messages
                return first

    async def pause(self, seconds: float) -> None:
        """The platform said 429: nobody of this channel sends before now + retry_after."""
        until = self._clock.time() + seconds
        self.paused_until = max(self.paused_until, until)
        self._slots.clear()
        await self._push_back(until)


class ChatSpacing:
    """At least `gap` seconds between two messages to one chat (Telegram's advice; kind to people)."""

    def __init__(self, gap: float, clock: Clock) -> None:
        self.gap = gap
        self._clock = clock
        self._next: dict[str, float] = {}

    async def wait(self, chat: str) -> None:
        now = self._clock.time()
        if len(self._next) > 10_000:
            self._next = {k: v for k, v in self._next.items() if v > now}
        at = self._next.get(chat, 0.0)
        self._next[chat] = max(at, now) + self.gap  # reserve before sleeping: concurrent rows queue up
        if at > now:
            await self._clock.sleep(at - now)

    def sent(self, chat: str) -> None:
        self._next[chat] = max(self._next.get(chat, 0.0), self._clock.time() + self.gap)


# ----------------------------------------------------------------------------- worker
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
    failed: int = 0
    retried: int = 0
    cancelled: int = 0


@runtime_checkable
class EditingSender(Protocol):
    """A sender that can replace the text of a message it sent (Telegram editMessageText)."""

    async def edit(self, platform_id: str, message_id: str, reply: Reply) -> None: ...


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
        self.limiter = SlotLimiter(self._reserve, self._push_back, self.config.rate, self.clock)
        self.spacing = ChatSpacing(self.config.per_chat_seconds, self.clock)
        self.stats = Stats()
        self.monitor = BroadcastMonitor(self)
        self._held: dict[int, Outbox] = {}
        self._busy: set[int] = set()
        self._cancelled: set[str] = set()
        self._cancel_checked = 0.0
        self._stop = asyncio.Event()

    # --- database helpers (each in its own short transaction) -----------------
    async def _reserve(self, count: int) -> float:
        async with self.db.session() as s:
            return await ob.reserve_slots(s, self.channel, count, self.config.rate, self.clock.time())

    async def _push_back(self, until: float) -> None:
        async with self.db.session() as s:
            await ob.push_back_slots(s, self.channel, until)

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
                    except Exception:
                        log.exception("outbox claim failed on %s; retrying", self.channel)
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
            unsent = []
            while not queue.empty():
                row = queue.get_nowait()
                if row is not None:
                    unsent.append(row.id)
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
            except Exception:
                log.exception("outbox lease renewal failed")

    async def _deliver_guarded(self, row: Outbox) -> None:
        self._busy.add(row.id)
        try:
            await self.deliver(row)
        except asyncio.CancelledError:
            raise
        except Exception:
            # the database went away while marking: the lease brings the row back later
            log.exception("outbox row %s could not be completed", row.id)
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
        await self.spacing.wait(row.platform_id)
        cost = sum(1 + (1 if r.photo else 0) for r in replies)  # Bot API calls this row makes
        while True:
            await self.limiter.acquire(cost)
            try:
                message_id = await self.sender.send(row.platform_id, replies)
            except RateLimited as exc:
                self.stats.rate_limited += 1
                log.warning("%s: 429, waiting %.1fs", self.channel, exc.retry_after)
                await self.limiter.pause(max(exc.retry_after, 0.1))
                continue
            except Unreachable as exc:
                self.spacing.sent(row.platform_id)
                async with self.db.session() as s:
                    await ob.mark_row_unreachable(s, row, str(exc) or "unreachable")
                    await s.commit()
                self.stats.unreachable += 1
                return "unreachable"
            except OutsideWindow as exc:
                if row.kind == ob.KIND_COMPLAINT_REPLY:
                    async with self.db.session() as s:
                        await ob.mark_waiting(s, row.id, str(exc) or "outside window", self.now())
                        await s.commit()
                    self.stats.waiting += 1
                    return "waiting"
                return await self._finish(row, "skipped", str(exc) or "outside the interaction window")
            except PermanentError as exc:
                return await self._finish(row, "failed", str(exc) or "rejected by the platform")
            except (TransientError, OSError, TimeoutError) as exc:
                return await self._transient(row, f"{type(exc).__name__}: {exc}")
            except Exception as exc:  # a sender bug must not kill the loop; retry like a transient error
                log.exception("%s sender raised unexpectedly for row %s", self.channel, row.id)
                return await self._transient(row, f"{type(exc).__name__}: {exc}")
            self.spacing.sent(row.platform_id)
            async with self.db.session() as s:
                await ob.mark_sent(s, row.id, message_id, self.now())
                await s.commit()
            self.stats.sent += 1
            return "sent"

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


# ----------------------------------------------------------------------------- progress
def progress_bar(done: int, total: int, width: int = 20) -> str:
    if total <= 0:
        return "[" + "-" * width + "]"
    filled = round(width * done / total)
    return "[" + "#" * filled + "-" * (width - filled) + f"] {100 * done // total}%"


def format_duration(seconds: float) -> str:
    seconds = round(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return texts.BC_DURATION.format(h=h, m=m, s=s) if h else texts.BC_DURATION_MS.format(m=m, s=s)


def progress_text(p: ob.Progress) -> str:
    return texts.BC_PROGRESS.format(
        id=p.broadcast.id,
        done=f"{p.done:,}".replace(",", "."),
        total=f"{p.total:,}".replace(",", "."),
        bar=progress_bar(p.done, p.total),
    )


def report_text(p: ob.Progress, duration: float) -> str:
    c = p.counts
    return texts.BC_REPORT.format(
        id=p.broadcast.id,
        total=p.total,
        sent=c["sent"],
        unreachable=c["unreachable"],
        skipped=c["skipped"],
        failed=c["failed"],
        cancelled=c["cancelled"],
        duration=format_duration(duration),
    )


class BroadcastMonitor:
    """Moves broadcasts through scheduled → sending → done and keeps their sender informed.

    Progress goes to the staff member's chat as one message edited as it goes
    when the channel sender can edit (Telegram), otherwise as a new short
    message at each quarter. The final report goes through the outbox (a
    durable 'notice' row), so it survives a crash like any other message.
    Every worker runs a monitor; conditional updates make each step happen once.
    """

    def __init__(self, worker: OutboxWorker) -> None:
        self.worker = worker

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("broadcast monitor tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.worker.config.progress_seconds)

    async def tick(self) -> None:
        from sqlalchemy import update

        w = self.worker
        now = w.now()
        async with w.db.session() as s:
            for b in await ob.active_broadcasts(s, now):
                p = await ob.progress(s, b.id)
                if p is None:
                    continue
                if b.status == "scheduled":
                    await s.execute(
                        update(Broadcast)
                        .where(Broadcast.id == b.id, Broadcast.status == "scheduled")
                        .values(status="sending", started_at=now)
                    )
                    await s.commit()
                    b.started_at = b.started_at or now
                if p.finished:
                    await self._finish(s, p, now)
                elif b.notify_channel == w.channel and b.notify_platform_id:
                    await self._show_progress(s, p)

    async def _finish(self, s: Any, p: ob.Progress, now: dt.datetime) -> None:
        from sqlalchemy import update

        b = p.broadcast
        started = b.started_at or b.send_at
        duration = max(0.0, (now - started).total_seconds())
        report = {k: p.counts[k] for k in ("sent", "unreachable", "skipped", "failed", "cancelled")}
        report["total"] = p.total
        report["duration_seconds"] = round(duration, 1)
        won = await s.execute(
            update(Broadcast)
            .where(Broadcast.id == b.id, Broadcast.status.in_(("scheduled", "sending")))
            .values(status="done", finished_at=now, report=report)
        )
        if won.rowcount != 1:
            await s.rollback()
            return
        if b.notify_channel and b.notify_platform_id:
            await ob.enqueue_notice(
                s,
                channel=b.notify_channel,
                platform_id=b.notify_platform_id,
                replies=[Reply(report_text(p, duration))],
                ref=f"b{b.id}",
                dedupe_key=f"bdone:{b.id}",
                now=now,
            )
        await s.commit()
        log.info("broadcast %s done: %s", b.id, report)

    async def _show_progress(self, s: Any, p: ob.Progress) -> None:
        from sqlalchemy import update

        b = p.broadcast
        w = self.worker
        reply = Reply(progress_text(p))
        if b.progress_message_id is None:
            # the first progress message: exactly one worker posts it
            won = await s.execute(
                update(Broadcast)
                .where(Broadcast.id == b.id, Broadcast.progress_message_id.is_(None))
                .values(progress_message_id=PROGRESS_POSTING, progress_sent=p.done)
            )
            await s.commit()
            if won.rowcount != 1:
                return
            try:
                await w.limiter.acquire()
                mid = await w.sender.send(b.notify_platform_id or "", [reply])
            except Exception as exc:  # progress is a courtesy: the final report is durable
                log.warning("broadcast %s: progress message not delivered: %s", b.id, exc)
                mid = None
                posted = None  # try again at the next tick
            else:
                posted = mid or PROGRESS_POSTED
            await s.execute(update(Broadcast).where(Broadcast.id == b.id).values(progress_message_id=posted))
            await s.commit()
            return
        if b.progress_message_id == PROGRESS_POSTING:
            return  # another worker is posting it
        editable = isinstance(w.sender, EditingSender) and b.progress_message_id != PROGRESS_POSTED
        if editable:
            if p.done == b.progress_sent:
                return
        else:
            step = max(1, p.total // 4)  # no editing: a new message at each quarter
            if p.done // step <= b.progress_sent // step:
                return
        won = await s.execute(
            update(Broadcast)
            .where(Broadcast.id == b.id, Broadcast.progress_sent == b.progress_sent)
            .values(progress_sent=p.done)
        )
        await s.commit()
        if won.rowcount != 1:
            return
        try:
            await w.limiter.acquire()
            if editable:
                await w.sender.edit(b.notify_platform_id, b.progress_message_id, reply)  # type: ignore[union-attr]
            else:
                await w.sender.send(b.notify_platform_id or "", [reply])
        except Exception as exc:
            log.warning("broadcast %s: progress update not delivered: %s", b.id, exc)


PROGRESS_POSTING = "posting"  # progress_message_id while one worker posts the first message
PROGRESS_POSTED = "posted"  # posted, but the platform gave no id to edit


# ----------------------------------------------------------------------------- senders and runners
class TelegramOutboxSender:
    """TelegramSender plus message editing, so staff see one progress message edited as it goes."""

    def __init__(self, inner: Any, *, owns_bot: bool = True) -> None:
        self.inner = inner
        self.channel = inner.channel
        self.owns_bot = owns_bot  # False when the Telegram runner's bot is shared: it closes it

    async def send(self, platform_id: str, replies: list[Reply]) -> str | None:
        return await self.inner.send(platform_id, replies)

    async def edit(self, platform_id: str, message_id: str, reply: Reply) -> None:
        from bot.channels.telegram import OutMessage, call

        try:
            await call(
                self.inner.bot, platform_id, OutMessage("edit", reply.text, edit_message_id=int(message_id))
            )
        except PermanentError as exc:
            if "not modified" not in str(exc).lower():
                raise

    async def close(self) -> None:
        if self.owns_bot:
            await self.inner.bot.shutdown()


async def open_sender(app: App, channel: str) -> ChannelSender | None:
    """The sender of a channel: one a channel runner registered in
    `services.extras["senders"]`, else one built from the settings; None if unconfigured."""
    registered = app.services.extras.get("senders", {}).get(channel)
    if registered is not None:
        if channel == "telegram" and not isinstance(registered, EditingSender) and hasattr(registered, "bot"):
            return TelegramOutboxSender(registered, owns_bot=False)  # same bot, plus editing
        return registered
    settings = app.settings
    if channel == "telegram" and settings.telegram_token:
        from bot.channels.telegram import TelegramSender

        inner = TelegramSender.from_settings(settings)
        await inner.bot.initialize()
        return TelegramOutboxSender(inner)
    if channel in ("zalo_oa", "zalo_bot") and channel_configured(settings, channel):
        # a separate worker process: the channel module builds a sender of its own
        import importlib

        module = importlib.import_module(f"bot.channels.{channel}")
        return module.standalone_sender(app)
    return None


async def close_sender(app: App, sender: ChannelSender) -> None:
    """Close senders this module opened (registered ones belong to their channel runner)."""
    if sender in app.services.extras.get("senders", {}).values():
        return
    closer = getattr(sender, "close", None)
    if closer is not None:
        with contextlib.suppress(Exception):
            await closer()


SENDER_CHANNELS = ("telegram", "zalo_oa", "zalo_bot")


# the setting that switches each channel on
CHANNEL_SWITCH = {"telegram": "telegram_token", "zalo_oa": "zalo_oa_app_id", "zalo_bot": "zalo_bot_token"}


def channel_configured(settings: Settings, channel: str) -> bool:
    return bool(getattr(settings, CHANNEL_SWITCH.get(channel, ""), ""))


class OutboxRunner:
    """`motcua run` runner: one outbox worker for one channel."""

    is_channel = False

    def __init__(self, app: App, channel: str) -> None:
        self.app = app
        self.channel = channel
        self.name = f"outbox:{channel}"
        self.worker: OutboxWorker | None = None
        self.sender: ChannelSender | None = None
        self._task: asyncio.Task[None] | None = None

    def add_routes(self, web_app: web.Application) -> None:
        return None

    async def start(self) -> None:
        self.sender = await open_sender(self.app, self.channel)
        if self.sender is None:
            log.error(
                "outbox: no sender for %s; its queued messages wait until one is configured", self.channel
            )
            return
        config = SenderConfig.from_settings(self.app.settings, self.channel)
        self.worker = OutboxWorker(self.app.db, self.sender, config)
        self._task = asyncio.create_task(self.worker.run(), name=self.name)

    async def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, 30)
        if self.sender is not None:
            await close_sender(self.app, self.sender)


def outbox_runner_factories() -> list[Callable[[App], OutboxRunner | None]]:
    def factory_for(channel: str) -> Callable[[App], OutboxRunner | None]:
        def factory(app: App) -> OutboxRunner | None:
            if channel in app.services.extras.get("senders", {}) or channel_configured(app.settings, channel):
                return OutboxRunner(app, channel)
            return None

        return factory

    return [factory_for(c) for c in SENDER_CHANNELS]


async def work(settings: Settings, channel: str, *, once: bool = False) -> Stats:
    """Run one worker process for `channel` until SIGTERM/SIGINT (or until idle with once)."""
    import signal

    from bot.app import build_app

    app = await build_app(settings)
    sender: ChannelSender | None = None
    try:
        sender = await open_sender(app, channel)
        if sender is None:
            raise SystemExit(f"motcua: channel {channel!r} has no sender configured (see MOTCUA_* settings)")
        worker = OutboxWorker(app.db, sender, SenderConfig.from_settings(settings, channel))
        if once:
            return await worker.drain()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, worker.stop)
        log.info("outbox worker %s on %s at %.1f msg/s", worker.worker_id, channel, worker.config.rate)
        await worker.run()
        return worker.stats
    finally:
        if sender is not None:
            await close_sender(app, sender)
        await app.close()


def main(argv: list[str] | None = None) -> int:
    from bot.config import ConfigError, Settings

    parser = argparse.ArgumentParser(prog="python -m bot.outbox_sender", description=__doc__.splitlines()[0])
    parser.add_argument("--channel", required=True, choices=SENDER_CHANNELS)
    parser.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=os.environ.get("MOTCUA_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"motcua: configuration error: {exc}")
        return 2
    stats = asyncio.run(work(settings, args.channel, once=args.once))
    print(
        f"sent={stats.sent} rate_limited={stats.rate_limited} unreachable={stats.unreachable} skipped={stats.skipped} failed={stats.failed} retried={stats.retried}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["OutboxWorker", "SenderConfig", "TelegramOutboxSender", "open_sender"]
