"""«Tải dữ liệu»: a person's data as a JSON file, from /dulieucuatoi.

Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15, Article 4(1)(d), gives the data
subject the right to ask that their personal data be provided to them
(docs/privacy.md). The file is built from the same registrations that
/dulieucuatoi describes and /xoadulieu erases (their describers, and their
exporters where a feature keeps the person's own words), so it cannot leave out a
feature's data; each section carries what the processing register says of it
(purpose, basis, retention, recipients). It is sent to the person only, in a
private chat (the button answers «xin mời nhắn riêng» in any group, the
staff's own included), is never queued in the outbox, and the request is recorded like the
other data-subject requests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from handlers import texts
from handlers.actions import Action
from handlers.context import Context
from handlers.menu import menu_button
from handlers.messages import Button, Document, Incoming, Reply
from handlers.privacy_requests import record_done
from handlers.router import Router

FORMAT = "motcua.personal-data/1"
ACCOUNT = "account"  # the registration listed first (handlers/privacy.py)


@dataclass(frozen=True)
class ExportData(Action, prefix="pv:json"):
    """«Tải dữ liệu (JSON)» under /dulieucuatoi."""


def _item(line: str) -> str:
    return line.removeprefix("•").strip()


async def export_document(ctx: Context) -> dict[str, Any]:
    """The person's data: who holds it, then one section per registration.

    A section has the describer's lines (`items`), the records themselves where
    the feature exports them (`records`: the questions asked, the complaints
    with their words and answers), and the register's entry for it.
    """
    tz = ctx.settings.timezone
    loc = ctx.kb.locality
    sections = []
    registrations = sorted(ctx.router.personal.values(), key=lambda r: r.name != ACCOUNT)
    for r in registrations:
        lines = await r.describe(ctx.db, ctx.user, ctx.settings)
        records = await r.export(ctx.db, ctx.user, ctx.settings) if r.export else []
        retention = getattr(ctx.settings.retention, f"{r.retention}_days", None) if r.retention else None
        sections.append(
            {
                "name": r.name,
                "items": [_item(line) for line in lines],
                "records": records,
                "purpose": r.purpose,
                "legal_basis": r.basis,
                "retention_days": retention,
                "recipients": r.recipients,
            }
        )
    return {
        "format": FORMAT,
        "exported_at": ctx.now().astimezone(ZoneInfo(tz)).replace(microsecond=0).isoformat(),
        "controller": {"name": loc.office_name, "hotline": loc.hotline, "address": loc.address},
        "subject": {"channel": ctx.user.channel, "platform_id": ctx.user.platform_id},
        "sections": sections,
    }


def filename(ctx: Context) -> str:
    return f"du-lieu-ca-nhan-{ctx.local_now():%Y%m%d}.json"


async def on_export(ctx: Context, msg: Incoming, action: ExportData) -> list[Reply]:
    if msg.group is not None:  # not even in the staff's own group: a file there is kept by all
        return [Reply(texts.PRIVATE_ONLY)]
    data = await export_document(ctx)
    content = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    record_done(ctx, "provide", "sent as a JSON file in the private chat")
    document = Document(filename(ctx), content)
    return [Reply(texts.PV_EXPORT_SENT, buttons=[menu_button()], document=document)]


def export_button() -> list[Button]:
    return [ExportData().button(texts.PV_BTN_EXPORT)]


def register(router: Router) -> None:
    """Called by handlers/privacy.py, which owns the privacy feature."""
    router.action(ExportData, on_export)
