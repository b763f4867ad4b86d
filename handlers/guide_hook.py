"""Free text the guide answers outside its prompts: the resume prompt, and «chỉ tôi cách nộp online».

The resume prompt («lần trước anh/chị đang làm dở…») comes after the answer
to whatever the citizen wrote, so nothing they said is dropped. A text hook
cannot append to another handler's answer, so this one produces that answer
itself: the other hooks, then the matcher's question intent (see
`answer_elsewhere`).
"""

from __future__ import annotations

import re

from handlers import texts
from handlers.context import Context
from handlers.guide_flow import FLOW
from handlers.guide_runs import pending_notice, start
from handlers.guide_tailored import build as build_tailored
from handlers.messages import Incoming, Reply
from knowledge.matcher import detect_intent
from knowledge.normalize import fold
from knowledge.schema import Guide, Procedure

GENERAL_SUBMIT_TOPIC = "nop-truc-tuyen"
_HOWTO = re.compile(
    r"\b(chi toi|chi cho|chi minh|chi em|huong dan|cach|lam sao|lam the nao|bay cho|bay toi)\b"
)
_ONLINE = re.compile(
    r"\b(online|onl|truc tuyen|qua mang|tren mang|dich vu cong|dichvucong|vneid|dien thoai|app|internet)\b"
)
_SUBMIT = re.compile(r"\bnop\b")
_PAYMENT = re.compile(r"\b(phi|le phi|tien|thanh toan|thue|phat)\b")
# words of a "show me how to submit online" request; what is left may name a procedure
_REQUEST_WORDS = {
    "chi", "toi", "cho", "minh", "em", "cach", "huong", "dan", "nop", "ho", "so", "online", "onl",
    "truc", "tuyen", "qua", "tren", "mang", "lam", "sao", "the", "nao", "de", "voi", "a", "giup",
    "dich", "vu", "cong", "dichvucong", "app", "vneid", "dien", "thoai", "internet", "bay", "thu", "tuc",
    "muon", "can", "o", "dau", "nhu", "ntn", "ad", "admin", "nhe", "oi", "bang",
}  # fmt: skip


def _is_request_word(word: str) -> bool:
    return all(part in _REQUEST_WORDS for part in fold(word).split())


async def on_text(ctx: Context, msg: Incoming) -> list[Reply] | None:
    """Text hook: the resume prompt for users outside the flow, and "how do I submit online?"."""
    if msg.text is None:
        return None
    if not FLOW.is_active(ctx):
        notice = await pending_notice(ctx)
        if notice is not None:
            return await with_notice(ctx, msg, notice)
    return await guide_request(ctx, msg)


async def answer_elsewhere(ctx: Context, msg: Incoming) -> list[Reply]:
    """Answer free text as the dispatcher would (other hooks, then the matcher), without this hook."""
    for hook in ctx.router.text_hooks:
        if hook is on_text:
            continue
        replies = await hook(ctx, msg)
        if replies is not None:
            return replies
    guide = await guide_request(ctx, msg)
    if guide is not None:
        return guide
    return await ctx.router.intents["question"](ctx, msg)


async def with_notice(ctx: Context, msg: Incoming, notice: Reply) -> list[Reply]:
    """Put the notice after the answer to what they wrote: nothing they said is dropped."""
    intent = detect_intent((msg.text or "")[:200])
    if intent == "greeting":
        return [Reply(f"{texts.GUIDE_RESUME_GREETING}\n{notice.text}", buttons=notice.buttons)]
    if intent is not None:
        return [notice]
    waiting = FLOW.run(ctx)  # the resume prompt's state, set by pending_notice
    answer = await answer_elsewhere(ctx, msg)
    if waiting is not None and ctx.session.flow is None:
        FLOW.start(ctx, waiting.state, waiting.data)  # keep the prompt's typed yes/no working
    return [*answer, notice]


async def guide_request(ctx: Context, msg: Incoming) -> list[Reply] | None:
    """ "chỉ tôi cách nộp hồ sơ online": the tailored walkthrough if a procedure is named, else the guide."""
    text = (msg.text or "")[:300]
    folded = fold(text)
    if not (_HOWTO.search(folded) and _ONLINE.search(folded) and _SUBMIT.search(folded)):
        return None
    if _PAYMENT.search(folded):
        return None  # "cách nộp lệ phí online" is about paying: the matcher finds that guide
    from handlers.answers import render_topic
    from storage.repos import log_question

    rest = " ".join(w for w in text.split() if not _is_request_word(w))
    result = ctx.matcher.match(rest or text)
    best = result.best
    topic = ctx.kb.get(best.topic_id) if best is not None and result.decision == "answer" else None
    chosen = None
    started = False
    replies: list[Reply] = []
    if isinstance(topic, Procedure) and topic.online.level != "none":
        w = build_tailored(ctx.kb, topic)
        if w is not None:
            chosen, started = topic.id, True
            replies = [
                Reply(texts.GUIDE_REQUEST_PROCEDURE.format(name=topic.name)),
                *await start(ctx, w, topic.id),
            ]
    elif isinstance(topic, Procedure):  # named, but it cannot be done online: say so, show it
        chosen = topic.id
        replies = [
            Reply(texts.GUIDE_REQUEST_NOT_ONLINE.format(name=topic.name)),
            *await render_topic(ctx, topic.id),
        ]
    elif (not rest.strip() or isinstance(topic, Guide)) and isinstance(
        ctx.kb.get(GENERAL_SUBMIT_TOPIC), Guide
    ):
        chosen = GENERAL_SUBMIT_TOPIC
        replies = await render_topic(ctx, GENERAL_SUBMIT_TOPIC)
    if chosen is None:
        return None
    if ctx.failure_replies is None and not started:
        # as for answers: a plain topic needs nothing stored, so an unwritable question log
        # costs the citizen nothing (a walkthrough that started does need its run stored)
        ctx.failure_replies = replies
    await log_question(
        ctx.db,
        user=ctx.user,
        channel=msg.channel,
        text=text,
        normalized=result.normalized,
        decision="answer",
        topic_id=chosen,
        score=best.score if best else None,
        candidates=[{"id": c.topic_id, "score": round(c.score, 4)} for c in result.results[:5]],
    )
    return replies
