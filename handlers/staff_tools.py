"""Staff commands about the knowledge base: reload it, and see what citizens
asked that it could not answer (the list of what to write next)."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import texts
from handlers.context import Context
from handlers.messages import Incoming, Reply
from handlers.router import Feature, Router
from storage.models import QuestionLog
from storage.repos import audit

UNANSWERED_DAYS = 7
MAX_PROBLEMS_SHOWN = 10


async def unanswered_questions(
    db: AsyncSession, since: dt.datetime, limit: int = 20
) -> list[tuple[str, str, int]]:
    """(normalized text, decision, count) of fallback/clarify questions since a time."""
    rows = await db.execute(
        select(QuestionLog.normalized, QuestionLog.decision, func.count().label("n"))
        .where(QuestionLog.decision.in_(("fallback", "clarify")), QuestionLog.at >= since)
        .group_by(QuestionLog.normalized, QuestionLog.decision)
        .order_by(func.count().desc(), QuestionLog.normalized)
        .limit(limit)
    )
    return [(text, decision, n) for text, decision, n in rows.all()]


async def reload_kb(ctx: Context, msg: Incoming) -> list[Reply]:
    # off the event loop: a rebuild takes seconds (a retrain), and citizens are answered meanwhile
    ok, problems = await asyncio.to_thread(ctx.services.knowledge.reload)
    await audit(ctx.db, ctx.user_key, "kb.reload", None, ok=ok, problems=problems[:MAX_PROBLEMS_SHOWN])
    if ok:
        return [Reply(texts.KB_RELOADED.format(count=len(ctx.kb.topics)))]
    shown = "\n".join(problems[:MAX_PROBLEMS_SHOWN])
    return [Reply(texts.KB_RELOAD_FAILED.format(problems=shown))]


async def show_unanswered(ctx: Context, msg: Incoming) -> list[Reply]:
    since = ctx.now() - dt.timedelta(days=UNANSWERED_DAYS)
    rows = await unanswered_questions(ctx.db, since)
    if not rows:
        return [Reply(texts.UNANSWERED_NONE.format(days=UNANSWERED_DAYS))]
    lines = [texts.UNANSWERED_HEADER.format(days=UNANSWERED_DAYS)]
    lines += [texts.UNANSWERED_LINE.format(count=n, decision=d, text=t[:200]) for t, d, n in rows]
    return [Reply("\n".join(lines))]


FEATURE = Feature.STAFF_TOOLS


def register(router: Router) -> None:
    router.command("capnhat", reload_kb, texts.CMD_CAPNHAT, staff_only=True)
    router.command("chuatraloi", show_unanswered, texts.CMD_CHUATRALOI, staff_only=True)
