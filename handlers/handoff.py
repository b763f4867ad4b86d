""" "Gặp cán bộ": a live conversation with staff on duty, or a call-back request.

During office hours (locality.yaml) the citizen's messages are relayed to
staff and staff replies come back; both directions go through the outbox, so
the same sender loop delivers them with each channel's limits (and Zalo's
window). Outside office hours the bot asks permission to take a phone number
for a call-back. Either side can end a conversation; the session flow of the
other side notices on its next message.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import handoff_core as core
from handlers import texts
from handlers.actions import Action
from handlers.buttons import CallbackDone, StartHandoff
from handlers.context import Context
from handlers.feedback_core import in_working_hours, notify_staff, staff_recipients
from handlers.flow import Fallback, Flow, Kind, Run
from handlers.handoff_core import MAX_RELAY_CHARS, BackToHandoff, EndHandoff, HandoffError, TakeHandoff
from handlers.handoff_privacy import register as register_personal_data
from handlers.menu import contact_reply, format_hours, menu_button
from handlers.messages import Button, Incoming, Reply
from handlers.phone import mask_phone, normalize_phone
from handlers.router import Feature, HookPriority, Router
from knowledge.normalize import fold
from storage.models_feedback import Handoff, HandoffMessage

# explicit wishes to talk to a person, folded (no diacritics); the matcher's "human"
# intent catches more, this hook makes sure the plain phrases always work
_WANT_HUMAN = re.compile(
    r"^(xin |cho (toi|em|minh) |toi muon |em muon |muon )?"
    r"(gap|noi chuyen voi|trao doi voi|ket noi voi|ket noi|lien he voi|hoi) "
    r"(truc tiep )?(can bo|nhan vien|nguoi that|tong dai vien|canbo)( truc| mot cua| xa| phuong)?( a| nhe| duoc khong)?$"
)


# ---------------------------------------------------------------- buttons
@dataclass(frozen=True)
class CallbackAnswer(Action, prefix="ho:cb"):
    """The answer to «may we call you back?»: yes (type a number), keep (the stored one), no."""

    answer: Literal["yes", "keep", "no"]


# ---------------------------------------------------------------- flows
class Relay(StrEnum):
    LIVE = "live"


class Conversation(BaseModel):
    hid: int


class Callback(StrEnum):
    OFFERED = "offered"  # the call-back offer is shown; typed text is a new question
    ASKED = "asked"  # waiting for a phone number


class NoData(BaseModel):
    pass


async def _citizen_cancelled(ctx: Context, run: Run[Relay, Conversation]) -> list[Reply]:
    return await _end(ctx, run.data.hid)


async def _staff_cancelled(ctx: Context, run: Run[Relay, Conversation]) -> list[Reply]:
    return await _end(ctx, run.data.hid)


def _callback_cancelled(ctx: Context, run: Run[Callback, NoData]) -> list[Reply]:
    return [Reply(texts.HO_CALLBACK_DECLINED), contact_reply(ctx)]


_RELAY_FALLBACKS = {
    "huy": Fallback.CANCEL,
    "ketthuc": Fallback.CANCEL,
    "menu": Fallback.LEAVE,
    "start": Fallback.LEAVE,
}
# Typed words in a live conversation are for the person on the other side: «thôi» is relayed.
CITIZEN_FLOW: Flow[Relay, Conversation] = Flow(
    "handoff",
    Relay,
    Conversation,
    cancelled=_citizen_cancelled,
    fallbacks=_RELAY_FALLBACKS,
    cancel_words=False,
)
STAFF_FLOW: Flow[Relay, Conversation] = Flow(
    "handoff_staff",
    Relay,
    Conversation,
    cancelled=_staff_cancelled,
    fallbacks=_RELAY_FALLBACKS,
    cancel_words=False,
    guard=lambda ctx: ctx.is_staff,
)
CALLBACK_FLOW: Flow[Callback, NoData] = Flow("callback", Callback, NoData, cancelled=_callback_cancelled)


def _end_button(hid: int) -> list[Button]:
    return core.end_button(hid)


def _callback_offer(ctx: Context | None) -> list[list[Button]]:
    rows = []
    if ctx is not None and ctx.user.phone and ctx.user.consent_at:
        rows.append(
            [CallbackAnswer("keep").button(texts.HO_BTN_CB_KEEP.format(phone=mask_phone(ctx.user.phone)))]
        )
    rows += [
        [CallbackAnswer("yes").button(texts.HO_BTN_CB_YES)],
        [CallbackAnswer("no").button(texts.HO_BTN_CB_NO)],
    ]
    return rows


async def _open_handoff_of(ctx: Context) -> Handoff | None:
    handoff: Handoff | None = await ctx.db.scalar(
        select(Handoff)
        .where(Handoff.user_id == ctx.user.id, Handoff.status.in_(("waiting", "active")))
        .order_by(Handoff.id.desc())
    )
    return handoff


# ---------------------------------------------------------------- citizen side
async def start(ctx: Context, msg: Incoming) -> list[Reply]:
    """The citizen asked for a person: hand over in office hours, else offer a call-back."""
    existing = await _open_handoff_of(ctx)
    if existing is not None:
        CITIZEN_FLOW.start(ctx, Relay.LIVE, Conversation(hid=existing.id))
        return [Reply(texts.HO_ALREADY, buttons=[_end_button(existing.id)])]
    loc = ctx.kb.locality
    now = ctx.now()
    recipients = await staff_recipients(ctx.db, ctx.services.staff, ctx.settings.staff_chat)
    if not in_working_hours(now, loc, ctx.settings.timezone) or not recipients:
        CALLBACK_FLOW.start(ctx, Callback.OFFERED)
        text = texts.HO_OUT_OF_HOURS.format(hours=format_hours(loc), hotline=loc.hotline)
        return [Reply(text, buttons=_callback_offer(ctx))]
    handoff = Handoff(
        user_id=ctx.user.id,
        channel=ctx.incoming.channel,
        platform_id=ctx.incoming.platform_id,
        status="waiting",
        started_at=now,
        messages=0,
    )
    ctx.db.add(handoff)
    await ctx.db.flush()
    name = ctx.user.display_name or texts.PA_ANONYMOUS
    notice = Reply(
        texts.HO_STAFF_REQUEST.format(name=name, hid=handoff.id),
        buttons=[[TakeHandoff(handoff.id).button(texts.HO_BTN_TAKE)]],
    )
    await notify_staff(
        ctx.db, ctx.services.staff, ctx.settings.staff_chat, [notice], kind="handoff", ref=f"ho:{handoff.id}"
    )
    CITIZEN_FLOW.start(ctx, Relay.LIVE, Conversation(hid=handoff.id))
    return [Reply(texts.HO_WAITING.format(hotline=loc.hotline), buttons=[_end_button(handoff.id)])]


@CITIZEN_FLOW.on(Relay.LIVE, *Kind)
async def on_citizen_message(
    ctx: Context, msg: Incoming, run: Run[Relay, Conversation]
) -> list[Reply] | None:
    handoff = await ctx.db.get(Handoff, run.data.hid)
    if handoff is None or handoff.status == "ended" or handoff.user_id != ctx.user.id:
        run.end(ctx)
        return None
    if msg.text is not None:
        text = msg.text.strip()
        if len(text) > MAX_RELAY_CHARS:
            return [Reply(texts.HO_TOO_LONG.format(limit=MAX_RELAY_CHARS))]
        await core.citizen_message(ctx.db, ctx.services, handoff, text=text, photo=None, channel=msg.channel)
    elif msg.photo is not None:
        await core.citizen_message(
            ctx.db, ctx.services, handoff, text=None, photo=msg.photo.ref, channel=msg.channel
        )
    else:
        return [Reply(texts.HO_TEXT_ONLY)]
    if handoff.status == "waiting":
        return [Reply(texts.HO_RELAYED_WAITING, buttons=[_end_button(handoff.id)])]
    return []  # a live conversation: no echo, the staff member's answer is the reply


# ---------------------------------------------------------------- call-back requests
@CALLBACK_FLOW.on(None, Kind.CONTACT)
async def on_callback_contact(ctx: Context, msg: Incoming, run: Run[Callback, NoData]) -> list[Reply]:
    assert msg.contact is not None
    return await _take_callback_phone(ctx, msg.contact.phone)


@CALLBACK_FLOW.on(None, Kind.TEXT)
async def on_callback_text(ctx: Context, msg: Incoming, run: Run[Callback, NoData]) -> list[Reply] | None:
    text = msg.text or ""
    if normalize_phone(text):
        return await _take_callback_phone(ctx, text)
    if run.state is Callback.ASKED:
        return [Reply(texts.PA_PHONE_INVALID), _callback_phone_request()]
    run.end(ctx)  # the offer was ignored: the text is a new question
    return None


def _callback_phone_request() -> Reply:
    return Reply(
        texts.HO_ASK_PHONE, request_contact=True, buttons=[[CallbackAnswer("no").button(texts.HO_BTN_CB_NO)]]
    )


async def _take_callback_phone(ctx: Context, raw: str) -> list[Reply]:
    """Store a call-back request with the consent time; staff are told through the outbox.

    The request goes into the same list as the guides' call-backs (/goilai), so
    staff have one place to see whom to call.
    """
    from handlers.guide import next_call_window
    from storage.guides import add_callback

    phone = normalize_phone(raw)
    if phone is None:
        return [Reply(texts.PA_PHONE_INVALID), _callback_phone_request()]
    now = ctx.now()
    ctx.user.phone = phone
    ctx.user.consent_at = now
    when_local, _ = next_call_window(ctx.kb.locality, ctx.local_now())
    request = await add_callback(
        ctx.db,
        user=ctx.user,
        run=None,
        walkthrough_id="-",
        step_id=None,
        phone=phone,
        call_after=when_local.astimezone(dt.UTC),
        now=now,
        consent_version=texts.PRIVACY_NOTICE_VERSION,
    )
    name = ctx.user.display_name or texts.PA_ANONYMOUS
    notice = Reply(
        texts.HO_CALLBACK_NOTICE.format(name=name, phone=phone, id=request.id),
        buttons=[[CallbackDone(request.id).button(texts.HO_BTN_CALLED)]],
    )
    await notify_staff(
        ctx.db, ctx.services.staff, ctx.settings.staff_chat, [notice], kind="notice", ref=f"cb:{request.id}"
    )
    CALLBACK_FLOW.end(ctx)
    return [Reply(texts.HO_CALLBACK_SAVED.format(phone=mask_phone(phone)), buttons=[menu_button()])]


# ---------------------------------------------------------------- staff side and buttons
async def on_start(ctx: Context, msg: Incoming, action: StartHandoff) -> list[Reply]:
    return await start(ctx, msg)


async def on_callback_answer(ctx: Context, msg: Incoming, action: CallbackAnswer) -> list[Reply]:
    if action.answer == "yes":
        CALLBACK_FLOW.start(ctx, Callback.ASKED)
        return [_callback_phone_request()]
    if action.answer == "keep" and ctx.user.phone and ctx.user.consent_at:
        return await _take_callback_phone(ctx, ctx.user.phone)
    CALLBACK_FLOW.end(ctx)
    return [Reply(texts.HO_CALLBACK_DECLINED), contact_reply(ctx)]


async def on_end(ctx: Context, msg: Incoming, action: EndHandoff) -> list[Reply]:
    return await _end(ctx, action.hid)


async def on_back(ctx: Context, msg: Incoming, action: BackToHandoff) -> list[Reply]:
    handoff = await ctx.db.get(Handoff, action.hid)
    if handoff is None or handoff.status == "ended" or handoff.user_id != ctx.user.id:
        return [Reply(texts.HO_ENDED_ALREADY, buttons=[menu_button()])]
    CITIZEN_FLOW.start(ctx, Relay.LIVE, Conversation(hid=handoff.id))
    return [Reply(texts.HO_BACK, buttons=[_end_button(handoff.id)])]


async def on_take(ctx: Context, msg: Incoming, action: TakeHandoff) -> list[Reply]:
    if not ctx.is_staff:
        return [Reply(texts.STAFF_ONLY.format(office=ctx.kb.locality.office_name), buttons=[menu_button()])]
    try:
        handoff = await core.take(ctx.db, ctx.services, action.hid, ctx.user_key, via="chat")
    except HandoffError as exc:
        return [Reply(str(exc))]
    STAFF_FLOW.start(ctx, Relay.LIVE, Conversation(hid=handoff.id))
    return [Reply(texts.HO_TAKEN.format(hid=handoff.id), buttons=[_end_button(handoff.id)])]


@STAFF_FLOW.on(Relay.LIVE, *Kind)
async def on_staff_message(ctx: Context, msg: Incoming, run: Run[Relay, Conversation]) -> list[Reply] | None:
    handoff = await ctx.db.get(Handoff, run.data.hid)
    if handoff is None or handoff.staff_key != ctx.user_key:
        run.end(ctx)
        return None
    if handoff.status == "ended":
        run.end(ctx)
        return [Reply(texts.HO_ENDED_ALREADY)]
    try:
        if msg.text is not None:
            await core.staff_message(ctx.db, ctx.services, handoff.id, ctx.user_key, msg.text)
        elif msg.photo is not None and handoff.channel == msg.channel:
            await core.staff_message(ctx.db, ctx.services, handoff.id, ctx.user_key, "", photo=msg.photo.ref)
        else:
            return [Reply(texts.HO_TEXT_ONLY)]
    except HandoffError as exc:
        return [Reply(str(exc))]
    return []


async def _end(ctx: Context, hid: int) -> list[Reply]:
    handoff = await ctx.db.get(Handoff, hid)
    staff_side = ctx.is_staff and handoff is not None and handoff.staff_key == ctx.user_key
    citizen_side = handoff is not None and handoff.user_id == ctx.user.id
    if handoff is None or not (staff_side or citizen_side):
        return [Reply(texts.EXPIRED_BUTTON, buttons=[menu_button()])]
    CITIZEN_FLOW.end(ctx)
    STAFF_FLOW.end(ctx)
    if handoff.status == "ended":
        return [Reply(texts.HO_ENDED_ALREADY, buttons=[menu_button()])]
    if citizen_side:
        await core.end_by_citizen(ctx.db, ctx.services, handoff)
        rate = Reply(texts.HO_RATE, buttons=[*core.rate_buttons(handoff.id), menu_button()])
        return [Reply(texts.HO_ENDED_CITIZEN), rate]
    await core.end_by_staff(ctx.db, ctx.services, handoff.id, ctx.user_key)
    return [Reply(texts.HO_ENDED_STAFF.format(hid=handoff.id))]


async def on_end_command(ctx: Context, msg: Incoming) -> list[Reply]:
    run = CITIZEN_FLOW.run(ctx) or STAFF_FLOW.run(ctx)
    hid = run.data.hid if run is not None else None
    if hid is None:
        open_one = await _open_handoff_of(ctx)
        if open_one is None and ctx.is_staff:
            open_one = await ctx.db.scalar(
                select(Handoff)
                .where(Handoff.staff_key == ctx.user_key, Handoff.status == "active")
                .order_by(Handoff.id.desc())
            )
        hid = open_one.id if open_one else None
    if hid is None:
        return [Reply(texts.HO_NOTHING_TO_END, buttons=[menu_button()])]
    return await _end(ctx, int(hid))


async def text_hook(ctx: Context, msg: Incoming) -> list[Reply] | None:
    """ "gặp cán bộ", "cho tôi nói chuyện với nhân viên"… start the handoff."""
    if _WANT_HUMAN.match(fold(msg.text or "").strip(" .!?")):
        return await start(ctx, msg)
    return None


async def expire_waiting(db: AsyncSession, now: dt.datetime, wait_minutes: int) -> int:
    """End handoffs nobody took in time; offer the citizen a call-back instead (through the outbox).

    Run periodically (bot.complaint_reminders); returns how many were ended.
    """
    cutoff = now - dt.timedelta(minutes=wait_minutes)
    stale = list(
        await db.scalars(select(Handoff).where(Handoff.status == "waiting", Handoff.started_at < cutoff))
    )
    for handoff in stale:
        handoff.status = "ended"
        handoff.ended_at = now
        handoff.ended_by = "timeout"
        db.add(HandoffMessage(handoff_id=handoff.id, at=now, sender="system", text="timeout"))
        await core.to_citizen(db, handoff, [Reply(texts.HO_NOBODY_FREE, buttons=_callback_offer(None))])
    return len(stale)


FEATURE = Feature.HANDOFF


def register(router: Router) -> None:
    register_personal_data(router)
    router.command("gapcanbo", start, texts.CMD_GAPCANBO)
    router.command("ketthuc", on_end_command, texts.CMD_KETTHUC)
    router.action(StartHandoff, on_start)
    router.action(CallbackAnswer, on_callback_answer)
    router.action(EndHandoff, on_end)
    router.action(BackToHandoff, on_back)
    router.action(TakeHandoff, on_take)
    router.flow(CITIZEN_FLOW)
    router.flow(STAFF_FLOW)
    router.flow(CALLBACK_FLOW)
    router.intent("human", start)
    router.text_hook("handoff.want_human", text_hook, priority=HookPriority.PHRASE)
