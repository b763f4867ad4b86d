"""Step-by-step walkthroughs ("hướng dẫn từng bước", the "5 biết"): one step per message.

A walkthrough is data (knowledge/data/*.yaml, or generated per procedure by
handlers/guide_tailored.py). A citizen's progress is a `guide_runs` row
(storage/guides.py), so it survives restarts and days of silence; the session
flow only says which answer the bot is waiting for. The feature is split
along its seams:

  guide_actions.py   the buttons, as typed codecs (prefix "g")
  guide_view.py      finding walkthroughs, rendering a step and its buttons
  guide_runs.py      the runner: start, move, stop, resume, expiry
  guide_flow.py      the states the bot waits in, and what cancelling each does
  guide_prompts.py   the typed answers of each state; call-back requests
  guide_hook.py      free text: the resume prompt, «chỉ tôi cách nộp online»
  guide_staff.py     staff: the funnel, the call-back list
  guide.py           entry points and registration (this file)
"""

from __future__ import annotations

from handlers import texts
from handlers.buttons import CallbackDone, SubmitGuide
from handlers.context import Context
from handlers.guide_actions import (
    AskCallback,
    BackStep,
    ChooseOption,
    ContinueGuide,
    DeclineCallback,
    DoneNo,
    DoneYes,
    FiveSkills,
    ListGuides,
    NextStep,
    RateGuide,
    RestartGuide,
    SkipComment,
    Solved,
    StartWalkthrough,
    StillStuck,
    StopGuide,
    Stuck,
)
from handlers.guide_flow import FLOW
from handlers.guide_hook import GENERAL_SUBMIT_TOPIC, on_text
from handlers.guide_privacy import register as register_personal_data
from handlers.guide_prompts import (
    after_rating,
    ask_callback,
    decline_callback,
    done_answer,
    next_call_window,
    rate,
)
from handlers.guide_runs import current, list_row, move, resume, start, stop
from handlers.guide_staff import cmd_callbacks, cmd_funnel, funnel_text, on_callback_done
from handlers.guide_tailored import build as build_tailored
from handlers.guide_tailored import procedure_of
from handlers.guide_view import (
    all_walkthroughs,
    find_walkthrough,
    five_button,
    label,
    list_rows,
    next_skill_offer,
    skill_of,
    title_of,
)
from handlers.menu import main_menu, menu_button
from handlers.messages import Button, Incoming, Reply
from handlers.router import Feature, HookPriority, Router
from knowledge.schema import Guide, Procedure
from knowledge.walkthrough_schema import SKILLS
from storage import guides as repo


# ---------------------------------------------------------------- entry points
async def cmd_list(ctx: Context, msg: Incoming) -> list[Reply]:
    """/huongdan (and the menu's "Hướng dẫn từng bước"): every walkthrough, by skill."""
    walkthroughs = all_walkthroughs(ctx.kb)
    run = (await current(ctx)).run
    if not walkthroughs and run is None:
        from handlers.menu import contact_reply

        return [Reply(texts.GUIDE_NONE_AVAILABLE), contact_reply(ctx)]
    rows = [*list_rows(ctx, run, walkthroughs), five_button(), menu_button()]
    return [Reply(f"{texts.GUIDE_LIST_HEADER}\n{texts.GUIDE_LIST_SPECIFIC}", buttons=rows)]


async def cmd_five(ctx: Context, msg: Incoming) -> list[Reply]:
    """/5biet: the five skills with the user's own progress, and the next one to learn."""
    done = await repo.finished_skills(ctx.db, ctx.user.id)
    finished = await repo.finished_walkthroughs(ctx.db, ctx.user.id)
    now_ = await current(ctx)
    run, w = now_.run, now_.walkthrough
    lines = [texts.FIVE_HEADER]
    for n, skill in enumerate(SKILLS, 1):
        name = texts.SKILL_NAMES[skill]
        if skill in done:
            lines.append(texts.FIVE_DONE.format(n=n, skill=name))
            titles = sorted(title_of(ctx.kb, wid) for wid in finished if skill_of(ctx.kb, wid) == skill)
            if titles:
                lines.append(texts.FIVE_FINISHED_LIST.format(titles="; ".join(titles)))
        elif run is not None and w is not None and run.skill == skill:
            k = len(run.history) + 1
            lines.append(texts.FIVE_ACTIVE.format(n=n, skill=name, k=k, m=k + w.remaining(run.step_id)))
        else:
            lines.append(texts.FIVE_TODO.format(n=n, skill=name))
    lines.append(texts.FIVE_COUNT.format(done=len(done & set(SKILLS))))
    rows: list[list[Button]] = []
    if run is not None and w is not None:
        rows.append([ContinueGuide().button(label(texts.BTN_GUIDE_CONTINUE.format(title=w.title)))])
    offer, offer_rows = await next_skill_offer(ctx)
    lines.append(offer)
    five = FiveSkills().pack()
    rows += [r for r in offer_rows if r[0].action != five]
    rows += [list_row(), menu_button()]
    return [Reply("\n".join(lines), buttons=rows)]


async def render_guide(ctx: Context, topic_id: str) -> list[Reply]:
    """A guide topic (matched from a question): its intro and its walkthroughs as buttons."""
    topic = ctx.kb.get(topic_id)
    if not isinstance(topic, Guide):
        return [main_menu(ctx, texts.EXPIRED_BUTTON)]
    run = (await current(ctx)).run
    lines = [texts.TOPIC_HEADER.format(name=topic.name), topic.intro]
    if topic.id == GENERAL_SUBMIT_TOPIC:
        lines.append(texts.GUIDE_LIST_SPECIFIC)
    if topic.walkthroughs:
        lines.append(texts.GUIDE_TOPIC_CHOOSE)
    rows = [*list_rows(ctx, run, topic.walkthroughs), list_row(), menu_button()]
    return [Reply("\n".join(lines), buttons=rows)]


# ---------------------------------------------------------------- buttons
async def on_start(ctx: Context, msg: Incoming, action: StartWalkthrough) -> list[Reply]:
    w = find_walkthrough(ctx.kb, action.walkthrough) if not procedure_of(action.walkthrough) else None
    if w is None:
        return [Reply(texts.GUIDE_UNKNOWN), *await cmd_list(ctx, msg)]
    return await start(ctx, w)


async def on_submit(ctx: Context, msg: Incoming, action: SubmitGuide) -> list[Reply]:
    procedure = ctx.kb.get(action.topic)
    w = build_tailored(ctx.kb, procedure) if isinstance(procedure, Procedure) else None
    if w is None:
        return [Reply(texts.GUIDE_UNKNOWN), *await cmd_list(ctx, msg)]
    return await start(ctx, w, procedure_id=action.topic)


async def on_next(ctx: Context, msg: Incoming, action: NextStep) -> list[Reply]:
    return await move(ctx, "next", action.step)


async def on_back(ctx: Context, msg: Incoming, action: BackStep) -> list[Reply]:
    return await move(ctx, "back", action.step)


async def on_choose(ctx: Context, msg: Incoming, action: ChooseOption) -> list[Reply]:
    return await move(ctx, "choice", action.step, action.index)


async def on_stuck(ctx: Context, msg: Incoming, action: Stuck) -> list[Reply]:
    return await move(ctx, "stuck", action.step)


async def on_solved(ctx: Context, msg: Incoming, action: Solved) -> list[Reply]:
    return await move(ctx, "solved", action.step)


async def on_still_stuck(ctx: Context, msg: Incoming, action: StillStuck) -> list[Reply]:
    return await move(ctx, "help", action.step)


async def on_stop(ctx: Context, msg: Incoming, action: StopGuide) -> list[Reply]:
    return await stop(ctx)


async def on_continue(ctx: Context, msg: Incoming, action: ContinueGuide) -> list[Reply]:
    return await resume(ctx, restart=False)


async def on_restart(ctx: Context, msg: Incoming, action: RestartGuide) -> list[Reply]:
    return await resume(ctx, restart=True)


async def on_list(ctx: Context, msg: Incoming, action: ListGuides) -> list[Reply]:
    return await cmd_list(ctx, msg)


async def on_five(ctx: Context, msg: Incoming, action: FiveSkills) -> list[Reply]:
    return await cmd_five(ctx, msg)


async def on_done_yes(ctx: Context, msg: Incoming, action: DoneYes) -> list[Reply]:
    return await done_answer(ctx, True)


async def on_done_no(ctx: Context, msg: Incoming, action: DoneNo) -> list[Reply]:
    return await done_answer(ctx, False)


async def on_rate(ctx: Context, msg: Incoming, action: RateGuide) -> list[Reply]:
    return await rate(ctx, action.value)


async def on_skip_comment(ctx: Context, msg: Incoming, action: SkipComment) -> list[Reply]:
    return await after_rating(ctx, texts.GUIDE_THANKS_NO_COMMENT)


async def on_ask_callback(ctx: Context, msg: Incoming, action: AskCallback) -> list[Reply]:
    return await ask_callback(ctx)


async def on_decline_callback(ctx: Context, msg: Incoming, action: DeclineCallback) -> list[Reply]:
    return await decline_callback(ctx)


FEATURE = Feature.GUIDE


def register(router: Router) -> None:
    router.action(StartWalkthrough, on_start)
    router.action(SubmitGuide, on_submit)
    router.action(NextStep, on_next)
    router.action(BackStep, on_back)
    router.action(ChooseOption, on_choose)
    router.action(Stuck, on_stuck)
    router.action(Solved, on_solved)
    router.action(StillStuck, on_still_stuck)
    router.action(StopGuide, on_stop)
    router.action(ContinueGuide, on_continue)
    router.action(RestartGuide, on_restart)
    router.action(ListGuides, on_list)
    router.action(FiveSkills, on_five)
    router.action(DoneYes, on_done_yes)
    router.action(DoneNo, on_done_no)
    router.action(RateGuide, on_rate)
    router.action(SkipComment, on_skip_comment)
    router.action(AskCallback, on_ask_callback)
    router.action(DeclineCallback, on_decline_callback)
    router.action(CallbackDone, on_callback_done)
    router.command("huongdan", cmd_list, texts.CMD_HUONGDAN)
    router.command("5biet", cmd_five, texts.CMD_5BIET)
    router.command("thongkehuongdan", cmd_funnel, texts.CMD_GUIDE_FUNNEL, staff_only=True)
    router.command("goilai", cmd_callbacks, texts.CMD_GUIDE_CALLBACKS, staff_only=True)
    router.flow(FLOW)
    router.topic("kind:guide", render_guide)
    router.text_hook("guide.resume_or_request", on_text, priority=HookPriority.RESUME)
    register_personal_data(router)


__all__ = [
    "all_walkthroughs",
    "find_walkthrough",
    "funnel_text",
    "next_call_window",
    "register",
    "start",
]
