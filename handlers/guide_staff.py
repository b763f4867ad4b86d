"""Staff views of the walkthroughs: the "5 biết" funnel and the call-back list."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from handlers import texts
from handlers.buttons import CallbackDone
from handlers.context import Context
from handlers.guide_view import find_walkthrough, title_of
from handlers.menu import main_menu, menu_button
from handlers.messages import Button, Incoming, Reply
from knowledge.loader import KnowledgeBase
from knowledge.walkthrough_schema import SKILLS
from storage import guides as repo

MAX_CALLBACKS_SHOWN = 10


def funnel_text(kb: KnowledgeBase, skills: dict[str, repo.SkillFunnel], pending: int) -> str:
    lines = [texts.FUNNEL_HEADER]
    for skill in SKILLS:
        sf = skills.get(skill) or repo.SkillFunnel(skill)
        lines.append(
            texts.FUNNEL_SKILL.format(
                skill=texts.SKILL_NAMES[skill], started=sf.started, finished=sf.finished
            )
        )
        top = sf.top_stop()
        if top is None:
            lines.append(texts.FUNNEL_NO_STOP)
        else:
            wid, step_id, count = top
            w = find_walkthrough(kb, wid)
            step = w.step(step_id) if w else None
            lines.append(
                texts.FUNNEL_STOP.format(
                    walkthrough=w.title if w else wid, step=step.title if step else step_id, count=count
                )
            )
    lines.append(texts.FUNNEL_CALLBACKS.format(count=pending))
    return "\n".join(lines)


async def cmd_funnel(ctx: Context, msg: Incoming) -> list[Reply]:
    """Staff: per skill, how many citizens finished it and where most stop."""
    skills = await repo.funnel(ctx.db)
    pending = await repo.pending_callback_count(ctx.db)
    return [Reply(funnel_text(ctx.kb, skills, pending), buttons=[menu_button()])]


async def cmd_callbacks(ctx: Context, msg: Incoming) -> list[Reply]:
    """Staff: pending call-back requests, each with a button to mark it done."""
    rows_db = await repo.pending_callbacks(ctx.db)
    if not rows_db:
        return [Reply(texts.CALLBACKS_NONE, buttons=[menu_button()])]
    tz = ZoneInfo(ctx.settings.timezone)
    lines = [texts.CALLBACKS_HEADER.format(count=len(rows_db))]
    buttons: list[list[Button]] = []
    for r in rows_db[:MAX_CALLBACKS_SHOWN]:
        where = title_of(ctx.kb, r.walkthrough_id) if r.walkthrough_id != "-" else "-"
        lines.append(
            texts.CALLBACKS_LINE.format(
                id=r.id,
                phone=r.phone,
                name=r.name or "-",
                asked=r.created_at.astimezone(tz).strftime("%d/%m %H:%M"),
                where=where,
                step=r.step_id or "-",
            )
        )
        buttons.append([CallbackDone(r.id).button(texts.BTN_CALLBACK_DONE.format(id=r.id))])
    buttons.append(menu_button())
    return [Reply("\n".join(lines), buttons=buttons)]


async def on_callback_done(ctx: Context, msg: Incoming, action: CallbackDone) -> list[Reply]:
    from handlers.handoff_core import callback_done

    if not ctx.is_staff:
        return [main_menu(ctx, texts.STAFF_ONLY.format(office=ctx.kb.locality.office_name))]
    row = await callback_done(ctx.db, action.request, ctx.user_key)
    if row is None:
        return [main_menu(ctx, texts.EXPIRED_BUTTON)]
    return [Reply(texts.CALLBACK_MARKED.format(id=row.id)), *await cmd_callbacks(ctx, msg)]
