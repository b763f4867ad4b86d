"""Background loops during a database outage log one line per distinct error per minute
(issue 17, item 6): they logged a full traceback every second (3,274 lines in 30 s)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.outbox_sender import OutboxWorker, RealClock, SenderConfig
from storage.db import Database
from storage.error_log import ErrorLog
from tests.conftest import PG_URL
from tests.fault.outages import drop_pg, fresh_pg, pg_allow, pg_refuse
from tests.outbox_fakes import FakeSender


class Outage:
    """A migrated database that then becomes unusable: SQLite's file replaced by a directory
    (cannot be opened), or PostgreSQL refusing connections to the test's own database."""

    def __init__(self, db: Database, pg_url: str | None) -> None:
        self.db = db
        self.pg_url = pg_url

    async def start(self, tmp_path: Path) -> None:
        await self.db.engine.dispose()
        if self.pg_url:
            await pg_refuse(self.pg_url)
            return
        path = tmp_path / "outage.db"
        for f in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            f.unlink(missing_ok=True)
        path.mkdir()

    async def stop(self) -> None:
        if self.pg_url:
            await pg_allow(self.pg_url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def outage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Outage]:
    pg_url = None
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip("MOTCUA_TEST_DATABASE_URL not set")
        pg_url = await fresh_pg(PG_URL)
        url = pg_url
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'outage.db'}"
    db = Database(url)
    await db.upgrade()
    fault = Outage(db, pg_url)
    yield fault
    await fault.stop()
    await db.close()
    if pg_url:
        await drop_pg(pg_url)


async def test_outbox_worker_and_broadcast_monitor_log_once_per_error(
    outage: Outage, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await outage.start(tmp_path)
    clock = RealClock()
    config = SenderConfig(poll_seconds=0.01, progress_seconds=0.01, lease_seconds=1.5, stop_grace_seconds=1)
    worker = OutboxWorker(outage.db, FakeSender(clock), config, clock=clock)  # type: ignore[arg-type]
    caplog.set_level(logging.INFO)
    task = asyncio.create_task(worker.run())
    for _ in range(300):  # until the claim has failed many times (about 1 s; longer on a busy machine)
        if worker.errors.failures.get("outbox claim on test", 0) > 20:
            break
        await asyncio.sleep(0.05)
    worker.stop()
    await asyncio.wait_for(task, 10)
    noisy = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert all(r.exc_info is None for r in noisy), "no tracebacks at WARNING and above"
    assert 2 <= len(noisy) <= 5, [r.getMessage()[:120] for r in noisy]  # claim, monitor, release
    assert worker.errors.failures.get("outbox claim on test", 0) > 20


def test_error_log_folds_repeats_and_says_how_many() -> None:
    now = [0.0]
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    logger = logging.getLogger("test.error_log")
    logger.addHandler(Collect())
    logger.propagate = False
    errors = ErrorLog(logger, period=60, clock=lambda: now[0])
    for _ in range(100):
        errors.failed("claim", ConnectionRefusedError("refused\n[SQL: SELECT …]"))
        now[0] += 1
    errors.failed("claim", TimeoutError("stalled"))
    errors.succeeded("claim")
    assert lines == [
        "claim: ConnectionRefusedError: refused",
        "claim: ConnectionRefusedError: refused (59 more in the last 60 s)",
        "claim: TimeoutError: stalled",
        "claim: working again after 101 failures",
    ]
