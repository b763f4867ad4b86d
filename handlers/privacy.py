"""Personal data (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15): what we store about a person, erasing it.

Every feature that stores personal data registers it on the router
(`router.personal_data(name, describe=…, erase=…, columns=…)`), like its
commands; /dulieucuatoi asks every registration to describe what it holds and
/xoadulieu asks every one to erase it, so a new feature cannot be forgotten
silently (tests/test_privacy_registry.py checks every column of the models).

Complaints keep their content for the office's record but lose the person.
The user row itself stays, emptied, because the channel identity is what lets
the conversation go on; it is registered here as the "account".
Everything personal answers "xin mời nhắn riêng" in a group chat (the
dispatcher does that for commands not registered `in_groups`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import texts
from handlers.actions import Action
from handlers.context import Context
from handlers.feedback_core import local_text
from handlers.menu import main_menu, menu_button
from handlers.messages import Incoming, Reply
from handlers.privacy_export import export_button
from handlers.privacy_export import register as register_export
from handlers.privacy_purge import purge_account, purge_audit
from handlers.privacy_requests import record_done
from handlers.privacy_requests import register as register_requests
from handlers.router import Feature, Router
from handlers.settings import HandlerSettings
from storage.models import ChatSession, User
from storage.models_privacy import ConsentRecord
from storage.privacy import ACK_WORKING_DAYS
from storage.repos import audit


@dataclass(frozen=True)
class Erasure(Action, prefix="pv"):
    """«Xóa dữ liệu của tôi»: ask, then confirm (yes) or keep (no)."""

    step: Literal["ask", "yes", "no"]


async def describe(ctx: Context) -> list[str]:
    """Lines for /dulieucuatoi: the account first, then every feature's registration."""
    lines: list[str] = []
    registrations = list(ctx.router.personal.values())
    for registration in sorted(registrations, key=lambda r: r.name != ACCOUNT):
        lines += await registration.describe(ctx.db, ctx.user, ctx.settings)
    return lines


async def show_my_data(ctx: Context, msg: Incoming) -> list[Reply]:
    lines = [texts.PV_HEAD, *await describe(ctx), "", texts.PV_FOOT]
    record_done(ctx, "view", "shown in the chat")
    rows = [export_button(), [Erasure("ask").button(texts.PV_BTN_ERASE)], menu_button()]
    return [Reply("\n".join(lines), buttons=rows)]


async def ask_erase(ctx: Context, msg: Incoming) -> list[Reply]:
    rows = [[Erasure("yes").button(texts.PV_BTN_CONFIRM)], [Erasure("no").button(texts.PV_BTN_KEEP)]]
    return [Reply(texts.PV_CONFIRM, buttons=rows)]


async def erase_user(db: AsyncSession, user: User, router: Router) -> None:
    """Erase a person's data through every registration (the account last: others read it)."""
    registrations = list(router.personal.values())
    for registration in [r for r in registrations if r.name != ACCOUNT] + [router.personal[ACCOUNT]]:
        await registration.erase(db, user)


async def on_action(ctx: Context, msg: Incoming, action: Erasure) -> list[Reply]:
    if action.step == "ask":
        return await ask_erase(ctx, msg)
    if action.step == "no":
        return [main_menu(ctx, texts.PV_KEPT)]
    await erase_user(ctx.db, ctx.user, ctx.router)
    # the session goes too: flows, drafts, memory (the dispatcher saves this object)
    ctx.session.flow = None
    ctx.session.data = {}
    record_done(ctx, "delete", "erased at once by the bot")
    # the audit names no person: only that an erasure happened
    await audit(ctx.db, "citizen", "privacy.erase", f"user#{ctx.user.id}")
    return [Reply(texts.PV_ERASED, buttons=[menu_button()])]


async def show_notice(ctx: Context, msg: Incoming) -> list[Reply]:
    """/quyenriengtu: who controls the data, why, on what basis, for how long, rights, contact."""
    loc, r = ctx.kb.locality, ctx.settings.retention
    text = texts.PRIVACY_NOTICE.format(
        version=texts.PRIVACY_NOTICE_VERSION,
        office=loc.office_name,
        hotline=loc.hotline,
        address=loc.address,
        questions=r.question_log_days,
        sessions=r.session_days,
        complaints=r.complaint_person_days,
        phones=r.phone_days,
        photos=r.photo_days,
        outbox=r.outbox_days,
        ack_days=ACK_WORKING_DAYS,
    )
    return [Reply(text, buttons=[menu_button()])]


# ---------------------------------------------------------------- the account (users, sessions)
ACCOUNT = "account"


async def _describe_account(db: AsyncSession, user: User, settings: HandlerSettings) -> list[str]:
    tz = settings.timezone
    consents = int(
        await db.scalar(
            select(func.count()).select_from(ConsentRecord).where(ConsentRecord.user_id == user.id)
        )
        or 0
    )
    return [
        texts.PV_IDENTITY.format(channel=user.channel, platform_id=user.platform_id),
        texts.PV_NAME.format(name=user.display_name or texts.PV_NONE),
        texts.PV_PHONE.format(phone=user.phone or texts.PV_NONE),
        texts.PV_CONSENT.format(at=local_text(user.consent_at, tz) if user.consent_at else texts.PV_NONE),
        texts.PV_CONSENT_RECORDS.format(n=consents),
        texts.PV_FIRST_SEEN.format(at=local_text(user.created_at, tz)),
    ]


async def _erase_account(db: AsyncSession, user: User) -> None:
    session = await db.get(ChatSession, user.id)
    if session is not None:
        session.flow = None
        session.data = {}
    await db.execute(delete(ConsentRecord).where(ConsentRecord.user_id == user.id))
    user.display_name = None
    user.store_name = False  # the platform sends the name again with every message: not kept
    user.phone = None
    user.consent_at = None


async def _describe_nothing(db: AsyncSession, user: User, settings: HandlerSettings) -> list[str]:
    return []


async def _erase_nothing(db: AsyncSession, user: User) -> None:
    return None


FEATURE = Feature.PRIVACY


def register(router: Router) -> None:
    router.command("dulieucuatoi", show_my_data, texts.CMD_DULIEUCUATOI)
    router.command("xoadulieu", ask_erase, texts.CMD_XOADULIEU)
    router.command("quyenriengtu", show_notice, texts.CMD_QUYENRIENGTU, in_groups=True)
    router.action(Erasure, on_action)
    router.personal_data(
        ACCOUNT,
        describe=_describe_account,
        erase=_erase_account,
        columns=(
            "users.display_name",
            "users.phone",
            "users.consent_at",
            "users.platform_id",
            "sessions.user_id",
            "sessions.data",
            "consent_records.user_id",
        ),
        purpose=texts.REG_ACCOUNT_PURPOSE,
        basis=texts.REG_ACCOUNT_BASIS,
        retention="session",
        recipients=texts.REG_ACCOUNT_RECIPIENTS,
        purge=purge_account,
    )
    router.personal_data(
        "audit",
        describe=_describe_nothing,
        erase=_erase_nothing,
        purge=purge_audit,
        # names no citizen: targets are codes and user#id; staff replies' text is cleared
        # by the complaints registration when their author erases their data
        columns=("audit_log.target", "audit_log.detail"),
        purpose=texts.REG_AUDIT_PURPOSE,
        basis=texts.REG_AUDIT_BASIS,
        retention="audit",
        recipients=texts.REG_AUDIT_RECIPIENTS,
    )
    register_requests(router)
    register_export(router)
