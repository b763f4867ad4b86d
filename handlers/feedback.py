"""Citizens send complaints and petitions (phản ánh, kiến nghị) and track them.

The draft lives in the user's memory (not only in the flow), so it survives
the citizen opening the menu, leaving, and coming back days later. Saving
commits the complaint, its history and the staff notices in one transaction
before the tracking code is shown; if that fails the citizen is told plainly
that nothing was recorded, and the draft stays for a retry.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any
from zoneinfo import ZoneInfo

from handlers import texts
from handlers.context import Context
from handlers.feedback_core import (
    CATEGORIES,
    complaint_card,
    due_at,
    history_text,
    local_text,
    make_office,
    mask_phone,
    normalize_phone,
    notify_staff,
    reopen,
    staff_buttons,
)
from handlers.menu import main_menu, menu_button
from handlers.messages import Button, Incoming, Reply
from handlers.router import Feature, HookPriority, Router
from knowledge.matcher import fold
from storage import complaints as repo
from storage.models_feedback import Rating
from storage.repos import audit

log = logging.getLogger(__name__)

FLOW = "complaint"
REOPEN_FLOW = "pa_reopen"
DRAFT = "pa_draft"
PENDING = "pa_pending"  # what the citizen wrote while a draft was waiting
MIN_DESCRIPTION = 10
MAX_REASON = 1000
MAX_URLS = 2
_URL = re.compile(r"(https?://|www\.)\S+", re.I)
_DONE_WORDS = {"xong", "tiep", "tiep tuc", "bo qua", "khong", "ko", "k", "het", "thoi", "ok", "khong co"}
_HOW_QUESTION = re.compile(
    r"\b(o dau|the nao|lam sao|bang cach nao|cach nao|cach gui|huong dan|duoc khong|khong a)\b"
)
_CANCEL_WORDS = {"huy", "huy bo", "huy phan anh", "dung lai", "thoi khong gui"}
# explicit wishes to complain, folded (no diacritics)
_WISH = re.compile(
    r"\b(muon|can|xin|gui|lam|viet)\s+(1\s+|mot\s+)?(phan anh|khieu nai|kien nghi|gop y|to cao)\b"
    r"|^(phan anh|khieu nai|kien nghi|gop y)\b"
)


# ---------------------------------------------------------------- draft helpers
def _draft(ctx: Context) -> dict[str, Any] | None:
    draft = ctx.memory(DRAFT)
    return dict(draft) if isinstance(draft, dict) else None


def _save_draft(ctx: Context, draft: dict[str, Any]) -> None:
    ctx.remember(DRAFT, draft)
    ctx.set_flow(FLOW, step=draft.get("step"))


def _new_draft(description: str | None = None) -> dict[str, Any]:
    return {
        "step": "cat",
        "cat": None,
        "desc": description,
        "photos": [],
        "lat": None,
        "lon": None,
        "phone": None,
        "editing": False,
    }


def _today_start(ctx: Context) -> dt.datetime:
    local = ctx.local_now()
    start = dt.datetime.combine(local.date(), dt.time(0, 0), tzinfo=ZoneInfo(ctx.settings.timezone))
    return start.astimezone(dt.UTC)


async def _over_daily_limit(ctx: Context) -> bool:
    if ctx.is_staff:
        return False
    sent = await repo.count_since(ctx.db, ctx.user.id, _today_start(ctx))
    return sent >= ctx.settings.complaints_per_day


def _limit_reply(ctx: Context) -> list[Reply]:
    hotline = ctx.kb.locality.hotline
    text = texts.PA_DAILY_LIMIT.format(limit=ctx.settings.complaints_per_day, hotline=hotline)
    return [Reply(text, buttons=[[Button(texts.PA_BTN_TRACK, "pa:mine")], menu_button()])]


# ---------------------------------------------------------------- entry points
async def start(
    ctx: Context, msg: Incoming, description: str | None = None, *, fresh: bool = False
) -> list[Reply]:
    """/phananh, the menu item, the "phan-anh" topic and explicit phrases all land here.

    A draft in progress is never overwritten without asking: the citizen
    chooses to continue it or start again (with what they just wrote).
    """
    if await _over_daily_limit(ctx):
        return _limit_reply(ctx)
    draft = _draft(ctx)
    if draft and (draft.get("desc") or draft.get("cat")) and not fresh:
        ctx.set_flow(FLOW, step=draft.get("step"))
        ctx.remember(PENDING, description)
        preview = (draft.get("desc") or "")[:200]
        return [
            Reply(
                texts.PA_RESUME.format(preview=preview or texts.PA_NO_DESCRIPTION),
                buttons=[
                    [Button(texts.PA_BTN_RESUME, "pa:resume")],
                    [Button(texts.PA_BTN_RESTART, "pa:new")],
                    menu_button(),
                ],
            )
        ]
    ctx.remember(PENDING, None)
    draft = _new_draft(description)
    _save_draft(ctx, draft)
    intro = texts.PA_INTRO.format(office=ctx.kb.locality.office_name)
    if description:
        intro += "\n" + texts.PA_PREFILLED.format(description=description[:300])
    return [Reply(intro), _category_question()]


async def on_command(ctx: Context, msg: Incoming) -> list[Reply]:
    return await start(ctx, msg)


async def on_topic(ctx: Context, topic_id: str) -> list[Reply]:
    """The matcher thinks the citizen wants to complain ("đường làng bị ngập")."""
    return await start(ctx, ctx.incoming, _prefill(ctx, ctx.incoming.text or ""))


def _prefill(ctx: Context, text: str) -> str | None:
    """What the citizen wrote, if it already describes the problem and is acceptable as a description."""
    text = text.strip()
    if not _is_description(text) or _check_description(ctx, text) is not None:
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
    folded = fold(text[:300])
    if _WISH.search(folded):
        return await start(ctx, msg, _prefill(ctx, text))
    return None


# ---------------------------------------------------------------- questions of each step
def _category_question() -> Reply:
    # five buttons: Zalo OA shows at most five; "hủy" can be typed (the intro says so)
    rows = [[Button(label, f"pa:cat:{key}")] for key, label in CATEGORIES.items()]
    return Reply(texts.PA_ASK_CATEGORY, buttons=rows)


def _description_question(ctx: Context) -> Reply:
    return Reply(
        texts.PA_ASK_DESCRIPTION.format(limit=ctx.settings.complaint_max_chars),
        buttons=[[Button(texts.PA_BTN_CANCEL, "pa:cancel")]],
    )


def _media_question(ctx: Context, draft: dict[str, Any]) -> Reply:
    text = texts.PA_ASK_MEDIA.format(max_photos=ctx.settings.complaint_max_photos)
    return Reply(
        text, buttons=[[Button(texts.PA_BTN_NEXT, "pa:next")], [Button(texts.PA_BTN_CANCEL, "pa:cancel")]]
    )


def _phone_permission(ctx: Context) -> Reply:
    rows = []
    if ctx.user.phone and ctx.user.consent_at:
        rows.append(
            [Button(texts.PA_BTN_PHONE_KEEP.format(phone=mask_phone(ctx.user.phone)), "pa:phone:keep")]
        )
    rows += [[Button(texts.PA_BTN_PHONE_YES, "pa:phone:yes")], [Button(texts.PA_BTN_PHONE_NO, "pa:phone:no")]]
    return Reply(texts.PA_ASK_PHONE_PERMISSION, buttons=rows)


def _phone_request() -> Reply:
    return Reply(
        texts.PA_ASK_PHONE,
        request_contact=True,
        buttons=[[Button(texts.PA_BTN_PHONE_NO, "pa:phone:no")]],
    )


def _summary(ctx: Context, draft: dict[str, Any]) -> Reply:
    place = texts.PA_SUMMARY_PLACE_NONE
    if draft.get("lat") is not None:
        place = texts.PA_SUMMARY_PLACE.format(lat=draft["lat"], lon=draft["lon"])
    text = texts.PA_SUMMARY.format(
        category=CATEGORIES.get(draft.get("cat") or "khac", ""),
        description=draft.get("desc") or "",
        photos=len(draft.get("photos") or []),
        place=place,
        phone=mask_phone(draft.get("phone")) if draft.get("phone") else texts.PA_NO_PHONE,
    )
    rows = [
        [Button(texts.PA_BTN_SEND, "pa:send")],
        [Button(texts.PA_BTN_EDIT, "pa:edit")],
        [Button(texts.PA_BTN_CANCEL, "pa:cancel")],
    ]
    return Reply(text, buttons=rows)


def _edit_menu() -> Reply:
    rows = [
        [Button(texts.PA_BTN_EDIT_DESC, "pa:edit:desc")],
        [Button(texts.PA_BTN_EDIT_CAT, "pa:edit:cat")],
        [Button(texts.PA_BTN_EDIT_MEDIA, "pa:edit:media")],
        [Button(texts.PA_BTN_EDIT_PHONE, "pa:edit:phone")],
        [Button(texts.PA_BTN_BACK_SUMMARY, "pa:resume")],
    ]
    return Reply(texts.PA_ASK_EDIT, buttons=rows)


def _ask(ctx: Context, draft: dict[str, Any]) -> list[Reply]:
    """The question of the draft's current step."""
    step = draft.get("step")
    if step == "cat":
        return [_category_question()]
    if step == "desc":
        return [_description_question(ctx)]
    if step == "media":
        return [_media_question(ctx, draft)]
    if step == "phone_ask":
        return [_phone_permission(ctx)]
    if step == "phone":
        return [_phone_request()]
    return [_summary(ctx, draft)]


def _advance(ctx: Context, draft: dict[str, Any], after: str) -> list[Reply]:
    """Go to the step after `after`, or back to the summary when editing."""
    order = ["cat", "desc", "media", "phone_ask", "confirm"]
    if draft.get("editing") and after != "phone_ask":
        nxt = "confirm"
    else:
        nxt = order[order.index(after) + 1]
        if nxt == "desc" and draft.get("desc"):
            nxt = "media"
    draft["step"] = nxt
    if nxt == "confirm":
        draft["editing"] = False
    _save_draft(ctx, draft)
    return _ask(ctx, draft)


# ---------------------------------------------------------------- the flow
async def on_flow(ctx: Context, msg: Incoming) -> list[Reply] | None:
    draft = _draft(ctx)
    if draft is None:
        ctx.clear_flow()
        return None
    step = draft.get("step")
    if msg.photo is not None:
        return _add_photo(ctx, draft, msg)
    if msg.location is not None:
        draft["lat"], draft["lon"] = msg.location.latitude, msg.location.longitude
        _save_draft(ctx, draft)
        reply = Reply(texts.PA_LOCATION_SAVED)
        return [reply, *_ask(ctx, draft)] if step != "media" else [reply, _media_question(ctx, draft)]
    if msg.contact is not None:
        if step in ("phone", "phone_ask"):
            return _take_phone(ctx, draft, msg.contact.phone)
        return [Reply(texts.PA_CONTACT_NOT_NOW), *_ask(ctx, draft)]
    if msg.text is None:
        return [Reply(texts.PA_CANNOT_USE), *_ask(ctx, draft)]
    text = msg.text.strip()
    if fold(text).strip(" .!") in _CANCEL_WORDS:
        ctx.remember(DRAFT, None)
        ctx.clear_flow()
        return [main_menu(ctx, texts.PA_CANCELLED)]
    if step == "cat":
        if not draft.get("desc") and len(text) >= MIN_DESCRIPTION:
            problem = _check_description(ctx, text)
            if problem:
                return [Reply(problem), _category_question()]
            draft["desc"] = text
            _save_draft(ctx, draft)
            return [Reply(texts.PA_DESCRIPTION_NOTED), _category_question()]
        return [Reply(texts.PA_CHOOSE_CATEGORY_FIRST), _category_question()]
    if step == "desc":
        problem = _check_description(ctx, text)
        if problem:
            return [Reply(problem), _description_question(ctx)]
        duplicate = await _duplicate_of(ctx, text)
        if duplicate:
            return [
                Reply(
                    texts.PA_DUPLICATE.format(code=duplicate),
                    buttons=[
                        [Button(texts.PA_BTN_TRACK, f"pa:track:{duplicate}")],
                        [Button(texts.PA_BTN_CANCEL, "pa:cancel")],
                    ],
                )
            ]
        draft["desc"] = text
        return _advance(ctx, draft, "desc")
    if step == "media":
        if fold(text).strip(" .!") in _DONE_WORDS:
            return _advance(ctx, draft, "media")
        combined = f"{draft.get('desc') or ''}\n{text}".strip()
        problem = _check_description(ctx, combined)
        if problem:
            return [Reply(problem), _media_question(ctx, draft)]
        draft["desc"] = combined
        _save_draft(ctx, draft)
        return [Reply(texts.PA_TEXT_ADDED), _media_question(ctx, draft)]
    if step in ("phone_ask", "phone"):
        if normalize_phone(text):
            return _take_phone(ctx, draft, text)
        if step == "phone_ask" and fold(text).strip(" .!") in _DONE_WORDS:
            return _skip_phone(ctx, draft)
        if step == "phone":
            return [Reply(texts.PA_PHONE_INVALID), _phone_request()]
        return [Reply(texts.PA_USE_BUTTONS), _phone_permission(ctx)]
    # confirm step: typed text is taken as a correction of the description? No: ask to use the buttons,
    # so a stray message never changes what the citizen already checked.
    return [Reply(texts.PA_USE_BUTTONS), _summary(ctx, draft)]


def _check_description(ctx: Context, text: str) -> str | None:
    limit = ctx.settings.complaint_max_chars
    if len(text) < MIN_DESCRIPTION:
        return texts.PA_DESCRIPTION_SHORT
    if len(text) > limit:
        return texts.PA_DESCRIPTION_LONG.format(limit=limit, length=len(text))
    if len(_URL.findall(text)) > MAX_URLS:
        return texts.PA_DESCRIPTION_LINKS
    return None


async def _duplicate_of(ctx: Context, text: str) -> str | None:
    """A complaint of this user in the last week with the same content (forwarded or resent)."""
    since = ctx.now() - dt.timedelta(days=7)
    folded = " ".join(fold(text).split())
    for c in await repo.recent_of_user(ctx.db, ctx.user.id, since):
        if " ".join(fold(c.description).split()) == folded:
            return c.code
    return None


def _add_photo(ctx: Context, draft: dict[str, Any], msg: Incoming) -> list[Reply]:
    assert msg.photo is not None
    photos = list(draft.get("photos") or [])
    max_photos = ctx.settings.complaint_max_photos
    if len(photos) >= max_photos:
        return [Reply(texts.PA_PHOTO_LIMIT.format(max_photos=max_photos)), *_ask(ctx, draft)]
    max_bytes = ctx.settings.complaint_max_photo_mb * 1024 * 1024
    if msg.photo.size is not None and msg.photo.size > max_bytes:
        return [
            Reply(texts.PA_PHOTO_TOO_BIG.format(mb=ctx.settings.complaint_max_photo_mb)),
            *_ask(ctx, draft),
        ]
    if len(msg.photo.ref) > 1000:
        return [Reply(texts.PA_CANNOT_USE), *_ask(ctx, draft)]
    photos.append(msg.photo.ref)
    draft["photos"] = photos
    _save_draft(ctx, draft)
    saved = Reply(texts.PA_PHOTO_SAVED.format(n=len(photos), max_photos=max_photos))
    return [saved, *_ask(ctx, draft)]


def _take_phone(ctx: Context, draft: dict[str, Any], raw: str) -> list[Reply]:
    phone = normalize_phone(raw)
    if phone is None:
        return [Reply(texts.PA_PHONE_INVALID), _phone_request()]
    draft["phone"] = phone
    # sharing the number after being asked permission is the consent; recorded with its time
    ctx.user.phone = phone
    ctx.user.consent_at = ctx.now()
    return [Reply(texts.PA_PHONE_SAVED), *_advance(ctx, draft, "phone_ask")]


def _skip_phone(ctx: Context, draft: dict[str, Any]) -> list[Reply]:
    draft["phone"] = None
    return [Reply(texts.PA_PHONE_SKIPPED), *_advance(ctx, draft, "phone_ask")]


# ---------------------------------------------------------------- buttons
async def on_action(ctx: Context, msg: Incoming) -> list[Reply]:
    verb, arg, extra = msg.action_args(3)
    if verb == "track":
        return await show_tracking(ctx, arg)
    if verb == "mine":
        return await my_complaints(ctx, msg)
    if verb == "rate":
        return await _rate(ctx, arg, extra)
    if verb == "noreason":
        return await _reopen_with(ctx, arg, texts.PA_NO_REASON)
    if verb == "new":
        pending = ctx.memory(PENDING)
        ctx.remember(DRAFT, None)
        return await start(ctx, msg, pending if isinstance(pending, str) else None, fresh=True)
    draft = _draft(ctx)
    if draft is None:
        return [Reply(texts.PA_NO_DRAFT), main_menu(ctx)]
    if verb == "resume":
        _save_draft(ctx, draft)
        return _ask(ctx, draft)
    if verb == "cancel":
        ctx.remember(DRAFT, None)
        ctx.clear_flow()
        return [main_menu(ctx, texts.PA_CANCELLED)]
    if verb == "cat" and arg in CATEGORIES:
        draft["cat"] = arg
        replies = _advance(ctx, draft, "cat")
        if draft.get("step") == "media" and draft.get("desc") and not draft.get("editing"):
            replies.insert(0, Reply(texts.PA_PREFILLED_KEPT))
        return replies
    if verb == "next":
        return _advance(ctx, draft, "media")
    if verb == "phone":
        if arg == "yes":
            draft["step"] = "phone"
            _save_draft(ctx, draft)
            return [_phone_request()]
        if arg == "keep" and ctx.user.phone and ctx.user.consent_at:
            draft["phone"] = ctx.user.phone
            return _advance(ctx, draft, "phone_ask")
        return _skip_phone(ctx, draft)
    if verb == "edit" and not arg:
        return [_edit_menu()]
    if verb == "edit" and arg in ("desc", "cat", "media", "phone"):
        draft["editing"] = True
        draft["step"] = {"desc": "desc", "cat": "cat", "media": "media", "phone": "phone_ask"}[arg]
        _save_draft(ctx, draft)
        return _ask(ctx, draft)
    if verb == "send":
        if draft.get("step") != "confirm" or not draft.get("desc") or not draft.get("cat"):
            return [Reply(texts.PA_NOT_READY), *_ask(ctx, draft)]
        return await _submit(ctx, draft)
    return [Reply(texts.EXPIRED_BUTTON), *_ask(ctx, draft)]


async def _submit(ctx: Context, draft: dict[str, Any]) -> list[Reply]:
    """Store the complaint and its staff notices, commit, and only then show the code."""
    retry = Reply(
        texts.PA_SAVE_FAILED.format(hotline=ctx.kb.locality.hotline),
        buttons=[[Button(texts.PA_BTN_RETRY, "pa:send")], [Button(texts.PA_BTN_CANCEL, "pa:cancel")]],
    )
    ctx.failure_replies = [retry]
    if await _over_daily_limit(ctx):
        ctx.failure_replies = None
        return _limit_reply(ctx)
    now = ctx.now()
    loc = ctx.kb.locality
    tz = ctx.settings.timezone
    try:
        complaint = await repo.create_complaint(
            ctx.db,
            now=now,
            year=now.astimezone(ZoneInfo(tz)).year,
            due_at=due_at(now, ctx.settings.complaint_due_days, loc, tz),
            user_id=ctx.user.id,
            channel=ctx.incoming.channel,
            platform_id=ctx.incoming.platform_id,
            reporter_name=ctx.user.display_name,
            phone=draft.get("phone"),
            category=draft["cat"],
            description=draft["desc"],
            photos=list(draft.get("photos") or []),
            latitude=draft.get("lat"),
            longitude=draft.get("lon"),
        )
        card = complaint_card(complaint, tz, now, for_staff=True)
        notice = Reply(texts.CS_NEW_COMPLAINT + "\n\n" + card, buttons=staff_buttons(complaint))
        office = make_office(ctx.services.staff, ctx.settings, loc)
        await notify_staff(
            ctx.db, office.staff, office.staff_chat, [notice], kind="notice", ref=complaint.code
        )
        ctx.remember(DRAFT, None)
        ctx.clear_flow()
        # the complaint, its history, the staff notices and the cleared draft commit together
        await ctx.db.commit()
    except Exception:
        log.exception("could not store a complaint of %s", ctx.user_key)
        await _rollback_keeping_draft(ctx)
        return [retry]
    done = Reply(
        texts.PA_SAVED.format(
            code=complaint.code,
            days=ctx.settings.complaint_due_days,
            due=local_text(complaint.due_at, tz, with_time=False),
        ),
        buttons=[[Button(texts.PA_BTN_TRACK, f"pa:track:{complaint.code}")], menu_button()],
    )
    ctx.failure_replies = [done]  # it is stored: whatever happens next, the code stands
    return [done]


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


# ---------------------------------------------------------------- tracking
async def on_track_command(ctx: Context, msg: Incoming) -> list[Reply]:
    code = repo.parse_code(msg.text or "")
    if code is None:
        return await my_complaints(ctx, msg)
    return await show_tracking(ctx, code)


async def my_complaints(ctx: Context, msg: Incoming) -> list[Reply]:
    mine = await repo.of_user(ctx.db, ctx.user.id)
    if not mine:
        return [Reply(texts.PA_TRACK_HOWTO + "\n" + texts.PA_NONE_YET, buttons=[menu_button()])]
    rows = [
        [Button(f"{c.code} — {texts.PA_STATUS.get(c.status, c.status)}", f"pa:track:{c.code}")]
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
                buttons=[[Button(texts.PA_BTN_MINE, "pa:mine")], menu_button()],
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
        rows.append(
            [
                Button(texts.PA_BTN_SATISFIED, f"pa:rate:{c.code}:1"),
                Button(texts.PA_BTN_UNSATISFIED, f"pa:rate:{c.code}:0"),
            ]
        )
    rows.append(menu_button())
    return [Reply(text, buttons=rows)]


# ---------------------------------------------------------------- rating the handling
async def _rate(ctx: Context, code: str, value: str) -> list[Reply]:
    c = await repo.get_by_code(ctx.db, code)
    if c is None or c.user_id != ctx.user.id or value not in ("0", "1"):
        return [Reply(texts.PA_NOT_YOURS.format(code=code[:20])), main_menu(ctx)]
    if c.status not in ("answered", "closed"):
        return [Reply(texts.PA_RATE_NOT_YET.format(code=c.code), buttons=[menu_button()])]
    if value == "1":
        ctx.db.add(
            Rating(user_id=ctx.user.id, target_kind="complaint", target_id=c.code, value=1, at=ctx.now())
        )
        await repo.add_event(ctx.db, c, "rated", actor="citizen", text=texts.PA_BTN_SATISFIED, at=ctx.now())
        return [Reply(texts.PA_RATED_OK, buttons=[menu_button()])]
    ctx.set_flow(REOPEN_FLOW, code=c.code)
    return [Reply(texts.PA_ASK_REASON, buttons=[[Button(texts.PA_BTN_NO_REASON, f"pa:noreason:{c.code}")]])]


async def on_reopen_flow(ctx: Context, msg: Incoming) -> list[Reply] | None:
    if msg.text is None:
        return [Reply(texts.PA_ASK_REASON)]
    reason = msg.text.strip()
    if len(reason) > MAX_REASON:
        return [Reply(texts.PA_REASON_LONG.format(limit=MAX_REASON))]
    if len(reason) < 2:
        return [Reply(texts.PA_ASK_REASON)]
    return await _reopen_with(ctx, ctx.flow_data.get("code", ""), reason)


async def _reopen_with(ctx: Context, code: str, reason: str) -> list[Reply]:
    c = await repo.get_by_code(ctx.db, code, lock=True)
    ctx.clear_flow()
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
    router.command("phananh", on_command, texts.CMD_PHANANH)
    router.command("tracuu", on_track_command, texts.CMD_TRACUU)
    router.legacy_action("pa", on_action)
    router.legacy_flow(FLOW, on_flow)
    router.legacy_flow(REOPEN_FLOW, on_reopen_flow)
    router.topic("phan-anh", on_topic)
    router.text_hook("feedback.code_or_wish", text_hook, priority=HookPriority.CODE)
