"""Database faults for the fault tests and `benchmarks/fault_db.py`.

PostgreSQL faults only ever touch a database the test created itself (`fresh_pg`),
never the shared test database and never the server. SQLite faults act on the
test's own file: read-only (the immutable flag as root, file modes otherwise) and
disk full (SQLite's max_page_count, set on every connection as it is checked out).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from storage.db import Database


def _admin_url(url: str) -> str:
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


async def _admin(url: str, *statements: str) -> None:
    engine = create_async_engine(_admin_url(url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def fresh_pg(base_url: str) -> str:
    """A new, empty database on the same server as `base_url`; its URL."""
    name = f"motcua_fault_{uuid.uuid4().hex[:10]}"
    await _admin(base_url, f'CREATE DATABASE "{name}"')
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


async def drop_pg(url: str) -> None:
    name = make_url(url).database
    assert name and name.startswith("motcua_fault_"), "only databases the fault tests created"
    await _admin(
        url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true', f'DROP DATABASE "{name}" WITH (FORCE)'
    )


async def pg_refuse(url: str) -> None:
    """The server refuses new connections to this database and drops the open ones."""
    name = make_url(url).database
    assert name and name.startswith("motcua_fault_")
    await _admin(
        url,
        f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' "
        "AND pid <> pg_backend_pid()",
    )


async def pg_allow(url: str) -> None:
    name = make_url(url).database
    assert name and name.startswith("motcua_fault_")
    await _admin(url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


class PgLockStall:
    """Another session holds ACCESS EXCLUSIVE locks on the conversation tables until released."""

    def __init__(self, url: str, tables: tuple[str, ...] = ("users", "sessions")) -> None:
        self.url = url
        self.tables = tables
        self.engine = create_async_engine(url)
        self.conn: AsyncConnection | None = None

    async def hold(self) -> None:
        self.conn = await self.engine.connect()
        await self.conn.execute(text("SET statement_timeout = 0"))
        await self.conn.execute(text(f"LOCK TABLE {', '.join(self.tables)} IN ACCESS EXCLUSIVE MODE"))

    async def release(self) -> None:
        if self.conn is not None:
            await self.conn.rollback()
            await self.conn.close()
            self.conn = None
        await self.engine.dispose()


def sqlite_path(db: Database) -> Path:
    path = make_url(db.url).database
    assert path
    return Path(path)


class SqliteReadOnly:
    """The database file made read-only, then writable again.

    As root file modes do not stop writes, so the immutable flag is used (chattr). The
    WAL and shared-memory files stay writable: the shared memory is mapped, and a mapped
    file that cannot be written kills the process with SIGBUS. The pool is emptied when
    the fault starts, as connections are recycled in real life: the connections opened
    next are SQLite's read-only fallback.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        path = sqlite_path(db)
        self.files = [path]
        self.root = os.geteuid() == 0

    def _set(self, read_only: bool) -> None:
        for f in self.files:
            if not f.exists():
                continue
            if self.root:
                subprocess.run(["chattr", "+i" if read_only else "-i", str(f)], check=True)
            else:
                f.chmod(0o444 if read_only else 0o644)

    async def start(self) -> None:
        self._set(True)
        await self.db.engine.dispose()

    async def stop(self) -> None:
        self._set(False)

    @staticmethod
    def available() -> bool:
        return os.geteuid() != 0 or subprocess.run(["which", "chattr"], capture_output=True).returncode == 0


class SqliteDiskFull:
    """No room for one more page: every connection gets max_page_count = the current size on checkout."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.full = False
        event.listen(db.engine.sync_engine, "checkout", self._checkout)

    def _checkout(self, dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        cursor = dbapi_conn.cursor()
        if self.full:
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA max_page_count = {pages}")
        else:
            cursor.execute("PRAGMA max_page_count = 4294967294")
        cursor.close()

    async def start(self) -> None:
        self.full = True

    async def stop(self) -> None:
        self.full = False

    def remove(self) -> None:
        with contextlib.suppress(Exception):
            event.remove(self.db.engine.sync_engine, "checkout", self._checkout)
