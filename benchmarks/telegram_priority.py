"""Live replies during an announcement: do citizens still get fast answers, and no 429? (issue 17, item 8)

    python -m benchmarks.telegram_priority            # 30 s of questions per phase
    python -m benchmarks.telegram_priority --quick    # 8 s per phase

The fake Bot API (tests/fake_telegram.py) runs in its own process with
Telegram's flood limits made strict: 30 messages/s for the bot, one per
second per private chat after a burst of 3, and a flood wait after any 429
that holds the whole bot. `motcua`'s Telegram runner and outbox worker run in
this process on one SQLite database, as in `motcua run`.

Two phases in the same run: a baseline where citizens ask 8 questions/s
(40 citizens in turn) and nothing else is sent, then the same questions while
an announcement goes out at the configured global rate (25/s) to subscribers
who are not asking. The fake times each question from the moment the update
is available to the first reply in that chat. Printed: reply p50/p95 and 429
answers per phase, and the ratios of the announcement phase to the baseline.

To measure the bot of another commit (e.g. before the shared budget), run
this file and tests/fake_telegram.py copied into a `git archive` of it, from
there: its bot/, handlers/ and storage/ are measured against the strict fake.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.telegram_bench import QUESTIONS, FakeProcess, latencies_of, percentile  # noqa: E402
from tests.fake_telegram import DEFAULT_TOKEN  # noqa: E402

CITIZENS = 40
FIRST_CITIZEN = 500_000
FIRST_SUBSCRIBER = 100_000
LIMITS = {"global_per_second": 30, "per_chat_per_second": 1, "per_chat_burst": 3}


async def open_app(fake: FakeProcess, data_dir: Path, rate: float) -> Any:
    from bot.app import build_app
    from bot.config import Settings

    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{data_dir / 'priority.db'}",
        data_dir=data_dir,
        telegram_token=DEFAULT_TOKEN,
        telegram_api_url=fake.api_url,
        telegram_poll_timeout=1,
        outbox_rate_telegram=rate,
        outbox_poll_seconds=0.2,
    ).resolved()
    return await build_app(settings)


async def add_subscribers(app: Any, fake: FakeProcess, count: int) -> None:
    from storage.repos import get_or_create_user

    await fake.post("/_fake/users", {"first": FIRST_SUBSCRIBER, "count": count})
    async with app.db.session() as s:
        for uid in range(FIRST_SUBSCRIBER, FIRST_SUBSCRIBER + count):
            user = await get_or_create_user(s, "telegram", str(uid))
            user.subscriptions = ["chung"]
        await s.commit()


async def announce(app: Any) -> int:
    from handlers.messages import Reply
    from handlers.serialize import replies_to_payload
    from storage import outbox as ob

    text = "📢 Thông báo: lịch tiếp công dân tuần này thay đổi, mời anh/chị xem chi tiết tại bộ phận một cửa."
    async with app.db.session() as s:
        b = await ob.create_broadcast(
            s,
            created_by="cli:bench",
            text=text,
            audience=ob.Audience(topic="chung"),
            payload=replies_to_payload([Reply(text)]),
        )
        await s.commit()
        return int(b.id)


async def broadcast_sent(app: Any, broadcast_id: int) -> tuple[int, bool]:
    from storage import outbox as ob

    async with app.db.session() as s:
        p = await ob.progress(s, broadcast_id)
    assert p is not None
    return p.sent, p.finished


async def until_sent(app: Any, broadcast_id: int, check: Any, limit: float) -> bool:
    """Poll the broadcast's progress until check(sent, finished) holds; whether it did in time."""
    deadline = time.monotonic() + limit
    while True:
        if check(*await broadcast_sent(app, broadcast_id)):
            return True
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)


async def phase(
    fake: FakeProcess, app: Any, runner: Any, *, seconds: float, rate: float, announcement: bool
) -> dict[str, Any]:
    await fake.post("/_fake/reset", {"track_latency": True})
    await fake.post("/_fake/limits", LIMITS)
    budget_stats = getattr(getattr(runner, "budget", None), "stats", None)  # None: code before it
    stats0 = dict(vars(budget_stats)) if budget_stats is not None else {}
    broadcast_id = None
    if announcement:
        broadcast_id = await announce(app)
        await until_sent(app, broadcast_id, lambda sent, _done: sent >= 25, 60)  # at its full rate
    total = int(seconds * rate)
    began = time.perf_counter()
    sent_before = (await broadcast_sent(app, broadcast_id))[0] if broadcast_id else 0
    await fake.post(
        "/_fake/load",
        {"rate": rate, "count": total, "users": CITIZENS, "first_user": FIRST_CITIZEN, "texts": QUESTIONS},
    )
    await latencies_of(fake, total, seconds + 60)
    window = time.perf_counter() - began
    sent_during = (await broadcast_sent(app, broadcast_id))[0] - sent_before if broadcast_id else 0
    finished = True
    if broadcast_id is not None:  # every subscriber gets it: nothing is dropped to make room
        finished = await until_sent(app, broadcast_id, lambda _sent, done: done, 600)
    stats = await fake.stats()
    limited = {int(k): v for k, v in stats["rate_limited_chats"].items()}
    citizen_429 = sum(v for k, v in limited.items() if k >= FIRST_CITIZEN)
    budget = {k: v for k, v in (vars(budget_stats) if budget_stats else {}).items() if isinstance(v, int)}
    return {
        "latencies": stats["latencies"],
        "questions": total,
        "citizen_429": citizen_429,
        "citizens_with_429": sum(1 for k in limited if k >= FIRST_CITIZEN),
        "subscriber_429": sum(v for k, v in limited.items() if k < FIRST_CITIZEN),
        "announcement_rate": sent_during / window if broadcast_id else 0.0,
        "announcement_finished": finished,
        "budget": {k: v - int(stats0.get(k, 0)) for k, v in budget.items()},
    }


def describe(name: str, f: dict[str, Any]) -> str:
    lat = f["latencies"]
    line = (
        f"{name:<28} {len(lat)}/{f['questions']} answered, reply p50 {percentile(lat, 50) * 1000:7.1f} ms, "
        f"p95 {percentile(lat, 95) * 1000:7.1f} ms; 429s to citizens {f['citizen_429']} "
        f"({f['citizens_with_429']} chats), to subscribers {f['subscriber_429']}"
    )
    if f["announcement_rate"]:
        line += (
            f"; announcement {f['announcement_rate']:.1f} msg/s during the questions, "
            f"{'all delivered' if f['announcement_finished'] else 'NOT FINISHED'}"
        )
    return line


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else ("1.00" if a == 0 else "inf")


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=18091)
    parser.add_argument("--seconds", type=float, default=30.0, help="questions per phase, in seconds")
    parser.add_argument("--rate", type=float, default=8.0, help="questions per second")
    parser.add_argument("--announce-rate", type=float, default=25.0, help="MOTCUA_OUTBOX_RATE_TELEGRAM")
    parser.add_argument("--quick", action="store_true", help="8 s per phase")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds = 8.0
    logging.basicConfig(level=logging.ERROR)
    from bot.channels.telegram import TelegramRunner
    from bot.outbox_sender import OutboxRunner

    # enough subscribers that the announcement outlasts the questions even at full rate
    subscribers = int(args.announce_rate * (args.seconds + 5))
    async with FakeProcess(args.port) as fake:
        with tempfile.TemporaryDirectory() as tmp:
            app = await open_app(fake, Path(tmp), args.announce_rate)
            runner = TelegramRunner(app)
            outbox = None
            try:
                await add_subscribers(app, fake, subscribers)
                await runner.start()
                outbox = OutboxRunner(app, "telegram")
                await outbox.start()
                await fake.texts([(FIRST_CITIZEN + i, "xin chào") for i in range(CITIZENS)])  # warm-up
                await asyncio.sleep(3)
                base = await phase(
                    fake, app, runner, seconds=args.seconds, rate=args.rate, announcement=False
                )
                during = await phase(
                    fake, app, runner, seconds=args.seconds, rate=args.rate, announcement=True
                )
            finally:
                if outbox is not None:
                    await outbox.stop()
                await runner.stop()
                await app.close()
    print(describe("baseline (no announcement)", base))
    print(describe("during the announcement", during))
    b, d = base["latencies"], during["latencies"]
    print(
        f"ratios announcement/baseline: p50 {ratio(percentile(d, 50), percentile(b, 50))}, "
        f"p95 {ratio(percentile(d, 95), percentile(b, 95))}; "
        f"429s to citizens {during['citizen_429']} vs {base['citizen_429']}"
    )
    print(f"budget during the announcement: {during['budget']}")
    ok = (
        during["citizen_429"] == 0
        and during["subscriber_429"] == 0
        and len(d) >= during["questions"]
        and during["announcement_finished"]
    )
    print("no 429, every question answered, the announcement delivered" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(asyncio.run(main()))
