"""The answers a walkthrough waits for, one handler per declared state.

Every typed yes / no / done / back / skip / cancel word is read by
handlers/replies.py (so «đc», «ko dc», «k», «ừ», «dạ vâng» mean the same at
every prompt as anywhere else); only the guide's own phrases («bị vướng», a
choice's label, a rating's label) are matched here. Text that answers none of
a prompt's questions goes on as a question for the matcher.
"""

from __future__ import annotations

import datetime as dt

from handlers import texts
from handlers.context import Context
from handlers.flow import Kind
from handlers.guide_actions import DeclineCallback, RateGuide, RatingValue, SkipComment, Solved
from handlers.guide_flow import FLOW, Wait, WaitRun, referenced, waiting_for
from handlers.guide_hook import with_notice
from handlers.guide_runs import current, move, pending_notice, resume, stop
from handlers.guide_view import help_reply, next_skill_offer, start_button, title_of
from handlers.menu import main_menu, menu_button
from handlers.messages import Button, Incoming, Reply
from handlers.phone import normalize_phone
from handlers.replies import Word, read_reply
from knowledge.normalize import fold
from knowledge.schema import Locality
from storage import guides as repo
from storage.models_guides import FINISHED, GuideRun

MAX_COMMENT = 2000
CALL_MARGIN = dt.timedelta(minutes=30)
RATINGS: dict[RatingValue, str] = {"3": "very_satisfied", "2": "satisfied", "1": "unsatisfied"}
# The guide's own phrase for «I am stuck» (folded); «không được», «chưa được», «bị lỗi» are the
# vocabulary's NO, which at a step means the same.
_STUCK = frozenset(
    {"vuong", "bi vuong", "toi bi vuong", "loi", "ket", "bi ket", "giup", "giup toi", "giup voi", "help"}
)
# At a step: «xong», «ok», «bỏ qua» go on; «quay lại» goes back; «không được» means stuck.
_AT_STEP = frozenset({Word.DONE, Word.BACK, Word.NO, Word.SKIP})
_YES_NO = frozenset({Word.YES, Word.NO})


def next_call_window(loc: Locality, now_local: dt.datetime) -> tuple[dt.datetime, bool]:
    """When an officer can call: (now, True) inside working hours, else (the next opening, False).

    The last half hour of a session counts as closed: promising a call "today" at
    16:55 would be a promise the office cannot keep.
    """
    wh = loc.working_hours
    windows = [wh.morning, *([wh.afternoon] if wh.afternoon else [])]
    holidays = set(loc.holidays)
    for offset in range(0, 40):
        day = (now_local + dt.timedelta(days=offset)).date()
        if day.isoweekday() not in wh.days or day in holidays:
            continue
        for start, end in windows:
            begin = dt.datetime.combine(day, start, tzinfo=now_local.tzinfo)
            finish = dt.datetime.combine(day, end, tzinfo=now_local.tzinfo)
            if begin <= now_local < finish - CALL_MARGIN:
                return now_local, True
            if begin > now_local:
                return begin, False
    return now_local, False  # a locality without any working day: say "as soon as possible"


# ---------------------------------------------------------------- walking
@FLOW.on(Wait.WALKING, Kind.TEXT)
async def on_step_text(ctx: Context, msg: Incoming, flow_run: WaitRun) -> list[Reply] | None:
    """Typed words that work like the step's buttons."""
    text = msg.text or ""
    notice = await pending_notice(ctx)
    if notice is not None:
        return await with_notice(ctx, msg, notice)
    now_ = await current(ctx)
    run, w = now_.run, now_.walkthrough
    if run is None or w is None:
        FLOW.end(ctx)
        return None
    step = w.step(run.step_id) or w.first
    word = read_reply(text, _AT_STEP)
    if word is Word.BACK:
        return await move(ctx, "back", step.id)
    folded = fold(text)
    if step.choices and folded:
        picked = [i for i, c in enumerate(step.choices) if folded in fold(c.label) or fold(c.label) in folded]
        if len(picked) == 1:
            return await move(ctx, "choice", step.id, picked[0])
    if word is Word.NO or folded in _STUCK:
        return await move(ctx, "stuck", step.id)
    if word in (Word.DONE, Word.SKIP):
        return await move(ctx, "next", step.id)
    return None


@FLOW.on(Wait.WALKING, Kind.PHOTO)
async def on_screenshot(ctx: Context, msg: Incoming, flow_run: WaitRun) -> list[Reply] | None:
    """Most likely a screenshot of an error: the step's known problems and the way to a human."""
    run = (await current(ctx)).run
    if run is None:
        return None
    return [Reply(texts.GUIDE_PHOTO_HINT), *await move(ctx, "stuck", run.step_id)]


@FLOW.on(Wait.RESUME)
async def on_resume_answer(ctx: Context, msg: Incoming, flow_run: WaitRun) -> list[Reply] | None:
    """«Làm tiếp từ bước đó không?»: yes resumes, no stops; anything else is read as at a step."""
    word = read_reply(msg.text or "", _YES_NO)
    if word is Word.YES:
        return await resume(ctx, restart=False)
    if word is Word.NO:
        return await stop(ctx)
    return await on_step_text(ctx, msg, flow_run)


# ---------------------------------------------------------------- the end: done? rating, comment
async def referenced_run(ctx: Context) -> GuideRun | None:
    """The run the awaited answer is about, else the latest finished one."""
    ref = referenced(ctx)
    if ref is not None:
        run = await repo.get_run(ctx.db, ref, ctx.user.id)
        if run is not None:
            return run
    return await repo.latest_finished_run(ctx.db, ctx.user.id)


async def done_answer(ctx: Context, yes: bool) -> list[Reply]:
    run = await referenced_run(ctx)
    if run is None or run.status != FINISHED:
        FLOW.end(ctx)
        return [main_menu(ctx, texts.GUIDE_NOTHING_TO_RATE)]
    run.outcome = "yes" if yes else "no"
    repo.record(ctx.db, run, "done_yes" if yes else "done_no", at=ctx.now())
    if yes:
        waiting_for(ctx, Wait.RATE, run.id)
        rows = [[RateGuide(key).button(texts.GUIDE_RATINGS[key])] for key in RATINGS]
        return [Reply(texts.GUIDE_RATE_ASK, buttons=rows)]
    FLOW.end(ctx)  # «nhờ cán bộ gọi lại» below finds this run as the latest finished one
    title = title_of(ctx.kb, run.walkthrough_id)
    again = Reply(
        texts.GUIDE_TRY_AGAIN,
        buttons=[start_button(run.walkthrough_id, texts.BTN_GUIDE_START_AGAIN.format(title=title))],
    )
    return [Reply(texts.GUIDE_NOT_DONE), help_reply(ctx, None), again]


@FLOW.on(Wait.DONE)
async def on_done_text(ctx: Context, msg: Incoming, flow_run: WaitRun) -> list[Reply] | None:
    """«Anh/chị đã làm được chưa?» typed: «được», «đc», «rồi» / «chưa», «ko dc», «k»."""
    word = read_reply(msg.text or "", _YES_NO)
    if word is Word.YES or word is Word.NO:
        return await done_answer(ctx, word is Word.YES)
    FLOW.end(ctx)
    return None


async def rate(ctx: Context, value: RatingValue) -> list[Reply]:
    run = await referenced_run(ctx)
    if run is None:
        FLOW.end(ctx)
        return [main_menu(ctx, texts.GUIDE_NOTHING_TO_RATE)]
    run.rating = RATINGS[value]
    repo.record(ctx.db, run, "rate", at=ctx.now(), rating=run.rating)
    waiting_for(ctx, Wait.COMMENT, run.id)
    return [Reply(texts.GUIDE_COMMENT_ASK, buttons=[[SkipComment().button(texts.BTN_GUIDE_SKIP_COMMENT)]])]


@FLOW.on(Wait.RATE)
async def on_rating_text(ctx: Context, msg: Incoming, flow_run: WaitRun) -> list[Reply] | None:
    """A rating's label typed («hài lòng»)."""
    folded = fold(msg.text or "")
    for key in RATINGS:
        if folded == fold(texts.GUIDE_RATINGS[key]):
            return await rate(ctx, key)
    FLOW.end(ctx)
    return None


async def after_rating(ctx: Context, thanks: str) -> list[Reply]:
    FLOW.end(ctx)
    text, rows = await next_skill_offer(ctx)
    return [Reply(f"{thanks}\n{text}", buttons=[*rows, menu_button()])]


@FLOW.on(Wait.COMMENT)
async def on_comment(ctx: Context, msg: Incoming, flow_run: WaitRun) -> list[Reply] | None:
    """The comment after the rating; «bỏ qua», «không», «ok» mean none."""
    text = (msg.text or "").strip()
    if read_reply(text, {Word.SKIP, Word.NO, Word.DONE}) is not None:
        return await after_rating(ctx, texts.GUIDE_THANKS_NO_COMMENT)
    run = await referenced_run(ctx)
    if run is not None:
        run.comment = text[:MAX_COMMENT]
        repo.record(ctx.db, run, "comment", at=ctx.now())
    return await after_rating(ctx, texts.GUIDE_THANKS)


@FLOW.cancelling(Wait.DONE, Wait.RATE)
async def cancel_rating(ctx: Context, flow_run: WaitRun) -> list[Reply]:
    run = await _run_of(ctx, flow_run)
    title = title_of(ctx.kb, run.walkthrough_id) if run is not None else ""
    return [Reply(texts.GUIDE_RATING_CANCELLED.format(title=title), buttons=[menu_button()])]


@FLOW.cancelling(Wait.COMMENT)
async def cancel_comment(ctx: Context, flow_run: WaitRun) -> list[Reply]:
    return [Reply(texts.GUIDE_COMMENT_CANCELLED, buttons=[menu_button()])]


async def _run_of(ctx: Context, flow_run: WaitRun) -> GuideRun | None:
    ref = flow_run.data.run
    return await repo.get_run(ctx.db, ref, ctx.user.id) if ref is not None else None


# ---------------------------------------------------------------- call-back requests
def _decline_row() -> list[list[Button]]:
    return [[DeclineCallback().button(texts.BTN_GUIDE_NO_CALLBACK)]]


async def ask_callback(ctx: Context) -> list[Reply]:
    run = await repo.latest_active_run(ctx.db, ctx.user.id) or await referenced_run(ctx)
    if run is not None:
        repo.record(ctx.db, run, "callback_ask", at=ctx.now())
    waiting_for(ctx, Wait.PHONE, run.id if run is not None else None)
    return [
        Reply(texts.GUIDE_CALLBACK_ASK, request_contact=True),
        Reply(texts.GUIDE_CALLBACK_CANCEL_HINT, buttons=_decline_row()),
    ]


async def after_callback(ctx: Context, text: str) -> list[Reply]:
    """Back to the walkthrough under way, if any."""
    active = await repo.latest_active_run(ctx.db, ctx.user.id)
    rows: list[list[Button]] = []
    if active is not None:
        waiting_for(ctx, Wait.WALKING, active.id)
        rows.append([Solved(active.step_id).button(texts.BTN_GUIDE_BACK_TO_STEP)])
    else:
        FLOW.end(ctx)
    return [Reply(text, buttons=[*rows, menu_button()])]


async def decline_callback(ctx: Context) -> list[Reply]:
    run = await repo.latest_active_run(ctx.db, ctx.user.id)
    if run is not None:
        repo.record(ctx.db, run, "callback_no", at=ctx.now())
    return await after_callback(ctx, texts.GUIDE_CALLBACK_DECLINED)


@FLOW.cancelling(Wait.PHONE)
async def cancel_callback(ctx: Context, flow_run: WaitRun) -> list[Reply]:
    return await decline_callback(ctx)


@FLOW.on(Wait.PHONE, Kind.TEXT)
async def on_phone_text(ctx: Context, msg: Incoming, flow_run: WaitRun) -> list[Reply] | None:
    raw = (msg.text or "").strip()
    if read_reply(raw, {Word.NO, Word.SKIP}) is not None:
        return await decline_callback(ctx)
    if sum(ch.isdigit() for ch in raw) < 6:
        # not a phone number: the citizen moved on; answer them as usual
        active = await repo.latest_active_run(ctx.db, ctx.user.id)
        if active is not None:
            waiting_for(ctx, Wait.WALKING, active.id)
        else:
            FLOW.end(ctx)
        return None
    return await take_phone(ctx, raw, flow_run)


@FLOW.on(Wait.PHONE, Kind.CONTACT)
async def on_contact(ctx: Context, msg: Incoming, flow_run: WaitRun) -> list[Reply] | None:
    return await take_phone(ctx, msg.contact.phone if msg.contact else "", flow_run)


async def take_phone(ctx: Context, raw: str, flow_run: WaitRun) -> list[Reply]:
    phone = normalize_phone(raw)
    if phone is None:
        return [Reply(texts.GUIDE_PHONE_INVALID.format(phone=raw[:20]), buttons=_decline_row())]
    run = await _run_of(ctx, flow_run)
    loc = ctx.kb.locality
    when_local, open_now = next_call_window(loc, ctx.local_now())
    await repo.add_callback(
        ctx.db,
        user=ctx.user,
        run=run,
        walkthrough_id=run.walkthrough_id if run else "-",
        step_id=run.step_id if run else None,
        phone=phone,
        call_after=when_local.astimezone(dt.UTC),
        now=ctx.now(),
        consent_version=texts.PRIVACY_NOTICE_VERSION,
    )
    if run is not None:
        repo.record(ctx.db, run, "callback", at=ctx.now())
    if open_now:
        when = texts.GUIDE_CALLBACK_NOW
    else:
        when = texts.GUIDE_CALLBACK_LATER.format(
            time=when_local.strftime("%H:%M"),
            weekday=texts.HOURS_DAYS[when_local.isoweekday()],
            date=when_local.strftime("%d/%m/%Y"),
        )
    text = texts.GUIDE_CALLBACK_SAVED.format(
        phone=phone, office=loc.office_name, when=when, hotline=loc.hotline
    )
    return await after_callback(ctx, text)
