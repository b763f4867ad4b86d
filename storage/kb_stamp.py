"""The overlay's version stamp in the database: how every worker learns that staff changed it."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import utcnow
from storage.models_kb import KbStamp

OVERLAY = "overlay"


class StampConflict(Exception):
    """Someone published another version meanwhile; the caller reads it again and retries."""


async def current(db: AsyncSession, name: str = OVERLAY) -> KbStamp | None:
    return await db.scalar(select(KbStamp).where(KbStamp.name == name))


async def publish(
    db: AsyncSession, content: str, digest: str, actor: str, *, after: int, name: str = OVERLAY
) -> int:
    """Make `content` the next version after `after` (the version it was built from).

    A compare-and-set: if another staff member published since `after`, raises
    StampConflict instead of overwriting their change. The caller commits.
    """
    now = utcnow()
    if after == 0 and await current(db, name) is None:
        db.add(
            KbStamp(name=name, version=1, digest=digest, content=content, updated_at=now, updated_by=actor)
        )
        await db.flush()
        return 1
    result = await db.execute(
        update(KbStamp)
        .where(KbStamp.name == name, KbStamp.version == after)
        .values(version=after + 1, digest=digest, content=content, updated_at=now, updated_by=actor)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise StampConflict(name)
    return after + 1
