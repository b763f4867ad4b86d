"""The outbox: claiming, marking and summarising outbound messages; creating broadcasts.

Row life cycle (`outbox.status`):

    pending ──claim──► sending ──► sent | unreachable | skipped | failed
       ▲                 │
       └── retry later ──┘ (429, network error with attempts left, lease expired)
    pending/sending ──cancel──► cancelled
    sending ──OutsideWindow on a complaint reply / dossier state──► waiting ──user writes again──► (claimable)
             (sent as the channel's template instead, when one is configured: bot/outbox_sender/worker.py)

A claim stamps `claimed_at` and `worker`; the claim is a lease: a row still
`sending` after `lease_seconds` (its worker died) is claimed again. That is the
only way a message can be sent twice, and only for rows whose send had reached
the platform but whose mark had not been committed at the instant of the kill:
at most the worker's concurrency (see docs/broadcast.md).

Everything is portable SQL. On PostgreSQL the claim uses FOR UPDATE SKIP LOCKED
so several workers share the rows; on SQLite (one writer) the conditional
UPDATE … RETURNING alone makes a claim atomic.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, and_, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Outbox, User, utcnow
from storage.models_broadcast import Broadcast, OutboxRate
from storage.repos import mark_unreachable

log = logging.getLogger(__name__)

FINAL_STATES = ("sent", "unreachable", "skipped", "failed", "cancelled")
OPEN_STATES = ("pending", "sending", "waiting")
KIND_BROADCAST = "broadcast"
KIND_COMPLAINT_REPLY = "complaint_reply"
KIND_NOTICE = "notice"
KIND_DOSSIER_STATE = "dossier_state"
# Kinds a citizen is owed: outside Zalo's window they go as a template or wait for the citizen.
HELD_KINDS = (KIND_COMPLAINT_REPLY, KIND_DOSSIER_STATE)

# Subscription topics: key -> Vietnamese label lives with the conversation texts (SUB_TOPICS).
TOPIC_KEYS = ("chung", "tiepdan", "thutuc", "duan", "yte", "luadao")
# A user who chose only an area still needs a topic to be "subscribed": general news.
DEFAULT_TOPIC = "chung"


# ----------------------------------------------------------------------------- claiming
def _claimable(now: dt.datetime, lease_seconds: float) -> Any:
    expired = now - dt.timedelta(seconds=lease_seconds)
    user_wrote_again = exists().where(
        and_(User.id == Outbox.user_id, User.last_seen_at > Outbox.claimed_at, User.blocked.is_(False))
    )
    return or_(
        and_(Outbox.status == "pending", Outbox.not_before <= now),
        and_(Outbox.status == "sending", Outbox.claimed_at < expired),
        and_(Outbox.status == "waiting", user_wrote_again),
    )


async def claim(
    db: AsyncSession,
    channel: str,
    worker: str,
    *,
    limit: int,
    lease_seconds: float,
    now: dt.datetime | None = None,
) -> list[Outbox]:
    """Take up to `limit` due rows of `channel` for this worker and commit the claim.

    Rows come oldest first. On PostgreSQL rows locked by another worker's claim
    transaction are skipped, not waited for.
    """
    now = now or utcnow()
    cond = and_(Outbox.channel == channel, _claimable(now, lease_seconds))
    pick = select(Outbox.id).where(cond).order_by(Outbox.id).limit(limit)
    if db.bind.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True, of=Outbox)
    ids = list((await db.scalars(pick)).all())
    if not ids:
        await db.commit()
        return []
    # the condition is repeated so that a concurrent claim on SQLite cannot take a row twice
    stmt = (
        update(Outbox)
        .where(Outbox.id.in_(ids), cond)
        .values(status="sending", claimed_at=now, worker=worker)
        .returning(Outbox.id)
        .execution_options(synchronize_session=False)
    )
    claimed = list((await db.scalars(stmt)).all())
    await db.commit()
    if not claimed:
        return []
    rows = list(
        (
            await db.scalars(
                select(Outbox)
                .where(Outbox.id.in_(claimed))
                .order_by(Outbox.id)
                .execution_options(populate_existing=True)
            )
        ).all()
    )
    await db.commit()
    return rows


async def renew_lease(
    db: AsyncSession, worker: str, ids: Iterable[int], now: dt.datetime | None = None
) -> None:
    """Heartbeat: rows this worker still holds keep their claim (a 429 pause may outlast a lease)."""
    ids = list(ids)
    if not ids:
        return
    await db.execute(
        update(Outbox)
        .where(Outbox.id.in_(ids), Outbox.status == "sending", Outbox.worker == worker)
        .values(claimed_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    await db.commit()


async def release(db: AsyncSession, worker: str, ids: Iterable[int]) -> None:
    """Give back rows claimed but not sent (a clean shutdown), so nobody waits for the lease."""
    ids = list(ids)
    if not ids:
        return
    await db.execute(
        update(Outbox)
        .where(Outbox.id.in_(ids), Outbox.status == "sending", Outbox.worker == worker)
        .values(status="pending", worker=None)
        .execution_options(synchronize_session=False)
    )
    await db.commit()


# ----------------------------------------------------------------------------- marking
async def _set(db: AsyncSession, row_id: int, **values: Any) -> None:
    await db.execute(
        update(Outbox)
        .where(Outbox.id == row_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def mark_sent(db: AsyncSession, row_id: int, message_id: str | None, now: dt.datetime) -> None:
    """The platform accepted the message: record its id. Whatever the row said before, it was sent."""
    await _set(db, row_id, status="sent", sent_at=now, platform_message_id=message_id, error=None)


async def mark_retry(
    db: AsyncSession, row_id: int, *, not_before: dt.datetime, error: str, count_attempt: bool
) -> None:
    """Back to pending for a later try (only if still ours: a cancel in between wins)."""
    values: dict[str, Any] = {
        "status": "pending",
        "not_before": not_before,
        "error": error[:2000],
        "worker": None,
    }
    if count_attempt:
        values["attempts"] = Outbox.attempts + 1
    await db.execute(
        update(Outbox)
        .where(Outbox.id == row_id, Outbox.status == "sending")
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def mark_final(
    db: AsyncSession, row_id: int, status: str, error: str, *, count_attempt: bool = True
) -> None:
    assert status in FINAL_STATES
    values: dict[str, Any] = {"status": status, "error": error[:2000]}
    if count_attempt:
        values["attempts"] = Outbox.attempts + 1
    await _set(db, row_id, **values)


async def mark_waiting(db: AsyncSession, row_id: int, error: str, now: dt.datetime) -> None:
    """Zalo window closed for a complaint reply: keep it until the user writes again."""
    await _set(db, row_id, status="waiting", claimed_at=now, error=error[:2000], worker=None)


async def mark_row_unreachable(db: AsyncSession, row: Outbox, error: str) -> None:
    """The recipient blocked or unfollowed us: the row is final and the user is unsubscribed."""
    await mark_final(db, row.id, "unreachable", error)
    await mark_unreachable(db, row.channel, row.platform_id)
    await db.execute(
        update(User)
        .where(User.channel == row.channel, User.platform_id == row.platform_id)
        .values(subscriptions=[])
        .execution_options(synchronize_session=False)
    )


async def cancelled_refs(db: AsyncSession, refs: Iterable[str]) -> set[str]:
    """Which of these broadcast refs have been cancelled (the worker checks before sending)."""
    ids = [int(r) for r in set(refs) if r and r.isdigit()]
    if not ids:
        return set()
    found = await db.scalars(
        select(Broadcast.id).where(Broadcast.id.in_(ids), Broadcast.status == "cancelled")
    )
    return {str(i) for i in found}


# ----------------------------------------------------------------------------- shared rate
async def reserve_slots(
    db: AsyncSession,
    channel: str,
    count: int,
    rate: float,
    now: float,
    *,
    debt: int = 0,
    debt_horizon: float = 1.0,
) -> float:
    """Reserve `count` consecutive send slots of a bot's ledger row; returns the first slot's time.

    Slot i is at start + i / rate. Every worker of a bot reserves from the
    same row (`channel` is the row's key: the channel, or a Telegram bot's
    key), so together they never exceed `rate`. `debt` is messages already
    sent without a slot (live replies): they push the next slots back, at
    most `debt_horizon` seconds ahead of now, so replies delay announcements
    without stalling them. count 0 only records the debt. Optimistic locking
    on a version number keeps it portable (no FOR UPDATE needed, works on SQLite).
    """
    for _ in range(50):
        row = (
            await db.execute(
                select(OutboxRate.next_slot, OutboxRate.version).where(OutboxRate.channel == channel)
            )
        ).first()
        base = now if row is None else max(row.next_slot, now)
        start = base
        if debt:
            start = max(base, min(base + debt / rate, now + debt_horizon))
        if row is None:
            try:
                db.add(OutboxRate(channel=channel, next_slot=start + count / rate, version=0))
                await db.commit()
                return start
            except IntegrityError:
                await db.rollback()
                continue
        result = await db.execute(
            update(OutboxRate)
            .where(OutboxRate.channel == channel, OutboxRate.version == row.version)
            .values(next_slot=start + count / rate, version=row.version + 1)
        )
        await db.commit()
        if cast(CursorResult[Any], result).rowcount == 1:
            return start
    raise RuntimeError(f"could not reserve send slots for {channel}: too much contention")


async def push_back_slots(db: AsyncSession, channel: str, until: float) -> None:
    """After a 429: no worker of this bot sends before `until` (the row is made if need be)."""
    for _ in range(5):
        result = await db.execute(
            update(OutboxRate)
            .where(OutboxRate.channel == channel, OutboxRate.next_slot < until)
            .values(next_slot=until, version=OutboxRate.version + 1)
        )
        if cast(CursorResult[Any], result).rowcount or await db.get(OutboxRate, channel) is not None:
            await db.commit()
            return
        try:
            db.add(OutboxRate(channel=channel, next_slot=until, version=0))
            await db.commit()
            return
        except IntegrityError:  # another worker made it meanwhile: push that one back
            await db.rollback()


# ----------------------------------------------------------------------------- audiences
@dataclass(frozen=True)
class Audience:
    """Who receives a broadcast: subscribed, not blocked users, narrowed by any of these."""

    topic: str | None = None
    area: str | None = None
    channel: str | None = None

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("topic", self.topic), ("area", self.area), ("channel", self.channel)) if v}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Audience:
        return cls(topic=data.get("topic"), area=data.get("area"), channel=data.get("channel"))

    def matches(self, user: Any) -> bool:
        subs = list(user.subscriptions or [])
        if not subs or user.blocked:
            return False
        if self.topic and self.topic not in subs:
            return False
        if self.area and (user.area or "") != self.area:
            return False
        return not (self.channel and user.channel != self.channel)


# Channels nobody can be reached on later (a console session, tests' own channel is allowed).
UNREACHABLE_CHANNELS = ("console",)


async def recipients(db: AsyncSession, audience: Audience) -> list[tuple[int, str, str]]:
    """(user id, channel, platform id) of everyone the audience covers, in id order.

    Subscriptions are a JSON list, and JSON containment differs between SQLite
    and PostgreSQL, so the topic filter runs here over the subscribed users.
    """
    stmt = select(User.id, User.channel, User.platform_id, User.subscriptions, User.area, User.blocked).where(
        User.blocked.is_(False), User.channel.not_in(UNREACHABLE_CHANNELS)
    )
    if audience.channel:
        stmt = stmt.where(User.channel == audience.channel)
    if audience.area:
        stmt = stmt.where(User.area == audience.area)
    out = []
    for row in (await db.execute(stmt.order_by(User.id))).all():
        if audience.matches(row):
            out.append((row.id, row.channel, row.platform_id))
    return out


async def count_recipients(db: AsyncSession, audience: Audience) -> Counter[str]:
    """Recipients per channel, for the preview."""
    return Counter(channel for _, channel, _ in await recipients(db, audience))


# ----------------------------------------------------------------------------- broadcasts
async def create_broadcast(
    db: AsyncSession,
    *,
    created_by: str,
    text: str,
    audience: Audience,
    payload: list[dict[str, Any]],
    photo: str | None = None,
    send_at: dt.datetime | None = None,
    notify: tuple[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Broadcast:
    """The broadcast and one outbox row per recipient, in the caller's transaction.

    The caller commits (together with the audit record): either all of it is
    stored or none. Each row's dedupe key makes a second row for the same
    (broadcast, user) impossible.
    """
    now = now or utcnow()
    send_at = send_at or now
    b = Broadcast(
        created_at=now,
        created_by=created_by,
        text=text,
        photo=photo,
        audience=audience.to_dict(),
        send_at=send_at,
        status="scheduled",
        total=0,
        notify_channel=notify[0] if notify else None,
        notify_platform_id=notify[1] if notify else None,
        progress_sent=0,
        report={},
    )
    db.add(b)
    await db.flush()
    people = await recipients(db, audience)
    rows = [
        {
            "channel": channel,
            "platform_id": platform_id,
            "user_id": user_id,
            "kind": KIND_BROADCAST,
            "ref": str(b.id),
            "payload": payload,
            "status": "pending",
            "attempts": 0,
            "not_before": send_at,
            "created_at": now,
            "dedupe_key": f"b{b.id}:{user_id}",
        }
        for user_id, channel, platform_id in people
    ]
    for start in range(0, len(rows), 1000):
        await db.execute(insert(Outbox), rows[start : start + 1000])
    b.total = len(rows)
    return b


@dataclass
class Progress:
    """Where a broadcast stands: counts per outbox state, and what they mean to staff."""

    broadcast: Broadcast
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return sum(self.counts[s] for s in FINAL_STATES)

    @property
    def open(self) -> int:
        return sum(self.counts[s] for s in OPEN_STATES)

    @property
    def sent(self) -> int:
        return self.counts["sent"]

    @property
    def finished(self) -> bool:
        return self.open == 0


async def progress(db: AsyncSession, broadcast_id: int) -> Progress | None:
    b = await db.get(Broadcast, broadcast_id, populate_existing=True)
    if b is None:
        return None
    rows = await db.execute(
        select(Outbox.status, func.count())
        .where(Outbox.kind == KIND_BROADCAST, Outbox.ref == str(broadcast_id))
        .group_by(Outbox.status)
    )
    return Progress(b, Counter({status: n for status, n in rows.all()}))


async def cancel_broadcast(
    db: AsyncSession, broadcast_id: int, by: str, now: dt.datetime | None = None
) -> int | None:
    """Stop the remaining deliveries; how many were cancelled, None if it was over. The caller commits.

    Rows already claimed are cancelled too; their worker checks before sending
    and skips them (a send already on the wire cannot be recalled).
    """
    b = await db.get(Broadcast, broadcast_id)
    if b is None or b.status in ("done", "cancelled"):
        return None
    result = await db.execute(
        update(Outbox)
        .where(
            Outbox.kind == KIND_BROADCAST,
            Outbox.ref == str(broadcast_id),
            Outbox.status.in_(("pending", "sending", "waiting")),
        )
        .values(status="cancelled", error="cancelled by staff")
        .execution_options(synchronize_session=False)
    )
    b.status = "cancelled"
    b.cancelled_by = by
    b.finished_at = now or utcnow()
    return int(cast(CursorResult[Any], result).rowcount or 0)


async def list_broadcasts(db: AsyncSession, limit: int = 20) -> Sequence[Broadcast]:
    return (await db.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit))).all()


async def active_broadcasts(db: AsyncSession, now: dt.datetime) -> Sequence[Broadcast]:
    """Broadcasts due and not finished: the ones whose progress staff are waiting for."""
    return (
        await db.scalars(
            select(Broadcast)
            .where(Broadcast.status.in_(("scheduled", "sending")), Broadcast.send_at <= now)
            .order_by(Broadcast.id)
        )
    ).all()


# ----------------------------------------------------------------------------- subscriptions
async def set_subscriptions(db: AsyncSession, user: User, topics: list[str], area: str | None) -> None:
    """Store the user's explicit choice (topics in canonical order)."""
    user.subscriptions = [t for t in TOPIC_KEYS if t in set(topics)]
    user.area = area


# ----------------------------------------------------------------------------- one-off messages
async def enqueue_notice(
    db: AsyncSession,
    *,
    channel: str,
    platform_id: str,
    payload: list[dict[str, Any]],
    kind: str = KIND_NOTICE,
    ref: str | None = None,
    dedupe_key: str | None = None,
    user_id: int | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Queue a payload for one chat in the caller's transaction; a repeated dedupe key is a no-op.

    Complaint replies and staff notices use storage.repos.enqueue (same table);
    this variant exists for messages that must be queued at most once. The
    caller serialises the replies, so storage never depends on the
    conversation layer.
    """
    now = now or utcnow()
    if dedupe_key is not None:
        taken = await db.scalar(select(Outbox.id).where(Outbox.dedupe_key == dedupe_key))
        if taken is not None:
            return
    db.add(
        Outbox(
            channel=channel,
            platform_id=platform_id,
            user_id=user_id,
            kind=kind,
            ref=ref,
            payload=payload,
            status="pending",
            attempts=0,
            not_before=now,
            created_at=now,
            dedupe_key=dedupe_key,
        )
    )
