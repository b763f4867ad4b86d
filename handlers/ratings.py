"""Light ratings: "Thông tin này có hữu ích không?" after answers, and after a conversation with staff.

A rating is stored with what it rates (target_kind + target_id) so the office
can see which answers people found useless. One rating per user and target:
pressing again changes it instead of counting twice.
"""

from __future__ import annotations

from sqlalchemy import select

from handlers import texts
from handlers.buttons import MenuItem, Rate, RatingKind, StartHandoff
from handlers.context import Context
from handlers.messages import Button, Incoming, Reply
from handlers.router import Feature, Router
from knowledge.aspects import Aspect
from knowledge.schema import Procedure
from storage.models_feedback import Rating

# action letter -> target kind
KINDS: dict[RatingKind, str] = {"t": "topic", "a": "aspect", "f": "faq", "h": "handoff"}


def _known_target(ctx: Context, kind: str, target: str) -> bool:
    """Whether an answer's rating names something the base has (a forged or stale one is refused)."""
    if kind == "topic":
        return ctx.kb.get(target) is not None
    if kind in ("aspect", "faq"):
        topic_id, _, part = target.partition(".")
        topic = ctx.kb.get(topic_id)
        if not isinstance(topic, Procedure) or not part:
            return False
        if kind == "aspect":
            return part in {a.value for a in Aspect}
        return any(e.id == part for e in topic.faq)
    return True


def rating_row(kind_letter: RatingKind, target_id: str) -> list[Button]:
    """Two buttons to put under an answer: useful / not useful."""
    return [
        Rate(kind_letter, target_id, True).button(texts.RT_BTN_YES),
        Rate(kind_letter, target_id, False).button(texts.RT_BTN_NO),
    ]


async def store_rating(
    ctx: Context, kind: str, target_id: str, value: int, comment: str | None = None
) -> None:
    existing = await ctx.db.scalar(
        select(Rating).where(
            Rating.user_id == ctx.user.id, Rating.target_kind == kind, Rating.target_id == target_id
        )
    )
    if existing is None:
        ctx.db.add(
            Rating(
                user_id=ctx.user.id,
                target_kind=kind,
                target_id=target_id,
                value=value,
                comment=comment,
                at=ctx.now(),
            )
        )
    else:
        existing.value = value
        existing.at = ctx.now()
        if comment:
            existing.comment = comment


async def on_action(ctx: Context, msg: Incoming, action: Rate) -> list[Reply]:
    if not action.target:
        return [Reply(texts.EXPIRED_BUTTON)]
    kind, target, value = KINDS[action.kind], action.target, int(action.useful)
    if not _known_target(ctx, kind, target):
        return [Reply(texts.EXPIRED_BUTTON)]
    await store_rating(ctx, kind, target, value)
    from handlers.menu import main_menu

    if value == 1:
        return [Reply(texts.RT_THANKS)]
    rows = []
    if ctx.has_feature(Feature.HANDOFF):
        rows.append([StartHandoff().button(texts.RT_BTN_HUMAN)])
    if ctx.has_feature(Feature.FEEDBACK):
        rows.append([MenuItem("complaint").button(texts.MENU_COMPLAINT)])
    reply = main_menu(ctx, texts.RT_SORRY.format(hotline=ctx.kb.locality.hotline))
    return [Reply(reply.text, buttons=rows + reply.buttons)]


FEATURE = Feature.RATINGS


def register(router: Router) -> None:
    router.action(Rate, on_action)
