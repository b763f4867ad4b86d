"""Storage side of personal data: redacting queued messages, consent records, requests.

Staff notices in the outbox (a new complaint, a handoff request, a relayed
message, a call-back) carry the citizen's name, phone and words in their payload;
`redact_outbox` replaces that text and drops photos while keeping the buttons, so
a notice still waiting to be sent still lets staff open the (now anonymous) case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Outbox, utcnow
from storage.models_privacy import REQUEST_OPEN, ConsentRecord, DataRequest

# The time limits of Nghị định 356/2025/NĐ-CP for a data subject's request, as secondary sources
# give them (docs/privacy.md lists each; the decree's own text could not be read here): respond
# within 2 working days (no article found); stop processing on a withdrawal, restriction or
# objection within 15 days (Art. 5(2), Art. 10, as vnexpress.net cites them); the other requests
# within 10 to 20 days (one summary, no article). Where a source gives a range, the shortest is
# used: the office never promises a citizen later than the law allows.
ACK_WORKING_DAYS = 2
DUE_DAYS = {"view": 10, "provide": 10, "correct": 10, "withdraw": 15, "object": 15, "delete": 10}


def redacted_payload(payload: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """The same messages with `text` instead of what they said, and no photo."""
    out = []
    for item in payload or [{}]:
        kept = {k: v for k, v in item.items() if k in ("buttons", "links")}
        out.append({"text": text, **kept})
    return out


async def redact_outbox(db: AsyncSession, refs: Iterable[str], text_for: Any) -> int:
    """Redact every outbox row whose ref is one of `refs`; `text_for(ref)` gives the new text."""
    wanted = [r for r in dict.fromkeys(refs) if r]
    if not wanted:
        return 0
    rows = list(await db.scalars(select(Outbox).where(Outbox.ref.in_(wanted))))
    for row in rows:
        row.payload = redacted_payload(row.payload, text_for(row.ref))
    return len(rows)


def record_consent(
    db: AsyncSession,
    user_id: int,
    *,
    purpose: str,
    what: str,
    version: str,
    granted: bool = True,
    at: dt.datetime | None = None,
) -> ConsentRecord:
    row = ConsentRecord(
        user_id=user_id, purpose=purpose, what=what, granted=granted, text_version=version, at=at or utcnow()
    )
    db.add(row)
    return row


async def open_request(
    db: AsyncSession,
    user_id: int,
    kind: str,
    *,
    now: dt.datetime,
    ack_due: dt.datetime,
    detail: str | None = None,
) -> DataRequest:
    row = DataRequest(
        user_id=user_id,
        kind=kind,
        detail=detail,
        status=REQUEST_OPEN,
        received_at=now,
        ack_due_at=ack_due,
        due_at=now + dt.timedelta(days=DUE_DAYS[kind]),
    )
    db.add(row)
    await db.flush()
    return row


async def open_requests(db: AsyncSession) -> list[DataRequest]:
    stmt = select(DataRequest).where(DataRequest.status == REQUEST_OPEN).order_by(DataRequest.due_at)
    return list(await db.scalars(stmt))
