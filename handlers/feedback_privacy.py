"""What the complaints feature stores about a person, and how it is described, erased and purged.

A complaint keeps what was reported (category, description, place) for the
office's record; who reported it (user, channel identity, name, phone), the
photos they sent, their own words in its history and every staff notice about
it in the outbox are personal data and go on erasure, or after the retention
period once the complaint is closed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import texts
from handlers.personal import cutoff, local_iso, redact_notices
from handlers.router import Router
from handlers.settings import HandlerSettings, RetentionSettings
from storage.models import AuditLog, User
from storage.models_feedback import Complaint, ComplaintEvent

PERSON: dict[str, object] = {
    "user_id": None,
    "channel": None,
    "platform_id": None,
    "reporter_name": None,
    "phone": None,
    "email": None,
}


async def describe(db: AsyncSession, user: User, settings: HandlerSettings) -> list[str]:
    codes = list(
        await db.scalars(select(Complaint.code).where(Complaint.user_id == user.id).order_by(Complaint.id))
    )
    return [texts.PV_COMPLAINTS.format(n=len(codes), codes=", ".join(codes[:20]) if codes else texts.PV_NONE)]


async def export(db: AsyncSession, user: User, settings: HandlerSettings) -> list[dict[str, Any]]:
    """What the person reported and what the office answered, complaint by complaint."""
    tz = settings.timezone
    rows = await db.scalars(select(Complaint).where(Complaint.user_id == user.id).order_by(Complaint.id))
    return [
        {
            "code": c.code,
            "category": c.category,
            "description": c.description,
            "received_at": local_iso(c.created_at, tz),
            "status": c.status,
            "phone": c.phone,
            "photos": len(c.photos or []),
            "latitude": c.latitude,
            "longitude": c.longitude,
            "answer": c.answer,
            "answered_at": local_iso(c.answered_at, tz),
            "closed_at": local_iso(c.closed_at, tz),
        }
        for c in rows
    ]


async def _detach(db: AsyncSession, ids: list[int], codes: list[str], *, photos: bool) -> None:
    if not ids:
        return
    values = {**PERSON, "photos": []} if photos else PERSON
    await db.execute(
        update(Complaint)
        .where(Complaint.id.in_(ids))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    # the citizen's own words in the history (a reopening reason); staff entries stay
    await db.execute(
        update(ComplaintEvent)
        .where(ComplaintEvent.complaint_id.in_(ids), ComplaintEvent.actor == "citizen")
        .values(text=None)
        .execution_options(synchronize_session=False)
    )
    await redact_notices(db, codes)
    # a staff answer can quote the citizen: its copy in the audit log keeps only its length
    await db.execute(
        update(AuditLog)
        .where(AuditLog.target.in_(codes), AuditLog.action == "complaint.reply")
        .values(detail={})
        .execution_options(synchronize_session=False)
    )


async def erase(db: AsyncSession, user: User) -> None:
    rows = (await db.execute(select(Complaint.id, Complaint.code).where(Complaint.user_id == user.id))).all()
    await _detach(db, [r.id for r in rows], [r.code for r in rows], photos=True)


async def purge(db: AsyncSession, now: dt.datetime, retention: RetentionSettings) -> int:
    """Closed complaints lose the person after their period, and the photos after theirs."""
    closed = Complaint.closed_at.is_not(None)
    person_due = cutoff(now, retention.complaint_person_days)
    rows = (
        await db.execute(
            select(Complaint.id, Complaint.code).where(
                closed,
                Complaint.closed_at < person_due,
                # a complaint filed over Open311 has no chat identity, only a name, phone or email
                or_(*(getattr(Complaint, name).is_not(None) for name in PERSON)),
            )
        )
    ).all()
    await _detach(db, [r.id for r in rows], [r.code for r in rows], photos=False)
    photo_due = cutoff(now, retention.photo_days)
    with_photos = list(await db.scalars(select(Complaint).where(closed, Complaint.closed_at < photo_due)))
    changed = [c for c in with_photos if c.photos]
    for c in changed:
        c.photos = []
    await redact_notices(db, [c.code for c in changed])
    return len(rows) + len(changed)


def register(router: Router) -> None:
    router.personal_data(
        "complaints",
        describe=describe,
        export=export,
        erase=erase,
        purge=purge,
        columns=(
            "complaints.user_id",
            "complaints.channel",
            "complaints.platform_id",
            "complaints.reporter_name",
            "complaints.phone",
            "complaints.email",
            "complaints.photos",
            "complaint_events.text",
            "outbox.payload",
        ),
        purpose=texts.REG_COMPLAINTS_PURPOSE,
        basis=texts.REG_COMPLAINTS_BASIS,
        retention="complaint_person",
        recipients=texts.REG_COMPLAINTS_RECIPIENTS,
    )
