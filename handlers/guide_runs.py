"""The walkthrough runner: a citizen's `guide_runs` row moved one step at a time.

The row survives restarts and days of silence; every move is checked against
the step it was made on, the walkthrough's current version (an edit under a
run restarts it politely) and the expiry. Cancelling at a step or at the
resume prompt stops the run and says which walkthrough was stopped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from handlers import texts
from handlers.context import Context
from handlers.guide_actions import ContinueGuide, DoneNo, DoneYes, ListGuides, RestartGuide, StopGuide
from handlers.guide_flow import FLOW, Wait, WaitRun, waiting_for
from handlers.guide_view import (
    find_walkthrough,
    five_button,
    help_reply,
    problems_reply,
    see_rows,
    start_button,
    step_reply,
    title_of,
)
from handlers.menu import menu_button
from handlers.messages import Button, Reply
from knowledge.walkthrough_schema import Step, Walkthrough
from storage import guides as repo
from storage.models_guides import ACTIVE, DETOUR, EXPIRED, FINISHED, STOPPED, GuideRun

# Session memory says whether the user has an active run, so the text hook does not
# query guide_runs on every message of every user (it ran on each question).
ACTIVE_MEMORY = "guide_active"
Verb = Literal["next", "back", "choice", "stuck", "solved", "help"]


@dataclass(frozen=True)
class Current:
    """The active run after expiry and knowledge-edit checks (None when there is none)."""

    run: GuideRun | None = None
    walkthrough: Walkthrough | None = None
    note: str | None = None  # the walkthrough was edited under the run: it starts again
    expired: Reply | None = None  # the run just expired: the polite notice


def touch(ctx: Context, run: GuideRun) -> None:
    run.updated_at = ctx.now()


def close(ctx: Context, run: GuideRun, status: str, event: str, **detail: str) -> None:
    ctx.remember(ACTIVE_MEMORY, False)
    run.status = status
    run.updated_at = ctx.now()
    if status in (FINISHED, DETOUR):
        run.finished_at = ctx.now()
    repo.record(ctx.db, run, event, at=ctx.now(), **detail)


def expire(ctx: Context, run: GuideRun) -> Reply:
    started = run.started_at.astimezone(ctx.local_now().tzinfo)
    close(ctx, run, EXPIRED, "expire")
    FLOW.end(ctx)
    title = title_of(ctx.kb, run.walkthrough_id)
    text = texts.GUIDE_EXPIRED.format(
        title=title, date=started.strftime("%d/%m/%Y"), days=ctx.settings.guide_expiry_days
    )
    again = start_button(run.walkthrough_id, texts.BTN_GUIDE_START_AGAIN.format(title=title))
    return Reply(text, buttons=[again, menu_button()])


async def current(ctx: Context) -> Current:
    """The active run with its walkthrough; an expired run or a vanished walkthrough is closed."""
    run = await repo.latest_active_run(ctx.db, ctx.user.id)
    if run is None:
        return Current()
    if ctx.now() - run.updated_at >= dt.timedelta(days=ctx.settings.guide_expiry_days):
        return Current(expired=expire(ctx, run))
    w = find_walkthrough(ctx.kb, run.walkthrough_id)
    if w is None:
        close(ctx, run, STOPPED, "stop", reason="missing")
        return Current()
    known = {s.id for s in w.steps}
    if run.step_id not in known or any(h not in known for h in run.history):
        run.step_id = w.first.id
        run.history = []
        touch(ctx, run)
        repo.record(ctx.db, run, "reset", at=ctx.now())
        return Current(run, w, note=texts.GUIDE_CHANGED.format(title=w.title))
    return Current(run, w)


async def start(ctx: Context, w: Walkthrough, procedure_id: str | None = None) -> list[Reply]:
    """Begin a walkthrough (or continue it when it is the one already under way)."""
    replies: list[Reply] = []
    now_ = await current(ctx)
    if now_.run is not None and now_.run.walkthrough_id == w.id:
        waiting_for(ctx, Wait.WALKING, now_.run.id)
        head = Reply(texts.GUIDE_ALREADY_HERE, buttons=[[RestartGuide().button(texts.BTN_GUIDE_RESTART)]])
        return [head, step_reply(ctx, now_.walkthrough or w, now_.run, note=now_.note)]
    if now_.run is not None:
        title = now_.walkthrough.title if now_.walkthrough else now_.run.walkthrough_id
        close(ctx, now_.run, STOPPED, "stop", reason="switched")
        replies.append(Reply(texts.GUIDE_SWITCHED.format(title=title)))
    now = ctx.now()
    run = GuideRun(
        user_id=ctx.user.id,
        walkthrough_id=w.id,
        skill=w.skill,
        procedure_id=procedure_id,
        status=ACTIVE,
        step_id=w.first.id,
        history=[],
        started_at=now,
        updated_at=now,
    )
    ctx.db.add(run)
    await ctx.db.flush()
    ctx.remember(ACTIVE_MEMORY, True)
    repo.record(ctx.db, run, "start", at=now)
    waiting_for(ctx, Wait.WALKING, run.id)
    return [*replies, step_reply(ctx, w, run)]


def _finish(ctx: Context, run: GuideRun, w: Walkthrough, step: Step) -> list[Reply]:
    if not step.completes:
        close(ctx, run, DETOUR, "detour")
        FLOW.end(ctx)
        rows = [*see_rows(ctx, step.see), five_button(), menu_button()]
        return [Reply(texts.GUIDE_DETOUR_END.format(title=w.title), buttons=rows)]
    close(ctx, run, FINISHED, "finish")
    waiting_for(ctx, Wait.DONE, run.id)
    rows = [[DoneYes().button(texts.BTN_GUIDE_DONE_YES)], [DoneNo().button(texts.BTN_GUIDE_DONE_NO)]]
    return [Reply(texts.GUIDE_FINISHED.format(title=w.title), buttons=rows)]


async def move(ctx: Context, verb: Verb, step_id: str, index: int | None = None) -> list[Reply]:
    """next / back / choice / stuck / solved / still stuck on the active run, made on `step_id`."""
    now_ = await current(ctx)
    run, w = now_.run, now_.walkthrough
    if run is None or w is None:
        return no_active(ctx, now_.expired)
    waiting_for(ctx, Wait.WALKING, run.id)
    step = w.step(run.step_id) or w.first
    if now_.note or step_id != step.id:
        return [step_reply(ctx, w, run, note=now_.note or texts.GUIDE_OLD_BUTTON)]
    now = ctx.now()
    if verb == "next":
        if step.choices:
            return [step_reply(ctx, w, run, note=texts.GUIDE_CHOOSE_ONE)]
        if step.is_end:
            return _finish(ctx, run, w, step)
        repo.record(ctx.db, run, "next", step_id=step.id, at=now)
        run.history = [*run.history, step.id]
        run.step_id = step.next or step.id
    elif verb == "back":
        if not run.history:
            return [step_reply(ctx, w, run, note=texts.GUIDE_FIRST_STEP)]
        repo.record(ctx.db, run, "back", step_id=step.id, at=now)
        run.step_id = run.history[-1]
        run.history = run.history[:-1]
    elif verb == "choice":
        if index is None or index >= len(step.choices):
            return [step_reply(ctx, w, run, note=texts.GUIDE_OLD_BUTTON)]
        choice = step.choices[index]
        repo.record(ctx.db, run, "choice", step_id=step.id, at=now, label=choice.label)
        run.history = [*run.history, step.id]
        run.step_id = choice.next
    elif verb == "stuck":
        repo.record(ctx.db, run, "stuck", step_id=step.id, at=now)
        touch(ctx, run)
        if not step.problems:
            return [Reply(texts.GUIDE_NO_PROBLEMS.format(step=step.title)), help_reply(ctx, step.id)]
        return [problems_reply(step.id, step.title, [(p.title, p.fix) for p in step.problems])]
    elif verb == "solved":
        repo.record(ctx.db, run, "solved", step_id=step.id, at=now)
    elif verb == "help":
        repo.record(ctx.db, run, "help", step_id=step.id, at=now)
        touch(ctx, run)
        return [help_reply(ctx, step.id)]
    touch(ctx, run)
    return [step_reply(ctx, w, run)]


def list_row() -> list[Button]:
    return [ListGuides().button(texts.BTN_GUIDE_ALL)]


def no_active(ctx: Context, expired: Reply | None = None) -> list[Reply]:
    """No walkthrough under way: say why (it expired, or ended) and offer the list."""
    FLOW.end(ctx)
    text = expired.text if expired is not None else texts.GUIDE_NO_ACTIVE
    return [Reply(text, buttons=[list_row(), menu_button()])]


async def resume(ctx: Context, restart: bool) -> list[Reply]:
    now_ = await current(ctx)
    run, w = now_.run, now_.walkthrough
    if run is None or w is None:
        return no_active(ctx, now_.expired)
    if restart:
        run.history = []
        run.step_id = w.first.id
    repo.record(ctx.db, run, "restart" if restart else "resume", at=ctx.now())
    touch(ctx, run)
    waiting_for(ctx, Wait.WALKING, run.id)
    return [step_reply(ctx, w, run, note=now_.note)]


async def stop(ctx: Context) -> list[Reply]:
    now_ = await current(ctx)
    run = now_.run
    if run is None:
        return no_active(ctx, now_.expired)
    close(ctx, run, STOPPED, "stop", reason="user")
    FLOW.end(ctx)
    title = now_.walkthrough.title if now_.walkthrough else run.walkthrough_id
    return [Reply(texts.GUIDE_STOPPED.format(title=title), buttons=[list_row(), menu_button()])]


@FLOW.cancelling(Wait.WALKING, Wait.RESUME)
async def cancel_walkthrough(ctx: Context, flow_run: WaitRun) -> list[Reply]:
    """«hủy», «thôi», /huy at a step or at the resume prompt: the walkthrough is stopped."""
    active = await repo.latest_active_run(ctx.db, ctx.user.id)
    if active is None:
        return [Reply(texts.GUIDE_CANCELLED, buttons=[list_row(), menu_button()])]
    return await stop(ctx)


# ---------------------------------------------------------------- resume prompt and expiry
async def pending_notice(ctx: Context) -> Reply | None:
    """A "continue where you left off?" prompt, or the polite expiry notice, once per absence."""
    if ctx.memory(ACTIVE_MEMORY) is False:
        return None
    run = await repo.latest_active_run(ctx.db, ctx.user.id)
    if run is None:
        ctx.remember(ACTIVE_MEMORY, False)
        return None
    age = ctx.now() - run.updated_at
    if age >= dt.timedelta(days=ctx.settings.guide_expiry_days):
        return expire(ctx, run)
    if age < dt.timedelta(hours=ctx.settings.guide_resume_after_hours):
        return None
    if run.prompted_at is not None and run.prompted_at >= run.updated_at:
        return None
    w = find_walkthrough(ctx.kb, run.walkthrough_id)
    if w is None:
        close(ctx, run, STOPPED, "stop", reason="missing")
        return None
    step = w.step(run.step_id) or w.first
    k = len(run.history) + 1 if w.step(run.step_id) else 1
    run.prompted_at = ctx.now()
    repo.record(ctx.db, run, "prompt", at=ctx.now())
    if ctx.session.flow in (None, FLOW.name):
        waiting_for(ctx, Wait.RESUME, run.id)
    text = texts.GUIDE_RESUME_PROMPT.format(title=w.title, k=k, n=k + w.remaining(step.id), step=step.title)
    rows = [
        [ContinueGuide().button(texts.BTN_GUIDE_RESUME)],
        [RestartGuide().button(texts.BTN_GUIDE_RESTART)],
        [StopGuide().button(texts.BTN_GUIDE_NO_RESUME)],
    ]
    return Reply(text, buttons=rows)
