"""Answering questions from the knowledge base.

The first answer is compact (what, where, fee, time, online or not) because
most people read one screen on a phone; details come behind buttons.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import observe, texts
from handlers.buttons import MenuItem, ShowGroup, ShowSection, ShowTopic
from handlers.context import Context
from handlers.direct_answers import (
    Direct,
    choose_direct,
    compact_buttons,
    from_faq,
    more_buttons,
    section_buttons,
    source_line,
)
from handlers.menu import contact_text, main_menu, menu_button, reception_text
from handlers.messages import Button, Incoming, Reply
from handlers.personal import count, cutoff, local_iso
from handlers.router import Feature, Router
from handlers.settings import HandlerSettings, RetentionSettings
from handlers.topic_text import fee_summary, fees_section
from knowledge.faq import ACROSS_SCORE, best_entry
from knowledge.matcher import Candidate, MatchResult
from knowledge.schema import Guide, Procedure, Service
from storage.models import QuestionLog, User
from storage.repos import log_question

MAX_QUESTION_CHARS = 2000
CLARIFY_MAX = 4


def format_vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


def procedure_summary(p: Procedure, today: dt.date | None = None) -> str:
    portals = ", ".join(p.online.portals) or "dichvucong.gov.vn"
    lines = [
        texts.TOPIC_HEADER.format(name=p.name),
        texts.TOPIC_WHAT.format(summary=p.summary),
        texts.TOPIC_WHERE.format(agency=p.agency.name),
        texts.TOPIC_FEE.format(fee=fee_summary(p, today)),
        texts.TOPIC_TIME.format(time=p.processing_time),
        texts.TOPIC_ONLINE[p.online.level].format(portals=portals),
        "",
        texts.TOPIC_MORE,
    ]
    return "\n".join(lines)


def procedure_reply(ctx: Context, p: Procedure, direct: Direct | None = None) -> Reply:
    """The answer about a procedure: the direct answer and its source first (when the question
    asked something specific), then the compact card, the rating and at most five buttons."""
    card = procedure_summary(p, ctx.local_now().date())
    if direct is not None:
        card = f"{direct.text}\n{source_line(direct.basis, direct.source)}\n\n{card}"
    rating = direct.rating if direct is not None else ("t", p.id)
    rows = compact_buttons(ctx, p, direct.aspect if direct else None, rating)
    text = f"{card}\n\n{texts.RT_QUESTION}" if ctx.has_feature(Feature.RATINGS) else card
    return Reply(text, buttons=rows)


def direct_answer(ctx: Context, p: Procedure, text: str, question: str | None) -> Direct | None:
    return choose_direct(p, text, question, ctx.local_now().date())


def section_text(p: Procedure, section: str, today: dt.date | None = None) -> str | None:
    """The text of one detail section of a procedure, or None for an unknown section."""
    if section == "docs":
        lines = [
            texts.SECTION_DOCUMENTS.format(name=p.name),
            texts.SECTION_ELIGIBLE.format(eligible=p.eligible),
        ]
        for n, d in enumerate(p.documents, 1):
            copies = texts.DOC_COPIES.format(copies=d.copies) if d.copies > 1 else ""
            original = texts.DOC_ORIGINAL if d.original_required else ""
            line = texts.DOC_LINE.format(n=n, doc=d.name, copies=copies, original=original)
            lines.append(f"{line}. {d.note}" if d.note else line)
        return "\n".join(lines)
    if section == "fees":
        return fees_section(p, today)
    if section == "legal":
        lines = [texts.SECTION_LEGAL.format(name=p.name)] + [f"• {b}" for b in p.legal_basis]
        lines.append(
            texts.SECTION_SOURCE.format(title=p.source.title, checked=p.source.checked.strftime("%d/%m/%Y"))
        )
        if p.source.url:
            lines.append(p.source.url)
        return "\n".join(lines)
    if section == "online":
        o = p.online
        if o.level == "none":
            text = texts.SECTION_ONLINE_NONE.format(name=p.name, agency=p.agency.name)
            return f"{text}\n{o.note}" if o.note else text
        lines = [
            texts.SECTION_ONLINE.format(name=p.name),
            texts.TOPIC_ONLINE[o.level].format(portals=", ".join(o.portals) or "dichvucong.gov.vn"),
        ]
        if o.search_name:
            lines.append(texts.SECTION_ONLINE_SEARCH.format(search=o.search_name))
        lines += [f"{n}. {s}" for n, s in enumerate(o.steps, 1)]
        if o.note:
            lines.append(o.note)
        return "\n".join(lines)
    if section == "tips":
        lines = [texts.SECTION_MISTAKES.format(name=p.name)] + [f"• {m}" for m in p.mistakes]
        if p.notes:
            lines += [texts.SECTION_NOTES] + [f"• {n}" for n in p.notes]
        return "\n".join(lines)
    return None


async def render_topic(ctx: Context, topic_id: str, direct: Direct | None = None) -> list[Reply]:
    """Show a topic: a feature's renderer if one is registered, else the default
    (led by `direct`, the answer to what was asked, for a procedure)."""
    topic = ctx.kb.get(topic_id)
    if topic is None:
        return [Reply(texts.EXPIRED_BUTTON), main_menu(ctx)]
    ctx.remember("last_topic", topic_id)
    renderer = ctx.router.topic_renderers.get(topic_id) or ctx.router.topic_renderers.get(
        f"kind:{topic.kind}"
    )
    if renderer is not None:
        return await renderer(ctx, topic_id)
    if isinstance(topic, Procedure):
        return [procedure_reply(ctx, topic, direct)]
    if isinstance(topic, Service):
        return [with_rating(ctx, topic_id, service_text(ctx, topic), [menu_button()])]
    assert isinstance(topic, Guide)
    return [Reply(f"{texts.TOPIC_HEADER.format(name=topic.name)}\n{topic.intro}", buttons=[menu_button()])]


def with_rating(ctx: Context, topic_id: str, text: str, rows: list[list[Button]]) -> Reply:
    """An answer ending with "Thông tin này có hữu ích không?" and its two buttons (above the menu row).

    In the same message, so an answer stays one message; without the ratings feature, unchanged.
    """
    if not ctx.has_feature(Feature.RATINGS):
        return Reply(text, buttons=rows)
    from handlers.ratings import rating_row

    rows = list(rows)
    at = len(rows) - 1 if rows and rows[-1] == menu_button() else len(rows)
    rows.insert(at, rating_row("t", topic_id))
    return Reply(f"{text}\n\n{texts.RT_QUESTION}", buttons=rows)


def service_text(ctx: Context, topic: Service) -> str:
    loc = ctx.kb.locality
    extra = ""
    if topic.id == "lien-he":
        extra = contact_text(loc)
    elif topic.id == "lich-tiep-dan":
        extra = reception_text(loc)
    head = f"{texts.TOPIC_HEADER.format(name=topic.name)}\n{topic.body}"
    return f"{head}\n\n{extra}" if extra else head


async def on_topic_action(ctx: Context, msg: Incoming, action: ShowTopic) -> list[Reply]:
    return await render_topic(ctx, action.topic)


async def on_detail_action(ctx: Context, msg: Incoming, action: ShowSection) -> list[Reply]:
    topic = ctx.kb.get(action.topic)
    text = (
        section_text(topic, action.section, ctx.local_now().date()) if isinstance(topic, Procedure) else None
    )
    if not isinstance(topic, Procedure):
        return [Reply(texts.EXPIRED_BUTTON), main_menu(ctx)]
    if action.section == "more":
        return [Reply(texts.MORE_PROMPT.format(name=topic.name), buttons=more_buttons(ctx, topic))]
    if text is None:
        return [Reply(texts.EXPIRED_BUTTON), main_menu(ctx)]
    return [Reply(text, buttons=section_buttons(ctx, topic, action.section))]


def _groups(ctx: Context) -> list[str]:
    """Procedure groups in knowledge-base order; a button carries its index."""
    return list(dict.fromkeys(t.group for t in ctx.kb.procedures))


def group_buttons(ctx: Context) -> list[list[Button]]:
    rows = [[ShowGroup(i).button(g)] for i, g in enumerate(_groups(ctx))]
    rows.append(menu_button())
    return rows


async def on_group_action(ctx: Context, msg: Incoming, action: ShowGroup) -> list[Reply]:
    groups = _groups(ctx)
    if action.index >= len(groups):
        return [Reply(texts.EXPIRED_BUTTON), main_menu(ctx)]
    group = groups[action.index]
    rows = [[ShowTopic(t.id).button(t.name[:60])] for t in ctx.kb.procedures if t.group == group]
    rows.append(menu_button())
    return [Reply(texts.GROUP_PROMPT.format(group=group), buttons=rows)]


async def on_question(ctx: Context, msg: Incoming) -> list[Reply]:
    """Free text that is not small talk: match it and answer, clarify or apologise."""
    raw = msg.text or ""
    text = raw[:MAX_QUESTION_CHARS]
    result = ctx.matcher.match(text)
    best = result.best
    question = result.explanation.question if result.explanation else None
    direct, chosen = _direct_for(ctx, result, text, question)
    if chosen is not None:  # an FAQ entry of an offered topic answered outright
        best = chosen
    replies = await _answer(ctx, result, raw, best, direct, answered=chosen is not None)
    # The answer comes from the knowledge base alone: if the question log (or anything else
    # in this transaction) cannot be written, the citizen still gets it, not the apology.
    if ctx.failure_replies is None:
        ctx.failure_replies = replies
    await log_question(
        ctx.db,
        user=ctx.user,
        channel=msg.channel,
        text=raw,
        normalized=result.normalized,
        decision=result.decision,
        topic_id=best.topic_id if best else None,
        score=best.score if best else None,
        candidates=[{"id": c.topic_id, "score": round(c.score, 4)} for c in result.results[:5]],
        at=ctx.now(),
        aspect=direct.aspect.value if direct is not None and direct.aspect else None,
        faq_id=direct.faq_key if direct is not None else None,
    )
    observe.decision(result.decision, best.topic_id if best and result.decision == "answer" else None)
    return replies


async def _answer(
    ctx: Context,
    result: MatchResult,
    raw: str,
    best: Candidate | None,
    direct: Direct | None,
    *,
    answered: bool,
) -> list[Reply]:
    """The answer (led by `direct`), clarification or apology for a matched question."""
    prefix = [Reply(texts.TEXT_TOO_LONG)] if len(raw) > MAX_QUESTION_CHARS else []
    if (result.decision == "answer" or answered) and best is not None:
        return prefix + await render_topic(ctx, best.topic_id, direct)
    if result.decision == "clarify" and result.results:
        rows = [[ShowTopic(c.topic_id).button(c.name[:60])] for c in result.results[:CLARIFY_MAX]]
        rows.append([MenuItem("ask").button(texts.CLARIFY_NONE)])
        return [*prefix, Reply(texts.CLARIFY, buttons=rows)]
    loc = ctx.kb.locality
    sorry = texts.FALLBACK.format(office=loc.office_name, hotline=loc.hotline)
    if result.not_covered is not None:  # a known procedure without a guide here (logged as fallback)
        nc = result.not_covered
        sorry = texts.NOT_COVERED.format(
            name=nc.name, search_name=nc.search_name, office=loc.office_name, hotline=loc.hotline
        )
    if ctx.has_feature(Feature.FEEDBACK):
        sorry = f"{sorry}\n{texts.FALLBACK_COMPLAINT_HINT}"
    return [*prefix, main_menu(ctx, sorry)]


def _direct_for(
    ctx: Context, result: MatchResult, text: str, question: str | None
) -> tuple[Direct | None, Candidate | None]:
    """The direct answer, and (when the matcher only offered topics) the candidate whose FAQ
    entry the question repeats almost word for word: specific enough to answer, not clarify."""
    best = result.best
    if result.decision == "answer" and best is not None:
        topic = ctx.kb.get(best.topic_id)
        return (direct_answer(ctx, topic, text, question) if isinstance(topic, Procedure) else None), None
    if result.decision == "clarify":
        for candidate in result.results[:CLARIFY_MAX]:
            topic = ctx.kb.get(candidate.topic_id)
            if isinstance(topic, Procedure):
                hit = best_entry(topic, text, question, threshold=ACROSS_SCORE)
                if hit is not None:
                    return from_faq(hit), candidate
    return None, None


FEATURE = Feature.ANSWERS


async def _describe_questions(db: AsyncSession, user: User, settings: HandlerSettings) -> list[str]:
    n = await count(db, select(func.count()).select_from(QuestionLog).where(QuestionLog.user_id == user.id))
    return [texts.PV_QUESTIONS.format(n=n)]


async def _export_questions(db: AsyncSession, user: User, settings: HandlerSettings) -> list[dict[str, Any]]:
    rows = await db.scalars(
        select(QuestionLog).where(QuestionLog.user_id == user.id).order_by(QuestionLog.id)
    )
    return [{"at": local_iso(q.at, settings.timezone), "text": q.text, "topic": q.topic_id} for q in rows]


async def _erase_questions(db: AsyncSession, user: User) -> None:
    await db.execute(delete(QuestionLog).where(QuestionLog.user_id == user.id))


async def _purge_questions(db: AsyncSession, now: dt.datetime, retention: RetentionSettings) -> int:
    result = await db.execute(
        delete(QuestionLog).where(QuestionLog.at < cutoff(now, retention.question_log_days))
    )
    return int(getattr(result, "rowcount", 0) or 0)


def register(router: Router) -> None:
    router.action(ShowTopic, on_topic_action, in_groups=True)
    router.action(ShowSection, on_detail_action, in_groups=True)
    router.action(ShowGroup, on_group_action, in_groups=True)
    router.intent("question", on_question)
    router.personal_data(
        "question_log",
        describe=_describe_questions,
        export=_export_questions,
        erase=_erase_questions,
        purge=_purge_questions,
        columns=(
            "question_log.user_id",
            "question_log.text",
            "question_log.normalized",
            "question_log.candidates",
        ),
        purpose=texts.REG_QUESTION_LOG_PURPOSE,
        basis=texts.REG_QUESTION_LOG_BASIS,
        retention="question_log",
        recipients=texts.REG_QUESTION_LOG_RECIPIENTS,
    )
