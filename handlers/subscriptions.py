"""/dangky and /huy: citizens choose which announcements they receive (explicit opt-in).

Nothing is ever sent to a citizen who did not tick a topic here. The choice is
a draft in the flow until «Xong», so a half-finished menu changes nothing.
Both commands end by saying what the user is subscribed to now.

Actions (prefix "s"): s:t:<topic> toggle, s:a area picker, s:ap:<n> pick area n,
s:an no area, s:ok save, s:x leave unchanged, s:u:<topic> / s:ua / s:uall unsubscribe.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import texts
from handlers.actions import Action
from handlers.context import Context
from handlers.flow import Flow, Run
from handlers.messages import Incoming, Reply
from handlers.router import Feature, HookPriority, Router
from handlers.settings import HandlerSettings
from knowledge.normalize import fold
from storage.models import User
from storage.outbox import DEFAULT_TOPIC, TOPIC_KEYS, set_subscriptions
from storage.privacy import record_consent


# ---------------------------------------------------------------- buttons
@dataclass(frozen=True)
class ToggleTopic(Action, prefix="s:t"):
    topic: str


@dataclass(frozen=True)
class AreaMenu(Action, prefix="s:a"):
    pass


@dataclass(frozen=True)
class PickArea(Action, prefix="s:ap"):
    index: int


@dataclass(frozen=True)
class NoArea(Action, prefix="s:an"):
    pass


@dataclass(frozen=True)
class SaveChoice(Action, prefix="s:ok"):
    pass


@dataclass(frozen=True)
class KeepAsIs(Action, prefix="s:x"):
    pass


@dataclass(frozen=True)
class UnsubscribeTopic(Action, prefix="s:u"):
    topic: str


@dataclass(frozen=True)
class UnsubscribeArea(Action, prefix="s:ua"):
    pass


@dataclass(frozen=True)
class UnsubscribeAll(Action, prefix="s:uall"):
    pass


# ---------------------------------------------------------------- the chooser flow
class Step(StrEnum):
    CHOOSING = "choosing"


class Choice(BaseModel):
    """The ticked topics and area: a draft until «Xong», so a half-finished menu changes nothing."""

    topics: list[str] = []
    area: str | None = None


def _cancelled(ctx: Context, run: Run[Step, Choice]) -> list[Reply]:
    return [Reply(texts.SUB_KEPT.format(now=_user_now(ctx)))]


FLOW: Flow[Step, Choice] = Flow("subscribe", Step, Choice, cancelled=_cancelled)

# Free text that means the same as the commands (folded: no diacritics, lower case).
_SUBSCRIBE_PHRASES = {"dang ky", "dang ky nhan thong bao", "dang ky thong bao", "nhan thong bao"}
_UNSUBSCRIBE_PHRASES = {
    "huy dang ky",
    "huy thong bao",
    "huy nhan thong bao",
    "dung nhan thong bao",
    "khong nhan thong bao",
    "stop",
    "unsubscribe",
}
_ALL_WORDS = {"all", "tat ca", "het", "tatca"}


def _fold(text: str) -> str:
    return fold(text).strip(" .!?")


def current_text(topics: list[str], area: str | None) -> str:
    """What the user receives now, as one sentence."""
    if not topics:
        return texts.SUB_NONE
    labels = ", ".join(texts.SUB_TOPICS[t] for t in TOPIC_KEYS if t in topics)
    line = texts.SUB_NOW.format(topics=labels)
    if area:
        line += texts.SUB_NOW_AREA.format(area=area)
    return line


def _user_now(ctx: Context) -> str:
    return current_text(list(ctx.user.subscriptions or []), ctx.user.area)


def _areas(ctx: Context) -> list[str]:
    return list(ctx.kb.locality.areas or [])


def _chooser(ctx: Context, choice: Choice, header: str | None = None, *, edit: bool = False) -> Reply:
    chosen = set(choice.topics)
    rows = []
    for key in TOPIC_KEYS:
        mark = texts.SUB_CHECKED if key in chosen else texts.SUB_UNCHECKED
        rows.append([ToggleTopic(key).button(mark.format(label=texts.SUB_TOPICS[key]))])
    if _areas(ctx):
        rows.append(
            [AreaMenu().button(texts.SUB_AREA_BUTTON.format(area=choice.area or texts.SUB_AREA_NONE))]
        )
    rows.append([SaveChoice().button(texts.SUB_DONE), KeepAsIs().button(texts.SUB_CANCEL)])
    intro = texts.SUB_INTRO.format(office=ctx.kb.locality.office_name)
    text = f"{header}\n\n{intro}" if header else intro
    return Reply(text, buttons=rows, edit=edit)


def _start_choosing(ctx: Context) -> Run[Step, Choice]:
    return FLOW.start(
        ctx, Step.CHOOSING, Choice(topics=list(ctx.user.subscriptions or []), area=ctx.user.area)
    )


def _run(ctx: Context) -> Run[Step, Choice]:
    """The chooser in progress, or (an old chooser message was pressed) one started from what is stored."""
    return FLOW.run(ctx) or _start_choosing(ctx)


async def subscribe(ctx: Context, msg: Incoming) -> list[Reply]:
    """Start (or restart) the chooser with the user's current subscriptions ticked."""
    run = _start_choosing(ctx)
    return [_chooser(ctx, run.data, _user_now(ctx))]


async def unsubscribe(ctx: Context, msg: Incoming) -> list[Reply]:
    """Offer to cancel one topic, the area, or everything; `/huy tat ca` cancels everything at once."""
    arg = _fold((msg.text or "").partition(" ")[2]) if msg.text else ""
    if arg in _ALL_WORDS:
        return await _unsubscribe_all(ctx)
    topics = list(ctx.user.subscriptions or [])
    if not topics and not ctx.user.area:
        return [Reply(texts.SUB_NONE)]
    rows = [
        [UnsubscribeTopic(t).button(texts.UNSUB_ONE.format(label=texts.SUB_TOPICS[t]))]
        for t in TOPIC_KEYS
        if t in topics
    ]
    if ctx.user.area:
        rows.append([UnsubscribeArea().button(texts.UNSUB_AREA.format(area=ctx.user.area))])
    rows.append([UnsubscribeAll().button(texts.UNSUB_ALL), KeepAsIs().button(texts.UNSUB_KEEP)])
    return [Reply(texts.UNSUB_PROMPT.format(now=_user_now(ctx)), buttons=rows)]


async def _unsubscribe_all(ctx: Context) -> list[Reply]:
    await set_subscriptions(ctx.db, ctx.user, [], None)
    record_consent(
        ctx.db,
        ctx.user.id,
        purpose="subscriptions",
        what="-",
        version=texts.PRIVACY_NOTICE_VERSION,
        granted=False,
        at=ctx.now(),
    )
    FLOW.end(ctx)
    return [Reply(texts.UNSUB_DONE_ALL)]


async def on_keep(ctx: Context, msg: Incoming, action: KeepAsIs) -> list[Reply]:
    FLOW.end(ctx)
    return [Reply(texts.SUB_KEPT.format(now=_user_now(ctx)), edit=True)]


async def on_toggle(ctx: Context, msg: Incoming, action: ToggleTopic) -> list[Reply]:
    if action.topic not in TOPIC_KEYS:
        return [Reply(texts.EXPIRED_BUTTON)]
    run = _run(ctx)
    chosen = set(run.data.topics) ^ {action.topic}
    run.data.topics = [t for t in TOPIC_KEYS if t in chosen]
    run.save(ctx)
    return [_chooser(ctx, run.data, edit=True)]


async def on_area_menu(ctx: Context, msg: Incoming, action: AreaMenu) -> list[Reply]:
    _run(ctx)
    rows = [[PickArea(i).button(name)] for i, name in enumerate(_areas(ctx))]
    rows.append([NoArea().button(texts.SUB_AREA_SKIP)])
    return [Reply(texts.SUB_AREA_PROMPT, buttons=rows, edit=True)]


async def on_pick_area(ctx: Context, msg: Incoming, action: PickArea) -> list[Reply]:
    run = _run(ctx)
    areas = _areas(ctx)
    if action.index < len(areas):
        run.data.area = areas[action.index]
        run.save(ctx)
    return [_chooser(ctx, run.data, edit=True)]


async def on_no_area(ctx: Context, msg: Incoming, action: NoArea) -> list[Reply]:
    run = _run(ctx)
    run.data.area = None
    run.save(ctx)
    return [_chooser(ctx, run.data, edit=True)]


async def on_save(ctx: Context, msg: Incoming, action: SaveChoice) -> list[Reply]:
    run = _run(ctx)
    topics = list(run.data.topics)
    area = run.data.area
    if area and area not in _areas(ctx):
        area = None  # the locality file changed since the menu was shown
    note = ""
    if area and not topics:
        topics = [DEFAULT_TOPIC]
        note = "\n" + texts.SUB_AREA_ADDED_GENERAL
    if not topics:
        return [_chooser(ctx, run.data, texts.SUB_NOTHING_CHOSEN, edit=True)]
    await set_subscriptions(ctx.db, ctx.user, topics, area)
    # subscriptions rest on consent (Law 91/2025): what, when, purpose and the notice's version
    record_consent(
        ctx.db,
        ctx.user.id,
        purpose="subscriptions",
        what=",".join(ctx.user.subscriptions)[:64],
        version=texts.PRIVACY_NOTICE_VERSION,
        at=ctx.now(),
    )
    run.end(ctx)
    return [Reply(texts.SUB_SAVED.format(now=_user_now(ctx)) + note)]


async def on_unsubscribe_all(ctx: Context, msg: Incoming, action: UnsubscribeAll) -> list[Reply]:
    return await _unsubscribe_all(ctx)


async def on_unsubscribe_area(ctx: Context, msg: Incoming, action: UnsubscribeArea) -> list[Reply]:
    area = ctx.user.area or ""
    await set_subscriptions(ctx.db, ctx.user, list(ctx.user.subscriptions or []), None)
    return [Reply(texts.UNSUB_DONE_AREA.format(area=area, now=_user_now(ctx)))]


async def on_unsubscribe_topic(ctx: Context, msg: Incoming, action: UnsubscribeTopic) -> list[Reply]:
    if action.topic not in TOPIC_KEYS:
        return [Reply(texts.EXPIRED_BUTTON)]
    remaining = [t for t in (ctx.user.subscriptions or []) if t != action.topic]
    await set_subscriptions(ctx.db, ctx.user, remaining, ctx.user.area if remaining else None)
    if not remaining:
        return [Reply(texts.UNSUB_DONE_ALL)]
    return [Reply(texts.UNSUB_DONE_ONE.format(label=texts.SUB_TOPICS[action.topic], now=_user_now(ctx)))]


async def text_hook(ctx: Context, msg: Incoming) -> list[Reply] | None:
    """«hủy đăng ký», «dừng nhận thông báo», «đăng ký nhận thông báo» typed as text."""
    folded = _fold(msg.text or "")
    if folded in _UNSUBSCRIBE_PHRASES:
        return await unsubscribe(ctx, msg)
    if folded in _SUBSCRIBE_PHRASES:
        return await subscribe(ctx, msg)
    return None


FEATURE = Feature.SUBSCRIPTIONS


async def _describe(db: AsyncSession, user: User, settings: HandlerSettings) -> list[str]:
    return [
        texts.PV_AREA.format(area=user.area or texts.PV_NONE),
        texts.PV_SUBSCRIPTIONS.format(subs=", ".join(user.subscriptions or []) or texts.PV_NONE),
    ]


async def _erase(db: AsyncSession, user: User) -> None:
    await set_subscriptions(db, user, [], None)


def register(router: Router) -> None:
    router.personal_data(
        "subscriptions",
        describe=_describe,
        erase=_erase,
        columns=("users.subscriptions", "users.area"),
        purpose=texts.REG_SUBSCRIPTIONS_PURPOSE,
        basis=texts.REG_SUBSCRIPTIONS_BASIS,
        retention="session",
        recipients=texts.REG_SUBSCRIPTIONS_RECIPIENTS,
    )
    router.command("dangky", subscribe, texts.CMD_DANGKY)
    router.command("huy", unsubscribe, texts.CMD_HUY)
    router.action(ToggleTopic, on_toggle)
    router.action(AreaMenu, on_area_menu)
    router.action(PickArea, on_pick_area)
    router.action(NoArea, on_no_area)
    router.action(SaveChoice, on_save)
    router.action(KeepAsIs, on_keep)
    router.action(UnsubscribeTopic, on_unsubscribe_topic)
    router.action(UnsubscribeArea, on_unsubscribe_area)
    router.action(UnsubscribeAll, on_unsubscribe_all)
    router.flow(FLOW)
    router.text_hook("subscriptions.phrases", text_hook, priority=HookPriority.PHRASE)
