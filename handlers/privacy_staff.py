"""Staff side of data-subject requests: the open list with its deadlines, acknowledge, done, refuse.

One implementation for the staff console (/staff/privacy, bot/web/privacy.py) and
`motcua privacy …` (bot/commands/privacy.py), so both record an outcome the same way.
Each action changes the row only if it is still open (a conditional UPDATE, so two
officers pressing at once cannot both close it), records who did it as an actor
that names no one ("web:staff#12", "cli"), writes an audit row, and tells the
citizen through the outbox, in the caller's transaction. Deadlines come from the
row: `ack_due_at` (working days, Nghị định 356/2025/NĐ-CP as docs/privacy.md reads
it) and `due_at` (calendar days, `storage/privacy.DUE_DAYS`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import texts
from handlers.feedback_core import local_text
from handlers.messages import Reply
from handlers.serialize import replies_to_payload
from storage.models import User
from storage.models_privacy import REQUEST_DONE, REQUEST_OPEN, REQUEST_REFUSED, DataRequest
from storage.privacy import open_requests
from storage.repos import audit, enqueue

OUTCOME_MAX = 160  # the column's width; the outcome is what was done, never personal data
RECENT = 20


class RequestError(Exception):
    """An action that cannot be carried out; the message is for the officer (texts)."""


@dataclass(frozen=True)
class OpenRequest:
    row: DataRequest
    overdue: bool  # past the answer-by date
    ack_overdue: bool  # not acknowledged and past the acknowledge-by date

    @property
    def late(self) -> bool:
        return self.overdue or self.ack_overdue


def ref(request_id: int) -> str:
    return f"yc:{request_id}"


def _judge(row: DataRequest, now: dt.datetime) -> OpenRequest:
    return OpenRequest(
        row=row,
        overdue=row.due_at < now,
        ack_overdue=row.acknowledged_at is None and row.ack_due_at < now,
    )


async def open_list(db: AsyncSession, now: dt.datetime) -> list[OpenRequest]:
    """Open requests, late ones (either deadline passed) first, then by answer-by date."""
    items = [_judge(r, now) for r in await open_requests(db)]
    return sorted(items, key=lambda i: (not i.late, i.row.due_at, i.row.id))


async def counts(db: AsyncSession, now: dt.datetime) -> tuple[int, int]:
    """(open, late) for the console's home page."""
    items = await open_list(db, now)
    return len(items), sum(1 for i in items if i.late)


async def recently_closed(db: AsyncSession, limit: int = RECENT) -> list[DataRequest]:
    stmt = (
        select(DataRequest)
        .where(DataRequest.status != REQUEST_OPEN)
        .order_by(DataRequest.done_at.desc(), DataRequest.id.desc())
        .limit(limit)
    )
    return list(await db.scalars(stmt))


async def get(db: AsyncSession, request_id: int, now: dt.datetime) -> OpenRequest | None:
    row = await db.get(DataRequest, request_id, populate_existing=True)
    return _judge(row, now) if row is not None else None


async def citizen_of(db: AsyncSession, row: DataRequest) -> User | None:
    return await db.get(User, row.user_id) if row.user_id is not None else None


async def _change(db: AsyncSession, request_id: int, *conditions: Any, **values: Any) -> DataRequest:
    """Apply `values` to the request if it is still open (and `conditions` hold), else explain."""
    result = await db.execute(
        update(DataRequest)
        .where(DataRequest.id == request_id, DataRequest.status == REQUEST_OPEN, *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    row = await db.get(DataRequest, request_id, populate_existing=True)
    if row is None:
        raise RequestError(texts.WEB_PV_NOT_FOUND.format(id=request_id))
    if not getattr(result, "rowcount", 0):
        if row.status != REQUEST_OPEN:
            raise RequestError(texts.WEB_PV_ALREADY_CLOSED.format(id=request_id))
        raise RequestError(texts.WEB_PV_ALREADY_ACKNOWLEDGED.format(id=request_id))
    return row


async def tell_citizen(db: AsyncSession, row: DataRequest, text: str) -> bool:
    """Queue `text` for the person who made the request; False when they erased their data."""
    user = await citizen_of(db, row)
    if user is None:
        return False
    await enqueue(
        db,
        channel=user.channel,
        platform_id=user.platform_id,
        user_id=user.id,
        kind="notice",
        payload=replies_to_payload([Reply(text)]),
        ref=ref(row.id),
    )
    return True


async def acknowledge(
    db: AsyncSession, request_id: int, *, actor: str, now: dt.datetime, tz: str
) -> tuple[DataRequest, bool]:
    """Tell the citizen the request is being handled and by when (the decree's first step)."""
    row = await _change(
        db,
        request_id,
        DataRequest.acknowledged_at.is_(None),
        acknowledged_at=now,
        handled_by=actor[:32],
    )
    due = local_text(row.due_at, tz, with_time=False)
    told = await tell_citizen(db, row, texts.DSR_ACKNOWLEDGED.format(id=row.id, due=due))
    await audit(db, actor, "privacy.request_ack", ref(row.id))
    return row, told


def _note(text: str, missing: str) -> str:
    note = " ".join(text.split())
    if not note:
        raise RequestError(missing)
    if len(note) > OUTCOME_MAX:
        raise RequestError(texts.WEB_PV_TOO_LONG.format(n=OUTCOME_MAX))
    return note


async def _close(
    db: AsyncSession, request_id: int, status: str, note: str, *, actor: str, now: dt.datetime
) -> DataRequest:
    current = await db.get(DataRequest, request_id, populate_existing=True)
    acknowledged = current.acknowledged_at if current is not None else None
    return await _change(
        db,
        request_id,
        status=status,
        done_at=now,
        outcome=note,
        handled_by=actor[:32],
        acknowledged_at=acknowledged or now,  # an answer is an acknowledgement too
    )


async def _conclude(
    db: AsyncSession, request_id: int, status: str, note: str, *, actor: str, now: dt.datetime
) -> tuple[DataRequest, bool]:
    """Close the request with `note` as its outcome, tell the citizen, audit; one way for both."""
    row = await _close(db, request_id, status, note, actor=actor, now=now)
    template = texts.DSR_DONE if status == REQUEST_DONE else texts.DSR_REFUSED
    told = await tell_citizen(db, row, template.format(id=row.id, outcome=note))
    await audit(db, actor, f"privacy.request_{status}", ref(row.id))
    return row, told


async def finish(
    db: AsyncSession, request_id: int, outcome: str, *, actor: str, now: dt.datetime
) -> tuple[DataRequest, bool]:
    """Record what was done (no personal data) and tell the citizen."""
    note = _note(outcome, texts.WEB_PV_NEED_OUTCOME)
    return await _conclude(db, request_id, REQUEST_DONE, note, actor=actor, now=now)


async def refuse(
    db: AsyncSession, request_id: int, reason: str, *, actor: str, now: dt.datetime
) -> tuple[DataRequest, bool]:
    """Record why the request cannot be carried out and tell the citizen, with their right to complain."""
    note = _note(reason, texts.WEB_PV_NEED_REASON)
    return await _conclude(db, request_id, REQUEST_REFUSED, note, actor=actor, now=now)
