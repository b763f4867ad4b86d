"""The global rate of a bot shared by every worker: send slots reserved from a ledger.

Separate from the worker so the timing logic can be tested with a fake clock
and no database (the ledger is reached through two callables). The per-chat
limits and the priority of live replies are the send budget's
(bot/outbox_sender/budget.py), which owns one SlotLimiter per bot.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from typing import Protocol


class Clock(Protocol):
    def time(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class RealClock:
    """Wall-clock time; `sleep` can be replaced (the Telegram runner's tests skip waits with it)."""

    def __init__(self, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._sleep = sleep

    def time(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await self._sleep(max(0.0, seconds))


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
            waited_for = 0.0  # each pause is slept once, even with a clock whose sleep returns at once
            while True:
                now = self._clock.time()
                if self.paused_until > now and self.paused_until != waited_for:
                    waited_for = self.paused_until
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
                if self.paused_until > first and self.paused_until != waited_for:
                    continue  # a 429 arrived while we waited: these slots are void
                if self._clock.time() - first > self.late_tolerance:
                    continue  # we woke up late (a stalled loop): sending now would bunch messages
                return first

    def steal(self, count: int, now: float) -> int:
        """Hand up to `count` reserved slots to a live reply; how many it got.

        The slots are already counted in the ledger, so a reply sent on one
        costs the bot nothing extra; the announcement that would have used it
        waits for a later slot. Slots already too late are not handed out.
        """
        usable = [s for s in self._slots if s >= now - self.late_tolerance and s >= self.paused_until]
        taken = usable[:count]
        if taken:
            gone = set(taken)
            self._slots = [s for s in self._slots if s not in gone]
        return len(taken)

    async def pause(self, seconds: float) -> None:
        """The platform said 429: nobody of this channel sends before now + retry_after."""
        until = self._clock.time() + seconds
        self.paused_until = max(self.paused_until, until)
        self._slots.clear()
        await self._push_back(until)
