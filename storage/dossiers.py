"""Dossier rows: recording an event once, looking up by code, followers, the retention purge.

Callers own the transaction (like storage/repos.py). `record_event` is where
idempotency lives: a repeated `event_id` (the same event delivered twice, or by
two workers at once) is a no-op that leaves the caller's transaction usable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, delete, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import User, UTCDateTime
from storage.models_dossiers import Dossier, DossierEvent, DossierFollower


@dataclass(frozen=True)
class EventFacts:
    """One event, already validated (handlers/dossier_events.py)."""

    event_id: str
    code: str
    procedure_code: str
    procedure_name: str
    state: str
    at: dt.datetime
    due_at: dt.datetime | None
    note: str | None
    phone_tail: str | None
    source: str


@dataclass(frozen=True)
class Recorded:
    """What recording an event did: `duplicate` (seen before), and whether the current state changed."""

    duplicate: bool
    dossier: Dossier | None = None
    event_row: int | None = None  # the stored event's id (dossier_events.id)
    changed: bool = False
    created: bool = False  # the first event of a dossier motcua did not know


async def by_code(db: AsyncSession, code: str) -> Dossier | None:
    return await db.scalar(select(Dossier).where(Dossier.code == code))


async def record_event(db: AsyncSession, facts: EventFacts, now: dt.datetime) -> Recorded:
    """Store the event once and move the dossier to it unless a later event is already known.

    `changed` is True when the state (or its note) the citizen sees is now different:
    that, and only that, is what followers are told about. Both inserts are
    INSERT … ON CONFLICT DO NOTHING (no savepoints: the SQLite driver commits on
    RELEASE), so a second worker with the same event waits for the first one's
    commit on the unique index and then finds it a duplicate; on PostgreSQL the
    dossier row is locked, so two events of one dossier are applied one at a time.
    """
    if await db.scalar(select(DossierEvent.id).where(DossierEvent.event_id == facts.event_id)):
        return Recorded(duplicate=True)
    insert = _insert_for(db)
    created = await db.scalar(
        insert(Dossier)
        .values(
            code=facts.code,
            procedure_code=facts.procedure_code,
            procedure_name=facts.procedure_name,
            state=facts.state,
            state_at=facts.at,
            due_at=facts.due_at,
            note=facts.note,
            phone_tail=facts.phone_tail,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["code"])
        .returning(Dossier.id)
    )
    pick = select(Dossier).where(Dossier.code == facts.code).execution_options(populate_existing=True)
    if db.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update()
    dossier = (await db.scalars(pick)).one()
    event_row = await db.scalar(
        insert(DossierEvent)
        .values(
            event_id=facts.event_id,
            dossier_id=dossier.id,
            state=facts.state,
            at=facts.at,
            due_at=facts.due_at,
            note=facts.note,
            source=facts.source,
            received_at=now,
        )
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(DossierEvent.id)
    )
    if event_row is None:
        return Recorded(duplicate=True)  # the same event, stored by another worker meanwhile
    changed = True if created is not None else _apply(dossier, facts, now)
    return Recorded(
        duplicate=False, dossier=dossier, event_row=event_row, changed=changed, created=created is not None
    )


# ----------------------------------------------------------------------------- ownership check
def _at(value: dt.datetime) -> Any:
    return literal(value, UTCDateTime())


async def count_failed_check(
    db: AsyncSession,
    dossier_id: int,
    now: dt.datetime,
    *,
    window: dt.timedelta,
    max_fails: int,
    lock: dt.timedelta,
) -> dt.datetime | None:
    """One wrong try at the dossier's ownership check, whoever made it; the lock's end if it is locked.

    A single UPDATE, so tries from several accounts on several workers are all
    counted (on PostgreSQL the row lock orders them). Tries count within a window
    that starts at the first wrong try; the try that reaches `max_fails` locks the
    check until now + `lock` and starts the count afresh.
    """
    fresh = or_(Dossier.check_window_at.is_(None), Dossier.check_window_at < _at(now - window))
    fails = case((fresh, 1), else_=Dossier.check_fails + 1)
    reached = fails >= max_fails
    until = await db.scalar(
        update(Dossier)
        .where(Dossier.id == dossier_id)
        .values(
            check_fails=case((reached, 0), else_=fails),
            check_window_at=case((reached, None), (fresh, _at(now)), else_=Dossier.check_window_at),
            check_locked_until=case((reached, _at(now + lock)), else_=Dossier.check_locked_until),
        )
        .returning(Dossier.check_locked_until)
        .execution_options(synchronize_session=False)
    )
    return until if until is not None and until > now else None


async def check_passed(db: AsyncSession, dossier_id: int) -> None:
    """The owner proved it: their earlier typos no longer count against the dossier."""
    await db.execute(
        update(Dossier)
        .where(Dossier.id == dossier_id)
        .values(check_fails=0, check_window_at=None)
        .execution_options(synchronize_session=False)
    )


async def check_locked_until(db: AsyncSession, dossier_id: int, now: dt.datetime) -> dt.datetime | None:
    """When the dossier's check unlocks, read afresh (another worker may have locked it meanwhile)."""
    until = await db.scalar(select(Dossier.check_locked_until).where(Dossier.id == dossier_id))
    return until if until is not None and until > now else None


# ----------------------------------------------------------------------------- staff pages
async def search(db: AsyncSession, text: str, limit: int) -> list[Dossier]:
    """Dossiers whose code contains `text` (any case), or the latest changed ones when it is empty."""
    stmt = select(Dossier).order_by(Dossier.updated_at.desc(), Dossier.id.desc()).limit(limit)
    needle = text.strip().upper()
    if needle:
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Dossier.code.like(f"%{escaped}%", escape="\\"))
    return list((await db.scalars(stmt)).all())


async def events_of(db: AsyncSession, dossier_id: int, limit: int) -> list[DossierEvent]:
    """The dossier's events, latest first (by when the one-stop system says they happened)."""
    stmt = (
        select(DossierEvent)
        .where(DossierEvent.dossier_id == dossier_id)
        .order_by(DossierEvent.at.desc(), DossierEvent.id.desc())
        .limit(limit)
    )
    return list((await db.scalars(stmt)).all())


async def follower_count(db: AsyncSession, dossier_id: int) -> int:
    stmt = select(func.count()).select_from(DossierFollower).where(DossierFollower.dossier_id == dossier_id)
    return int(await db.scalar(stmt) or 0)


def _insert_for(db: AsyncSession) -> Any:
    return sqlite_insert if db.get_bind().dialect.name == "sqlite" else pg_insert


def _apply(dossier: Dossier, facts: EventFacts, now: dt.datetime) -> bool:
    """Move the dossier to the event's state unless the event is older than what is shown."""
    dossier.procedure_code = facts.procedure_code or dossier.procedure_code
    dossier.procedure_name = facts.procedure_name or dossier.procedure_name
    if facts.phone_tail:
        dossier.phone_tail = facts.phone_tail
    if facts.at < dossier.state_at:
        return False  # a late delivery of an earlier event: history only
    changed = (facts.state, facts.note) != (dossier.state, dossier.note)
    dossier.state = facts.state
    dossier.state_at = facts.at
    dossier.due_at = facts.due_at or dossier.due_at
    dossier.note = facts.note
    dossier.updated_at = now
    return changed


# ----------------------------------------------------------------------------- followers
async def followers(db: AsyncSession, dossier_id: int) -> list[tuple[User, bool]]:
    """Who follows the dossier and can still be reached, with whether they passed the check."""
    stmt = (
        select(User, DossierFollower.verified)
        .join(DossierFollower, DossierFollower.user_id == User.id)
        .where(DossierFollower.dossier_id == dossier_id, User.blocked.is_(False))
        .order_by(User.id)
    )
    return [(user, bool(verified)) for user, verified in (await db.execute(stmt)).all()]


async def is_following(db: AsyncSession, dossier_id: int, user_id: int) -> bool:
    found = await db.scalar(
        select(DossierFollower.id).where(
            DossierFollower.dossier_id == dossier_id, DossierFollower.user_id == user_id
        )
    )
    return found is not None


async def follow(
    db: AsyncSession, dossier_id: int, user_id: int, now: dt.datetime, *, verified: bool
) -> bool:
    """Add the follower; False when they already followed (a double press is harmless)."""
    added = await db.scalar(
        _insert_for(db)(DossierFollower)
        .values(dossier_id=dossier_id, user_id=user_id, verified=verified, created_at=now)
        .on_conflict_do_nothing(index_elements=["dossier_id", "user_id"])
        .returning(DossierFollower.id)
    )
    return added is not None


async def mark_verified(db: AsyncSession, dossier_id: int, user_id: int) -> None:
    """A follower who passed the check later gets the details in their notices from now on."""
    await db.execute(
        update(DossierFollower)
        .where(DossierFollower.dossier_id == dossier_id, DossierFollower.user_id == user_id)
        .values(verified=True)
        .execution_options(synchronize_session=False)
    )


async def unfollow(db: AsyncSession, dossier_id: int, user_id: int) -> bool:
    result = await db.execute(
        delete(DossierFollower).where(
            DossierFollower.dossier_id == dossier_id, DossierFollower.user_id == user_id
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def followed_codes(db: AsyncSession, user_id: int) -> list[str]:
    stmt = (
        select(Dossier.code)
        .join(DossierFollower, DossierFollower.dossier_id == Dossier.id)
        .where(DossierFollower.user_id == user_id)
        .order_by(Dossier.code)
    )
    return list((await db.scalars(stmt)).all())


async def forget_user(db: AsyncSession, user_id: int) -> None:
    await db.execute(delete(DossierFollower).where(DossierFollower.user_id == user_id))


async def purge_finished(db: AsyncSession, before: dt.datetime, final_states: frozenset[str]) -> int:
    """Dossiers finished before `before`: phone digits and notes cleared, followers removed."""
    finished = select(Dossier.id).where(Dossier.state.in_(final_states), Dossier.state_at < before)
    ids = list((await db.scalars(finished)).all())
    if not ids:
        return 0
    await db.execute(delete(DossierFollower).where(DossierFollower.dossier_id.in_(ids)))
    await db.execute(update(DossierEvent).where(DossierEvent.dossier_id.in_(ids)).values(note=None))
    result = await db.execute(
        update(Dossier)
        .where(Dossier.id.in_(ids), (Dossier.phone_tail.is_not(None)) | (Dossier.note.is_not(None)))
        .values(phone_tail=None, note=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)
