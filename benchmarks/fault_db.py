"""Database faults and fuzzed updates, the long runs of tests/fault/ (issue 17).

    python -m benchmarks.fault_db                      # every scenario, 10,000 fuzzed updates per channel
    python -m benchmarks.fault_db --seconds 30 --fuzz 2000 --only sqlite-read-only,fuzz
    python -m benchmarks.fault_db --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/DB
    (or MOTCUA_TEST_DATABASE_URL=… as before)

Scenarios: SQLite read-only for a while, SQLite disk full (max_page_count), and with
a PostgreSQL URL: the server refusing connections to a database this run created, and
a lock stall on the conversation tables, and the fuzzed updates once more on PostgreSQL. Citizens on all three channels keep asking
during the fault; the targets are: every message answered (the apology, mostly) within
5 s, /readyz not ready throughout (each probe within 2 s), service and readiness back
within 5 s of recovery without a restart. Then fuzzed updates through the real webhooks:
0 HTTP 5xx and 0 unhandled exceptions. PostgreSQL faults only touch databases this run
creates on that server (motcua_fault_*, dropped at the end); the database named in the
URL is only used to reach the server; the server itself is never stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from tests.fault.fuzz import STAFF, fuzz_channel, generate, oa_event, telegram_update, zalo_bot_update
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

SCENARIOS = ("sqlite-read-only", "sqlite-disk-full", "pg-refuse", "pg-lock-stall", "fuzz")


def verdict(f: Figures) -> bool:
    return (
        f.sent > 0
        and f.answered == f.sent
        and f.max_latency <= ANSWER_WITHIN
        and all(s == 503 for s in f.ready_during)
        and max(f.probe_seconds, default=0) <= 2.0
        and f.healthz_failures == 0
        and f.recovery_seconds is not None
        and f.recovery_seconds <= 5.0
        and f.ready_after is not None
        and f.ready_after <= 5.0
    )


class _Refuse:
    def __init__(self, url: str) -> None:
        self.url = url

    async def start(self) -> None:
        await pg_refuse(self.url)

    async def stop(self) -> None:
        await pg_allow(self.url)


class _Stall:
    def __init__(self, url: str) -> None:
        self.stall = PgLockStall(url)

    async def start(self) -> None:
        await self.stall.hold()

    async def stop(self) -> None:
        await self.stall.release()


async def outage(
    name: str, seconds: float, citizens: int, pg_url: str, tmp: Path
) -> tuple[Figures, int] | None:
    url = ""
    if name.startswith("pg-"):
        if not pg_url:
            print(f"{name}: skipped (give --database-url)")
            return None
        url = await fresh_pg(pg_url)
    workdir = tmp / name
    workdir.mkdir()
    rig = await start_rig(workdir, url)
    try:
        db = rig.app.db
        if name == "sqlite-read-only":
            fault = SqliteReadOnly(db)
        elif name == "sqlite-disk-full":
            fault = SqliteDiskFull(db)
        elif name == "pg-refuse":
            fault = _Refuse(url)
        else:
            fault = _Stall(url)
        figures = await run_outage(rig, fault, name, seconds=seconds, per_channel=citizens)  # type: ignore[arg-type]
        return figures, len(rig.tracebacks.records)
    finally:
        await rig.close()
        if url:
            await drop_pg(url)


async def fuzz(count: int, pg_url: str, tmp: Path) -> bool:
    ok = True
    corpus: dict[str, list[object]] = {}
    for channel, strategy in (
        ("telegram", telegram_update()),
        ("zalo_oa", oa_event()),
        ("zalo_bot", zalo_bot_update()),
    ):
        began = time.perf_counter()
        corpus[channel] = generate(strategy, count)  # once: the same updates go to each database
        print(
            f"generated {len(corpus[channel])} {channel} updates in {time.perf_counter() - began:.1f} s",
            flush=True,
        )
    for database in ["sqlite", *(["postgresql"] if pg_url else [])]:
        url = ""
        if database == "postgresql":
            url = await fresh_pg(pg_url)
        workdir = tmp / f"fuzz-{database}"
        workdir.mkdir()
        rig: Rig = await start_rig(
            workdir, url, staff=f"telegram:{STAFF}=admin", rate_burst=1000, rate_per_minute=6000
        )
        try:
            for channel, bodies in corpus.items():
                figures = await fuzz_channel(rig, channel, bodies)
                print(f"[{database}] {figures.line()}", flush=True)
                if figures.unhandled:
                    print(f"  unhandled: {rig.tracebacks.kinds()}")
                ok = ok and figures.http_500 == 0 and figures.unhandled == 0
            kinds = rig.tracebacks.kinds(unreadable=True)
            if kinds:
                print(f"  [{database}] refused as unreadable, by kind: {kinds}")
        finally:
            await rig.close()
            if url:
                await drop_pg(url)
    return ok


async def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="how long each fault lasts")
    parser.add_argument("--citizens", type=int, default=2, help="citizens per channel during a fault")
    parser.add_argument("--fuzz", type=int, default=10_000, help="fuzzed updates per channel")
    parser.add_argument(
        "--only", default=",".join(SCENARIOS), help="comma-separated: " + ", ".join(SCENARIOS)
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("MOTCUA_TEST_DATABASE_URL", ""),
        help="a PostgreSQL URL: runs the pg-* scenarios and the fuzz on that server too",
    )
    args = parser.parse_args()
    # the figures are the output: log records are counted (tests/fault/rig.py), not shown
    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger().addHandler(logging.NullHandler())
    pg_url = args.database_url
    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    ok = True
    with tempfile.TemporaryDirectory(prefix="motcua-fault-") as tmp:
        for name in wanted:
            if name == "fuzz":
                ok = await fuzz(args.fuzz, pg_url, Path(tmp)) and ok
                continue
            result = await outage(name, args.seconds, args.citizens, pg_url, Path(tmp))
            if result is None:
                continue
            figures, tracebacks = result
            good = verdict(figures) and tracebacks == 0
            print(
                f"{'PASS' if good else 'FAIL'} {figures.line()}; tracebacks logged {tracebacks}", flush=True
            )
            ok = ok and good
    print("all targets met" if ok else "SOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
