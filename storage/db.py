"""The database handle: engine, sessions and migrations for SQLite or PostgreSQL.

One place decides driver options (WAL and busy timeout on SQLite, pool on
PostgreSQL) so the rest of the code is the same on both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Select, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_SECONDS = 30  # how long a writer waits for another before "database is locked"


class StorageError(Exception):
    """The database cannot be used (unreachable, locked, not migrated)."""


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class Database:
    """Owns the engine; hands out sessions; applies migrations."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            parsed = make_url(url)
            path = parsed.database
            if path and path != ":memory:":
                Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
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
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> AsyncSession:
        """A session for `async with`: leaving the block closes it, which rolls back whatever
        was not committed (an exception included)."""
        return self.sessionmaker()

    async def upgrade(self) -> None:
        """Apply every pending migration (all branch heads)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(_upgrade_sync)

    async def pending_migrations(self) -> bool:
        async with self.engine.connect() as conn:
            return await conn.run_sync(_has_pending)

    async def ping(self) -> None:
        from sqlalchemy import text

        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

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


def _upgrade_sync(conn: Connection) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "heads")


def _has_pending(conn: Connection) -> bool:
    script = ScriptDirectory.from_config(alembic_config())
    current = set(MigrationContext.configure(conn).get_current_heads())
    return current != set(script.get_heads())
