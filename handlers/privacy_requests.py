"""/yeucaudulieu: correct, withdraw consent, object — done at once where the bot can, else queued.

Nghị định 356/2025/NĐ-CP sets time limits (storage/privacy.py: as published
summaries give them, the shortest of each range): acknowledge within 2 working
days, withdraw/restrict/object within 15 days, the rest within 10. What the bot
can do itself it does at once (a new phone number,
withdrawing consent: subscriptions and pending call-backs stop, the phone
goes); the rest becomes a `data_requests` row with both deadlines and a notice to
staff that names no one; staff handle it in the console (/staff/privacy) or with
`motcua privacy …`, both through handlers/privacy_staff.py, which tells the citizen
the outcome. Every request, done or queued, is recorded with its outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import texts
from handlers.actions import Action
from handlers.context import Context
from handlers.feedback_core import due_at, local_text, notify_staff
from handlers.flow import Flow, Kind, Run
from handlers.menu import menu_button
from handlers.messages import Incoming, Reply
from handlers.personal import count
from handlers.phone import normalize_phone
from handlers.router import Router
from handlers.settings import HandlerSettings
from storage.models import User
from storage.models_guides import GuideCallback
from storage.models_privacy import REQUEST_DONE, DataRequest
from storage.outbox import set_subscriptions
from storage.privacy import ACK_WORKING_DAYS, open_request, record_consent

RequestKind = Literal["correct", "withdraw", "object", "delete"]
KINDS: tuple[RequestKind, ...] = ("correct", "withdraw", "object", "delete")


@dataclass(frozen=True)
class AskRequest(Action, prefix="pv:r"):
    kind: RequestKind


class Step(StrEnum):
    DETAIL = "detail"


class Detail(BaseModel):
    kind: str = "correct"


FLOW: Flow[Step, Detail] = Flow("data_request", Step, Detail, cancelled=texts.PV_KEPT)


async def menu(ctx: Context, msg: Incoming) -> list[Reply]:
    rows = [[AskRequest(kind).button(texts.DSR_BTN[kind])] for kind in KINDS]
    return [Reply(texts.DSR_MENU, buttons=[*rows, menu_button()])]


def record_done(ctx: Context, kind: str, outcome: str) -> DataRequest:
    """A request the bot carried out at once is still recorded, with its outcome."""
    now = ctx.now()
    row = DataRequest(
        user_id=ctx.user.id,
        kind=kind,
        status=REQUEST_DONE,
        received_at=now,
        ack_due_at=now,
        due_at=now,
        done_at=now,
        outcome=outcome,
    )
    ctx.db.add(row)
    return row


async def withdraw(ctx: Context) -> list[Reply]:
    """Consent-based processing stops at once: announcements, pending call-backs, the phone."""
    now = ctx.now()
    await set_subscriptions(ctx.db, ctx.user, [], None)
    await ctx.db.execute(
        delete(GuideCallback).where(GuideCallback.user_id == ctx.user.id, GuideCallback.status == "pending")
    )
    ctx.user.phone = None
    ctx.user.consent_at = None
    for purpose, what in (("subscriptions", "-"), ("callback", "phone"), ("complaint_phone", "phone")):
        record_consent(
            ctx.db,
            ctx.user.id,
            purpose=purpose,
            what=what,
            version=texts.PRIVACY_NOTICE_VERSION,
            granted=False,
            at=now,
        )
    row = record_done(ctx, "withdraw", "subscriptions stopped, pending call-backs and phone removed")
    await ctx.db.flush()
    return [Reply(texts.DSR_WITHDRAWN.format(id=row.id), buttons=[menu_button()])]


async def queue(ctx: Context, kind: str, detail: str | None) -> list[Reply]:
    """A request only staff can carry out: recorded with its deadlines, staff told without names."""
    now, tz, loc = ctx.now(), ctx.settings.timezone, ctx.kb.locality
    row = await open_request(
        ctx.db, ctx.user.id, kind, now=now, ack_due=due_at(now, ACK_WORKING_DAYS, loc, tz), detail=detail
    )
    ack, due = local_text(row.ack_due_at, tz, with_time=False), local_text(row.due_at, tz, with_time=False)
    link = f"{ctx.settings.public_url.rstrip('/')}/staff/privacy/{row.id}"  # the console's request page
    label = texts.WEB_PV_KIND.get(kind, kind)
    notice = Reply(texts.DSR_STAFF_NOTICE.format(id=row.id, kind=label, ack=ack, due=due, link=link))
    await notify_staff(
        ctx.db, ctx.services.staff, ctx.settings.staff_chat, [notice], kind="notice", ref=f"yc:{row.id}"
    )
    return [Reply(texts.DSR_QUEUED.format(id=row.id, ack=ack, due=due), buttons=[menu_button()])]


async def on_action(ctx: Context, msg: Incoming, action: AskRequest) -> list[Reply]:
    if action.kind == "withdraw":
        return await withdraw(ctx)
    if action.kind == "delete":
        from handlers.privacy import ask_erase

        return await ask_erase(ctx, msg)
    if action.kind == "object":
        return await queue(ctx, "object", None)
    FLOW.start(ctx, Step.DETAIL, Detail(kind="correct"))
    return [Reply(texts.DSR_ASK_DETAIL)]


@FLOW.on(Step.DETAIL, Kind.TEXT)
async def on_detail(ctx: Context, msg: Incoming, run: Run[Step, Detail]) -> list[Reply]:
    text = (msg.text or "").strip()[:500]
    run.end(ctx)
    phone = normalize_phone(text)
    if phone is not None and ctx.user.phone:
        ctx.user.phone = phone  # the bot can correct this one itself
        row = record_done(ctx, "correct", "phone corrected by the citizen")
        await ctx.db.flush()
        return [Reply(texts.DSR_PHONE_FIXED.format(phone=phone, id=row.id), buttons=[menu_button()])]
    return await queue(ctx, "correct", text)


def register(router: Router) -> None:
    router.command("yeucaudulieu", menu, texts.CMD_YEUCAUDULIEU)
    router.action(AskRequest, on_action)
    router.flow(FLOW)
    router.personal_data(
        "data_requests",
        describe=_describe,
        erase=_erase,
        columns=("data_requests.user_id", "data_requests.detail"),
        purpose=texts.REG_DATA_REQUESTS_PURPOSE,
        basis=texts.REG_DATA_REQUESTS_BASIS,
        retention="audit",
        recipients=texts.REG_DATA_REQUESTS_RECIPIENTS,
    )


async def _describe(db: AsyncSession, user: User, settings: HandlerSettings) -> list[str]:
    n = await count(db, select(func.count()).select_from(DataRequest).where(DataRequest.user_id == user.id))
    return [texts.PV_REQUESTS.format(n=n)]


async def _erase(db: AsyncSession, user: User) -> None:
    """The request stays on file (every request and its outcome is recorded); the citizen's words go."""
    await db.execute(
        update(DataRequest)
        .where(DataRequest.user_id == user.id)
        .values(detail=None)
        .execution_options(synchronize_session=False)
    )
