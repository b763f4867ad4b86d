"""Light ratings: "Thông tin này có hữu ích không?" after answers, and after a conversation with staff.

A rating is stored with what it rates (target_kind + target_id) so the office
can see which answers people found useless. One rating per user and target:
pressing again changes it instead of counting twice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import texts
from handlers.buttons import MenuItem, Rate, RatingKind, StartHandoff
from handlers.context import Context
from handlers.messages import Button, Incoming, Reply
from handlers.personal import count, cutoff
from handlers.router import Feature, Router
from handlers.settings import HandlerSettings, RetentionSettings
from knowledge.aspects import Aspect
from knowledge.schema import Procedure
from storage.models import User
from storage.models_feedback import Handoff, Rating

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


async def _own_ended_handoff(ctx: Context, target: str) -> bool:
    if not target.isdigit() or len(target) > 18:
        return False
    handoff = await ctx.db.get(Handoff, int(target))
    return handoff is not None and handoff.user_id == ctx.user.id and handoff.status == "ended"


async def on_action(ctx: Context, msg: Incoming, action: Rate) -> list[Reply]:
    if not action.target:
        return [Reply(texts.EXPIRED_BUTTON)]
    kind, target, value = KINDS[action.kind], action.target, int(action.useful)
    if not _known_target(ctx, kind, target):
        return [Reply(texts.EXPIRED_BUTTON)]
    if kind == "handoff" and not await _own_ended_handoff(ctx, target):
        # only the citizen of an ended conversation rates it: `r:h:<id>` is easy to forge
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


async def _describe(db: AsyncSession, user: User, settings: HandlerSettings) -> list[str]:
    n = await count(db, select(func.count()).select_from(Rating).where(Rating.user_id == user.id))
    return [texts.PV_RATINGS.format(n=n)]


async def _erase(db: AsyncSession, user: User) -> None:
    """The rating stays as a count for the office; who gave it and their words go."""
    await db.execute(
        update(Rating)
        .where(Rating.user_id == user.id)
        .values(user_id=None, comment=None)
        .execution_options(synchronize_session=False)
    )


async def _purge(db: AsyncSession, now: dt.datetime, retention: RetentionSettings) -> int:
    result = await db.execute(
        update(Rating)
        .where(Rating.at < cutoff(now, retention.question_log_days), Rating.user_id.is_not(None))
        .values(user_id=None, comment=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def register(router: Router) -> None:
    router.action(Rate, on_action, in_groups=True)
    router.personal_data(
        "ratings",
        describe=_describe,
        erase=_erase,
        purge=_purge,
        columns=("ratings.user_id", "ratings.comment"),
        purpose=texts.REG_RATINGS_PURPOSE,
        basis=texts.REG_RATINGS_BASIS,
        retention="question_log",
        recipients=texts.REG_RATINGS_RECIPIENTS,
    )
