"""The citizen's complaint form: what each step does with a typed answer, a photo or a button.

Steps, data, questions and saving are handlers/complaint_draft.py. Typed
answers at every prompt are read with the one reply vocabulary
(handlers/replies.py): «xong», «ok», «đc», «không», «bỏ qua» move on where a
prompt asks for them, and a short answer word a prompt has no use for is
never stored as part of the complaint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from handlers import texts
from handlers.complaint_actions import (
    CancelDraft,
    EditDraft,
    NewDraft,
    NextStep,
    PhoneChoice,
    PickCategory,
    ResumeDraft,
    SendDraft,
    TrackComplaint,
)
from handlers.complaint_draft import (
    FORM,
    MIN_DESCRIPTION,
    Draft,
    Step,
    advance,
    ask,
    category_question,
    check_description,
    description_question,
    edit_menu,
    has_saved_phone,
    just_stored,
    limit_reply,
    media_question,
    over_daily_limit,
    phone_request,
    saved_reply,
    submit,
)
from handlers.context import Context
from handlers.flow import Kind, Run
from handlers.menu import main_menu, menu_button
from handlers.messages import Incoming, Reply
from handlers.phone import normalize_phone
from handlers.replies import Word, read_reply, read_word
from handlers.router import Router
from knowledge.normalize import fold
from storage import complaints as repo
from storage.privacy import record_consent


# ---------------------------------------------------------------- starting
async def start(ctx: Context, description: str | None = None, *, fresh: bool = False) -> list[Reply]:
    """/phananh, the menu item, the "phan-anh" topic and explicit phrases all land here.

    A draft in progress is never overwritten without asking: the citizen
    chooses to continue it or start again (with what they just wrote).
    """
    if await over_daily_limit(ctx):
        return limit_reply(ctx)
    kept = FORM.stored(ctx)
    if kept is not None and (kept.data.description or kept.data.category) and not fresh:
        FORM.resume(ctx)
        kept.data.offered, kept.data.pending = True, description
        kept.save(ctx)
        preview = (kept.data.description or "")[:200]
        return [
            Reply(
                texts.PA_RESUME.format(preview=preview or texts.PA_NO_DESCRIPTION),
                buttons=[
                    [ResumeDraft().button(texts.PA_BTN_RESUME)],
                    [NewDraft().button(texts.PA_BTN_RESTART)],
                    menu_button(),
                ],
            )
        ]
    FORM.start(ctx, Step.CATEGORY, Draft(description=description))
    intro = texts.PA_INTRO.format(office=ctx.kb.locality.office_name)
    if description:
        intro += "\n" + texts.PA_PREFILLED.format(description=description[:300])
    return [Reply(intro), category_question()]


async def _start_over(ctx: Context, run: Run[Step, Draft]) -> list[Reply]:
    pending = run.data.pending
    FORM.end(ctx)
    return await start(ctx, pending, fresh=True)


def _continue(ctx: Context, run: Run[Step, Draft]) -> list[Reply]:
    run.data.offered, run.data.pending = False, None
    run.save(ctx)
    return ask(ctx, run)


# ---------------------------------------------------------------- typed answers, one handler per step
TextStep = Callable[[Context, Run[Step, Draft], str], Awaitable[list[Reply]]]


def _text_step(state: Step) -> Callable[[TextStep], TextStep]:
    """Declare the text handler of `state`; while «continue or start again?» shows, yes/no answer it first."""

    def register(handler: TextStep) -> TextStep:
        @FORM.on(state, Kind.TEXT)
        async def step(ctx: Context, msg: Incoming, run: Run[Step, Draft]) -> list[Reply]:
            text = (msg.text or "").strip()
            if run.data.offered:
                word = read_reply(text, accept={Word.YES, Word.NO})
                if word is Word.YES:
                    return _continue(ctx, run)
                if word is Word.NO:
                    return await _start_over(ctx, run)
                run.data.offered, run.data.pending = False, None  # they went on with the draft
                run.save(ctx)
            return await handler(ctx, run, text)

        return handler

    return register


def _not_here(ctx: Context, run: Run[Step, Draft]) -> list[Reply]:
    """A short answer word this prompt has no use for: ask again rather than store it."""
    return [Reply(texts.PA_USE_BUTTONS), *ask(ctx, run)]


@_text_step(Step.CATEGORY)
async def typed_at_category(ctx: Context, run: Run[Step, Draft], text: str) -> list[Reply]:
    if not run.data.description and len(text) >= MIN_DESCRIPTION and read_word(text) is None:
        problem = check_description(ctx, text)
        if problem:
            return [Reply(problem), category_question()]
        run.data.description = text
        run.save(ctx)
        return [Reply(texts.PA_DESCRIPTION_NOTED), category_question()]
    return [Reply(texts.PA_CHOOSE_CATEGORY_FIRST), category_question()]


@_text_step(Step.DESCRIPTION)
async def typed_description(ctx: Context, run: Run[Step, Draft], text: str) -> list[Reply]:
    if read_word(text) is not None:
        return [Reply(texts.PA_DESCRIPTION_SHORT), description_question(ctx)]
    problem = check_description(ctx, text)
    if problem:
        return [Reply(problem), description_question(ctx)]
    duplicate = await _duplicate_of(ctx, text)
    if duplicate:
        buttons = [
            [TrackComplaint(duplicate).button(texts.PA_BTN_TRACK)],
            [CancelDraft().button(texts.PA_BTN_CANCEL)],
        ]
        return [Reply(texts.PA_DUPLICATE.format(code=duplicate), buttons=buttons)]
    run.data.description = text
    return advance(ctx, run, Step.DESCRIPTION)


@_text_step(Step.MEDIA)
async def typed_at_media(ctx: Context, run: Run[Step, Draft], text: str) -> list[Reply]:
    word = read_reply(text, accept={Word.DONE, Word.SKIP})
    if word in (Word.DONE, Word.SKIP):
        return advance(ctx, run, Step.MEDIA)
    if read_word(text) is not None:
        return _not_here(ctx, run)
    combined = f"{run.data.description or ''}\n{text}".strip()
    problem = check_description(ctx, combined)
    if problem:
        return [Reply(problem), media_question(ctx)]
    run.data.description = combined
    run.save(ctx)
    return [Reply(texts.PA_TEXT_ADDED), media_question(ctx)]


@_text_step(Step.PHONE_PERMISSION)
async def typed_at_permission(ctx: Context, run: Run[Step, Draft], text: str) -> list[Reply]:
    if normalize_phone(text):
        return _take_phone(ctx, run, text)
    word = read_reply(text, accept={Word.YES, Word.NO})
    if word is Word.YES:
        run.move(ctx, Step.PHONE)
        return [phone_request()]
    if word is Word.NO:
        return _skip_phone(ctx, run)
    return _not_here(ctx, run)


@_text_step(Step.PHONE)
async def typed_phone(ctx: Context, run: Run[Step, Draft], text: str) -> list[Reply]:
    if normalize_phone(text):
        return _take_phone(ctx, run, text)
    if read_reply(text, accept={Word.SKIP}) is Word.SKIP:
        return _skip_phone(ctx, run)
    return [Reply(texts.PA_PHONE_INVALID), phone_request()]


@_text_step(Step.CONFIRM)
async def typed_at_confirm(ctx: Context, run: Run[Step, Draft], text: str) -> list[Reply]:
    # «ok», «được», «gửi đi» send; «không», «sai» open the list of parts to change; anything else
    # asks for the buttons, so a stray message never changes what the citizen already checked
    word = read_reply(text, accept={Word.YES, Word.NO})
    if word is Word.YES:
        return await submit(ctx, run)
    if word is Word.NO:
        return [edit_menu()]
    return _not_here(ctx, run)


async def _duplicate_of(ctx: Context, text: str) -> str | None:
    """A complaint of this user in the last week with the same content (forwarded or resent)."""
    since = ctx.now() - dt.timedelta(days=7)
    folded = " ".join(fold(text).split())
    for c in await repo.recent_of_user(ctx.db, ctx.user.id, since):
        if " ".join(fold(c.description).split()) == folded:
            return c.code
    return None


# ---------------------------------------------------------------- photos, location, contact
@FORM.on(None, Kind.PHOTO)
async def take_photo(ctx: Context, msg: Incoming, run: Run[Step, Draft]) -> list[Reply]:
    assert msg.photo is not None
    max_photos = ctx.settings.complaint_max_photos
    if len(run.data.photos) >= max_photos:
        return [Reply(texts.PA_PHOTO_LIMIT.format(max_photos=max_photos)), *ask(ctx, run)]
    max_bytes = ctx.settings.complaint_max_photo_mb * 1024 * 1024
    if msg.photo.size is not None and msg.photo.size > max_bytes:
        too_big = texts.PA_PHOTO_TOO_BIG.format(mb=ctx.settings.complaint_max_photo_mb)
        return [Reply(too_big), *ask(ctx, run)]
    if len(msg.photo.ref) > 1000:
        return [Reply(texts.PA_CANNOT_USE), *ask(ctx, run)]
    run.data.photos = [*run.data.photos, msg.photo.ref]
    run.save(ctx)
    saved = Reply(texts.PA_PHOTO_SAVED.format(n=len(run.data.photos), max_photos=max_photos))
    return [saved, *ask(ctx, run)]


@FORM.on(None, Kind.LOCATION)
async def take_location(ctx: Context, msg: Incoming, run: Run[Step, Draft]) -> list[Reply]:
    assert msg.location is not None
    run.data.latitude, run.data.longitude = msg.location.latitude, msg.location.longitude
    run.save(ctx)
    return [Reply(texts.PA_LOCATION_SAVED), *ask(ctx, run)]


@FORM.on(None, Kind.CONTACT)
async def take_contact(ctx: Context, msg: Incoming, run: Run[Step, Draft]) -> list[Reply]:
    assert msg.contact is not None
    if run.state in (Step.PHONE, Step.PHONE_PERMISSION):
        return _take_phone(ctx, run, msg.contact.phone)
    return [Reply(texts.PA_CONTACT_NOT_NOW), *ask(ctx, run)]


@FORM.on(None, Kind.OTHER)
async def cannot_use(ctx: Context, msg: Incoming, run: Run[Step, Draft]) -> list[Reply]:
    return [Reply(texts.PA_CANNOT_USE), *ask(ctx, run)]


def _take_phone(ctx: Context, run: Run[Step, Draft], raw: str) -> list[Reply]:
    phone = normalize_phone(raw)
    if phone is None:
        return [Reply(texts.PA_PHONE_INVALID), phone_request()]
    run.data.phone = phone
    # sharing the number after being asked permission is the consent; recorded with its time
    ctx.user.phone = phone
    ctx.user.consent_at = ctx.now()
    record_consent(
        ctx.db,
        ctx.user.id,
        purpose="complaint_phone",
        what="phone",
        version=texts.PRIVACY_NOTICE_VERSION,
        at=ctx.now(),
    )
    return [Reply(texts.PA_PHONE_SAVED), *advance(ctx, run, Step.PHONE_PERMISSION)]


def _skip_phone(ctx: Context, run: Run[Step, Draft]) -> list[Reply]:
    run.data.phone = None
    return [Reply(texts.PA_PHONE_SKIPPED), *advance(ctx, run, Step.PHONE_PERMISSION)]


# ---------------------------------------------------------------- buttons
def _kept_run(ctx: Context) -> Run[Step, Draft] | None:
    """The draft, made active again (a button of an older message may be pressed after /menu)."""
    run = FORM.resume(ctx)
    if run is not None and run.data.offered:
        run.data.offered, run.data.pending = False, None
        run.save(ctx)
    return run


def _no_draft(ctx: Context) -> list[Reply]:
    return [Reply(texts.PA_NO_DRAFT), main_menu(ctx)]


async def on_resume(ctx: Context, msg: Incoming, action: ResumeDraft) -> list[Reply]:
    run = _kept_run(ctx)
    return _no_draft(ctx) if run is None else ask(ctx, run)


async def on_new(ctx: Context, msg: Incoming, action: NewDraft) -> list[Reply]:
    run = FORM.stored(ctx)
    if run is None:
        return await start(ctx, fresh=True)
    return await _start_over(ctx, run)


async def on_cancel(ctx: Context, msg: Incoming, action: CancelDraft) -> list[Reply]:
    if FORM.stored(ctx) is None:
        return _no_draft(ctx)
    FORM.resume(ctx)
    return await FORM.cancel(ctx)


async def on_category(ctx: Context, msg: Incoming, action: PickCategory) -> list[Reply]:
    run = _kept_run(ctx)
    if run is None:
        return _no_draft(ctx)
    run.data.category = action.category
    editing = run.data.editing
    replies = advance(ctx, run, Step.CATEGORY)
    if run.state is Step.MEDIA and run.data.description and not editing:
        replies.insert(0, Reply(texts.PA_PREFILLED_KEPT))
    return replies


async def on_next(ctx: Context, msg: Incoming, action: NextStep) -> list[Reply]:
    run = _kept_run(ctx)
    return _no_draft(ctx) if run is None else advance(ctx, run, Step.MEDIA)


async def on_phone(ctx: Context, msg: Incoming, action: PhoneChoice) -> list[Reply]:
    run = _kept_run(ctx)
    if run is None:
        return _no_draft(ctx)
    if action.choice == "yes":
        run.move(ctx, Step.PHONE)
        return [phone_request()]
    if action.choice == "keep" and has_saved_phone(ctx):
        run.data.phone = ctx.user.phone
        return advance(ctx, run, Step.PHONE_PERMISSION)
    return _skip_phone(ctx, run)


_EDIT_STEPS = {
    "desc": Step.DESCRIPTION,
    "cat": Step.CATEGORY,
    "media": Step.MEDIA,
    "phone": Step.PHONE_PERMISSION,
}


async def on_edit(ctx: Context, msg: Incoming, action: EditDraft) -> list[Reply]:
    run = _kept_run(ctx)
    if run is None:
        return _no_draft(ctx)
    if action.part is None:
        return [edit_menu()]
    run.data.editing = True
    run.move(ctx, _EDIT_STEPS[action.part])
    return ask(ctx, run)


async def on_send(ctx: Context, msg: Incoming, action: SendDraft) -> list[Reply]:
    run = _kept_run(ctx)
    if run is None:
        stored = await just_stored(ctx)  # the save went through, its answer did not
        return [saved_reply(ctx, stored)] if stored is not None else _no_draft(ctx)
    return await submit(ctx, run)


def register_form(router: Router) -> None:
    """The draft's flow and buttons (called by handlers/feedback.py, which registers the feature)."""
    router.flow(FORM)
    router.action(ResumeDraft, on_resume)
    router.action(NewDraft, on_new)
    router.action(CancelDraft, on_cancel)
    router.action(PickCategory, on_category)
    router.action(NextStep, on_next)
    router.action(PhoneChoice, on_phone)
    router.action(EditDraft, on_edit)
    router.action(SendDraft, on_send)
