"""Small repository functions over an AsyncSession.

Callers own the transaction: these functions add and flush, never commit, so a
handler's writes (session state, question log, a complaint) land together.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditLog, ChatSession, Outbox, QuestionLog, User, utcnow

# last_seen_at and a session's updated_at are "last activity, to the minute": writing them
# on every message would make every message a write (SQLite's one writer).
TOUCH_RESOLUTION = dt.timedelta(minutes=1)


async def get_or_create_user(
    db: AsyncSession, channel: str, platform_id: str, display_name: str | None = None
) -> User:
    """The user row for this identity, created on first contact; refreshes last_seen."""
    user = await get_user(db, channel, platform_id)
    if user is None:
        return await _new_user(db, channel, platform_id, display_name)
    _seen(user, display_name)
    return user


async def _new_user(db: AsyncSession, channel: str, platform_id: str, display_name: str | None) -> User:
    now = utcnow()
    user = User(
        channel=channel,
        platform_id=platform_id,
        display_name=display_name,
        subscriptions=[],
        blocked=False,
        store_name=True,
        created_at=now,
        last_seen_at=now,
    )
    db.add(user)
    await db.flush()
    return user


def _seen(user: User, display_name: str | None) -> None:
    """A known user wrote again.

    Only write when something changed (or a minute passed): a write takes
    SQLite's write lock until the message commits, and most messages need none.
    """
    now = utcnow()
    if now - user.last_seen_at > TOUCH_RESOLUTION:
        user.last_seen_at = now
    if user.blocked:
        user.blocked = False  # writing to us means they can be reached again
    if display_name and not user.display_name and user.store_name:
        user.display_name = display_name


# The statements every message runs, built once: building a statement and its cache key
# costs as much CPU as running it against SQLite.
_IDENTITY = (User.channel == bindparam("channel"), User.platform_id == bindparam("platform_id"))
_USER_BY_IDENTITY = select(User).where(*_IDENTITY)
_USER_WITH_SESSION = (
    select(User, ChatSession).outerjoin(ChatSession, ChatSession.user_id == User.id).where(*_IDENTITY)
)
_SESSION_OF_USER = select(ChatSession).where(ChatSession.user_id == bindparam("user_id"))
_SESSION_OF_USER_LOCKED = _SESSION_OF_USER.with_for_update()


async def get_user(db: AsyncSession, channel: str, platform_id: str) -> User | None:
    return await db.scalar(_USER_BY_IDENTITY, {"channel": channel, "platform_id": platform_id})


async def open_conversation(
    db: AsyncSession, channel: str, platform_id: str, display_name: str | None, *, lock: bool
) -> tuple[User, ChatSession]:
    """The user and their session for one incoming message, creating either if new.

    With `lock` (PostgreSQL, several workers) the session row is taken FOR
    UPDATE, which an outer join cannot do, so that is two queries; otherwise one.
    """
    if lock:
        user = await get_or_create_user(db, channel, platform_id, display_name)
        return user, await load_session(db, user, lock=True)
    row = (await db.execute(_USER_WITH_SESSION, {"channel": channel, "platform_id": platform_id})).first()
    if row is None:
        user, session = await _new_user(db, channel, platform_id, display_name), None
    else:
        user, session = row
        _seen(user, display_name)
    return user, session if session is not None else await _new_session(db, user)


async def mark_unreachable(db: AsyncSession, channel: str, platform_id: str) -> None:
    """The platform says we cannot reach this user (blocked the bot, unfollowed)."""
    await db.execute(
        update(User).where(User.channel == channel, User.platform_id == platform_id).values(blocked=True)
    )


async def load_session(db: AsyncSession, user: User, *, lock: bool) -> ChatSession:
    """The user's session row, locked FOR UPDATE on PostgreSQL so workers serialise per user."""
    row = await db.scalar(_SESSION_OF_USER_LOCKED if lock else _SESSION_OF_USER, {"user_id": user.id})
    return row if row is not None else await _new_session(db, user)


async def _new_session(db: AsyncSession, user: User) -> ChatSession:
    row = ChatSession(user_id=user.id, flow=None, data={}, updated_at=utcnow())
    db.add(row)
    await db.flush()
    return row


_INSERT_QUESTION = insert(QuestionLog)


async def log_question(
    db: AsyncSession,
    *,
    user: User | None,
    channel: str,
    text: str,
    normalized: str,
    decision: str,
    topic_id: str | None,
    score: float | None,
    candidates: list[dict[str, Any]],
    aspect: str | None = None,
    faq_id: str | None = None,
) -> None:
    # A Core INSERT, not an ORM object: nothing reads the row back in this transaction,
    # and the unit of work's bookkeeping cost more than the insert on every question.
    await db.execute(
        _INSERT_QUESTION,
        {
            "user_id": user.id if user else None,
            "channel": channel,
            "text": text[:4000],
            "normalized": normalized[:4000],
            "decision": decision,
            "topic_id": topic_id,
            "score": score,
            "candidates": candidates,
            "aspect": aspect,
            "faq_id": faq_id,
            "at": utcnow(),
        },
    )


async def audit(db: AsyncSession, actor: str, action: str, target: str | None = None, **detail: Any) -> None:
    """Record a staff action; callers commit it with the action itself."""
    db.add(AuditLog(actor=actor, action=action, target=target, detail=detail, at=utcnow()))


async def enqueue(
    db: AsyncSession,
    *,
    channel: str,
    platform_id: str,
    user_id: int | None,
    kind: str,
    payload: list[dict[str, Any]],
    ref: str | None = None,
    not_before: dt.datetime | None = None,
) -> Outbox:
    """Add one outbound message to the outbox, in the caller's transaction."""
    row = Outbox(
        channel=channel,
        platform_id=platform_id,
        user_id=user_id,
        kind=kind,
        ref=ref,
        payload=payload,
        status="pending",
        attempts=0,
        not_before=not_before or utcnow(),
        created_at=utcnow(),
    )
    db.add(row)
    return row
