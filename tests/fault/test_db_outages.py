"""Database outages as citizens see them (issue 17, items 5 and 6): short runs for CI.

`benchmarks/fault_db.py` runs the same scenarios for longer and prints the figures.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import PG_URL
from tests.fault.outages import (
    PgLockStall,
    SqliteDiskFull,
    SqliteReadOnly,
    drop_pg,
    fresh_pg,
    pg_allow,
    pg_refuse,
)
from tests.fault.rig import Rig, start_rig
from tests.fault.scenario import ANSWER_WITHIN, Figures, run_outage

pytestmark = pytest.mark.timeout(120)
SECONDS = float(os.environ.get("MOTCUA_FAULT_SECONDS", "4"))


def check(figures: Figures) -> None:
    print(figures.line())
    assert figures.sent > 0
    assert figures.answered == figures.sent, figures.line()
    assert figures.max_latency <= ANSWER_WITHIN, figures.line()
    assert figures.ready_during and all(s == 503 for s in figures.ready_during), figures.line()
    assert max(figures.probe_seconds) <= 2.0, figures.line()
    assert figures.healthz_failures == 0, figures.line()
    assert figures.recovery_seconds is not None and figures.recovery_seconds <= 5.0, figures.line()
    assert figures.ready_after is not None and figures.ready_after <= 5.0, figures.line()


@pytest.fixture
async def sqlite_rig(tmp_path: Path) -> AsyncIterator[Rig]:
    rig = await start_rig(tmp_path)
    yield rig
    await rig.close()


@pytest.fixture
async def pg_rig(tmp_path: Path) -> AsyncIterator[Rig]:
    if not PG_URL:
        pytest.skip("MOTCUA_TEST_DATABASE_URL not set")
    url = await fresh_pg(PG_URL)
    rig = await start_rig(tmp_path, url)
    yield rig
    await rig.close()
    await drop_pg(url)


@pytest.mark.skipif(not SqliteReadOnly.available(), reason="needs chattr as root")
async def test_sqlite_read_only_for_a_while(sqlite_rig: Rig) -> None:
    fault = SqliteReadOnly(sqlite_rig.app.db)
    try:
        check(await run_outage(sqlite_rig, fault, "sqlite read-only", seconds=SECONDS))
    finally:
        await fault.stop()
    assert sqlite_rig.tracebacks.summary() == []


async def test_sqlite_disk_full(sqlite_rig: Rig) -> None:
    fault = SqliteDiskFull(sqlite_rig.app.db)
    try:
        figures = await run_outage(sqlite_rig, fault, "sqlite disk full", seconds=SECONDS)
    finally:
        fault.remove()
    check(figures)


@pytest.mark.postgres
async def test_postgres_refusing_connections(pg_rig: Rig) -> None:
    url = pg_rig.app.db.url

    class Refuse:
        async def start(self) -> None:
            await pg_refuse(url)

        async def stop(self) -> None:
            await pg_allow(url)

    check(await run_outage(pg_rig, Refuse(), "postgresql refusing connections", seconds=SECONDS))
    assert pg_rig.tracebacks.summary() == []


@pytest.mark.postgres
async def test_postgres_stalled_by_a_lock(pg_rig: Rig) -> None:
    stall = PgLockStall(pg_rig.app.db.url)

    class Stall:
        async def start(self) -> None:
            await stall.hold()

        async def stop(self) -> None:
            await stall.release()

    check(await run_outage(pg_rig, Stall(), "postgresql lock stall", seconds=SECONDS))
    assert pg_rig.tracebacks.summary() == []
