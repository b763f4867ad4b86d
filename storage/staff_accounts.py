"""Staff accounts in the database: look-ups, the seed from the staff file, add and remove.

The staff file and MOTCUA_STAFF keep working as before: their entries are copied
into the table (`sync_seed`) at start and whenever the file changes, so an IT
person's edit still takes effect; accounts an admin adds on the web page are
marked `web` and left alone by the seed.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models_web import ROLE_ADMIN, ROLE_STAFF, SOURCE_FILE, SOURCE_INLINE, SOURCE_WEB, StaffAccount
from storage.staff import StaffMember

ROLES = (ROLE_STAFF, ROLE_ADMIN)
SEED_SOURCES = (SOURCE_FILE, SOURCE_INLINE)


def split_key(key: str) -> tuple[str, str]:
    channel, _, platform_id = key.partition(":")
    return channel, platform_id


async def by_key(db: AsyncSession, key: str) -> StaffAccount | None:
    channel, platform_id = split_key(key)
    return await db.scalar(
        select(StaffAccount).where(StaffAccount.channel == channel, StaffAccount.platform_id == platform_id)
    )


async def by_id(db: AsyncSession, account_id: int) -> StaffAccount | None:
    return await db.get(StaffAccount, account_id)


async def all_accounts(db: AsyncSession) -> list[StaffAccount]:
    rows = await db.scalars(select(StaffAccount).order_by(StaffAccount.channel, StaffAccount.platform_id))
    return list(rows)


async def upsert(db: AsyncSession, key: str, role: str, name: str, source: str = SOURCE_WEB) -> StaffAccount:
    """Add an account or change its role and name (a web edit turns a seeded account into a web one)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    account = await by_key(db, key)
    if account is None:
        channel, platform_id = split_key(key)
        account = StaffAccount(channel=channel, platform_id=platform_id, role=role, name=name, source=source)
        db.add(account)
    else:
        account.role, account.name, account.source = role, name, source
    await db.flush()
    return account


async def sync_seed(
    db: AsyncSession, file_members: Iterable[StaffMember], inline: Iterable[StaffMember]
) -> None:
    """Make the seeded accounts match the file and MOTCUA_STAFF (the inline list wins).

    An entry removed from the file is removed from the table only if it came from
    the seed; a web account with the same identity is not overwritten by the file.
    """
    wanted: dict[str, tuple[StaffMember, str]] = {m.key: (m, SOURCE_FILE) for m in file_members}
    wanted.update({m.key: (m, SOURCE_INLINE) for m in inline})
    existing = {a.key: a for a in await all_accounts(db)}
    for key, (member, source) in wanted.items():
        account = existing.get(key)
        if account is not None and account.source == SOURCE_WEB and source == SOURCE_FILE:
            continue
        if account is None or (account.role, account.name or "", account.source) != (
            member.role,
            member.name or (account.name if account else ""),
            source,
        ):
            await upsert(db, key, member.role, member.name or (account.name if account else ""), source)
    stale = [a.id for key, a in existing.items() if a.source in SEED_SOURCES and key not in wanted]
    if stale:
        await db.execute(delete(StaffAccount).where(StaffAccount.id.in_(stale)))


async def remove(db: AsyncSession, account_id: int) -> bool:
    result = await db.execute(delete(StaffAccount).where(StaffAccount.id == account_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]
