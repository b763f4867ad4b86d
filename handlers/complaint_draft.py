"""The complaint draft: its steps and data, where it is kept, its questions, and saving it.

The draft lives in the user's memory (`MemoryStore`), not in the session's
flow slot, so it survives the citizen opening the menu, another flow
(subscriptions, a guide), and days of silence: the next /phananh offers to
continue it. /huy, «hủy», «thôi» cancel it and say so; /menu and /start step
out and keep it. Saving commits the complaint, its history and the staff
notices in one transaction before the tracking code is shown; if that fails
the citizen is told plainly that nothing was recorded, and the draft stays
for a retry. What the citizen types and presses at each step is
handlers/complaint_form.py.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from handlers import observe, texts
from handlers.complaint_actions import (
    CancelDraft,
    CategoryKey,
    EditDraft,
    MyComplaints,
    NextStep,
    PhoneChoice,
    PickCategory,
    ResumeDraft,
    SendDraft,
    TrackComplaint,
)
from handlers.context import Context
from handlers.feedback_core import Filing, categories, file_complaint, local_text, make_office
from handlers.flow import Flow, MemoryStore, Run
from handlers.menu import main_menu, menu_button
from handlers.messages import Reply, log_id
from handlers.phone import mask_phone
from storage import complaints as repo

log = logging.getLogger(__name__)
S = TypeVar("S", bound=StrEnum)
D = TypeVar("D", bound=BaseModel)

DRAFT_KEY = "pa_draft"  # the memory key (the same as earlier releases, whose drafts are read too)
MIN_DESCRIPTION = 10
RESEND_WINDOW = dt.timedelta(minutes=30)  # «Gửi» pressed again this soon shows the stored code
MAX_URLS = 2
_URL = re.compile(r"(https?://|www\.)\S+", re.I)
# what a cancel word may be followed by and still mean «cancel the complaint»: «hủy phản ánh này»
# «hủy phản ánh», «thôi không gửi kiến nghị nữa» cancel the draft like «hủy» alone.
CANCEL_OBJECTS = ("phan anh", "kien nghi", "phan anh kien nghi")


class Step(StrEnum):
    # values are those of earlier releases' drafts
    CATEGORY = "cat"
    DESCRIPTION = "desc"
    MEDIA = "media"
    PHONE_PERMISSION = "phone_ask"
    PHONE = "phone"
    CONFIRM = "confirm"


class Draft(BaseModel):
    category: CategoryKey | None = None
    description: str | None = None
    photos: list[str] = []
    latitude: float | None = None
    longitude: float | None = None
    phone: str | None = None
    editing: bool = False  # changing one part from the summary: back to the summary after it
    offered: bool = False  # «continue or start again?» is showing
    pending: str | None = None  # what the citizen wrote when offered: the new draft's description


class _DraftStore(MemoryStore):
    """User memory; also reads a draft of an earlier release ({"step": …, "cat": …}) so it is not lost."""

    def load(self, ctx: Context, flow: str) -> dict[str, Any] | None:
        raw = super().load(ctx, flow)
        if raw is None or "state" in raw or "step" not in raw:
            return raw
        return {
            "state": raw.get("step") or Step.CATEGORY.value,
            "data": {
                "category": raw.get("cat"),
                "description": raw.get("desc"),
                "photos": raw.get("photos") or [],
                "latitude": raw.get("lat"),
                "longitude": raw.get("lon"),
                "phone": raw.get("phone"),
                "editing": bool(raw.get("editing")),
            },
        }


def _cancelled(ctx: Context, run: Run[Step, Draft]) -> list[Reply]:
    return [main_menu(ctx, texts.PA_CANCELLED)]


def _left(ctx: Context, run: Run[Step, Draft]) -> str | None:
    """«The draft is kept» only when there is something in it worth coming back to."""
    d = run.data
    return texts.PA_DRAFT_KEPT if (d.category or d.description or d.photos) else None


FORM: Flow[Step, Draft] = Flow(
    "complaint",
    Step,
    Draft,
    cancelled=_cancelled,
    store=_DraftStore(DRAFT_KEY),
    left=_left,
    cancel_objects=CANCEL_OBJECTS,
)
ORDER = [Step.CATEGORY, Step.DESCRIPTION, Step.MEDIA, Step.PHONE_PERMISSION, Step.CONFIRM]


# ---------------------------------------------------------------- limits
def _today_start(ctx: Context) -> dt.datetime:
    local = ctx.local_now()
    start = dt.datetime.combine(local.date(), dt.time(0, 0), tzinfo=ZoneInfo(ctx.settings.timezone))
    return start.astimezone(dt.UTC)


async def over_daily_limit(ctx: Context) -> bool:
    if ctx.is_staff:
        return False
    sent = await repo.count_since(ctx.db, ctx.user.id, _today_start(ctx))
    return sent >= ctx.settings.complaints_per_day


def limit_reply(ctx: Context) -> list[Reply]:
    hotline = ctx.kb.locality.hotline
    text = texts.PA_DAILY_LIMIT.format(limit=ctx.settings.complaints_per_day, hotline=hotline)
    return [Reply(text, buttons=[[MyComplaints().button(texts.PA_BTN_TRACK)], menu_button()])]


def check_description(ctx: Context, text: str) -> str | None:
    """Why `text` cannot be a complaint's description (a texts constant), or None."""
    limit = ctx.settings.complaint_max_chars
    if len(text) < MIN_DESCRIPTION:
        return texts.PA_DESCRIPTION_SHORT
    if len(text) > limit:
        return texts.PA_DESCRIPTION_LONG.format(limit=limit, length=len(text))
    if len(_URL.findall(text)) > MAX_URLS:
        return texts.PA_DESCRIPTION_LINKS
    return None


# ---------------------------------------------------------------- questions of each step
def category_question() -> Reply:
    # five buttons: Zalo OA shows at most five; "hủy" can be typed (the intro says so)
    return Reply(
        texts.PA_ASK_CATEGORY,
        buttons=[[PickCategory(key).button(label)] for key, label in categories().items()],
    )


def description_question(ctx: Context) -> Reply:
    return Reply(
        texts.PA_ASK_DESCRIPTION.format(limit=ctx.settings.complaint_max_chars),
        buttons=[[CancelDraft().button(texts.PA_BTN_CANCEL)]],
    )


def media_question(ctx: Context) -> Reply:
    text = texts.PA_ASK_MEDIA.format(max_photos=ctx.settings.complaint_max_photos)
    return Reply(
        text, buttons=[[NextStep().button(texts.PA_BTN_NEXT)], [CancelDraft().button(texts.PA_BTN_CANCEL)]]
    )


def has_saved_phone(ctx: Context) -> bool:
    return bool(ctx.user.phone and ctx.user.consent_at)


def phone_permission(ctx: Context) -> Reply:
    rows = []
    if ctx.user.phone and has_saved_phone(ctx):
        keep = texts.PA_BTN_PHONE_KEEP.format(phone=mask_phone(ctx.user.phone))
        rows.append([PhoneChoice("keep").button(keep)])
    rows += [
        [PhoneChoice("yes").button(texts.PA_BTN_PHONE_YES)],
        [PhoneChoice("no").button(texts.PA_BTN_PHONE_NO)],
    ]
    return Reply(texts.PA_ASK_PHONE_PERMISSION, buttons=rows)


def phone_request() -> Reply:
    return Reply(
        texts.PA_ASK_PHONE, request_contact=True, buttons=[[PhoneChoice("no").button(texts.PA_BTN_PHONE_NO)]]
    )


def summary(draft: Draft) -> Reply:
    place = texts.PA_SUMMARY_PLACE_NONE
    if draft.latitude is not None and draft.longitude is not None:
        place = texts.PA_SUMMARY_PLACE.format(lat=draft.latitude, lon=draft.longitude)
    text = texts.PA_SUMMARY.format(
        category=categories().get(draft.category or "khac", ""),
        description=draft.description or "",
        photos=len(draft.photos),
        place=place,
        phone=mask_phone(draft.phone) if draft.phone else texts.PA_NO_PHONE,
    )
    rows = [
        [SendDraft().button(texts.PA_BTN_SEND)],
        [EditDraft().button(texts.PA_BTN_EDIT)],
        [CancelDraft().button(texts.PA_BTN_CANCEL)],
    ]
    return Reply(text, buttons=rows)


def edit_menu() -> Reply:
    rows = [
        [EditDraft("desc").button(texts.PA_BTN_EDIT_DESC)],
        [EditDraft("cat").button(texts.PA_BTN_EDIT_CAT)],
        [EditDraft("media").button(texts.PA_BTN_EDIT_MEDIA)],
        [EditDraft("phone").button(texts.PA_BTN_EDIT_PHONE)],
        [ResumeDraft().button(texts.PA_BTN_BACK_SUMMARY)],
    ]
    return Reply(texts.PA_ASK_EDIT, buttons=rows)


def ask(ctx: Context, run: Run[Step, Draft]) -> list[Reply]:
    """The question of the draft's current step."""
    questions: dict[Step, Callable[[], Reply]] = {
        Step.CATEGORY: category_question,
        Step.DESCRIPTION: lambda: description_question(ctx),
        Step.MEDIA: lambda: media_question(ctx),
        Step.PHONE_PERMISSION: lambda: phone_permission(ctx),
        Step.PHONE: phone_request,
        Step.CONFIRM: lambda: summary(run.data),
    }
    return [questions[run.state]()]


def advance(ctx: Context, run: Run[Step, Draft], after: Step) -> list[Reply]:
    """Go to the step after `after`, or back to the summary when editing."""
    if run.data.editing and after is not Step.PHONE_PERMISSION:
        nxt = Step.CONFIRM
    else:
        nxt = ORDER[ORDER.index(after) + 1]
        if nxt is Step.DESCRIPTION and run.data.description:
            nxt = Step.MEDIA
    if nxt is Step.CONFIRM:
        run.data.editing = False
    run.move(ctx, nxt)
    return ask(ctx, run)


# ---------------------------------------------------------------- saving
async def submit(ctx: Context, run: Run[Step, Draft]) -> list[Reply]:
    """Store the complaint and its staff notices, commit, and only then show the code."""
    draft = run.data
    if run.state is not Step.CONFIRM or not draft.description or not draft.category:
        return [Reply(texts.PA_NOT_READY), *ask(ctx, run)]
    retry = Reply(
        texts.PA_SAVE_FAILED.format(hotline=ctx.kb.locality.hotline),
        buttons=[[SendDraft().button(texts.PA_BTN_RETRY)], [CancelDraft().button(texts.PA_BTN_CANCEL)]],
    )
    ctx.failure_replies = [retry]
    if await over_daily_limit(ctx):
        ctx.failure_replies = None
        return limit_reply(ctx)
    now = ctx.now()
    filing = Filing(
        category=draft.category,
        description=draft.description,
        user_id=ctx.user.id,
        channel=ctx.incoming.channel,
        platform_id=ctx.incoming.platform_id,
        reporter_name=ctx.user.display_name,
        phone=draft.phone,
        photos=tuple(draft.photos),
        latitude=draft.latitude,
        longitude=draft.longitude,
    )
    try:
        office = make_office(ctx.services.staff, ctx.settings, ctx.kb.locality)
        complaint = await file_complaint(ctx.db, office, filing, now)
        run.end(ctx)
        # the complaint, its history, the staff notices and the dropped draft commit together
        await ctx.db.commit()
        observe.complaint("opened")
    except Exception:
        log.exception("could not store a complaint of %s", log_id(ctx.user_key))
        await _rollback_keeping_draft(ctx)
        return [retry]
    done = saved_reply(ctx, complaint)
    ctx.failure_replies = [done]  # it is stored: whatever happens next, the code stands
    return [done]


def saved_reply(ctx: Context, complaint: Any) -> Reply:
    """«Recorded with code …»: after saving, and again for a «Gửi» pressed after the save."""
    return Reply(
        texts.PA_SAVED.format(
            code=complaint.code,
            days=ctx.settings.complaint_due_days,
            due=local_text(complaint.due_at, ctx.settings.timezone, with_time=False),
        ),
        buttons=[[TrackComplaint(complaint.code).button(texts.PA_BTN_TRACK)], menu_button()],
    )


async def just_stored(ctx: Context) -> Any | None:
    """The complaint this user stored in the last RESEND_WINDOW, if any.

    A crash (or a lost reply) between the commit and the message leaves the
    citizen without the code; Telegram redelivers the press, or the citizen
    presses «Gửi» again, and finds the draft gone with the save. Showing the
    code then is the honest answer; "there is no draft" would read as lost.
    """
    return await repo.latest_since(ctx.db, ctx.user.id, ctx.now() - RESEND_WINDOW)


async def _rollback_keeping_draft(ctx: Context) -> None:
    """Undo the failed save; reload user and session as last committed (the draft at the summary)."""
    try:
        await ctx.db.rollback()
        await ctx.db.refresh(ctx.session)
        await ctx.db.refresh(ctx.user)
    except Exception:
        # the database is gone altogether; the dispatcher answers with ctx.failure_replies
        log.warning("could not reload the session after a failed complaint save", exc_info=True)
        raise
