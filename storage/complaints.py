"""Repository functions for complaints and their history.

Like storage.repos, these add and flush but never commit: the caller decides
the transaction, so a complaint, its first event and the staff notices land
together or not at all.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import case, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import lock_for_update
from storage.models import utcnow
from storage.models_feedback import OPEN_STATUSES, Complaint, ComplaintCounter, ComplaintEvent

CODE_PREFIX = "PA"
CODE_RE = re.compile(r"\bPA\s*[-\s]\s*(\d{4})\s*[-\s]\s*(\d{1,6})\b", re.I)


def format_code(year: int, number: int) -> str:
    return f"{CODE_PREFIX}-{year}-{number:06d}"


def parse_code(text: str) -> str | None:
    """The canonical code in text ("pa-2026-123", "PA 2026 - 000123" are accepted), or None."""
    m = CODE_RE.search(text or "")
    if not m:
        return None
    return format_code(int(m.group(1)), int(m.group(2)))


async def allocate_number(db: AsyncSession, year: int) -> int:
    """The next tracking number of `year`, inside the caller's transaction.

    The year's counter row is created if missing (INSERT … ON CONFLICT DO
    NOTHING, which SQLite and PostgreSQL both speak), then UPDATE … RETURNING
    increments it. The UPDATE holds the row lock (PostgreSQL) or the write
    lock (SQLite) until the transaction ends, so two submissions never get the
    same number, and a rollback gives the number back (numbers stay
    consecutive). No savepoints: the SQLite driver commits on RELEASE when no
    transaction was open yet.
    """
    insert = sqlite_insert if db.get_bind().dialect.name == "sqlite" else pg_insert
    await db.execute(
        insert(ComplaintCounter).values(year=year, last=0).on_conflict_do_nothing(index_elements=["year"])
    )
    stmt = (
        update(ComplaintCounter)
        .where(ComplaintCounter.year == year)
        .values(last=ComplaintCounter.last + 1)
        .returning(ComplaintCounter.last)
        .execution_options(synchronize_session=False)
    )
    return int((await db.execute(stmt)).scalar_one())


async def create_complaint(
    db: AsyncSession,
    *,
    now: dt.datetime,
    year: int,
    due_at: dt.datetime,
    user_id: int | None,
    channel: str | None,
    platform_id: str | None,
    reporter_name: str | None,
    phone: str | None,
    category: str,
    description: str,
    photos: list[str],
    latitude: float | None,
    longitude: float | None,
    email: str | None = None,
    address: str | None = None,
    address_id: str | None = None,
) -> Complaint:
    number = await allocate_number(db, year)
    complaint = Complaint(
        code=format_code(year, number),
        year=year,
        number=number,
        user_id=user_id,
        channel=channel,
        platform_id=platform_id,
        reporter_name=reporter_name,
        phone=phone,
        category=category,
        description=description,
        photos=photos,
        latitude=latitude,
        longitude=longitude,
        email=email,
        address=address,
        address_id=address_id,
        status="received",
        created_at=now,
        updated_at=now,
        due_at=due_at,
    )
    db.add(complaint)
    await db.flush()
    await add_event(db, complaint, "received", actor="citizen", at=now)
    return complaint


async def add_event(
    db: AsyncSession,
    complaint: Complaint,
    kind: str,
    *,
    actor: str | None,
    text: str | None = None,
    at: dt.datetime | None = None,
) -> ComplaintEvent:
    event = ComplaintEvent(complaint_id=complaint.id, kind=kind, actor=actor, text=text, at=at or utcnow())
    db.add(event)
    await db.flush()
    return event


async def get_by_code(db: AsyncSession, code: str, *, lock: bool = False) -> Complaint | None:
    """The complaint; with `lock`, held until the transaction ends (the caller will change it)."""
    stmt = select(Complaint).where(Complaint.code == code)
    if lock:
        stmt = await lock_for_update(db, stmt)
    return await db.scalar(stmt)


async def get_by_id(db: AsyncSession, complaint_id: int) -> Complaint | None:
    return await db.get(Complaint, complaint_id)


async def events_of(db: AsyncSession, complaint: Complaint) -> list[ComplaintEvent]:
    rows = await db.scalars(
        select(ComplaintEvent)
        .where(ComplaintEvent.complaint_id == complaint.id)
        .order_by(ComplaintEvent.at, ComplaintEvent.id)
    )
    return list(rows)


async def latest_since(db: AsyncSession, user_id: int, since: dt.datetime) -> Complaint | None:
    """The user's newest complaint stored since a moment (a «Gửi» pressed again after a crash)."""
    return await db.scalar(
        select(Complaint)
        .where(Complaint.user_id == user_id, Complaint.created_at >= since)
        .order_by(Complaint.created_at.desc(), Complaint.id.desc())
        .limit(1)
    )


async def count_since(db: AsyncSession, user_id: int, since: dt.datetime) -> int:
    """How many complaints a user sent since a moment (the daily limit)."""
    return int(
        await db.scalar(
            select(func.count())
            .select_from(Complaint)
            .where(Complaint.user_id == user_id, Complaint.created_at >= since)
        )
        or 0
    )


async def recent_of_user(db: AsyncSession, user_id: int, since: dt.datetime) -> list[Complaint]:
    rows = await db.scalars(
        select(Complaint)
        .where(Complaint.user_id == user_id, Complaint.created_at >= since)
        .order_by(Complaint.created_at.desc())
    )
    return list(rows)


async def of_user(db: AsyncSession, user_id: int) -> list[Complaint]:
    rows = await db.scalars(
        select(Complaint).where(Complaint.user_id == user_id).order_by(Complaint.created_at.desc())
    )
    return list(rows)


async def inbox(
    db: AsyncSession, now: dt.datetime, *, statuses: tuple[str, ...] = OPEN_STATUSES, limit: int = 50
) -> list[Complaint]:
    """Open complaints, overdue ones first, then the oldest first."""
    overdue_first = case((Complaint.due_at < now, 0), else_=1)
    rows = await db.scalars(
        select(Complaint)
        .where(Complaint.status.in_(statuses))
        .order_by(overdue_first, Complaint.created_at, Complaint.id)
        .limit(limit)
    )
    return list(rows)


async def overdue(db: AsyncSession, now: dt.datetime) -> list[Complaint]:
    rows = await db.scalars(
        select(Complaint)
        .where(Complaint.status.in_(OPEN_STATUSES), Complaint.due_at < now)
        .order_by(Complaint.due_at, Complaint.id)
    )
    return list(rows)


async def all_complaints(db: AsyncSession) -> list[Complaint]:
    rows = await db.scalars(select(Complaint).order_by(Complaint.year, Complaint.number))
    return list(rows)
