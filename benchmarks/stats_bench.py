"""A busy commune's year: how long the dashboard and the monthly workbook take, and their figures.

Seeds one database with 2026 as a busy commune would live it (by default a
million questions, 10,000 complaints, ratings, walkthrough runs, announcements
with their deliveries), then times the dashboard for the year and for one
month, and the monthly workbook, through the same functions the staff console
and `motcua report monthly` call. Not a test: it prints what it measured.

    python -m benchmarks.stats_bench                          # SQLite in a temporary directory
    python -m benchmarks.stats_bench --url postgresql+asyncpg://postgres@127.0.0.1:5432/motcua_bench
    python -m benchmarks.stats_bench --questions 100000 --complaints 1000   # quicker

A PostgreSQL database given by --url is emptied first; a SQLite file given by
--url must not exist yet (it is kept afterwards, for a closer look). With
--no-seed the database of an earlier run is timed again as it is.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from bot.report_xlsx import write_monthly
from handlers.feedback_core import working_days_between
from knowledge.loader import load_knowledge
from storage.db import Database
from storage.models import Outbox, QuestionLog, User
from storage.models_broadcast import Broadcast
from storage.models_feedback import Complaint, Rating
from storage.models_guides import GuideRun
from storage.stats import dashboard
from storage.stats_period import Period, month_of
from storage.stats_rollup import roll_up

YEAR = 2026
TZ = "Asia/Ho_Chi_Minh"
BATCH = 20_000
CATEGORIES = ("thai-do", "ho-so", "ha-tang", "an-ninh", "khac")
WALKTHROUGHS = ("vneid-level2", "nop-ho-so", "thanh-toan", "cai-app")
STEPS = ("s1", "s2", "s3", "s4", "s5")
ASPECTS = (None, None, "fee", "documents", "office", "deadline")


def _moment(rnd: random.Random) -> dt.datetime:
    """A time in 2026, in office hours more often than not (as questions come)."""
    day = dt.datetime(YEAR, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=rnd.randrange(365))
    return day + dt.timedelta(seconds=rnd.randrange(86_400))


async def _insert(db: Database, table: Any, rows: list[dict[str, Any]]) -> None:
    async with db.session() as s:
        for i in range(0, len(rows), BATCH):
            await s.execute(insert(table), rows[i : i + BATCH])
        await s.commit()


async def seed(db: Database, questions: int, complaints: int, topics: list[str], areas: list[str]) -> None:
    rnd = random.Random(16)
    users = max(1000, questions // 100)
    await _insert(
        db,
        User,
        [
            {
                "channel": "telegram",
                "platform_id": str(100_000 + i),
                "subscriptions": rnd.choice(
                    [[], ["chung"], ["chung", "yte"], ["thutuc"], ["luadao", "chung"]]
                ),
                "area": rnd.choice([*areas, None]),
                "blocked": rnd.random() < 0.03,
                "store_name": True,
                "created_at": dt.datetime(YEAR, 1, 1, tzinfo=dt.UTC),
                "last_seen_at": dt.datetime(YEAR, 1, 1, tzinfo=dt.UTC),
            }
            for i in range(users)
        ],
    )
    decisions = ["answer"] * 7 + ["clarify"] * 2 + ["fallback"]
    for start in range(0, questions, 100_000):
        chunk = []
        for _ in range(min(100_000, questions - start)):
            decision = rnd.choice(decisions)
            topic = rnd.choice(topics) if decision != "fallback" else None
            chunk.append(
                {
                    "user_id": rnd.randrange(1, users + 1),
                    "channel": "telegram",
                    "text": "câu hỏi thử",
                    "normalized": "cau hoi thu",
                    "topic_id": topic,
                    "score": 0.5,
                    "decision": decision,
                    "aspect": rnd.choice(ASPECTS) if decision == "answer" else None,
                    "faq_id": None,
                    "candidates": [],
                    "at": _moment(rnd),
                }
            )
        await _insert(db, QuestionLog, chunk)
    ratings = []
    for i in range(questions // 20):
        kind = rnd.choice(["topic", "topic", "aspect", "handoff", "complaint"])
        target = {
            "topic": rnd.choice(topics),
            "aspect": f"{rnd.choice(topics)}.fee",
            "handoff": str(rnd.randrange(1, 5000)),
            "complaint": f"PA-{YEAR}-{rnd.randrange(1, complaints + 1):06d}",
        }[kind]
        ratings.append(
            {
                "user_id": rnd.randrange(1, users + 1),
                "target_kind": kind,
                "target_id": target + (f"#{i}" if kind == "handoff" else ""),
                "value": int(rnd.random() < 0.8),
                "at": _moment(rnd),
            }
        )
    await _insert(db, Rating, ratings)
    rows = []
    for n in range(1, complaints + 1):
        created = _moment(rnd)
        due = created + dt.timedelta(days=14)
        status = rnd.choice(["received", "assigned", "answered", "answered", "closed"])
        answered = (
            created + dt.timedelta(days=rnd.randrange(1, 20)) if status in ("answered", "closed") else None
        )
        rows.append(
            {
                "code": f"PA-{YEAR}-{n:06d}",
                "year": YEAR,
                "number": n,
                "user_id": rnd.randrange(1, users + 1),
                "category": rnd.choice(CATEGORIES),
                "description": "phản ánh thử",
                "photos": [],
                "status": status,
                "created_at": created,
                "updated_at": created,
                "due_at": due,
                "answered_at": answered,
                "closed_at": answered if status == "closed" else None,
            }
        )
    await _insert(db, Complaint, rows)
    runs = []
    for _ in range(questions // 50):
        started = _moment(rnd)
        status = rnd.choice(["finished", "finished", "stopped", "expired", "active", "detour"])
        runs.append(
            {
                "user_id": rnd.randrange(1, users + 1),
                "walkthrough_id": rnd.choice(WALKTHROUGHS),
                "skill": "submit",
                "status": status,
                "step_id": rnd.choice(STEPS),
                "history": [],
                "rating": rnd.choice([None, "satisfied", "very_satisfied", "unsatisfied"]),
                "started_at": started,
                "updated_at": started,
                "finished_at": started + dt.timedelta(minutes=20)
                if status in ("finished", "detour")
                else None,
            }
        )
    await _insert(db, GuideRun, runs)
    for b in range(1, 53):
        send_at = dt.datetime(YEAR, 1, 5, 2, tzinfo=dt.UTC) + dt.timedelta(weeks=b - 1)
        await _insert(
            db,
            Broadcast,
            [{"created_by": "cli:bench", "text": f"Thông báo số {b}", "audience": {}, "send_at": send_at,
              "status": "done", "total": 2000, "created_at": send_at}],
        )  # fmt: skip
        await _insert(
            db,
            Outbox,
            [
                {
                    "channel": "telegram",
                    "platform_id": str(100_000 + i),
                    "kind": "broadcast",
                    "ref": str(b),
                    "payload": [],
                    "status": rnd.choice(["sent"] * 18 + ["unreachable", "failed"]),
                    "not_before": send_at,
                    "created_at": send_at,
                    "dedupe_key": f"b{b}:{i}",
                }
                for i in range(2000)
            ],
        )


async def main(args: argparse.Namespace) -> None:
    kb = load_knowledge()
    loc = kb.locality
    topics = [t for t in kb.topics][:40]
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        if url.startswith("postgresql") and not args.no_seed:
            from tests.conftest import reset_postgres

            await reset_postgres(url)
        db = Database(url)
        await db.upgrade()
        began = time.perf_counter()
        if not args.no_seed:
            await seed(db, args.questions, args.complaints, topics, list(loc.areas))
            print(f"{db.engine.dialect.name}: seeded {args.questions:,} questions, {args.complaints:,} complaints "
                  f"in {time.perf_counter() - began:.1f} s")  # fmt: skip
        async with db.engine.begin() as conn:
            await conn.execute(text("ANALYZE"))

        t0 = time.perf_counter()
        async with db.session() as s:
            counted = await roll_up(s, TZ, dt.date(YEAR + 1, 1, 1))
        print(f"daily counts: {counted} days counted once in {time.perf_counter() - t0:.1f} s "
              "(the nightly job counts one day)")  # fmt: skip

        def days(a: dt.date, b: dt.date) -> int:
            return working_days_between(a, b, loc)

        now = dt.datetime(YEAR + 1, 1, 2, tzinfo=dt.UTC)
        for label, period in (("year", Period(dt.date(YEAR, 1, 1), dt.date(YEAR + 1, 1, 1), TZ)),
                              ("month", month_of(YEAR, 11, TZ))):  # fmt: skip
            async with db.session() as s:
                t0 = time.perf_counter()
                d = await dashboard(s, period, working_days=days, now=now)
                took = time.perf_counter() - t0
            q, c = d.questions, d.complaints.total
            print(
                f"dashboard ({label}): {took:.2f} s — questions {q.total:,} (answered {q.answered:,}, "
                f"clarified {q.clarified:,}, refused {q.refused:,}); 👍 {d.satisfaction.overall.up:,} of "
                f"{d.satisfaction.overall.total:,}; complaints received {c.received:,}, resolved {c.resolved:,}, "
                f"on time {c.on_time:,}, overdue {c.overdue:,}, average {c.average_days or 0:.2f} working days; "
                f"walkthroughs started {d.guides_started:,}, finished {d.guides_finished:,}; "
                f"announcements {len(d.announcements)}; subscribers {d.subscribers.total:,}"
            )
        out = Path(tmp) / "report.xlsx"
        t0 = time.perf_counter()
        async with db.session() as s:
            await write_monthly(s, month_of(YEAR, 11, TZ), kb, out, now=now)
        print(
            f"monthly workbook (November, {len(loc.areas) + 1} area sheets): {time.perf_counter() - t0:.2f} s"
        )
        await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="", help="database URL (default: SQLite in a temporary directory)")
    parser.add_argument("--questions", type=int, default=1_000_000)
    parser.add_argument("--complaints", type=int, default=10_000)
    parser.add_argument(
        "--no-seed", action="store_true", help="time a database an earlier run seeded (--url)"
    )
    arguments = parser.parse_args()
    if arguments.no_seed and not arguments.url:
        raise SystemExit("--no-seed needs --url: the database an earlier run seeded")
    if (
        not arguments.no_seed
        and arguments.url.startswith("sqlite")
        and Path(make_url(arguments.url).database or "").exists()
    ):
        raise SystemExit(f"{make_url(arguments.url).database} exists; give a new SQLite file")
    asyncio.run(main(arguments))
