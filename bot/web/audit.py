"""Every action on the web console leaves a row in the audit log, beside the chat's.

The actor is the staff account's number ("web:staff#12"), never a name or a
channel identity, so the log can be kept long and shown without exposing anyone.
"""

from __future__ import annotations

from aiohttp import web

from bot.web.auth import current_staff
from bot.web.keys import APP_KEY, now
from storage.models import AuditLog


def actor_of(staff_id: int | None) -> str:
    return f"web:staff#{staff_id}" if staff_id is not None else "web:anonymous"


async def audit(
    request: web.Request, action: str, target: str | None = None, detail: dict[str, str] | None = None
) -> None:
    """Record `action` (e.g. "complaint.reply") by the signed-in staff member, in its own transaction."""
    staff = current_staff(request)
    row = AuditLog(
        actor=actor_of(staff.id if staff else None),
        action=action[:48],
        target=target[:96] if target else None,
        detail=dict(detail or {}),
        at=now(request),
    )
    async with request.app[APP_KEY].db.session() as db:
        db.add(row)
        await db.commit()
