"""Dossier status for citizens: a code typed or pasted (or /hoso CODE) shows where the dossier is.

Anyone holding a code sees its state; the procedure, due date, the office's note
and the next step only its owner, after the ownership check (the last four digits
of the phone the one-stop system sent with the dossier; a dossier sent without a
phone shows its state only). «Theo dõi» makes each new state reach the citizen
once, through the outbox (handlers/dossier_events.py queues it).

Actions (prefix "hs", declared in handlers/dossier_view.py because notices show them too):
hs:c:<id> start the check, hs:f:<id> follow, hs:u:<id> unfollow.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import texts
from handlers.context import Context
from handlers.dossier_events import find_code
from handlers.dossier_states import FINAL_STATES
from handlers.dossier_view import (
    CheckOwner,
    Follow,
    Unfollow,
    details,
    head,
    local_time,
    next_step_buttons,
    portal_link,
)
from handlers.flow import Flow, Run
from handlers.messages import Incoming, Reply
from handlers.personal import cutoff
from handlers.router import Feature, HookPriority, Router
from handlers.settings import HandlerSettings, RetentionSettings
from storage import dossiers as repo
from storage.models import User
from storage.models_dossiers import Dossier, DossierFollower
from storage.privacy import record_consent

CONSENT_PURPOSE = "dossier_follow"
MAX_ATTEMPTS = 3  # wrong digits from one chat account before the check is locked for it
LOCK_HOURS = 24
# Across every account (several accounts must not share out the 10,000 guesses): wrong tries
# within a day lock the dossier's check for everyone for three days, in the database row.
DOSSIER_MAX_FAILS = 10
DOSSIER_WINDOW = dt.timedelta(hours=24)
DOSSIER_LOCK = dt.timedelta(hours=72)
_VERIFIED = "dossiers_verified"  # user memory: ids of dossiers this person proved are theirs
_FAILS = "dossiers_fails"  # user memory: {dossier id: [wrong tries, locked until (ISO) or ""]}
_MAX_REMEMBERED = 20
_DIGITS = re.compile(r"\s*(\d{4})\s*")


# ---------------------------------------------------------------- the ownership check flow
class Step(StrEnum):
    DIGITS = "digits"


class Check(BaseModel):
    dossier: int
    code: str


FLOW: Flow[Step, Check] = Flow("dossier_check", Step, Check, cancelled=texts.DS_CHECK_CANCELLED)


def _verified(ctx: Context) -> list[int]:
    value = ctx.memory(_VERIFIED, [])
    return [int(v) for v in value] if isinstance(value, list) else []


def _fails(ctx: Context) -> dict[str, list[Any]]:
    value = ctx.memory(_FAILS, {})
    return dict(value) if isinstance(value, dict) else {}


def _locked_until(ctx: Context, d: Dossier) -> dt.datetime | None:
    entry = _fails(ctx).get(str(d.id))
    if not entry or len(entry) < 2 or not entry[1]:
        return None
    until = dt.datetime.fromisoformat(str(entry[1]))
    return until if until > ctx.now() else None


def can_see_details(ctx: Context, d: Dossier) -> bool:
    return bool(d.phone_tail) and d.id in _verified(ctx)


async def show(ctx: Context, code: str) -> list[Reply]:
    """What a citizen sees for a dossier code: state for anyone, details for its owner."""
    d = await repo.by_code(ctx.db, code)
    loc = ctx.kb.locality
    if d is None:
        text = texts.DS_UNKNOWN.format(
            code=code, portal=loc.provincial_portal, office=loc.office_name, hotline=loc.hotline
        )
        return [Reply(text, links=[portal_link(ctx.kb)])]
    tz = ctx.settings.timezone
    following = await repo.is_following(ctx.db, d.id, ctx.user.id)
    lines = [head(d, tz)]
    rows = []
    if can_see_details(ctx, d):
        lines += details(d, tz)
        rows = next_step_buttons(ctx.kb, ctx.router, d)
    elif d.phone_tail:
        lines.append(texts.DS_CHECK_OFFER)
        rows.append([CheckOwner(d.id).button(texts.DS_BTN_CHECK)])
    else:
        lines.append(texts.DS_NO_DETAILS)
    if following:
        rows.append([Unfollow(d.id).button(texts.DS_BTN_UNFOLLOW)])
    elif d.state not in FINAL_STATES and (can_see_details(ctx, d) or not d.phone_tail):
        rows.append([Follow(d.id).button(texts.DS_BTN_FOLLOW)])
    return [Reply("\n".join(lines), buttons=rows, links=[portal_link(ctx.kb)])]


async def on_command(ctx: Context, msg: Incoming) -> list[Reply]:
    """/hoso CODE; /hoso alone asks for the code."""
    arg = (msg.text or "").partition(" ")[2].strip()
    if not arg:
        return [Reply(texts.DS_ASK_CODE)]
    code = find_code(arg, ctx.settings.dossier_code_pattern)
    if code is None:
        return [Reply(texts.DS_BAD_CODE.format(text=arg[:80], ask=texts.DS_ASK_CODE))]
    return await show(ctx, code)


async def text_hook(ctx: Context, msg: Incoming) -> list[Reply] | None:
    """A dossier code anywhere in a message («hồ sơ 000.00.17.H31-260105-0001 đến đâu rồi»)."""
    code = find_code((msg.text or "")[:2000], ctx.settings.dossier_code_pattern)
    return None if code is None else await show(ctx, code)


async def _dossier(ctx: Context, dossier_id: int) -> Dossier | None:
    return await ctx.db.get(Dossier, dossier_id)


async def on_check(ctx: Context, msg: Incoming, action: CheckOwner) -> list[Reply]:
    d = await _dossier(ctx, action.dossier)
    if d is None:
        return [Reply(texts.EXPIRED_BUTTON)]
    if not d.phone_tail:
        return [Reply(texts.DS_CHECK_NO_PHONE.format(code=d.code))]
    if can_see_details(ctx, d):
        return await show(ctx, d.code)
    until = _locked_until(ctx, d)
    if until is not None:
        return [Reply(_locked_text(ctx, d, until))]
    until = await repo.check_locked_until(ctx.db, d.id, ctx.now())
    if until is not None:
        return [Reply(_dossier_locked_text(ctx, d, until))]
    FLOW.start(ctx, Step.DIGITS, Check(dossier=d.id, code=d.code))
    return [Reply(texts.DS_CHECK_ASK.format(code=d.code))]


def _locked_text(ctx: Context, d: Dossier, until: dt.datetime) -> str:
    return texts.DS_CHECK_LOCKED.format(
        code=d.code, until=local_time(until, ctx.settings.timezone), hotline=ctx.kb.locality.hotline
    )


def _dossier_locked_text(ctx: Context, d: Dossier, until: dt.datetime) -> str:
    loc = ctx.kb.locality
    return texts.DS_CHECK_DOSSIER_LOCKED.format(
        code=d.code,
        until=local_time(until, ctx.settings.timezone),
        office=loc.office_name,
        hotline=loc.hotline,
    )


@FLOW.on(Step.DIGITS)
async def take_digits(ctx: Context, msg: Incoming, run: Run[Step, Check]) -> list[Reply] | None:
    text = msg.text or ""
    match = _DIGITS.fullmatch(text)
    if match is None:
        other = find_code(text, ctx.settings.dossier_code_pattern)
        if other is not None or len(text.strip()) > 12:
            run.end(ctx)  # they moved on: answer what they wrote instead
            return None
        return [Reply(texts.DS_CHECK_FORMAT)]
    d = await _dossier(ctx, run.data.dossier)
    if d is None or not d.phone_tail:
        run.end(ctx)
        return [Reply(texts.DS_CHECK_NO_PHONE.format(code=run.data.code))]
    if _locked_until(ctx, d) is not None:
        run.end(ctx)
        return [Reply(_locked_text(ctx, d, _locked_until(ctx, d) or ctx.now()))]
    dossier_lock = await repo.check_locked_until(ctx.db, d.id, ctx.now())
    if dossier_lock is not None:  # locked by other accounts' tries since this one began
        run.end(ctx)
        return [Reply(_dossier_locked_text(ctx, d, dossier_lock))]
    if hmac.compare_digest(match.group(1).encode(), d.phone_tail.encode()):
        run.end(ctx)
        ctx.remember(_VERIFIED, [*[v for v in _verified(ctx) if v != d.id], d.id][-_MAX_REMEMBERED:])
        fails = _fails(ctx)
        if fails.pop(str(d.id), None) is not None:
            ctx.remember(_FAILS, fails or None)
        await repo.mark_verified(ctx.db, d.id, ctx.user.id)
        await repo.check_passed(ctx.db, d.id)
        return [Reply(texts.DS_CHECK_OK), *await show(ctx, d.code)]
    dossier_lock = await repo.count_failed_check(
        ctx.db, d.id, ctx.now(), window=DOSSIER_WINDOW, max_fails=DOSSIER_MAX_FAILS, lock=DOSSIER_LOCK
    )
    fails = _fails(ctx)
    count = int((fails.get(str(d.id)) or [0])[0]) + 1
    account_lock = ctx.now() + dt.timedelta(hours=LOCK_HOURS) if count >= MAX_ATTEMPTS else None
    fails[str(d.id)] = [0, account_lock.isoformat()] if account_lock else [count, ""]
    ctx.remember(_FAILS, dict(list(fails.items())[-_MAX_REMEMBERED:]))
    if dossier_lock is not None:  # the dossier's own lock says more: every account is kept out
        run.end(ctx)
        return [Reply(_dossier_locked_text(ctx, d, dossier_lock))]
    if account_lock is not None:
        run.end(ctx)
        return [Reply(_locked_text(ctx, d, account_lock))]
    return [Reply(texts.DS_CHECK_WRONG.format(left=MAX_ATTEMPTS - count))]


# ---------------------------------------------------------------- following
async def on_follow(ctx: Context, msg: Incoming, action: Follow) -> list[Reply]:
    d = await _dossier(ctx, action.dossier)
    if d is None:
        return [Reply(texts.EXPIRED_BUTTON)]
    verified = can_see_details(ctx, d)
    if d.phone_tail and not verified:
        return [Reply(texts.DS_FOLLOW_NEEDS_CHECK, buttons=[[CheckOwner(d.id).button(texts.DS_BTN_CHECK)]])]
    added = await repo.follow(ctx.db, d.id, ctx.user.id, ctx.now(), verified=verified)
    if added:  # following rests on consent (Law 91/2025): what, when, and the notice's version
        _consent(ctx, d, granted=True)
    template = texts.DS_FOLLOWING if added else texts.DS_ALREADY_FOLLOWING
    return [Reply(template.format(code=d.code), buttons=[[Unfollow(d.id).button(texts.DS_BTN_UNFOLLOW)]])]


def _consent(ctx: Context, d: Dossier, *, granted: bool) -> None:
    record_consent(
        ctx.db,
        ctx.user.id,
        purpose=CONSENT_PURPOSE,
        what=d.code[:64],
        version=texts.PRIVACY_NOTICE_VERSION,
        granted=granted,
        at=ctx.now(),
    )


async def on_unfollow(ctx: Context, msg: Incoming, action: Unfollow) -> list[Reply]:
    d = await _dossier(ctx, action.dossier)
    if d is None:
        return [Reply(texts.EXPIRED_BUTTON)]
    removed = await repo.unfollow(ctx.db, d.id, ctx.user.id)
    if removed:
        _consent(ctx, d, granted=False)
    return [Reply((texts.DS_UNFOLLOWED if removed else texts.DS_NOT_FOLLOWING).format(code=d.code))]


# ---------------------------------------------------------------- personal data
async def _describe(db: AsyncSession, user: User, settings: HandlerSettings) -> list[str]:
    codes = await repo.followed_codes(db, user.id)
    return [texts.PV_DOSSIERS.format(n=len(codes), codes=", ".join(codes) or texts.PV_NONE)]


async def _erase(db: AsyncSession, user: User) -> None:
    await repo.forget_user(db, user.id)  # what they proved is in the session, erased with it


async def _purge(db: AsyncSession, now: dt.datetime, retention: RetentionSettings) -> int:
    return await repo.purge_finished(db, cutoff(now, retention.dossier_days), frozenset(FINAL_STATES))


FEATURE = Feature.DOSSIERS


def register(router: Router) -> None:
    router.personal_data(
        "dossiers",
        describe=_describe,
        erase=_erase,
        columns=(
            "dossier_followers.user_id",
            "dossiers.phone_tail",
            "dossiers.note",
            "dossier_events.note",
        ),
        purpose=(
            "Báo tình trạng hồ sơ thủ tục hành chính cho người nộp và người bấm «Theo dõi»; "
            "4 số cuối điện thoại chỉ để đối chiếu hồ sơ đúng là của người hỏi"
        ),
        basis="Sự đồng ý của người dân (bấm «Theo dõi», bỏ bằng «Bỏ theo dõi»); dữ liệu do hệ thống một cửa gửi",
        retention="dossier",
        recipients="Không chuyển cho bên nào; nguồn là hệ thống thông tin giải quyết thủ tục hành chính của tỉnh",
        purge=_purge,
    )
    router.command("hoso", on_command, texts.CMD_HOSO)
    router.action(CheckOwner, on_check)
    router.action(Follow, on_follow)
    router.action(Unfollow, on_unfollow)
    router.flow(FLOW)
    router.text_hook("dossiers.code", text_hook, priority=HookPriority.CODE)


__all__ = ["FLOW", "CheckOwner", "DossierFollower", "Follow", "Unfollow", "register", "show"]
