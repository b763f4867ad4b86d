"""The SQLite driver shim: statements inline, writers queued in order, other processes waited for.

storage/sqlite_driver.py replaces SQLite's sleep-and-retry between writers of
one process with an asyncio lock, and runs statements on the loop's thread.
These tests pin what that must keep: no "database is locked" between our own
writers, the loop stays responsive while another process holds the database,
the lock is released on every way a transaction ends, and FOR UPDATE's role
(lock_for_update) holds on SQLite.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text

from storage import sqlite_driver
from storage.db import Database, lock_for_update
from storage.sqlite_driver import InlineConnection, is_write


@pytest.fixture
async def db(tmp_path: Path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'd.db'}")
    async with database.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
        await conn.execute(text("INSERT INTO t (id, n) VALUES (1, 0)"))
    yield database
    await database.close()


async def test_the_engine_uses_the_shim_with_no_busy_sleeps(db: Database) -> None:
    async with db.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.dbapi_connection, InlineConnection)
        assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 0
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"


def test_statement_kinds() -> None:
    assert not is_write("  select 1") and not is_write("PRAGMA busy_timeout") and not is_write("EXPLAIN x")
    for sql in ("INSERT INTO t VALUES (1)", "update t set n=1", "DELETE FROM t", "CREATE TABLE x (a)"):
        assert is_write(sql)


async def test_concurrent_read_modify_write_loses_nothing(db: Database) -> None:
    """Forty transactions increment one row at once: every increment lands, none fails."""

    async def increment() -> None:
        async with db.session() as s:
            await s.execute(text("UPDATE t SET n = n + 1 WHERE id = 1"))
            await asyncio.sleep(0.001)  # hold the write lock across a loop turn
            await s.commit()

    await asyncio.gather(*(increment() for _ in range(40)))
    async with db.session() as s:
        assert (await s.execute(text("SELECT n FROM t WHERE id = 1"))).scalar() == 40


async def test_readers_do_not_wait_for_a_writer(db: Database) -> None:
    async with db.session() as writer:
        await writer.execute(text("UPDATE t SET n = 5 WHERE id = 1"))
        async with db.session() as reader:  # WAL: the reader sees the last commit, at once
            started = time.perf_counter()
            assert (await reader.execute(text("SELECT n FROM t WHERE id = 1"))).scalar() == 0
            assert time.perf_counter() - started < 0.5
        await writer.commit()


async def test_the_lock_is_released_by_rollback_and_by_a_failed_statement(db: Database) -> None:
    async with db.session() as s:
        await s.execute(text("UPDATE t SET n = 7 WHERE id = 1"))
        await s.rollback()
    with pytest.raises(Exception, match=r"UNIQUE|constraint"):
        async with db.session() as s:
            await s.execute(text("INSERT INTO t (id, n) VALUES (1, 1)"))
    async with asyncio.timeout(2):  # a leaked lock would hang here
        async with db.session() as s:
            await s.execute(text("UPDATE t SET n = 8 WHERE id = 1"))
            await s.commit()
            assert (await s.execute(text("SELECT n FROM t"))).scalar() == 8


async def test_lock_for_update_serialises_read_then_write(db: Database) -> None:
    """Two 'take this conversation' actions at once: the second sees the first's write."""
    from sqlalchemy import Column, Integer, MetaData, Table

    t = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("n", Integer))
    seen: list[int] = []

    async def take(value: int) -> None:
        async with db.session() as s:
            current = (await s.execute(await lock_for_update(s, select(t.c.n).where(t.c.id == 1)))).scalar()
            seen.append(current)
            await asyncio.sleep(0.01)
            if current == 0:
                await s.execute(text("UPDATE t SET n = :v WHERE id = 1"), {"v": value})
            await s.commit()

    await asyncio.gather(take(1), take(2))
    assert sorted(seen) == [0, 1] or sorted(seen) == [0, 2]
    async with db.session() as s:
        assert (await s.execute(text("SELECT n FROM t"))).scalar() in (1, 2)


async def test_another_process_holding_the_database_is_waited_for_off_the_loop(db: Database) -> None:
    path = db.engine.url.database
    other = sqlite3.connect(path, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process's write transaction
    released = threading.Timer(0.4, other.commit)
    released.start()
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        async with db.session() as s:
            await s.execute(text("UPDATE t SET n = 3 WHERE id = 1"))
            await s.commit()
    finally:
        task.cancel()
        released.join()
        other.close()
    assert ticks >= 15  # the loop kept running while the statement waited on a thread
    async with db.session() as s:
        assert (await s.execute(text("SELECT n FROM t"))).scalar() == 3


async def test_a_writer_that_never_finishes_gives_database_is_locked(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with db.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        raw.dbapi_connection.dbapi.write_lock.timeout = 0.2
    async with db.session() as first:
        await first.execute(text("UPDATE t SET n = 1 WHERE id = 1"))
        with pytest.raises(Exception, match="database is locked"):
            async with db.session() as second:
                await second.execute(text("UPDATE t SET n = 2 WHERE id = 1"))
        await first.commit()


def test_without_aiosqlite_internals_the_stock_adapter_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    import aiosqlite

    monkeypatch.delattr(aiosqlite.Connection, "_execute")
    assert sqlite_driver.adapted_dbapi(lock_timeout=1) is None


async def test_commits_are_inline_and_every_nth_checkpoints_on_the_thread(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = sqlite_driver._commit_and_checkpoint

    def counting(conn, busy_ms):  # type: ignore[no-untyped-def]
        calls.append(busy_ms)
        real(conn, busy_ms)

    monkeypatch.setattr(sqlite_driver, "CHECKPOINT_EVERY", 5)
    monkeypatch.setattr(sqlite_driver, "_commit_and_checkpoint", counting)
    async with db.engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA wal_autocheckpoint"))).scalar() == 0
    for i in range(12):
        async with db.session() as s:
            await s.execute(text("UPDATE t SET n = :n WHERE id = 1"), {"n": i})
            await s.commit()
    assert len(calls) == 2  # commits 5 and 10
    other = sqlite3.connect(db.engine.url.database)
    try:
        assert other.execute("SELECT n FROM t").fetchone()[0] == 11  # every commit is durable to others
        busy, log_frames, checkpointed = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert busy == 0 and log_frames == checkpointed
    finally:
        other.close()
