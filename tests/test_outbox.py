"""The outbox and its sender loop, against a scripted in-process sender and a virtual clock.

Each test runs on SQLite and, when MOTCUA_TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.channels.base import OutsideWindow, PermanentError, RateLimited, TransientError, Unreachable
from bot.outbox_sender import OutboxWorker, SenderConfig, as_datetime
from handlers.messages import Reply
from handlers.serialize import replies_to_payload
from storage import outbox as ob
from storage.db import Database
from storage.models import Outbox, User
from storage.repos import enqueue, get_or_create_user
from tests.outbox_fakes import FakeClock, FakeSender


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    await database.upgrade()
    yield database
    await database.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def cfg(**kw) -> SenderConfig:
    base = dict(
        rate=10.0, concurrency=1, lease_seconds=30, max_attempts=3, backoff_seconds=2, per_chat_seconds=1
    )
    base.update(kw)
    return SenderConfig(**base)


async def add_users(db: Database, n: int, *, channel: str = "test", subs=("chung",), area=None) -> list[int]:
    ids = []
    async with db.session() as s:
        for i in range(n):
            u = await get_or_create_user(s, channel, f"p{i}")
            u.subscriptions = list(subs)
            u.area = area
            ids.append(u.id)
        await s.commit()
    return ids


async def queue(
    db: Database, clock: FakeClock, pids: list[str], *, kind: str = "notice", text: str = "xin chào"
) -> None:
    async with db.session() as s:
        for pid in pids:
            await enqueue(
                s,
                channel="test",
                platform_id=pid,
                user_id=None,
                kind=kind,
                payload=replies_to_payload([Reply(text)]),
                not_before=as_datetime(clock.time()),
            )
        await s.commit()


async def statuses(db: Database) -> dict[str, str]:
    async with db.session() as s:
        rows = (await s.execute(select(Outbox.platform_id, Outbox.status))).all()
    return {pid: status for pid, status in rows}


async def test_delivers_everything_at_the_configured_rate(db: Database, clock: FakeClock) -> None:
    await queue(db, clock, [f"p{i}" for i in range(20)])
    sender = FakeSender(clock)
    worker = OutboxWorker(db, sender, cfg(rate=10.0), clock=clock)
    await worker.drain()
    assert len(sender.sent) == 20
    assert set((await statuses(db)).values()) == {"sent"}
    times = [s.at for s in sender.sent]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.1 - 1e-6  # 10 msg/s: never closer than 100 ms
    assert times[-1] - times[0] == pytest.approx(1.9, abs=0.05)
    async with db.session() as s:
        ids = set((await s.scalars(select(Outbox.platform_message_id))).all())
    assert ids == {f"m{i}" for i in range(1, 21)}


async def test_at_least_one_second_between_messages_to_one_chat(db: Database, clock: FakeClock) -> None:
    await queue(db, clock, ["same", "same", "same", "other"])
    sender = FakeSender(clock)
    await OutboxWorker(db, sender, cfg(rate=25.0), clock=clock).drain()
    same = [s.at for s in sender.sent if s.platform_id == "same"]
    assert len(same) == 3
    assert all(b - a >= 1.0 - 1e-6 for a, b in itertools.pairwise(same))


async def test_429_waits_retry_after_and_loses_nothing(db: Database, clock: FakeClock) -> None:
    await queue(db, clock, ["a", "b", "c"])
    sender = FakeSender(clock)
    sender.script["b"] = [RateLimited(7)]
    worker = OutboxWorker(db, sender, cfg(rate=10.0), clock=clock)
    start = clock.time()
    await worker.drain()
    assert sorted(s.platform_id for s in sender.sent) == ["a", "b", "c"]
    assert worker.stats.rate_limited == 1
    b_at = next(s.at for s in sender.sent if s.platform_id == "b")
    assert b_at - start >= 7.0
    assert set((await statuses(db)).values()) == {"sent"}
    async with db.session() as s:
        attempts = (await s.scalars(select(Outbox.attempts).where(Outbox.platform_id == "b"))).one()
    assert attempts == 0  # a 429 is not a failed attempt


async def test_unreachable_marks_user_blocked_and_unsubscribed(db: Database, clock: FakeClock) -> None:
    await add_users(db, 2)
    await queue(db, clock, ["p0", "p1"], kind="broadcast")
    sender = FakeSender(clock)
    sender.script["p0"] = [Unreachable("Forbidden: bot was blocked by the user")]
    await OutboxWorker(db, sender, cfg(), clock=clock).drain()
    assert await statuses(db) == {"p0": "unreachable", "p1": "sent"}
    async with db.session() as s:
        u0 = await s.scalar(select(User).where(User.platform_id == "p0"))
        u1 = await s.scalar(select(User).where(User.platform_id == "p1"))
        err = await s.scalar(select(Outbox.error).where(Outbox.platform_id == "p0"))
    assert u0.blocked and u0.subscriptions == []
    assert not u1.blocked and u1.subscriptions == ["chung"]
    assert "blocked" in err


async def test_outside_window_skips_broadcast_but_keeps_complaint_reply(
    db: Database, clock: FakeClock
) -> None:
    uid = (await add_users(db, 1))[0]
    async with db.session() as s:
        for kind in ("broadcast", "complaint_reply"):
            await enqueue(
                s,
                channel="test",
                platform_id="p0",
                user_id=uid,
                kind=kind,
                payload=replies_to_payload([Reply(kind)]),
                not_before=as_datetime(clock.time()),
            )
        await s.commit()
    sender = FakeSender(clock)
    sender.script["p0"] = [OutsideWindow("48 h window"), OutsideWindow("48 h window")]
    worker = OutboxWorker(db, sender, cfg(), clock=clock)
    await worker.drain()
    async with db.session() as s:
        rows = dict((await s.execute(select(Outbox.kind, Outbox.status))).all())
    assert rows == {"broadcast": "skipped", "complaint_reply": "waiting"}
    # nothing happens until the user writes again ...
    clock.t += 3600
    await worker.drain()
    assert sender.sent == []
    # ... then the reply goes out
    async with db.session() as s:
        await s.execute(update(User).where(User.id == uid).values(last_seen_at=as_datetime(clock.time())))
        await s.commit()
    await worker.drain()
    assert [x.texts for x in sender.sent] == [["complaint_reply"]]


async def test_transient_errors_back_off_then_fail_with_reason(db: Database, clock: FakeClock) -> None:
    await queue(db, clock, ["flaky", "down"])
    sender = FakeSender(clock)
    sender.script["flaky"] = [TransientError("502 Bad Gateway")]
    sender.script["down"] = [TransientError("timeout")] * 5
    worker = OutboxWorker(db, sender, cfg(max_attempts=3, backoff_seconds=2), clock=clock)
    await worker.drain()
    async with db.session() as s:
        flaky = await s.scalar(select(Outbox).where(Outbox.platform_id == "flaky"))
    assert flaky.status == "pending" and flaky.attempts == 1
    assert flaky.not_before >= as_datetime(clock.time() + 1.5)  # first backoff is 2 s
    for _ in range(4):
        clock.t += 10
        await worker.drain()
    final = await statuses(db)
    assert final == {"flaky": "sent", "down": "failed"}
    async with db.session() as s:
        down = await s.scalar(select(Outbox).where(Outbox.platform_id == "down"))
    assert down.attempts == 3 and "timeout" in down.error and "3 attempts" in down.error


async def test_backoff_grows_exponentially(db: Database, clock: FakeClock) -> None:
    await queue(db, clock, ["x"])
    sender = FakeSender(clock)
    sender.script["x"] = [TransientError("503")] * 3
    worker = OutboxWorker(db, sender, cfg(max_attempts=10, backoff_seconds=2), clock=clock)
    delays = []
    for _ in range(3):
        await worker.drain()
        async with db.session() as s:
            nb = await s.scalar(select(Outbox.not_before))
        delays.append(round((nb - as_datetime(clock.time())).total_seconds()))
        clock.t += delays[-1]
    assert delays == [2, 4, 8]


async def test_permanent_error_fails_row(db: Database, clock: FakeClock) -> None:
    await queue(db, clock, ["bad"])
    sender = FakeSender(clock)
    sender.script["bad"] = [PermanentError("Bad Request: message is too long")]
    await OutboxWorker(db, sender, cfg(), clock=clock).drain()
    async with db.session() as s:
        row = await s.scalar(select(Outbox))
    assert row.status == "failed" and "too long" in row.error and sender.calls == 1


async def test_unexpected_sender_exception_is_retried_not_fatal(db: Database, clock: FakeClock) -> None:
    await queue(db, clock, ["x", "y"])
    sender = FakeSender(clock)
    sender.script["x"] = [KeyError("oops")]  # type: ignore[list-item]
    await OutboxWorker(db, sender, cfg(), clock=clock).drain()
    assert await statuses(db) == {"x": "pending", "y": "sent"}


async def test_killed_worker_rows_come_back_after_the_lease(db: Database, clock: FakeClock) -> None:
    await queue(db, clock, [f"p{i}" for i in range(5)])
    # worker A claims and "dies" (never marks)
    async with db.session() as s:
        taken = await ob.claim(s, "test", "A", limit=3, lease_seconds=30, now=as_datetime(clock.time()))
    assert len(taken) == 3
    sender = FakeSender(clock)
    b = OutboxWorker(db, sender, cfg(lease_seconds=30), clock=clock, worker_id="B")
    await b.drain()
    assert len(sender.sent) == 2  # only the unclaimed ones
    clock.t += 31
    await b.drain()
    assert sorted(x.platform_id for x in sender.sent) == [f"p{i}" for i in range(5)]
    assert set((await statuses(db)).values()) == {"sent"}


async def test_lease_renewal_keeps_rows_of_a_live_worker(db: Database, clock: FakeClock) -> None:
    await queue(db, clock, ["p0"])
    async with db.session() as s:
        (row,) = await ob.claim(s, "test", "A", limit=5, lease_seconds=30, now=as_datetime(clock.time()))
    clock.t += 25
    async with db.session() as s:
        await ob.renew_lease(s, "A", [row.id], as_datetime(clock.time()))
    clock.t += 25  # 50 s after the claim but only 25 after the renewal
    async with db.session() as s:
        assert await ob.claim(s, "test", "B", limit=5, lease_seconds=30, now=as_datetime(clock.time())) == []


async def test_concurrent_claims_never_share_a_row(db: Database, clock: FakeClock) -> None:
    await queue(db, clock, [f"p{i}" for i in range(40)])

    async def take(name: str) -> list[int]:
        got = []
        while True:
            async with db.session() as s:
                rows = await ob.claim(
                    s, "test", name, limit=3, lease_seconds=30, now=as_datetime(clock.time())
                )
            if not rows:
                return got
            got += [r.id for r in rows]

    a, b, c = await asyncio.gather(take("A"), take("B"), take("C"))
    assert len(a) + len(b) + len(c) == 40
    assert len(set(a) | set(b) | set(c)) == 40


async def test_two_workers_share_one_global_rate(db: Database, clock: FakeClock) -> None:
    await queue(db, clock, [f"p{i}" for i in range(80)])  # a batch is 40 rows: both get work
    sender = FakeSender(clock)
    w1 = OutboxWorker(db, sender, cfg(rate=20.0), clock=clock, worker_id="w1")
    w2 = OutboxWorker(db, sender, cfg(rate=20.0), clock=clock, worker_id="w2")
    await asyncio.gather(w1.drain(), w2.drain())
    assert len(sender.sent) == 80 and w1.stats.sent > 0 and w2.stats.sent > 0
    assert sorted(x.platform_id for x in sender.sent) == sorted(f"p{i}" for i in range(80))


async def test_limiters_of_two_workers_get_disjoint_slots(db: Database, clock: FakeClock) -> None:
    """The global rate holds across workers: the slots handed out never come closer than 1/rate."""
    w1 = OutboxWorker(db, FakeSender(clock), cfg(rate=20.0), clock=clock, worker_id="w1")
    w2 = OutboxWorker(db, FakeSender(clock), cfg(rate=20.0), clock=clock, worker_id="w2")

    async def take(w: OutboxWorker) -> list[float]:
        return [await w.limiter.acquire() for _ in range(30)]

    a, b = await asyncio.gather(take(w1), take(w2))
    times = sorted(a + b)
    assert len(set(times)) == 60
    assert all(y - x >= 0.05 - 1e-6 for x, y in itertools.pairwise(times))
    async with db.session() as s:
        starts = [await ob.reserve_slots(s, "test", 4, 20.0, clock.time()) for _ in range(3)]
    assert starts[1] - starts[0] == pytest.approx(0.2) and starts[2] - starts[1] == pytest.approx(0.2)


async def test_rate_limit_pauses_other_workers_too(db: Database, clock: FakeClock) -> None:
    async with db.session() as s:
        first = await ob.reserve_slots(s, "test", 1, 10.0, clock.time())
        await ob.push_back_slots(s, "test", clock.time() + 30)
        later = await ob.reserve_slots(s, "test", 1, 10.0, clock.time())
    assert first == clock.time() and later == clock.time() + 30


async def test_dedupe_key_forbids_a_second_delivery_of_a_broadcast(db: Database, clock: FakeClock) -> None:
    await add_users(db, 3)
    async with db.session() as s:
        b = await ob.create_broadcast(
            s, created_by="cli", text="t", audience=ob.Audience(), payload=replies_to_payload([Reply("t")])
        )
        await s.commit()
        assert b.total == 3
    async with db.session() as s:
        row = await s.scalar(select(Outbox).limit(1))
        s.add(
            Outbox(
                channel=row.channel,
                platform_id=row.platform_id,
                user_id=row.user_id,
                kind="broadcast",
                ref=row.ref,
                payload=row.payload,
                status="pending",
                attempts=0,
                dedupe_key=row.dedupe_key,
            )
        )
        with pytest.raises(IntegrityError):
            await s.commit()


async def test_cancel_stops_remaining_deliveries(db: Database, clock: FakeClock) -> None:
    await add_users(db, 6)
    now = as_datetime(clock.time())
    async with db.session() as s:
        b = await ob.create_broadcast(
            s,
            created_by="cli",
            text="t",
            audience=ob.Audience(),
            payload=replies_to_payload([Reply("t")]),
            now=now,
        )
        await s.commit()
    sender = FakeSender(clock)
    worker = OutboxWorker(db, sender, cfg(), clock=clock)
    async with db.session() as s:
        rows = await ob.claim(s, "test", worker.worker_id, limit=2, lease_seconds=30, now=now)
    for row in rows:
        worker._held[row.id] = row
        await worker.deliver(row)
    async with db.session() as s:
        assert await ob.cancel_broadcast(s, b.id, "staff") == 4
        await s.commit()
    await worker.drain()
    assert len(sender.sent) == 2
    async with db.session() as s:
        p = await ob.progress(s, b.id)
    assert p.counts == {"sent": 2, "cancelled": 4} and p.finished


async def test_claimed_rows_of_a_cancelled_broadcast_are_not_sent(db: Database, clock: FakeClock) -> None:
    await add_users(db, 3)
    now = as_datetime(clock.time())
    async with db.session() as s:
        b = await ob.create_broadcast(
            s,
            created_by="cli",
            text="t",
            audience=ob.Audience(),
            payload=replies_to_payload([Reply("t")]),
            now=now,
        )
        await s.commit()
    sender = FakeSender(clock)
    worker = OutboxWorker(db, sender, cfg(), clock=clock)
    async with db.session() as s:
        rows = await ob.claim(s, "test", worker.worker_id, limit=10, lease_seconds=30, now=now)
        await ob.cancel_broadcast(s, b.id, "staff")
        await s.commit()
    for row in rows:
        assert await worker.deliver(row) == "cancelled"
    assert sender.sent == []


async def test_scheduled_rows_wait_for_their_time(db: Database, clock: FakeClock) -> None:
    await add_users(db, 2)
    now = as_datetime(clock.time())
    async with db.session() as s:
        await ob.create_broadcast(
            s,
            created_by="cli",
            text="t",
            audience=ob.Audience(),
            payload=replies_to_payload([Reply("t")]),
            send_at=now + dt.timedelta(hours=2),
            now=now,
        )
        await s.commit()
    sender = FakeSender(clock)
    worker = OutboxWorker(db, sender, cfg(), clock=clock)
    await worker.drain()
    assert sender.sent == []
    clock.t += 2 * 3600
    await worker.drain()
    assert len(sender.sent) == 2


async def test_unreadable_payload_fails_row_without_sending(db: Database, clock: FakeClock) -> None:
    async with db.session() as s:
        await enqueue(s, channel="test", platform_id="x", user_id=None, kind="notice", payload=[{"nope": 1}])
        await s.commit()
    sender = FakeSender(clock)
    await OutboxWorker(db, sender, cfg(), clock=clock).drain()
    assert sender.calls == 0 and await statuses(db) == {"x": "failed"}


async def test_run_loop_delivers_and_releases_on_stop(db: Database) -> None:
    """The real loop (real clock, fast rate): starts, delivers, stops cleanly."""
    from bot.outbox_sender import RealClock

    clock = RealClock()
    await queue(db, clock, [f"p{i}" for i in range(10)])  # type: ignore[arg-type]
    sender = FakeSender(clock)  # type: ignore[arg-type]
    worker = OutboxWorker(db, sender, cfg(rate=200.0, concurrency=4, poll_seconds=0.05), clock=clock)
    task = asyncio.create_task(worker.run())
    for _ in range(200):
        if len(sender.sent) == 10:
            break
        await asyncio.sleep(0.02)
    worker.stop()
    await asyncio.wait_for(task, 5)
    assert sorted(x.platform_id for x in sender.sent) == sorted(f"p{i}" for i in range(10))
    assert set((await statuses(db)).values()) == {"sent"}


async def test_crash_duplicates_are_bounded_by_sends_in_flight(db: Database, clock: FakeClock) -> None:
    """kill -9 between a send and its mark: after the lease only those sends repeat, never more
    than the worker's concurrency; rows claimed but not yet sent go out exactly once."""
    await queue(db, clock, [f"p{i}" for i in range(12)])
    delivered: list[str] = []
    hang = asyncio.Event()

    class DyingSender(FakeSender):
        async def send(self, platform_id: str, replies: list[Reply]) -> str | None:
            delivered.append(platform_id)  # the platform has it ...
            await hang.wait()  # ... and the process dies before the response is marked
            return None

    concurrency = 3
    dying = OutboxWorker(db, DyingSender(clock), cfg(concurrency=concurrency, lease_seconds=30), clock=clock)
    task = asyncio.create_task(dying.drain())
    for _ in range(100):
        if len(delivered) == concurrency:
            break
        await asyncio.sleep(0.01)
    task.cancel()  # the kill: no release, no marks
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(delivered) == concurrency
    async with db.session() as s:
        claimed = (await s.scalars(select(Outbox.id).where(Outbox.status == "sending"))).all()
    assert len(claimed) == 12  # the whole batch was claimed; only 3 reached the platform
    survivor = FakeSender(clock)
    restart = OutboxWorker(db, survivor, cfg(lease_seconds=30), clock=clock)
    await restart.drain()
    assert survivor.sent == []  # nothing moves before the lease expires
    clock.t += 31
    await restart.drain()
    received = delivered + [x.platform_id for x in survivor.sent]
    assert sorted(set(received)) == sorted(f"p{i}" for i in range(12))  # nobody lost
    duplicates = len(received) - len(set(received))
    assert duplicates == concurrency  # exactly the sends in flight at the kill
