"""The Telegram update journal's queries (see storage/models_telegram.py for why it exists).

Small functions that flush but never commit, like storage/repos.py: the
caller decides the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models_telegram import UPDATE_DONE, UPDATE_PENDING, TelegramUpdate


async def take(
    db: AsyncSession, bot_id: int, updates: Sequence[tuple[int, str]], worker: str, now: dt.datetime
) -> set[int]:
    """Record updates as pending and claimed by `worker`; the ids seen for the first time.

    INSERT … ON CONFLICT DO NOTHING RETURNING: the primary key decides, in one
    statement, which of several workers (or a redelivery) gets an update. The
    rows go as parameters of one cached statement (SQLAlchemy batches them into
    multi-row INSERTs): building a VALUES clause for each batch cost more CPU
    than the database's work.
    """
    if not updates:
        return set()
    insert = sqlite_insert if db.get_bind().dialect.name == "sqlite" else pg_insert
    rows = [
        {
            "bot_id": bot_id,
            "update_id": update_id,
            "status": UPDATE_PENDING,
            "payload": payload,
            "claimed_by": worker,
            "claimed_at": now,
            "received_at": now,
        }
        for update_id, payload in updates
    ]
    stmt = (
        insert(TelegramUpdate)
        .on_conflict_do_nothing(index_elements=["bot_id", "update_id"])
        .returning(TelegramUpdate.update_id)
    )
    return set((await db.execute(stmt, rows)).scalars())


async def mark_done(db: AsyncSession, bot_id: int, update_ids: Sequence[int]) -> None:
    """Handled: drop the payload (the row stays for de-duplication until pruned)."""
    if update_ids:
        await db.execute(
            update(TelegramUpdate)
            .where(TelegramUpdate.bot_id == bot_id, TelegramUpdate.update_id.in_(list(update_ids)))
            .values(status=UPDATE_DONE, payload=None)
        )


async def renew(
    db: AsyncSession, bot_id: int, worker: str, update_ids: Sequence[int], now: dt.datetime
) -> None:
    """Keep the claim on updates still being handled, so no other worker takes them."""
    if update_ids:
        await db.execute(
            update(TelegramUpdate)
            .where(
                TelegramUpdate.bot_id == bot_id,
                TelegramUpdate.update_id.in_(list(update_ids)),
                TelegramUpdate.claimed_by == worker,
                TelegramUpdate.status == UPDATE_PENDING,
            )
            .values(claimed_at=now)
        )


async def claim_stale(
    db: AsyncSession,
    bot_id: int,
    worker: str,
    *,
    older_than: dt.datetime,
    now: dt.datetime,
    limit: int = 100,
) -> list[tuple[int, str]]:
    """Claim pending updates of other workers whose claim is older than `older_than` (they died).

    Each row is claimed by a conditional UPDATE on the claim it was read with,
    so two workers sweeping at once never both take one update.
    """
    found = (
        await db.execute(
            select(TelegramUpdate.update_id, TelegramUpdate.claimed_at, TelegramUpdate.payload)
            .where(
                TelegramUpdate.bot_id == bot_id,
                TelegramUpdate.status == UPDATE_PENDING,
                TelegramUpdate.claimed_at < older_than,
                or_(TelegramUpdate.claimed_by.is_(None), TelegramUpdate.claimed_by != worker),
            )
            .order_by(TelegramUpdate.update_id)
            .limit(limit)
        )
    ).all()
    taken: list[tuple[int, str]] = []
    for update_id, claimed_at, payload in found:
        result = await db.execute(
            update(TelegramUpdate)
            .where(
                and_(
                    TelegramUpdate.bot_id == bot_id,
                    TelegramUpdate.update_id == update_id,
                    TelegramUpdate.status == UPDATE_PENDING,
                    TelegramUpdate.claimed_at == claimed_at,
                )
            )
            .values(claimed_by=worker, claimed_at=now)
        )
        if getattr(result, "rowcount", 0) == 1 and payload:
            taken.append((update_id, payload))
    return taken


async def prune(db: AsyncSession, before: dt.datetime) -> int:
    """Forget handled updates received before `before` (Telegram re-sends for a day at most)."""
    result = await db.execute(
        delete(TelegramUpdate).where(
            TelegramUpdate.status == UPDATE_DONE, TelegramUpdate.received_at < before
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
