"""Citizens send complaints and petitions (phản ánh, kiến nghị), track them and rate their handling.

The draft itself is handlers/complaint_form.py; this module is the rest of the
citizen's side and registers the feature: /phananh and its other ways in (the
menu, the "phan-anh" topic, «tôi muốn phản ánh…»), tracking codes typed
anywhere, «Phản ánh của tôi», and the rating of an answer, where «Không hài
lòng» asks for a reason and opens the complaint again.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel

from handlers import texts
from handlers.complaint_actions import MyComplaints, RateComplaint, ReopenWithoutReason, TrackComplaint
from handlers.complaint_draft import CANCEL_OBJECTS, MIN_DESCRIPTION, check_description
from handlers.complaint_form import register_form, start
from handlers.context import Context
from handlers.feedback_core import (
    complaint_card,
    history_text,
    local_text,
    make_office,
    rating_buttons,
    reopen,
    staff_buttons,
)
from handlers.feedback_privacy import register as register_personal_data
from handlers.flow import Flow, Kind, Run
from handlers.menu import main_menu, menu_button
from handlers.messages import Incoming, Reply
from handlers.replies import Word, read_reply, read_word
from handlers.router import Feature, HookPriority, Router
from knowledge.normalize import fold
from storage import complaints as repo
from storage.models_feedback import Rating
from storage.repos import audit

MAX_REASON = 1000
_HOW_QUESTION = re.compile(
    r"\b(o dau|the nao|lam sao|bang cach nao|cach nao|cach gui|huong dan|duoc khong|khong a)\b"
)
# explicit wishes to complain, folded (no diacritics)
_WISH = re.compile(
    r"\b(muon|can|xin|gui|lam|viet)\s+(1\s+|mot\s+)?(phan anh|khieu nai|kien nghi|gop y|to cao)\b"
    r"|^(phan anh|khieu nai|kien nghi|gop y)\b"
)


# ---------------------------------------------------------------- ways in
async def on_command(ctx: Context, msg: Incoming) -> list[Reply]:
    return await start(ctx)


async def on_topic(ctx: Context, topic_id: str) -> list[Reply]:
    """The matcher thinks the citizen wants to complain ("đường làng bị ngập")."""
    return await start(ctx, _prefill(ctx, ctx.incoming.text or ""))


def _prefill(ctx: Context, text: str) -> str | None:
    """What the citizen wrote, if it already describes the problem and is acceptable as a description."""
    text = text.strip()
    if not _is_description(text) or check_description(ctx, text) is not None:
        return None
    return text


def _is_description(text: str) -> bool:
    """Free text that already says what is wrong (not only "tôi muốn phản ánh", not a question about how)."""
    folded = fold(text)
    if _HOW_QUESTION.search(folded) or text.rstrip().endswith("?"):
        return False
    rest = _WISH.sub(" ", folded)
    rest = re.sub(r"\b(toi|em|chau|minh|a|voi|ve|viec|nhe)\b", " ", rest)
    return len(rest.split()) >= 3 and len(text) >= MIN_DESCRIPTION


async def text_hook(ctx: Context, msg: Incoming) -> list[Reply] | None:
    """Tracking codes anywhere in a message; explicit wishes to complain."""
    text = msg.text or ""
    code = repo.parse_code(text)
    if code:
        return await show_tracking(ctx, code)
    if _WISH.search(fold(text[:300])):
        return await start(ctx, _prefill(ctx, text))
    return None


# ---------------------------------------------------------------- tracking
async def on_track_command(ctx: Context, msg: Incoming) -> list[Reply]:
    code = repo.parse_code(msg.text or "")
    if code is None:
        return await my_complaints(ctx, msg)
    return await show_tracking(ctx, code)


async def on_mine(ctx: Context, msg: Incoming, action: MyComplaints) -> list[Reply]:
    return await my_complaints(ctx, msg)


async def on_track(ctx: Context, msg: Incoming, action: TrackComplaint) -> list[Reply]:
    return await show_tracking(ctx, action.code)


async def my_complaints(ctx: Context, msg: Incoming) -> list[Reply]:
    mine = await repo.of_user(ctx.db, ctx.user.id)
    if not mine:
        return [Reply(texts.PA_TRACK_HOWTO + "\n" + texts.PA_NONE_YET, buttons=[menu_button()])]
    rows = [
        [TrackComplaint(c.code).button(f"{c.code} — {texts.PA_STATUS.get(c.status, c.status)}")]
        for c in mine[:8]
    ]
    rows.append(menu_button())
    return [Reply(texts.PA_MINE, buttons=rows)]


async def show_tracking(ctx: Context, code: str) -> list[Reply]:
    """Status and history to the citizen who sent it and to staff; others learn only that it is not theirs."""
    code = repo.parse_code(code) or code
    c = await repo.get_by_code(ctx.db, code)
    staff = ctx.is_staff
    if c is None or (not staff and (c.user_id is None or c.user_id != ctx.user.id)):
        return [
            Reply(
                texts.PA_NOT_YOURS.format(code=code[:20]),
                buttons=[[MyComplaints().button(texts.PA_BTN_MINE)], menu_button()],
            )
        ]
    tz = ctx.settings.timezone
    events = await repo.events_of(ctx.db, c)
    text = (
        complaint_card(c, tz, ctx.now(), for_staff=staff) + "\n\n" + history_text(events, tz, for_staff=staff)
    )
    if staff:
        await audit(ctx.db, ctx.user_key, "complaint.open", c.code)
        return [Reply(text, buttons=staff_buttons(c))]
    rows = []
    if c.status in ("answered", "closed"):
        rows.extend(rating_buttons(c.code))
    rows.append(menu_button())
    return [Reply(text, buttons=rows)]


# ---------------------------------------------------------------- rating the handling
class ReopenStep(StrEnum):
    REASON = "reason"


class ReopenData(BaseModel):
    code: str


def _reopen_cancelled(ctx: Context, run: Run[ReopenStep, ReopenData]) -> list[Reply]:
    return [Reply(texts.PA_REOPEN_CANCELLED.format(code=run.data.code), buttons=[menu_button()])]


REOPEN: Flow[ReopenStep, ReopenData] = Flow(
    "pa_reopen", ReopenStep, ReopenData, cancelled=_reopen_cancelled, cancel_objects=CANCEL_OBJECTS
)


async def on_rate(ctx: Context, msg: Incoming, action: RateComplaint) -> list[Reply]:
    c = await repo.get_by_code(ctx.db, action.code)
    if c is None or c.user_id != ctx.user.id:
        return [Reply(texts.PA_NOT_YOURS.format(code=action.code[:20])), main_menu(ctx)]
    if c.status not in ("answered", "closed"):
        return [Reply(texts.PA_RATE_NOT_YET.format(code=c.code), buttons=[menu_button()])]
    if action.satisfied:
        ctx.db.add(
            Rating(user_id=ctx.user.id, target_kind="complaint", target_id=c.code, value=1, at=ctx.now())
        )
        await repo.add_event(ctx.db, c, "rated", actor="citizen", text=texts.PA_BTN_SATISFIED, at=ctx.now())
        return [Reply(texts.PA_RATED_OK, buttons=[menu_button()])]
    REOPEN.start(ctx, ReopenStep.REASON, ReopenData(code=c.code))
    return [_reason_question(c.code)]


def _reason_question(code: str) -> Reply:
    return Reply(texts.PA_ASK_REASON, buttons=[[ReopenWithoutReason(code).button(texts.PA_BTN_NO_REASON)]])


async def on_no_reason(ctx: Context, msg: Incoming, action: ReopenWithoutReason) -> list[Reply]:
    return await _reopen_with(ctx, action.code, texts.PA_NO_REASON)


@REOPEN.on(ReopenStep.REASON, Kind.TEXT)
async def take_reason(ctx: Context, msg: Incoming, run: Run[ReopenStep, ReopenData]) -> list[Reply]:
    reason = (msg.text or "").strip()
    # «không», «bỏ qua»: no reason to give, the same as the button; another short answer is no reason
    # either (and «ok» is not one worth storing), so the question is asked again
    if read_reply(reason, accept={Word.SKIP}) is Word.SKIP:
        return await _reopen_with(ctx, run.data.code, texts.PA_NO_REASON)
    if len(reason) < 2 or read_word(reason) is not None:
        return [_reason_question(run.data.code)]
    if len(reason) > MAX_REASON:
        return [Reply(texts.PA_REASON_LONG.format(limit=MAX_REASON))]
    return await _reopen_with(ctx, run.data.code, reason)


@REOPEN.on(ReopenStep.REASON, Kind.PHOTO, Kind.LOCATION, Kind.CONTACT, Kind.OTHER)
async def reason_needs_text(ctx: Context, msg: Incoming, run: Run[ReopenStep, ReopenData]) -> list[Reply]:
    return [_reason_question(run.data.code)]


async def _reopen_with(ctx: Context, code: str, reason: str) -> list[Reply]:
    c = await repo.get_by_code(ctx.db, code, lock=True)
    REOPEN.end(ctx)
    if c is None or c.user_id != ctx.user.id:
        return [Reply(texts.PA_NOT_YOURS.format(code=code[:20])), main_menu(ctx)]
    now = ctx.now()
    ctx.db.add(
        Rating(
            user_id=ctx.user.id, target_kind="complaint", target_id=c.code, value=0, comment=reason, at=now
        )
    )
    office = make_office(ctx.services.staff, ctx.settings, ctx.kb.locality)
    await reopen(ctx.db, office, c, reason, now)
    due = local_text(c.due_at, ctx.settings.timezone, with_time=False)
    return [Reply(texts.PA_REOPENED.format(code=c.code, due=due), buttons=[menu_button()])]


FEATURE = Feature.FEEDBACK


def register(router: Router) -> None:
    register_personal_data(router)
    router.command("phananh", on_command, texts.CMD_PHANANH)
    router.command("tracuu", on_track_command, texts.CMD_TRACUU)
    register_form(router)
    router.action(TrackComplaint, on_track)
    router.action(MyComplaints, on_mine)
    router.action(RateComplaint, on_rate)
    router.action(ReopenWithoutReason, on_no_reason)
    router.flow(REOPEN)
    router.topic("phan-anh", on_topic)
    router.text_hook("feedback.code_or_wish", text_hook, priority=HookPriority.CODE)
