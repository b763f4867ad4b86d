"""Politeness limits: one global rate per bot shared by every worker, and spacing per chat.

Separate from the worker so the timing logic can be tested with a fake clock
and no database (the ledger is reached through two callables).
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
