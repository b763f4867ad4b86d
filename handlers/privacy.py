"""Personal data (Decree 13/2023): what we store about a user, and erasing it.

/dulieucuatoi lists what is stored; /xoadulieu erases it after confirmation.
Complaints keep their content for the office's record but lose the person
(user, channel identity, name, phone). The user row itself stays, emptied,
because the channel identity is what lets the conversation go on; every other
personal field, the question log, pending messages and the session go.

Other features that store personal data register an eraser and a describer
here (`ERASERS`, `DESCRIBERS`), so one command erases everything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import texts
from handlers.actions import Action
from handlers.context import Context
from handlers.feedback_core import local_text
from handlers.menu import main_menu, menu_button
from handlers.messages import Incoming, Reply
from handlers.router import Feature, Router
from storage.guides import erase_user as erase_guides
from storage.models import Outbox, QuestionLog, User
from storage.models_feedback import Complaint, Handoff, Rating
from storage.models_guides import GuideCallback, GuideRun
from storage.repos import audit

Eraser = Callable[[AsyncSession, User], Awaitable[None]]
Describer = Callable[[AsyncSession, User], Awaitable[list[str]]]
ERASERS: list[Eraser] = []
DESCRIBERS: list[Describer] = []


@dataclass(frozen=True)
class Erasure(Action, prefix="pv"):
    """«Xóa dữ liệu của tôi»: ask, then confirm (yes) or keep (no)."""

    step: Literal["ask", "yes", "no"]


async def _count(db: AsyncSession, stmt: Select[Any]) -> int:
    return int(await db.scalar(stmt) or 0)


async def describe(ctx: Context) -> list[str]:
    db, user, tz = ctx.db, ctx.user, ctx.settings.timezone
    lines = [
        texts.PV_IDENTITY.format(channel=user.channel, platform_id=user.platform_id),
        texts.PV_NAME.format(name=user.display_name or texts.PV_NONE),
        texts.PV_PHONE.format(phone=user.phone or texts.PV_NONE),
        texts.PV_CONSENT.format(at=local_text(user.consent_at, tz) if user.consent_at else texts.PV_NONE),
        texts.PV_AREA.format(area=user.area or texts.PV_NONE),
        texts.PV_SUBSCRIPTIONS.format(subs=", ".join(user.subscriptions or []) or texts.PV_NONE),
        texts.PV_FIRST_SEEN.format(at=local_text(user.created_at, tz)),
    ]
    codes = list(
        await db.scalars(select(Complaint.code).where(Complaint.user_id == user.id).order_by(Complaint.id))
    )
    lines.append(
        texts.PV_COMPLAINTS.format(n=len(codes), codes=", ".join(codes[:20]) if codes else texts.PV_NONE)
    )
    questions = await _count(
        db, select(func.count()).select_from(QuestionLog).where(QuestionLog.user_id == user.id)
    )
    lines.append(texts.PV_QUESTIONS.format(n=questions))
    ratings = await _count(db, select(func.count()).select_from(Rating).where(Rating.user_id == user.id))
    lines.append(texts.PV_RATINGS.format(n=ratings))
    callbacks = await _count(
        db, select(func.count()).select_from(GuideCallback).where(GuideCallback.user_id == user.id)
    )
    runs = await _count(db, select(func.count()).select_from(GuideRun).where(GuideRun.user_id == user.id))
    lines.append(texts.PV_GUIDES.format(n=runs))
    handoffs = await _count(db, select(func.count()).select_from(Handoff).where(Handoff.user_id == user.id))
    lines.append(texts.PV_CONTACTS.format(callbacks=callbacks, handoffs=handoffs))
    messages = await _count(db, select(func.count()).select_from(Outbox).where(Outbox.user_id == user.id))
    lines.append(texts.PV_MESSAGES.format(n=messages))
    for describer in DESCRIBERS:
        lines += await describer(db, user)
    return lines


async def show_my_data(ctx: Context, msg: Incoming) -> list[Reply]:
    lines = [texts.PV_HEAD, *await describe(ctx), "", texts.PV_FOOT]
    return [Reply("\n".join(lines), buttons=[[Erasure("ask").button(texts.PV_BTN_ERASE)], menu_button()])]


async def ask_erase(ctx: Context, msg: Incoming) -> list[Reply]:
    rows = [[Erasure("yes").button(texts.PV_BTN_CONFIRM)], [Erasure("no").button(texts.PV_BTN_KEEP)]]
    return [Reply(texts.PV_CONFIRM, buttons=rows)]


async def erase_user(db: AsyncSession, user: User) -> None:
    """Erase a user's personal data, keeping complaint content without the person."""
    await db.execute(
        update(Complaint)
        .where(Complaint.user_id == user.id)
        .values(user_id=None, channel=None, platform_id=None, reporter_name=None, phone=None)
        .execution_options(synchronize_session=False)
    )
    await db.execute(
        update(Handoff)
        .where(Handoff.user_id == user.id)
        .values(user_id=None, channel=None, platform_id=None, status="ended")
        .execution_options(synchronize_session=False)
    )
    await erase_guides(db, user.id)  # walkthroughs, their events and call-back requests
    await db.execute(
        update(Rating)
        .where(Rating.user_id == user.id)
        .values(user_id=None, comment=None)
        .execution_options(synchronize_session=False)
    )
    await db.execute(delete(QuestionLog).where(QuestionLog.user_id == user.id))
    await db.execute(
        delete(Outbox).where(Outbox.channel == user.channel, Outbox.platform_id == user.platform_id)
    )
    await db.execute(delete(Outbox).where(Outbox.user_id == user.id))
    for eraser in ERASERS:
        await eraser(db, user)
    user.display_name = None
    user.store_name = False  # the platform sends the name again with every message: not kept
    user.phone = None
    user.consent_at = None
    user.subscriptions = []
    user.area = None


async def on_action(ctx: Context, msg: Incoming, action: Erasure) -> list[Reply]:
    if action.step == "ask":
        return await ask_erase(ctx, msg)
    if action.step == "no":
        return [main_menu(ctx, texts.PV_KEPT)]
    await erase_user(ctx.db, ctx.user)
    # the session goes too: flows, drafts, memory
    ctx.session.flow = None
    ctx.session.data = {}
    # the audit names no person: only that an erasure happened
    await audit(ctx.db, "citizen", "privacy.erase", f"user#{ctx.user.id}")
    return [Reply(texts.PV_ERASED, buttons=[menu_button()])]


FEATURE = Feature.PRIVACY


def register(router: Router) -> None:
    router.command("dulieucuatoi", show_my_data, texts.CMD_DULIEUCUATOI)
    router.command("xoadulieu", ask_erase, texts.CMD_XOADULIEU)
    router.action(Erasure, on_action)
