"""Fault benchmark: `kill -9` of `motcua run` during Telegram polling backlogs, webhook bursts
and complaint submission (issue 17). Prints messages lost and duplicates, beside a baseline:
the same scenarios against the code before the update journal (a `git archive` of BASELINE).

    python -m benchmarks.fault_telegram            # >= 50 kills per scenario
    python -m benchmarks.fault_telegram --quick    # a few kills (what tests/fault/ runs)
    python -m benchmarks.fault_telegram --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/DB

Everything talks to 127.0.0.1 only: the fake Bot API (tests/fake_telegram.py) runs in this
process and `motcua run` processes are started and SIGKILLed against it, on SQLite (a file
per scenario), or on the PostgreSQL database given, whose schema is dropped and made anew
before each scenario: give it a database of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_KB = ROOT / "tests" / "data" / "kb"
BASELINE = "eefff1e"  # the commit before the journal (issue 17, items 1, 2, 11)
SECRET = "fault-bench-secret"
WELCOME = "Xin chào"
SAVED = "ghi nhận với mã"


@dataclass
class Figures:
    scenario: str
    code: str
    kills: int = 0
    sent: int = 0
    lost: int = 0
    duplicates: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        more = " ".join(f"{k}={v}" for k, v in self.extra.items())
        per_kill = self.duplicates / self.kills if self.kills else 0.0
        return (
            f"{self.scenario:<10} {self.code:<8} kills={self.kills:<3} sent={self.sent:<5} "
            f"lost={self.lost:<5} duplicates={self.duplicates:<4} ({per_kill:.1f} per kill) {more}"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Process:
    """One `motcua run` at a time, started from `code_dir`, killed with SIGKILL."""

    def __init__(
        self, fake: FakeTelegram, code_dir: Path, data_dir: Path, database_url: str = "", **env: str
    ) -> None:
        self.env = {
            **os.environ,
            "PYTHONPATH": str(code_dir),
            "MOTCUA_DATA_DIR": str(data_dir),
            "MOTCUA_KNOWLEDGE_DIR": str(FIXTURE_KB),
            "MOTCUA_TELEGRAM_TOKEN": fake.token,
            "MOTCUA_TELEGRAM_API_URL": fake.api_url,
            "MOTCUA_TELEGRAM_POLL_TIMEOUT": "1",
            "MOTCUA_TELEGRAM_UPDATE_LEASE": "1",
            "MOTCUA_LOG_LEVEL": "WARNING",
            "MOTCUA_HTTP_PORT": str(free_port()),
            **env,
        }
        self.env.pop("MOTCUA_DATABASE_URL", None)
        if database_url:
            self.env["MOTCUA_DATABASE_URL"] = database_url
        self.code_dir = code_dir
        self.data_dir = data_dir
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.data_dir / "motcua.log", "ab") as log:  # warnings and errors, for a post-mortem
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=self.code_dir,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )

    async def warm(self, fake: FakeTelegram) -> None:
        """Start once, unkilled, until the bot has called getMe, then stop cleanly.

        The first start builds the knowledge caches (matcher index, learned model)
        in the data directory; on a loaded machine that can take longer than the
        kill loop waits, and a process killed before its build finishes leaves
        nothing for the next one, which then builds from nothing again.
        """
        self.start()
        await until(lambda: any(method == "getMe" for method, _ in fake.calls), 600)
        await self.stop()

    async def serving(self, fake: FakeTelegram, since: int) -> None:
        """Wait until this start has reached the Bot API (getMe), so the kill that follows hits
        a process that handles updates. On a loaded machine the imports alone can take longer
        than the kill loop waits: kills before that exercised nothing."""
        await until(lambda: any(m == "getMe" for m, _ in fake.calls[since:]), 300)

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            self.proc = None

    async def stop(self) -> None:
        """SIGTERM, waiting without blocking the loop: the fake Bot API runs on it and must answer."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            proc = self.proc
            await until(lambda: proc.poll() is not None, 30)
            self.kill()


def welcomes(fake: FakeTelegram, uid: int) -> int:
    return sum(1 for m in fake.messages_to(uid) if (m.get("text") or "").startswith(WELCOME))


async def until(predicate, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.02)
    return predicate()


async def finish(fake: FakeTelegram, proc: Process, users: list[int], idle: float) -> None:
    """A last, unkilled run: until every user is answered or nothing moves for `idle` seconds."""
    proc.start()
    last, still = -1, time.monotonic()
    while time.monotonic() - still < idle:
        done = sum(1 for u in users if welcomes(fake, u))
        if done == len(users):
            break
        if done != last:
            last, still = done, time.monotonic()
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.5)  # late duplicates show up here
    await proc.stop()


def count(fig: Figures, fake: FakeTelegram, users: list[int]) -> Figures:
    fig.sent = len(users)
    fig.lost = sum(1 for u in users if welcomes(fake, u) == 0)
    fig.duplicates = sum(welcomes(fake, u) - 1 for u in users if welcomes(fake, u) > 1)
    return fig


def out_of_time() -> bool:
    """`--minutes` ran out: stop killing, finish and count (the kills done are printed)."""
    return time.monotonic() > DEADLINE


DEADLINE = float("inf")


async def polling(
    code: str, code_dir: Path, kills: int, backlog: int, work: Path, database_url: str = ""
) -> Figures:
    fake = FakeTelegram(record=True)
    await fake.start()
    fig = Figures("polling", code)
    users: list[int] = []
    await empty_database(database_url)
    proc = Process(fake, code_dir, work / f"poll-{code}", database_url)
    try:
        await proc.warm(fake)
        uid = 10_000
        for _ in range(kills):
            if out_of_time():
                break
            for _ in range(backlog):
                uid += 1
                users.append(uid)
                await fake.send_text(uid, "/start")
            before = sum(1 for u in users if welcomes(fake, u))
            calls = len(fake.calls)
            proc.start()
            await proc.serving(fake, calls)
            target = before + random.randint(5, backlog)
            await until(lambda t=target: sum(1 for u in users if welcomes(fake, u)) >= t, 20)
            proc.kill()
            fig.kills += 1
        await finish(fake, proc, users, idle=30)
    finally:
        proc.kill()
        await fake.stop()
    return count(fig, fake, users)


async def webhook(
    code: str, code_dir: Path, kills: int, burst: int, work: Path, database_url: str = ""
) -> Figures:
    fake = FakeTelegram(record=True)
    await fake.start()
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg/hook"
    fig = Figures("webhook", code)
    users: list[int] = []
    await empty_database(database_url)
    proc = Process(
        fake,
        code_dir,
        work / f"hook-{code}",
        database_url,
        MOTCUA_HTTP_PORT=str(port),
        MOTCUA_TELEGRAM_WEBHOOK_URL=url,
        MOTCUA_TELEGRAM_WEBHOOK_SECRET=SECRET,
    )
    posts: list[asyncio.Task[None]] = []
    accepted: list[int] = []  # update_ids answered 2xx, in order
    next_id = 1

    async def deliver(session: aiohttp.ClientSession, update: dict) -> None:
        """Like Telegram: re-sent until a 2xx answer (Telegram retries for hours)."""
        while True:
            try:
                async with session.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
                ) as r:
                    if 200 <= r.status < 300:
                        accepted.append(update["update_id"])
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)

    try:
        await proc.warm(fake)
        async with aiohttp.ClientSession() as session:
            uid = 20_000
            for _ in range(kills):
                if out_of_time():
                    break
                taken = len(accepted)
                proc.start()
                for _ in range(burst):
                    uid += 1
                    users.append(uid)
                    fake.user(uid)
                    update = {"update_id": next_id, **fake.text_update(uid, "/start")}
                    next_id += 1
                    posts.append(asyncio.create_task(deliver(session, update)))
                # killed while taking the burst: once this start has accepted its first update
                # (its HTTP server comes up after the runners, which can take long when loaded)
                await until(lambda n=taken: len(accepted) > n, 300)
                await asyncio.sleep(random.uniform(0.2, 1.5))
                proc.kill()
                fig.kills += 1
            proc.start()
            await asyncio.wait_for(asyncio.gather(*posts), 900)  # a loaded machine starts slowly
            await proc.stop()
            await finish(fake, proc, users, idle=30)
    finally:
        for task in posts:
            task.cancel()
        proc.kill()
        await fake.stop()
    return count(fig, fake, users)


def button(fake: FakeTelegram, uid: int, data: str) -> dict | None:
    for m in reversed(fake.messages_to(uid)):
        for row in (m.get("reply_markup") or {}).get("inline_keyboard", []):
            if any(b.get("callback_data") == data for b in row):
                return m
    return None


async def complaint(code: str, code_dir: Path, kills: int, work: Path, database_url: str = "") -> Figures:
    fake = FakeTelegram(record=True)
    await fake.start()
    fig = Figures("complaint", code)
    data_dir = work / f"pa-{code}"
    await empty_database(database_url)
    proc = Process(fake, code_dir, data_dir, database_url, MOTCUA_COMPLAINTS_PER_DAY="1000")
    shown = stored = 0
    try:
        await proc.warm(fake)
        uid = 30_000
        proc.start()
        for _ in range(kills):
            uid += 1
            fake.user(uid)
            steps = [("text", "/phananh", "pa:cat:khac"), ("press", "pa:cat:khac", None)]
            await fake.send_text(uid, "/phananh")
            ok = await until(lambda u=uid: button(fake, u, "pa:cat:khac") is not None, 20)
            if ok:
                await fake.press(uid, button(fake, uid, "pa:cat:khac"), "pa:cat:khac")
                await until(lambda u=uid: len(fake.messages_to(u)) >= 2, 10)
                await fake.send_text(uid, f"Đèn đường ngõ {uid} bị hỏng đã một tuần nay rồi")
                ok = await until(lambda u=uid: button(fake, u, "pa:next") is not None, 10)
            if ok:
                await fake.press(uid, button(fake, uid, "pa:next"), "pa:next")
                ok = await until(lambda u=uid: button(fake, u, "pa:phone:no") is not None, 10)
            if ok:
                await fake.press(uid, button(fake, uid, "pa:phone:no"), "pa:phone:no")
                ok = await until(lambda u=uid: button(fake, u, "pa:send") is not None, 10)
            del steps
            if not ok:
                continue  # the walk itself failed: not a submission
            fig.sent += 1
            await fake.press(uid, button(fake, uid, "pa:send"), "pa:send")
            await asyncio.sleep(random.uniform(0.0, 0.15))  # around the commit
            proc.kill()
            fig.kills += 1
            proc.start()
            if await until(
                lambda u=uid: any(SAVED in (m.get("text") or "") for m in fake.messages_to(u)), 20
            ):
                shown += 1
        await asyncio.sleep(2)
        await proc.stop()
        stored, twice = await complaint_counts(database_url or f"sqlite:///{data_dir / 'motcua.db'}")
    finally:
        proc.kill()
        await fake.stop()
    fig.lost = fig.sent - shown  # pressed «Gửi» and never saw a code
    fig.duplicates = twice
    fig.extra = {"stored": stored, "code_shown": shown}
    return fig


async def empty_database(url: str) -> None:
    """PostgreSQL: drop the schema and make it anew, so each scenario starts from nothing."""
    if not url:
        return  # SQLite: each scenario has a data directory, so a database file, of its own
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


async def complaint_counts(url: str) -> tuple[int, int]:
    """Complaints stored, and citizens with more than one (a submission stored twice)."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            stored = db.execute("SELECT count(*) FROM complaints").fetchone()[0]
            twice = db.execute(COUNT_TWICE).fetchone()[0]
        return int(stored), int(twice)
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            stored = (await conn.execute(text("SELECT count(*) FROM complaints"))).scalar_one()
            twice = (await conn.execute(text(COUNT_TWICE))).scalar_one()
    finally:
        await engine.dispose()
    return int(stored), int(twice)


COUNT_TWICE = (
    "SELECT count(*) FROM (SELECT user_id FROM complaints GROUP BY user_id HAVING count(*) > 1) AS t"
)


def export_baseline(work: Path) -> Path:
    target = work / "baseline"
    target.mkdir()
    archive = subprocess.run(["git", "archive", BASELINE], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


async def main_async(args: argparse.Namespace) -> list[Figures]:
    kills = 3 if args.quick else args.kills
    backlog, burst = (100, 40) if args.quick else (200, 60)
    results: list[Figures] = []
    with contextlib.ExitStack() as stack:
        if args.work_dir:  # kept: each run's motcua.log, for a post-mortem
            work = args.work_dir
            work.mkdir(parents=True, exist_ok=True)
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="motcua-fault-")))
        codes = [("fixed", ROOT)]
        if not args.no_baseline:
            codes.append(("baseline", export_baseline(work)))
        for name in args.scenarios:
            for code, code_dir in codes:
                url = args.database_url
                if name == "polling":
                    fig = await polling(code, code_dir, kills, backlog, work, url)
                elif name == "webhook":
                    fig = await webhook(code, code_dir, kills, burst, work, url)
                else:
                    fig = await complaint(code, code_dir, kills, work, url)
                print(fig.line(), flush=True)
                results.append(fig)
    return results


def redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="3 kills per scenario")
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--minutes", type=float, default=0.0, help="stop killing after this long (a loaded machine)"
    )
    parser.add_argument("--work-dir", type=Path, help="keep the data directories and logs here")
    parser.add_argument(
        "--database-url",
        default="",
        help="run `motcua run` on this PostgreSQL database (its schema is dropped before each scenario)",
    )
    parser.add_argument(
        "--scenarios",
        nargs="+",
        default=["polling", "webhook", "complaint"],
        choices=["polling", "webhook", "complaint"],
    )
    args = parser.parse_args(argv)
    if args.minutes:
        global DEADLINE
        DEADLINE = time.monotonic() + args.minutes * 60
    results = asyncio.run(main_async(args))
    print(f"database: {redacted(args.database_url) if args.database_url else 'SQLite (a file per scenario)'}")
    fixed_lost = sum(f.lost for f in results if f.code == "fixed")
    print(f"fixed code: {fixed_lost} lost in total (target 0)")
    return 0 if fixed_lost == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
