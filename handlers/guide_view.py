"""Finding walkthroughs and showing them: one step per message, with its buttons."""

from __future__ import annotations

from handlers import texts
from handlers.actions import Action
from handlers.buttons import SubmitGuide
from handlers.context import Context
from handlers.guide_actions import (
    AskCallback,
    BackStep,
    ChooseOption,
    ContinueGuide,
    FiveSkills,
    NextStep,
    Solved,
    StartWalkthrough,
    StillStuck,
    StopGuide,
    Stuck,
)
from handlers.guide_tailored import build as build_tailored
from handlers.guide_tailored import procedure_of
from handlers.menu import format_hours, menu_button
from handlers.messages import Button, LinkButton, Reply
from knowledge.loader import KnowledgeBase
from knowledge.schema import Procedure
from knowledge.walkthrough_schema import SKILLS, Walkthrough
from storage import guides as repo
from storage.models_guides import GuideRun


# ---------------------------------------------------------------- walkthrough lookup
def all_walkthroughs(kb: KnowledgeBase) -> list[Walkthrough]:
    """The YAML walkthroughs, in the order of the "5 biết" skills."""
    items = [w for g in kb.guides for w in g.walkthroughs]
    return sorted(items, key=lambda w: SKILLS.index(w.skill))


def find_walkthrough(kb: KnowledgeBase, wid: str) -> Walkthrough | None:
    pid = procedure_of(wid)
    if pid is not None:
        procedure = kb.get(pid)
        return build_tailored(kb, procedure) if isinstance(procedure, Procedure) else None
    for w in all_walkthroughs(kb):
        if w.id == wid:
            return w
    return None


def start_action(wid: str) -> Action:
    """The button action that starts walkthrough `wid` (tailored ones by their procedure)."""
    pid = procedure_of(wid)
    return SubmitGuide(pid) if pid else StartWalkthrough(wid)


def title_of(kb: KnowledgeBase, wid: str) -> str:
    w = find_walkthrough(kb, wid)
    return w.title if w else wid


def skill_of(kb: KnowledgeBase, wid: str) -> str | None:
    w = find_walkthrough(kb, wid)
    return w.skill if w else None


def label(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def start_button(wid: str, text: str) -> list[Button]:
    return [start_action(wid).button(label(text))]


# ---------------------------------------------------------------- rendering
def step_reply(ctx: Context, w: Walkthrough, run: GuideRun, note: str | None = None) -> Reply:
    """One step as one message, with the buttons that move the run; records a 'view' event."""
    step = w.step(run.step_id) or w.first
    k = len(run.history) + 1
    n = k + w.remaining(step.id)
    parts: list[str] = []
    if note:
        parts.append(note)
    if not run.history:
        parts.append(texts.GUIDE_WALKTHROUGH_HEAD.format(title=w.title))
        if w.summary:
            parts.append(w.summary)
    parts.append(texts.GUIDE_STEP_HEAD.format(k=k, n=n, title=step.title))
    parts.append(step.text)
    if step.tap:
        parts.append(texts.GUIDE_TAP.format(tap=step.tap))
    if step.screen:
        parts.append(texts.GUIDE_SCREEN.format(screen=step.screen))
    rows: list[list[Button]] = []
    if step.choices:
        rows += [[ChooseOption(step.id, i).button(label(c.label))] for i, c in enumerate(step.choices)]
    elif step.is_end and not step.completes:
        rows.append([NextStep(step.id).button(texts.BTN_GUIDE_UNDERSTOOD)])
    else:
        text = texts.BTN_GUIDE_FINISH if step.is_end else texts.BTN_GUIDE_NEXT
        rows.append([NextStep(step.id).button(text)])
    nav = [BackStep(step.id).button(texts.BTN_GUIDE_BACK)] if run.history else []
    nav.append(Stuck(step.id).button(texts.BTN_GUIDE_STUCK))
    rows.append(nav)
    rows += see_rows(ctx, step.see)
    rows.append([StopGuide().button(texts.BTN_GUIDE_STOP)])
    if not run.history and not step.choices:
        parts.append(texts.GUIDE_STEP_HINT)
    links = [LinkButton(texts.GUIDE_LINK_LABEL, step.link)] if step.link else []
    repo.record(ctx.db, run, "view", step_id=step.id, at=ctx.now())
    return Reply("\n".join(parts), buttons=rows, links=links)


def see_rows(ctx: Context, see: str | None) -> list[list[Button]]:
    """The button to a related walkthrough a step points at, if it exists."""
    other = find_walkthrough(ctx.kb, see) if see else None
    if other is None:
        return []
    return [start_button(other.id, texts.BTN_GUIDE_SEE.format(title=other.title))]


def problems_reply(step_id: str, step_title: str, problems: list[tuple[str, str]]) -> Reply:
    lines = [texts.GUIDE_PROBLEMS_HEADER.format(step=step_title)]
    lines += [texts.GUIDE_PROBLEM_LINE.format(n=i, title=t, fix=f) for i, (t, f) in enumerate(problems, 1)]
    lines.append(texts.GUIDE_PROBLEMS_FOOTER)
    rows = [
        [Solved(step_id).button(texts.BTN_GUIDE_SOLVED)],
        [StillStuck(step_id).button(texts.BTN_GUIDE_STILL_STUCK)],
    ]
    return Reply("\n\n".join(lines), buttons=rows)


def list_rows(ctx: Context, run: GuideRun | None, walkthroughs: list[Walkthrough]) -> list[list[Button]]:
    rows: list[list[Button]] = []
    if run is not None:
        title = title_of(ctx.kb, run.walkthrough_id)
        rows.append([ContinueGuide().button(label(texts.BTN_GUIDE_CONTINUE.format(title=title)))])
    rows += [start_button(w.id, w.title) for w in walkthroughs]
    return rows


def help_reply(ctx: Context, step_id: str | None) -> Reply:
    """Still stuck: the office's contact, a call-back offer, a way back to the step."""
    loc = ctx.kb.locality
    text = texts.GUIDE_HELP.format(
        office=loc.office_name, hotline=loc.hotline, address=loc.address, hours=format_hours(loc)
    )
    rows = [[AskCallback().button(texts.BTN_GUIDE_CALLBACK)]]
    if step_id:
        rows.append([Solved(step_id).button(texts.BTN_GUIDE_BACK_TO_STEP)])
    rows.append(menu_button())
    return Reply(text, buttons=rows, links=[LinkButton(link.label, link.url) for link in loc.links])


def five_button() -> list[Button]:
    return [FiveSkills().button(texts.BTN_GUIDE_5BIET)]


async def next_skill_offer(ctx: Context) -> tuple[str, list[list[Button]]]:
    """The next "5 biết" skill to learn, with a button to its first walkthrough."""
    done = await repo.finished_skills(ctx.db, ctx.user.id)
    walkthroughs = all_walkthroughs(ctx.kb)
    for skill in SKILLS:
        if skill in done:
            continue
        options = [w for w in walkthroughs if w.skill == skill]
        if options:
            first = options[0]
            rows = [
                start_button(first.id, texts.BTN_GUIDE_LEARN_NEXT.format(title=first.title)),
                five_button(),
            ]
            return texts.FIVE_NEXT.format(skill=texts.SKILL_NAMES[skill]), rows
    return texts.FIVE_ALL_DONE, [five_button()]
