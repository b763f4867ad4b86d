"""Error logging with backoff: one line per distinct error per minute, with counts.

Background loops (the outbox worker, the broadcast monitor, the reminders) retry
every second or so. During a database outage each retry used to log a full
traceback: 3,274 lines in 30 s, which buries the one line that says what is
wrong and fills small disks. Here the first occurrence of an error is one line
(the traceback only at DEBUG), repeats within the period are counted, and the
next line after the period says how many were folded in. When the loop works
again, one line says it recovered and after how many failures.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

PERIOD_SECONDS = 60.0


@dataclass
class _Seen:
    last_logged: float
    suppressed: int = 0


class ErrorLog:
    """Logs `what` failed at most once per `period` per distinct error (type and message)."""

    def __init__(
        self,
        logger: logging.Logger,
        *,
        period: float = PERIOD_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        level: int = logging.ERROR,
    ) -> None:
        self.logger = logger
        self.period = period
        self.clock = clock
        self.level = level
        self._seen: dict[tuple[str, str, str], _Seen] = {}
        self.failures: dict[str, int] = {}  # per `what`, since its last success

    def failed(self, what: str, exc: BaseException) -> None:
        """Record one failure of `what`; logs a line only if this error was not logged lately."""
        self.failures[what] = self.failures.get(what, 0) + 1
        key = (what, type(exc).__name__, describe(exc))
        now = self.clock()
        seen = self._seen.get(key)
        if seen is not None and now - seen.last_logged < self.period:
            seen.suppressed += 1
            return
        repeats = (
            f" ({seen.suppressed} more in the last {self.period:.0f} s)" if seen and seen.suppressed else ""
        )
        self.logger.log(self.level, "%s: %s: %s%s", what, key[1], key[2], repeats)
        self.logger.debug("%s: traceback", what, exc_info=exc)
        self._seen[key] = _Seen(now)

    def succeeded(self, what: str) -> None:
        """Call after a success: says once that the loop recovered, and forgets the errors."""
        failures = self.failures.pop(what, 0)
        if failures:
            self.logger.warning("%s: working again after %d failures", what, failures)
            self._seen = {key: seen for key, seen in self._seen.items() if key[0] != what}


def describe(exc: BaseException, limit: int = 200) -> str:
    """The first line of an exception's message, cut short: driver errors carry whole SQL."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text[:limit]


def is_database_error(exc: BaseException) -> bool:
    """Whether `exc` says the database is unavailable (not a bug): logged with backoff.

    Driver errors (SQLAlchemy's wrapped ones, and asyncpg's and sqlite3's own, which
    escape unwrapped when connecting), SQLAlchemy's pool timeout, refused connections and
    timeouts. A bug in a handler is none of these and keeps its full traceback every time.
    """
    import sqlite3

    from sqlalchemy import exc as sa_exc

    if isinstance(exc, sa_exc.DBAPIError | sa_exc.TimeoutError | sqlite3.Error | OSError | TimeoutError):
        return True
    return type(exc).__module__.startswith("asyncpg")
