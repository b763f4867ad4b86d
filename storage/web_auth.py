"""One-time sign-in links, web sessions and the sign-in attempt log of the staff console.

Secrets (link tokens, session ids) leave this module only in the clear to the
one person who gets them; the tables keep their SHA-256, so reading the
database (a backup, a support dump) gives no way in. A link is consumed by one
conditional UPDATE, so two clicks racing each other cannot both sign in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models_web import StaffAccount, WebSession, WebSignInAttempt, WebSignInLink

LINK_MINUTES = 10
TOKEN_BYTES = 32


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


async def create_link(db: AsyncSession, staff_id: int, now: dt.datetime) -> str:
    """A new sign-in link's token for `staff_id`, valid LINK_MINUTES; earlier unused ones stay valid.

    Old links go at the same time, so the table stays as small as its use without a purge job.
    """
    await purge_links(db, now)
    raw = new_secret()
    db.add(
        WebSignInLink(
            token_hash=hash_secret(raw),
            staff_id=staff_id,
            created_at=now,
            expires_at=now + dt.timedelta(minutes=LINK_MINUTES),
        )
    )
    await db.flush()
    return raw


async def usable_link(db: AsyncSession, raw: str, now: dt.datetime) -> StaffAccount | None:
    """The account a link would sign in, without using it up (the confirm page)."""
    link = await db.scalar(select(WebSignInLink).where(WebSignInLink.token_hash == hash_secret(raw)))
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    return await db.get(StaffAccount, link.staff_id)


async def consume_link(db: AsyncSession, raw: str, now: dt.datetime) -> StaffAccount | None:
    """Use the link up and return its account; None if forged, expired or already used."""
    token_hash = hash_secret(raw)
    result = await db.execute(
        update(WebSignInLink)
        .where(
            WebSignInLink.token_hash == token_hash,
            WebSignInLink.used_at.is_(None),
            WebSignInLink.expires_at > now,
        )
        .values(used_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    staff_id = await db.scalar(select(WebSignInLink.staff_id).where(WebSignInLink.token_hash == token_hash))
    return None if staff_id is None else await db.get(StaffAccount, staff_id)


async def purge_links(db: AsyncSession, now: dt.datetime) -> int:
    """Links a day past their expiry are of no use even as evidence of a reuse attempt."""
    result = await db.execute(
        delete(WebSignInLink).where(WebSignInLink.expires_at < now - dt.timedelta(days=1))
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def create_session(
    db: AsyncSession, staff_id: int, now: dt.datetime, hours: float
) -> tuple[str, WebSession]:
    """A new session (its id in the clear, once); expired sessions of anyone go at the same time."""
    await purge_sessions(db, now)
    raw = new_secret()
    row = WebSession(
        session_hash=hash_secret(raw),
        staff_id=staff_id,
        csrf_token=secrets.token_urlsafe(24),
        flashes=[],
        created_at=now,
        expires_at=now + dt.timedelta(hours=hours),
    )
    db.add(row)
    await db.flush()
    return raw, row


async def load_session(
    db: AsyncSession, raw: str, now: dt.datetime
) -> tuple[WebSession, StaffAccount] | None:
    """The live session and its account; an expired one is deleted on the way."""
    row = await db.scalar(select(WebSession).where(WebSession.session_hash == hash_secret(raw)))
    if row is None:
        return None
    if row.expires_at <= now:
        await db.delete(row)
        return None
    account = await db.get(StaffAccount, row.staff_id)
    return None if account is None else (row, account)


async def end_session(db: AsyncSession, session_id: int) -> None:
    await db.execute(delete(WebSession).where(WebSession.id == session_id))


async def end_sessions_of(db: AsyncSession, staff_id: int) -> None:
    """A removed account or a changed password signs that person out everywhere."""
    await db.execute(delete(WebSession).where(WebSession.staff_id == staff_id))


async def purge_sessions(db: AsyncSession, now: dt.datetime) -> int:
    result = await db.execute(delete(WebSession).where(WebSession.expires_at <= now))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def count_attempts(db: AsyncSession, address_hash: str, since: dt.datetime) -> int:
    n = await db.scalar(
        select(func.count())
        .select_from(WebSignInAttempt)
        .where(WebSignInAttempt.address_hash == address_hash, WebSignInAttempt.at >= since)
    )
    return int(n or 0)


async def record_attempt(db: AsyncSession, address_hash: str, now: dt.datetime, keep: dt.timedelta) -> None:
    """Note one attempt; attempts older than `keep` (of anyone) go at the same time."""
    await db.execute(delete(WebSignInAttempt).where(WebSignInAttempt.at < now - keep))
    db.add(WebSignInAttempt(address_hash=address_hash, at=now))
    await db.flush()
