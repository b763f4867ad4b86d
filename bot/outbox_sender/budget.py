"""One send budget per bot: replies to waiting citizens first, announcements with what is left.

Telegram meters a bot token, not a sender: about 30 messages per second for
bulk notifications, about one per second in a private chat (short bursts
tolerated), at most 20 per minute in a group (Bots FAQ, "My bot is hitting
limits, how do I avoid this?", core.telegram.org/bots/faq, read 2026-12-01),
and a 429's retry_after holds the bot back. Live replies, the outbox worker and
announcements therefore draw from one `SendBudget` per bot in a process, and
from one ledger row per bot across processes (`outbox_rate`):

- Global rate. Announcements reserve small blocks of send slots from the
  ledger (`SlotLimiter`, storage/outbox.reserve_slots); every worker reserves
  from the same row, so together they keep to the rate. A live reply never
  waits for a slot: it takes one this process reserved for an announcement if
  there is one (the announcement waits for a later slot), otherwise it goes at
  once and is written to the ledger as debt (with the next reservation, or by
  a flush within FLUSH_SECONDS), which pushes every worker's next
  announcement slots back. Replies are not held to the global rate
  themselves: the FAQ's 30/s is about bulk notifications, and a citizen is
  waiting. Debt pushes announcements back at most DEBT_HORIZON seconds ahead
  of now, so a burst of questions slows an announcement, never stalls it.
- Per chat (in this process): every chat a GCRA bucket (`burst` messages at
  once, then one per `interval`); groups (negative Telegram ids) also at most
  `group_per_minute` in any minute. Replies may use the burst; announcements
  go only into a chat whose bucket is full, and leave a group's last
  `group_reserve` messages of the minute to replies. Two workers can still
  meet in one chat within a second; Telegram's 429 then pauses and the
  message is retried, never dropped.
- 429: the whole bot waits retry_after (`pause`): replies and announcements
  here, and through the ledger every other worker's announcements.
"""

from __future__ import annotations

import asyncio
import bisect
import enum
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.outbox_sender.rate_limit import Clock, SlotLimiter
from storage import outbox as ob
from storage.db import Database

log = logging.getLogger("motcua.outbox")

GROUP_WINDOW = 60.0


class Priority(enum.Enum):
    REPLY = "reply"  # a citizen is waiting for this message
    BULK = "bulk"  # announcements, notices, complaint answers: nobody is waiting right now


@dataclass(frozen=True)
class ChatRules:
    """Per-chat limits. interval 0 switches them off (e.g. benchmarks that flood one chat)."""

    interval: float = 1.0  # seconds per message to one chat, sustained
    burst: int = 3  # messages one chat may get at once (a reply in parts) before `interval` applies
    group_per_minute: int = 20
    group_reserve: int = 5  # of a group's messages per minute, those announcements leave to replies
    replies_paced: bool = True  # False where the platform documents no per-chat limit (Zalo)


def is_group(chat: str) -> bool:
    """Telegram groups, supergroups and channels have negative ids; private chats and Zalo users do not."""
    return chat.startswith("-")


class ChatLimits:
    """Bookings per chat: each call reserves its messages before the caller sleeps, so
    concurrent senders to one chat queue up instead of all going at once."""

    PRUNE_ABOVE = 10_000

    def __init__(self, rules: ChatRules) -> None:
        self.rules = rules
        self._tat: dict[str, float] = {}  # GCRA: when the chat's bucket is full again
        self._recent: dict[str, list[float]] = {}  # groups: send times within the last minute, sorted

    def reserve(self, chat: str, priority: Priority, count: int, now: float) -> float:
        """Book `count` messages to `chat`; when the first may go (now or later)."""
        rules = self.rules
        if rules.interval <= 0 or (priority is Priority.REPLY and not rules.replies_paced):
            return now
        if len(self._tat) > self.PRUNE_ABOVE:
            self._prune(now)
        tat = max(self._tat.get(chat, now), now)
        if priority is Priority.REPLY:
            # the bucket holds `burst` messages: go as soon as `count` of them are free
            at = max(now, tat - (rules.burst - min(count, rules.burst)) * rules.interval)
        else:
            at = tat  # only into a full bucket: the chat has had a quiet interval
        if is_group(chat):
            at = max(at, self._group_slot(chat, priority, count, at))
        self._tat[chat] = max(tat, at) + count * rules.interval
        if is_group(chat):
            recent = self._recent.setdefault(chat, [])
            for _ in range(count):
                bisect.insort(recent, at)
        return at

    def _group_slot(self, chat: str, priority: Priority, count: int, at: float) -> float:
        rules = self.rules
        limit = rules.group_per_minute - (rules.group_reserve if priority is Priority.BULK else 0)
        limit = max(limit, count)
        recent = [t for t in self._recent.get(chat, []) if t > at - GROUP_WINDOW]
        self._recent[chat] = recent
        over = len(recent) + count - limit
        if over <= 0:
            return at
        return recent[over - 1] + GROUP_WINDOW  # once enough of the minute's messages have aged out

    def _prune(self, now: float) -> None:
        self._tat = {c: t for c, t in self._tat.items() if t > now}
        self._recent = {c: r for c, r in self._recent.items() if r and r[-1] > now - GROUP_WINDOW}


class Ledger(Protocol):
    """The bot's slots shared by every process (storage/outbox.reserve_slots)."""

    async def reserve(self, count: int, debt: int, now: float) -> float: ...

    async def push_back(self, until: float) -> None: ...


class DbLedger:
    """The `outbox_rate` row of one bot."""

    def __init__(self, db: Database, key: str, rate: float, horizon: float) -> None:
        self.db = db
        self.key = key
        self.rate = rate
        self.horizon = horizon

    async def reserve(self, count: int, debt: int, now: float) -> float:
        async with self.db.session() as s:
            return await ob.reserve_slots(
                s, self.key, count, self.rate, now, debt=debt, debt_horizon=self.horizon
            )

    async def push_back(self, until: float) -> None:
        async with self.db.session() as s:
            await ob.push_back_slots(s, self.key, until)


def telegram_ledger_key(token: str) -> str:
    """The ledger row of a Telegram bot: its id (the token's first part), never the secret part.

    Telegram meters per token, so a commune that changes bots starts a fresh
    row; the column holds 16 characters, bot ids have about 10 digits.
    """
    bot_id = token.split(":", 1)[0].strip()
    return f"tg{bot_id[-14:]}" if bot_id.isdigit() else "telegram"


def zalo_budget(db: Database, channel: str, settings: Any, clock: Clock) -> SendBudget:
    """The budget of a Zalo channel: its outbox rate for the whole OA (or bot), replies first.

    Zalo documents no per-chat limit, so replies are not paced per chat;
    announcements keep a second between two messages to one person.
    """
    rules = ChatRules(interval=settings.outbox_per_chat_seconds, replies_paced=False)
    return SendBudget.on_database(db, channel, settings.outbox_rate_for(channel), clock, rules)


@dataclass
class BudgetStats:
    replies: int = 0  # reply messages sent through the budget
    stolen: int = 0  # of them, on a slot reserved for an announcement
    owed: int = 0  # of them, written to the ledger as debt
    pauses: int = 0  # 429s that paused the bot
    chat_waits: int = 0  # messages that waited for their chat's limit
    errors: list[str] = field(default_factory=list)


class SendBudget:
    """The send budget of one bot; see the module docstring."""

    FLUSH_SECONDS = 0.1
    DEBT_HORIZON = 1.0

    def __init__(self, ledger: Ledger, rate: float, clock: Clock, rules: ChatRules | None = None) -> None:
        self.ledger = ledger
        self.rate = rate
        self.clock = clock
        self.chats = ChatLimits(rules or ChatRules())
        self.slots = SlotLimiter(self._reserve, self._push_back, rate, clock)
        self.paused_until = 0.0
        self._pause_over = 0.0
        self.debt = 0  # reply messages not yet written to the ledger
        self.stats = BudgetStats()
        self._flusher: asyncio.Task[None] | None = None

    @classmethod
    def on_database(
        cls, db: Database, key: str, rate: float, clock: Clock, rules: ChatRules | None = None
    ) -> SendBudget:
        return cls(DbLedger(db, key, rate, cls.DEBT_HORIZON), rate, clock, rules)

    # --- taking ------------------------------------------------------------------
    async def acquire(self, chat: str, priority: Priority, count: int = 1) -> None:
        """Wait until `count` messages to `chat` may go now."""
        if priority is Priority.REPLY:
            await self._reply(chat, count)
        else:
            await self._bulk(chat, count)

    async def _reply(self, chat: str, count: int) -> None:
        await self.wait_pause()
        await self._chat_turn(chat, Priority.REPLY, count)
        now = self.clock.time()
        stolen = self.slots.steal(count, now)
        self.stats.replies += count
        self.stats.stolen += stolen
        if stolen < count:
            self._owe(count - stolen)

    async def _bulk(self, chat: str, count: int) -> None:
        await self._chat_turn(chat, Priority.BULK, count)
        await self.slots.acquire(count)  # waits out pauses too

    async def _chat_turn(self, chat: str, priority: Priority, count: int) -> None:
        now = self.clock.time()
        at = self.chats.reserve(chat, priority, count, now)
        if at > now:
            self.stats.chat_waits += count
            await self.clock.sleep(at - now)
            await self.wait_pause()

    async def wait_pause(self) -> None:
        """Sleep out a 429 pause. A pause someone has slept out is over even if the clock says
        otherwise (the runner's tests replace sleeps with ones that return at once)."""
        until, now = self.paused_until, self.clock.time()
        if until <= now or until == self._pause_over:
            return
        await self.clock.sleep(until - now)
        self._pause_over = max(self._pause_over, until)

    # --- 429 ---------------------------------------------------------------------
    async def pause(self, seconds: float) -> None:
        """Telegram said 429 with retry_after: nothing of this bot goes out before then, anywhere."""
        self.stats.pauses += 1
        self.paused_until = max(self.paused_until, self.clock.time() + seconds)
        try:
            await self.slots.pause(seconds)  # also pushes every worker's slots back
        except Exception as exc:  # the database is down: this process still waits
            log.warning("could not share a rate-limit pause with other workers: %s", exc)

    # --- the ledger ----------------------------------------------------------------
    async def _reserve(self, count: int) -> float:
        debt, self.debt = self.debt, 0
        try:
            return await self.ledger.reserve(count, debt, self.clock.time())
        except BaseException:
            self.debt += debt
            raise

    async def _push_back(self, until: float) -> None:
        await self.ledger.push_back(until)

    def _owe(self, count: int) -> None:
        self.debt += count
        self.stats.owed += count
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_loop(), name="send-budget-flush")

    async def _flush_loop(self) -> None:
        """Write reply debt to the ledger a few times a second, so other workers' announcements yield."""
        while self.debt:
            # real time even under a test clock: bookkeeping, not a wait anyone should skip
            await asyncio.sleep(self.FLUSH_SECONDS)  # gather the replies of this moment
            await self.flush()

    async def close(self) -> None:
        """At shutdown: stop the background flush and write what is still owed."""
        if self._flusher is not None:
            self._flusher.cancel()
            await asyncio.gather(self._flusher, return_exceptions=True)
        await self.flush()

    async def flush(self) -> None:
        debt, self.debt = self.debt, 0
        if not debt:
            return
        try:
            await self.ledger.reserve(0, debt, self.clock.time())
        except Exception as exc:
            # the replies went out; only the other workers' announcements do not yield to them
            message = f"{type(exc).__name__}: {exc}"
            if message not in self.stats.errors[-1:]:
                log.warning("could not write reply debt to the send ledger: %s", message)
                self.stats.errors.append(message)
