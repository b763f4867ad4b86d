"""The database handle: engine, sessions and migrations for SQLite or PostgreSQL.

One place decides driver options (WAL and busy timeout on SQLite, pool on
PostgreSQL) so the rest of the code is the same on both.
"""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
import time
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Select, event, insert, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, ExceptionContext, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_SECONDS = 30  # how long a writer waits for another before "database is locked"
# A stalled database must cost a citizen at most a few seconds before the apology, not 30:
# PostgreSQL statements (lock waits included), new connections and waits for a pooled
# connection each give up after these. Migrations lift the statement limit for themselves.
PG_STATEMENT_TIMEOUT_MS = 3000
PG_CONNECT_TIMEOUT = 2.0
POOL_TIMEOUT = 2.0
# The pool: POOL_SIZE kept open, POOL_OVERFLOW more opened under load (the defaults of a bare
# `Database(url)`; the app passes MOTCUA_DATABASE_POOL_SIZE / _OVERFLOW, whose defaults are these
# values; bot.config does not import this module, which pulls in Alembic). Conversations may hold
# all but RESERVED_CONNECTIONS of them at once (`Database.handler_slots`); the rest stay free
# for what must not queue behind citizens: the update journal, the send ledger, the outbox
# worker, the /readyz probe, the staff console.
POOL_SIZE = 10
POOL_OVERFLOW = 10
RESERVED_CONNECTIONS = 6
# A conversation waiting for a slot gives up waiting (and goes to the database, to get its
# apology) once conversations fail there and none has ended well for this long.
STALL_SECONDS = 1.5
SQLITE_POOL_TIMEOUT = SQLITE_BUSY_SECONDS  # a conversation may wait for a connection as long as for the lock
PROBE_BUDGET = 1.5  # /readyz's write check; the endpoint answers within 2 s whatever happens
# Two workers migrating a fresh PostgreSQL database at once: the second waits on this lock
# instead of racing the first to create alembic_version (UniqueViolation).
MIGRATION_LOCK_KEY = zlib.crc32(b"motcua:alembic-upgrade")
# SQLite errors after which a connection is useless until reopened: one opened while the file
# was read-only stays read-only forever (every message failed until a restart).
SQLITE_BROKEN_CODES = frozenset({8, 10, 11, 14, 26})  # READONLY, IOERR, CORRUPT, CANTOPEN, NOTADB


class StorageError(Exception):
    """The database cannot be used (unreachable, locked, not migrated)."""


# What went wrong with the database in the current task (see `Database.watch`): appended to by
# the engine's error hook and the pool's checkout timeout, which run inside SQLAlchemy's
# greenlets; those carry the task's context, so the list set by `watch` is the one they see.
_TROUBLE: contextvars.ContextVar[list[BaseException] | None] = contextvars.ContextVar(
    "motcua_db_trouble", default=None
)


def _note_trouble(error: BaseException) -> None:
    trouble = _TROUBLE.get()
    if trouble is not None:
        trouble.append(error)


class _WatchedPool(AsyncAdaptedQueuePool):
    """The usual async pool; a checkout that times out is noted for `Database.watch` first."""

    def _do_get(self) -> ConnectionPoolEntry:
        try:
            return super()._do_get()
        except sa_exc.TimeoutError as error:
            _note_trouble(error)
            raise


class Trouble:
    """What one watched piece of work met: database errors, and pool checkouts that timed out."""

    def __init__(self, errors: list[BaseException]) -> None:
        self.errors = errors

    @property
    def any(self) -> bool:
        return bool(self.errors)

    @property
    def starved(self) -> bool:
        """It waited for a pooled connection and got none: nothing of it reached the database."""
        return any(isinstance(e, sa_exc.TimeoutError) for e in self.errors)

    @property
    def failed(self) -> bool:
        """The database itself answered with an error (not only "no free connection here")."""
        return any(not isinstance(e, sa_exc.TimeoutError) for e in self.errors)


class HandlerSlots:
    """How many conversations may use the database at once: what the pool can serve.

    Without a bound, 64 Telegram updates in flight met a pool of 20 connections; the
    others waited for one, gave up after POOL_TIMEOUT and got the apology, and the update
    was confirmed unhandled (messages lost after `kill -9` on PostgreSQL). Waiting here
    instead costs nothing while the database is merely busy or slow (a cold start on a
    loaded machine). When it is failing (the last conversation to end met a database
    error and none has ended well for STALL_SECONDS), a waiter goes on to the database so
    the citizen gets the apology within seconds (issue 17's target), not after a queue.
    """

    POLL = 0.25  # how often a waiter looks whether the database has started failing
    PATIENCE = 30.0  # conversations that never end at all: go on after this anyway

    def __init__(self, size: int, stall: float = STALL_SECONDS) -> None:
        self.size = size
        self.stall = stall
        self._free = asyncio.Semaphore(size)
        self.last_good = time.monotonic()
        self.last_bad = 0.0
        self.waits = 0  # acquisitions that had to wait
        self.overrun = 0  # went ahead without a slot: the database was failing

    def failing(self) -> bool:
        """The last conversation to end met a database error, and none ended well for `stall` s."""
        return self.last_bad > self.last_good and time.monotonic() - self.last_good >= self.stall

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[Trouble]:
        """Hold a slot (or go without one once the database is failing) while watching it."""
        held = await self._acquire()
        errors: list[BaseException] = []
        token = _TROUBLE.set(errors)
        trouble = Trouble(errors)
        try:
            yield trouble
        finally:
            _TROUBLE.reset(token)
            if held:
                self._free.release()
        if not trouble.any:
            self.last_good = time.monotonic()
        elif trouble.failed:
            self.last_bad = time.monotonic()

    async def _acquire(self) -> bool:
        if not self._free.locked():
            await self._free.acquire()
            return True
        self.waits += 1
        began = time.monotonic()
        while not self.failing() and time.monotonic() - began < self.PATIENCE:
            try:
                await asyncio.wait_for(self._free.acquire(), self.POLL)
                return True
            except TimeoutError:
                continue
        self.overrun += 1
        return False


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class Database:
    """Owns the engine; hands out sessions; applies migrations."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        pool_size: int | None = None,
        max_overflow: int | None = None,
    ) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        size = POOL_SIZE if pool_size is None else pool_size
        overflow = POOL_OVERFLOW if max_overflow is None else max_overflow
        kwargs: dict[str, Any] = {"echo": echo}
        pooled = True
        if self.is_sqlite:
            parsed = make_url(url)
            path = parsed.database
            pooled = bool(path and path != ":memory:")  # memory databases share one connection
            if pooled:
                assert path is not None
                Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
                kwargs.update(pool_size=size, max_overflow=overflow, pool_timeout=SQLITE_POOL_TIMEOUT)
            kwargs["connect_args"] = {"timeout": SQLITE_BUSY_SECONDS}
            # Every session ends in commit or rollback already (closing rolls back); the
            # pool's extra rollback on return would only repeat it.
            kwargs["pool_reset_on_return"] = None
            if parsed.drivername == "sqlite+aiosqlite":
                from storage.sqlite_driver import adapted_dbapi

                module = adapted_dbapi(lock_timeout=SQLITE_BUSY_SECONDS)
                if module is not None:
                    kwargs["module"] = module
                    kwargs["connect_args"]["check_same_thread"] = False
        else:
            kwargs.update(
                pool_size=size, max_overflow=overflow, pool_pre_ping=True, pool_timeout=POOL_TIMEOUT
            )
            kwargs["connect_args"] = {
                "timeout": PG_CONNECT_TIMEOUT,
                "server_settings": {"statement_timeout": str(PG_STATEMENT_TIMEOUT_MS)},
            }
        if pooled:
            kwargs["poolclass"] = _WatchedPool
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.engine.sync_engine, "handle_error", _sqlite_broken_connection)
        event.listen(self.engine.sync_engine, "handle_error", _watched_error)
        # what conversations may hold of the pool at once (one memory connection: no bound needed)
        self.capacity = size + overflow if pooled else 1
        self.handler_slots = HandlerSlots(max(1, self.capacity - RESERVED_CONNECTIONS) if pooled else 1024)
        self._probe: asyncio.Task[None] | None = None
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> AsyncSession:
        """A session for `async with`: leaving the block closes it, which rolls back whatever
        was not committed (an exception included)."""
        return self.sessionmaker()

    async def upgrade(self) -> None:
        """Apply every pending migration (all branch heads).

        On PostgreSQL the upgrade holds a transaction-scoped advisory lock, so workers
        started together migrate one after the other (the later ones find nothing to do),
        and runs without the statement timeout (a migration may rewrite a big table).
        """
        async with self.engine.begin() as conn:
            if not self.is_sqlite:
                await conn.execute(text("SET LOCAL statement_timeout = 0"))
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            await conn.run_sync(_upgrade_sync)

    async def pending_migrations(self) -> bool:
        async with self.engine.connect() as conn:
            return await conn.run_sync(_has_pending)

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def check_writable(self, budget: float = PROBE_BUDGET) -> None:
        """Raise unless the database takes a write within `budget` seconds.

        Inserts a row big enough to need new pages into `health_probes` and rolls it
        back: a read-only or full SQLite file, a read-only PostgreSQL, an exhausted
        pool and a lock stall all fail it, where `SELECT 1` said "ok". One probe runs
        at a time; callers arriving meanwhile share its outcome, so a stalled database
        never piles up probes.
        """
        if self._probe is None or self._probe.done():
            self._probe = asyncio.ensure_future(self._write_probe())
        await asyncio.wait_for(asyncio.shield(self._probe), budget)

    async def _write_probe(self) -> None:
        """A citizen message's own first steps (user and session, locked), then a write that
        needs fresh pages; all rolled back. Locks on the conversation tables stall it as they
        stall citizens; a full or read-only file fails it as it fails them."""
        from storage.models_health import HealthProbe
        from storage.repos import open_conversation

        async with self.session() as db:
            if not self.is_sqlite:
                await db.execute(text(f"SET LOCAL statement_timeout = {int(PROBE_BUDGET * 1000)}"))
            await open_conversation(db, "health", "probe", None, lock=not self.is_sqlite)
            await db.execute(insert(HealthProbe).values(payload=b"\0" * 16384))
            await db.rollback()

    async def close(self) -> None:
        await self.engine.dispose()


async def lock_for_update(db: AsyncSession, stmt: Select[Any]) -> Select[Any]:
    """`stmt` made to hold what it reads until the transaction ends, on either database.

    PostgreSQL locks the rows (SELECT … FOR UPDATE). SQLite has no row locks: the
    transaction takes this process's write lock before reading instead (see
    storage/sqlite_driver.py), so a read-then-write cannot interleave with another
    message's. Use it where two people can act on the same row at once (two staff
    taking one conversation, a reply racing a status change).
    """
    if db.get_bind().dialect.name != "sqlite":
        return stmt.with_for_update()
    connection = await db.connection()
    raw = await connection.get_raw_connection()
    reserve = getattr(raw.dbapi_connection, "reserve_write", None)
    if reserve is not None:
        await reserve()
    return stmt


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # Statements that run on the event loop (storage/sqlite_driver.py) must never sleep in
    # SQLite waiting for another process: they fail at once and are retried on a thread.
    inline = getattr(getattr(dbapi_conn, "dbapi", None), "inline", False)
    cur.execute(f"PRAGMA busy_timeout={0 if inline else SQLITE_BUSY_SECONDS * 1000}")
    if inline:  # checkpoints are scheduled by the driver, off the loop (storage/sqlite_driver.py)
        cur.execute("PRAGMA wal_autocheckpoint=0")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_broken_connection(context: ExceptionContext) -> None:
    """Have SQLAlchemy drop connections an SQLite error left useless (see SQLITE_BROKEN_CODES).

    Marking the error a disconnect invalidates the connection and every pooled one opened
    before it, so the next message opens a fresh connection and works as soon as the file
    is writable again, without a restart.
    """
    error = context.original_exception
    if isinstance(error, sqlite3.Error) and (getattr(error, "sqlite_errorcode", 0) & 0xFF) in (
        SQLITE_BROKEN_CODES
    ):
        context.is_disconnect = True


def _watched_error(context: ExceptionContext) -> None:
    """Every driver error is noted for `HandlerSlots.slot` (see _TROUBLE)."""
    _note_trouble(context.original_exception)


def _upgrade_sync(conn: Connection) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "heads")


def _has_pending(conn: Connection) -> bool:
    script = ScriptDirectory.from_config(alembic_config())
    current = set(MigrationContext.configure(conn).get_current_heads())
    return current != set(script.get_heads())
