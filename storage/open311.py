"""Open311 API keys and the complaint queries the GeoReport v2 endpoints run.

Like storage.repos, these add and flush but never commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models_feedback import OPEN_STATUSES, Complaint
from storage.models_open311 import Open311Key

KEY_BYTES = 32  # 256 random bits: an unsalted digest of such a key cannot be brute-forced


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


async def add_key(db: AsyncSession, name: str, *, personal_data: bool, now: dt.datetime) -> str:
    """Create a key for `name`; the key itself is returned once and never stored."""
    key = secrets.token_urlsafe(KEY_BYTES)
    db.add(Open311Key(name=name, key_hash=hash_key(key), personal_data=personal_data, created_at=now))
    await db.flush()
    return key


async def remove_key(db: AsyncSession, name: str) -> bool:
    result = await db.execute(delete(Open311Key).where(Open311Key.name == name))
    return bool(getattr(result, "rowcount", 0))


async def list_keys(db: AsyncSession) -> list[Open311Key]:
    return list(await db.scalars(select(Open311Key).order_by(Open311Key.name)))


async def key_named(db: AsyncSession, name: str) -> Open311Key | None:
    return await db.scalar(select(Open311Key).where(Open311Key.name == name))


async def find_key(db: AsyncSession, key: str) -> Open311Key | None:
    """The key row a presented key belongs to (looked up by its digest), or None."""
    return await db.scalar(select(Open311Key).where(Open311Key.key_hash == hash_key(key)))


async def by_codes(db: AsyncSession, codes: Sequence[str]) -> list[Complaint]:
    rows = await db.scalars(select(Complaint).where(Complaint.code.in_(list(codes))).order_by(Complaint.id))
    return list(rows)


async def search(
    db: AsyncSession,
    *,
    start: dt.datetime,
    end: dt.datetime,
    service_codes: Sequence[str] = (),
    open_states: bool | None = None,
    limit: int,
) -> list[Complaint]:
    """Complaints received in [start, end], newest first; `open_states` True/False/None (both)."""
    stmt = select(Complaint).where(Complaint.created_at >= start, Complaint.created_at <= end)
    if service_codes:
        stmt = stmt.where(Complaint.category.in_(list(service_codes)))
    if open_states is True:
        stmt = stmt.where(Complaint.status.in_(OPEN_STATUSES))
    elif open_states is False:
        stmt = stmt.where(Complaint.status.not_in(OPEN_STATUSES))
    stmt = stmt.order_by(Complaint.created_at.desc(), Complaint.id.desc()).limit(limit)
    return list(await db.scalars(stmt))
