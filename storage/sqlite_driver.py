"""SQLAlchemy's aiosqlite adapter, changed in two ways that matter under load.

1. Statements and commits run right away on the event loop's thread.
   aiosqlite sends every call to a worker thread and back: the stock adapter
   makes four such trips per statement (open a cursor, execute, fetch, close)
   and one per commit, and each costs a thread wake-up, a fight for the GIL
   with the busy event loop, and a wait for the loop to come back to it.
   SQLite answers our statements in microseconds from its page cache, and in
   WAL mode with synchronous=NORMAL a commit only appends to the WAL file, so
   the trips cost far more than the work. What can take long still goes to the
   worker thread: a statement SQLite refuses with "database is locked" because
   another process is writing (the connection's own busy timeout is 0, so the
   loop never sleeps in SQLite; the retry on the thread waits up to the full
   timeout), and every CHECKPOINT_EVERY-th commit, which also copies the WAL
   back into the database file (disk writes and fsync). SQLite's automatic
   checkpoint is off on these connections for that reason.
2. Writers queue in order in this process. SQLite has one writer; a second
   connection that wants to write sleeps and retries (1, 2, 5, 10… ms) until
   the first commits, which wastes most of the time it waits. Here a write
   statement first takes an asyncio lock, held until that connection commits or
   rolls back, exactly the span SQLite's own write lock covers (the driver
   opens a transaction right before the first INSERT/UPDATE/DELETE). Reads
   never wait: in WAL mode they do not block writers or each other. Other
   processes still meet SQLite's busy timeout as before.

Measured with benchmarks/telegram_bench.py: going from the stock adapter to
this one took the whole Telegram stack from about 250 to about 480 questions
a second on the same machine.

Only the DBAPI shim changes: SQL, pooling, transactions and error types are
SQLAlchemy's and aiosqlite's own. If a future aiosqlite drops the private
`_execute`/`_conn` this relies on (SQLAlchemy's adapter reaches into the same
internals), `adapted_dbapi` returns None and the stock adapter is used.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)

READ_ONLY_PREFIXES = ("SELECT", "PRAGMA", "EXPLAIN")
# Commits run on the loop's thread and only append to the WAL; every this many, one runs on
# the worker thread and checkpoints (SQLite's own automatic checkpoint is off: it would run
# inside an inline commit, fsync included). The last connection to close checkpoints too.
CHECKPOINT_EVERY = 200


def is_write(operation: str) -> bool:
    """Whether the statement may write (and so needs the write lock): anything but a read."""
    return not operation.lstrip().upper().startswith(READ_ONLY_PREFIXES)


class WriteLock:
    """One writing connection at a time in this process, served in arrival order.

    Bound to the event loop that uses it (tests and CLI commands start new loops).
    Waiting longer than `timeout` raises SQLite's own "database is locked" error,
    as SQLite's busy timeout would have.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _current(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._loop is not loop:
            self._lock, self._loop = asyncio.Lock(), loop
        return self._lock

    async def acquire(self, error: type[Exception]) -> asyncio.Lock:
        lock = self._current()
        if not lock.locked():  # nobody writing: take it without arming a timeout
            await lock.acquire()
            return lock
        try:
            await asyncio.wait_for(lock.acquire(), self.timeout)
        except TimeoutError:
            raise error("database is locked (another writer in this process held it too long)") from None
        return lock


def _run_statement(conn: Any, operation: str, parameters: Any, many: bool) -> tuple[Any, ...]:
    """Execute, fetch everything, close: on the loop's thread, or aiosqlite's for a retry."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else None
        return description, rows, cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


@contextlib.contextmanager
def _patient(conn: Any, busy_ms: int) -> Iterator[None]:
    """On the worker thread only: let SQLite wait up to busy_ms for another process's lock."""
    conn.execute(f"PRAGMA busy_timeout={busy_ms}")
    try:
        yield
    finally:
        conn.execute("PRAGMA busy_timeout=0")


def _run_waiting(conn: Any, busy_ms: int, operation: str, parameters: Any, many: bool) -> tuple[Any, ...]:
    """The statement again, this time waiting for the other writer."""
    with _patient(conn, busy_ms):
        return _run_statement(conn, operation, parameters, many)


def _commit_waiting(conn: Any, busy_ms: int) -> None:
    with _patient(conn, busy_ms):
        conn.commit()


async def _nothing() -> None:
    return None


def _commit_and_checkpoint(conn: Any, busy_ms: int) -> None:
    _commit_waiting(conn, busy_ms)
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").close()


def is_busy(error: BaseException) -> bool:
    """SQLITE_BUSY and its extended codes: another connection holds a lock we need."""
    return isinstance(error, sqlite3.OperationalError) and (getattr(error, "sqlite_errorcode", 0) & 0xFF) == 5


class InlineCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def _run(self, operation: str, parameters: Any, many: bool) -> None:
        adapter = self._adapt_connection
        assert isinstance(adapter, InlineConnection)  # this cursor is only made by InlineConnection
        if adapter._held is None and is_write(operation):
            adapter._held = self.await_(adapter.dbapi.write_lock.acquire(adapter.dbapi.OperationalError))
        connection = self._connection
        try:
            raw = connection._conn
            # SQLAlchemy's AsyncConnection checks that a statement awaited something (to catch
            # sync drivers); this await completes at once, without a trip through the loop.
            self.await_(_nothing())
            try:
                description, rows, lastrowid, rowcount = _run_statement(raw, operation, parameters, many)
            except sqlite3.OperationalError as error:
                if not is_busy(error):
                    raise
                description, rows, lastrowid, rowcount = self.await_(
                    connection._execute(_run_waiting, raw, adapter.dbapi.busy_ms, operation, parameters, many)
                )
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        if description:
            self.description = description
            self.lastrowid = self.rowcount = -1
            self._rows = deque(rows)
        else:
            self.description = None
            self.lastrowid = lastrowid
            self.rowcount = rowcount

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        self._run(operation, parameters, False)

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        self._run(operation, seq_of_parameters, True)


class InlineConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_held",)

    def __init__(self, dbapi: InlineDBAPI, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._held: asyncio.Lock | None = None  # the write lock, while this connection writes

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        if server_side:  # streaming results keep the stock cursor
            return super().cursor(server_side=True)
        return InlineCursor(self)

    async def reserve_write(self) -> None:
        """Take the write lock before reading rows that will be changed (SELECT … FOR UPDATE's role)."""
        if self._held is None:
            self._held = await self.dbapi.write_lock.acquire(self.dbapi.OperationalError)

    def _release(self) -> None:
        held, self._held = self._held, None
        if held is not None and held.locked():
            held.release()

    def commit(self) -> None:
        dbapi = self.dbapi
        raw = self._connection._conn
        try:
            if not raw.in_transaction:
                pass  # nothing written: nothing to commit
            elif dbapi.checkpoint_due():
                # Every CHECKPOINT_EVERY commits, on the worker thread: copy the WAL back into
                # the database file (disk writes and fsync), which the loop must not wait for.
                self.await_(self._connection._execute(_commit_and_checkpoint, raw, dbapi.busy_ms))
            else:
                try:
                    raw.commit()  # WAL, synchronous=NORMAL: appends to the WAL file, no fsync
                except sqlite3.OperationalError as error:
                    if not is_busy(error):
                        raise
                    self.await_(self._connection._execute(_commit_waiting, raw, dbapi.busy_ms))
        except Exception as error:
            self._handle_exception(error)
        self._release()  # on failure the rollback that follows releases it

    def rollback(self) -> None:
        try:
            raw = self._connection._conn
            if raw.in_transaction:
                raw.rollback()  # drops the transaction's pages; never waits for anyone
        except Exception as error:
            self._handle_exception(error)
        finally:
            self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()

    def terminate(self) -> None:
        try:
            super().terminate()
        finally:
            self._release()


class InlineDBAPI(AsyncAdapt_aiosqlite_dbapi):
    inline = True  # statements run on the event loop's thread (connections need busy_timeout 0)

    def __init__(self, aiosqlite: Any, sqlite: Any, *, lock_timeout: float) -> None:
        super().__init__(aiosqlite, sqlite)
        self.write_lock = WriteLock(lock_timeout)
        self.busy_ms = int(lock_timeout * 1000)
        self._commits = 0

    def checkpoint_due(self) -> bool:
        """Whether this commit should also checkpoint (connections run with wal_autocheckpoint=0)."""
        self._commits += 1
        return self._commits % CHECKPOINT_EVERY == 0

    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        adapted = super().connect(*arg, **kw)
        if type(adapted) is not AsyncAdapt_aiosqlite_connection:
            return adapted  # the sync fallback mode: leave it alone
        return InlineConnection(self, adapted._connection)


def adapted_dbapi(lock_timeout: float) -> InlineDBAPI | None:
    """The DBAPI module to pass as create_async_engine(module=...), if this aiosqlite allows it.

    One per engine: the write lock covers that engine's connections. The engine
    must connect with check_same_thread=False (the connection is used from the
    loop's thread and, for commits, aiosqlite's; never both at once) and set
    `PRAGMA busy_timeout=0` (see `connect_pragmas`).
    """
    if not callable(getattr(aiosqlite.Connection, "_execute", None)) or not hasattr(
        aiosqlite.Connection, "_conn"
    ):
        return None
    import sqlite3

    return InlineDBAPI(aiosqlite, sqlite3, lock_timeout=lock_timeout)
