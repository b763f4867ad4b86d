"""The bot's one send budget (bot/outbox_sender/budget.py) against its database ledger and a virtual clock.

Each test runs on SQLite and, when MOTCUA_TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.outbox_sender import ChatRules, Priority, SendBudget, telegram_ledger_key
from storage.db import Database
from tests.outbox_fakes import FakeClock

REPLY, BULK = Priority.REPLY, Priority.BULK


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    await database.upgrade()
    yield database
    await database.close()


def budget(db: Database, clock: FakeClock, *, rate: float = 10.0, **rules: int) -> SendBudget:
    return SendBudget.on_database(db, "tg42", rate, clock, ChatRules(**rules))


async def test_a_reply_takes_a_slot_reserved_for_an_announcement(db: Database) -> None:
    clock = FakeClock()
    b = budget(db, clock)
    start = clock.time()
    await b.acquire("1", BULK)  # reserves a block of slots, uses the first
    await b.acquire("2", REPLY)  # takes the second without waiting
    assert clock.time() == start and b.stats.stolen == 1 and b.debt == 0
    await b.acquire("3", BULK)  # the announcement moves on to the slot after
    assert clock.time() - start == pytest.approx(0.2)


async def test_replies_never_wait_for_the_rate_and_push_every_workers_announcements_back(
    db: Database,
) -> None:
    clock = FakeClock()
    here, other = budget(db, clock), budget(db, clock)
    start = clock.time()
    for chat in range(5):
        await here.acquire(str(chat), REPLY)
    assert clock.time() == start  # no slot was reserved: the replies went at once
    assert here.stats.owed == 5
    await here.flush()  # what the background flush writes within a tenth of a second
    await other.acquire("99", BULK)  # another worker's announcement yields to the five replies
    assert clock.time() - start == pytest.approx(0.5)


async def test_reply_debt_delays_announcements_by_at_most_the_horizon(db: Database) -> None:
    clock = FakeClock()
    here, other = budget(db, clock), budget(db, clock)
    start = clock.time()
    for chat in range(200):  # a storm of questions: 20 seconds of the rate
        await here.acquire(str(chat), REPLY)
    await here.flush()
    await other.acquire("99", BULK)
    assert clock.time() - start == pytest.approx(SendBudget.DEBT_HORIZON)


async def test_a_private_chat_gets_a_short_burst_then_one_message_per_second(db: Database) -> None:
    clock = FakeClock()
    b = budget(db, clock, burst=3)
    start = clock.time()
    for _ in range(3):
        await b.acquire("7", REPLY)
    assert clock.time() == start
    await b.acquire("7", REPLY)
    assert clock.time() - start == pytest.approx(1.0)
    assert b.stats.chat_waits == 1


async def test_announcements_wait_for_a_quiet_chat_and_a_reply_goes_before_them(db: Database) -> None:
    clock = FakeClock()
    b = budget(db, clock, rate=100.0)
    start = clock.time()
    await b.acquire("7", REPLY)
    await b.acquire("7", BULK)  # the chat just got a reply: the announcement waits a second
    assert clock.time() - start == pytest.approx(1.0, abs=0.02)
    booked = clock.time()
    await b.acquire("7", REPLY)  # right after the announcement: the reply still goes at once
    assert clock.time() == booked
    await b.acquire("8", BULK)  # another chat is not held back
    assert clock.time() - booked < 0.05


async def test_a_group_keeps_the_last_messages_of_its_minute_for_replies(db: Database) -> None:
    clock = FakeClock()
    b = budget(db, clock, rate=100.0, interval=0.001, burst=1, group_per_minute=20, group_reserve=5)
    start = clock.time()
    for _ in range(15):
        await b.acquire("-100", BULK)
    before = clock.time()
    for _ in range(5):
        await b.acquire("-100", REPLY)  # 16th to 20th of the minute: replies only
    assert clock.time() - before < 0.05
    await b.acquire("-100", BULK)  # waits for the minute's first messages to age out
    assert clock.time() - start >= 60.0
    await b.acquire("-100", REPLY)
    assert clock.time() - start < 61.0


async def test_a_429_pauses_the_whole_bot_in_every_worker(db: Database) -> None:
    clock = FakeClock()
    here, other = budget(db, clock), budget(db, clock)
    start = clock.time()
    await here.pause(5.0)
    await here.acquire("1", REPLY)
    assert clock.time() - start == pytest.approx(5.0)
    clock.t = start + 1.0  # a second later, in another worker: its announcements wait too
    await other.acquire("2", BULK)
    assert clock.time() - start >= 5.0 - 1e-6


async def test_a_clock_that_does_not_advance_never_spins_the_reply_path(db: Database) -> None:
    """The Telegram runner's tests replace sleeps with ones that return at once."""

    class FrozenClock(FakeClock):
        async def sleep(self, seconds: float) -> None:
            self.slept.append(seconds)

    clock = FrozenClock()
    b = budget(db, clock, burst=1)
    await b.pause(3.0)
    await b.acquire("1", REPLY)
    await b.acquire("1", REPLY)  # over the chat's burst: one wait, then on
    assert clock.slept == [pytest.approx(3.0), pytest.approx(1.0)]  # the pause once, then the chat


def test_the_ledger_key_is_the_bot_id_never_the_secret() -> None:
    assert telegram_ledger_key("123456789:AAE-secret-part") == "tg123456789"
    assert "secret" not in telegram_ledger_key("1:secret")
    assert telegram_ledger_key("not-a-token") == "telegram"


async def test_a_zalo_answer_goes_through_the_budget_and_its_rate_limit_pauses_the_oa(
    db: Database,
) -> None:
    from bot.channels.base import RateLimited
    from bot.channels.zalo_common import answer_with_retries
    from handlers.messages import Reply

    clock = FakeClock()
    b = SendBudget.on_database(db, "zalo_oa", 10.0, clock, ChatRules(replies_paced=False))
    sent: list[float] = []

    async def send(platform_id: str, replies: list[Reply]) -> None:
        if not sent and not b.stats.pauses:
            raise RateLimited(1.0)
        sent.append(clock.time())

    start = clock.time()
    await answer_with_retries(
        send, "u1", [Reply("a"), Reply("b")], sleep=clock.sleep, label="Zalo OA", budget=b
    )
    assert sent == [pytest.approx(start + 1.0)]  # after the pause the whole OA took
    assert b.stats.pauses == 1 and b.stats.replies == 4  # two messages, counted at each attempt
    for _ in range(5):  # no per-chat pacing of answers on Zalo
        await b.acquire("u1", REPLY)
    assert clock.time() == pytest.approx(start + 1.0)
