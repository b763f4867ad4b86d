"""Per-user message rate limit: an in-memory token bucket per user key.

The dispatcher asks before taking the user's lock, so a flood from one user
is refused without touching the database and never queues behind other
users' messages (the dispatcher only serialises messages of the same user).
Each worker process limits on its own; that is enough to stop one noisy
account from hogging a worker, and needs no shared state.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class RateLimiter:
    """`burst` messages at once, refilled at `per_minute` per minute.

    `check` returns "ok", "warn" (first refusal: tell the user politely) or
    "drop" (still flooding: stay silent so the bot does not amplify a flood).
    """

    def __init__(
        self,
        burst: int,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_users: int = 100_000,
    ) -> None:
        self.burst = float(burst)
        self.rate = per_minute / 60.0
        self.clock = clock
        self.max_users = max_users
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def check(self, key: str) -> str:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(self.burst, now)
            self._buckets[key] = bucket
            if len(self._buckets) > self.max_users:
                self._buckets.popitem(last=False)  # forget the least recently seen user
        else:
            self._buckets.move_to_end(key)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.warned = False
            return "ok"
        if bucket.warned:
            return "drop"
        bucket.warned = True
        return "warn"

    def wait_seconds(self, key: str) -> int:
        """About how long until the user may write again (for the polite message)."""
        bucket = self._buckets.get(key)
        if bucket is None or bucket.tokens >= 1.0:
            return 0
        return max(1, int((1.0 - bucket.tokens) / self.rate + 0.999))
