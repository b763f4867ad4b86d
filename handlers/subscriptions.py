"""/dangky and /huy: citizens choose which announcements they receive (explicit opt-in).

Nothing is ever sent to a citizen who did not tick a topic here. The choice is
a draft in the flow until «Xong», so a half-finished menu changes nothing.
Both commands end by saying what the user is subscribed to now.

Actions (prefix "s"): s:t:<topic> toggle, s:a area picker, s:ap:<n> pick area n,
s:an no area, s:ok save, s:x leave unchanged, s:u:<topic> / s:ua / s:uall unsubscribe.
"""

from __future__ import annotations

import unicodedata

from handlers import texts
from handlers.context import Context
from handlers.messages import Button, Incoming, Reply
from handlers.router import Feature, HookPriority, Router
from storage.outbox import DEFAULT_TOPIC, TOPIC_KEYS, set_subscriptions

FLOW = "subscribe"

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
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.replace("/", " ").split()).strip(" .!?")


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


def _chooser(ctx: Context, header: str | None = None, *, edit: bool = False) -> Reply:
    data = ctx.flow_data
    chosen = set(data.get("topics", []))
    rows = []
    for key in TOPIC_KEYS:
        mark = texts.SUB_CHECKED if key in chosen else texts.SUB_UNCHECKED
        rows.append([Button(mark.format(label=texts.SUB_TOPICS[key]), f"s:t:{key}")])
    if _areas(ctx):
        rows.append(
            [Button(texts.SUB_AREA_BUTTON.format(area=data.get("area") or texts.SUB_AREA_NONE), "s:a")]
        )
    rows.append([Button(texts.SUB_DONE, "s:ok"), Button(texts.SUB_CANCEL, "s:x")])
    intro = texts.SUB_INTRO.format(office=ctx.kb.locality.office_name)
    text = f"{header}\n\n{intro}" if header else intro
    return Reply(text, buttons=rows, edit=edit)


async def subscribe(ctx: Context, msg: Incoming) -> list[Reply]:
    """Start (or restart) the chooser with the user's current subscriptions ticked."""
    ctx.set_flow(FLOW, topics=list(ctx.user.subscriptions or []), area=ctx.user.area)
    return [_chooser(ctx, _user_now(ctx))]


async def unsubscribe(ctx: Context, msg: Incoming) -> list[Reply]:
    """Offer to cancel one topic, the area, or everything; `/huy tat ca` cancels everything at once."""
    arg = _fold((msg.text or "").partition(" ")[2]) if msg.text else ""
    if arg in _ALL_WORDS:
        return await _unsubscribe_all(ctx)
    topics = list(ctx.user.subscriptions or [])
    if not topics and not ctx.user.area:
        return [Reply(texts.SUB_NONE)]
    rows = [
        [Button(texts.UNSUB_ONE.format(label=texts.SUB_TOPICS[t]), f"s:u:{t}")]
        for t in TOPIC_KEYS
        if t in topics
    ]
    if ctx.user.area:
        rows.append([Button(texts.UNSUB_AREA.format(area=ctx.user.area), "s:ua")])
    rows.append([Button(texts.UNSUB_ALL, "s:uall"), Button(texts.UNSUB_KEEP, "s:x")])
    return [Reply(texts.UNSUB_PROMPT.format(now=_user_now(ctx)), buttons=rows)]


async def _unsubscribe_all(ctx: Context) -> list[Reply]:
    await set_subscriptions(ctx.db, ctx.user, [], None)
    if ctx.flow == FLOW:
        ctx.clear_flow()
    return [Reply(texts.UNSUB_DONE_ALL)]


async def on_action(ctx: Context, msg: Incoming) -> list[Reply]:
    op, arg = msg.action_args(2)
    if op in ("u", "ua", "uall"):
        return await _on_unsubscribe(ctx, op, arg)
    if op == "x":
        if ctx.flow == FLOW:
            ctx.clear_flow()
        return [Reply(texts.SUB_KEPT.format(now=_user_now(ctx)), edit=True)]
    if ctx.flow != FLOW:
        # an old chooser message: start again from what is stored
        ctx.set_flow(FLOW, topics=list(ctx.user.subscriptions or []), area=ctx.user.area)
    data = ctx.flow_data
    if op == "t" and arg in TOPIC_KEYS:
        chosen = set(data.get("topics", []))
        chosen ^= {arg}
        ctx.update_flow(topics=[t for t in TOPIC_KEYS if t in chosen])
        return [_chooser(ctx, edit=True)]
    if op == "a":
        rows = [[Button(name, f"s:ap:{i}")] for i, name in enumerate(_areas(ctx))]
        rows.append([Button(texts.SUB_AREA_SKIP, "s:an")])
        return [Reply(texts.SUB_AREA_PROMPT, buttons=rows, edit=True)]
    if op == "ap":
        areas = _areas(ctx)
        if arg.isdigit() and int(arg) < len(areas):
            ctx.update_flow(area=areas[int(arg)])
        return [_chooser(ctx, edit=True)]
    if op == "an":
        ctx.update_flow(area=None)
        return [_chooser(ctx, edit=True)]
    if op == "ok":
        return await _save(ctx)
    return [Reply(texts.EXPIRED_BUTTON)]


async def _save(ctx: Context) -> list[Reply]:
    data = ctx.flow_data
    topics = list(data.get("topics", []))
    area = data.get("area")
    if area and area not in _areas(ctx):
        area = None  # the locality file changed since the menu was shown
    note = ""
    if area and not topics:
        topics = [DEFAULT_TOPIC]
        note = "\n" + texts.SUB_AREA_ADDED_GENERAL
    if not topics:
        return [_chooser(ctx, texts.SUB_NOTHING_CHOSEN, edit=True)]
    await set_subscriptions(ctx.db, ctx.user, topics, area)
    ctx.clear_flow()
    return [Reply(texts.SUB_SAVED.format(now=_user_now(ctx)) + note)]


async def _on_unsubscribe(ctx: Context, op: str, arg: str) -> list[Reply]:
    if op == "uall":
        return await _unsubscribe_all(ctx)
    topics = list(ctx.user.subscriptions or [])
    if op == "ua":
        area = ctx.user.area or ""
        await set_subscriptions(ctx.db, ctx.user, topics, None)
        return [Reply(texts.UNSUB_DONE_AREA.format(area=area, now=_user_now(ctx)))]
    if arg not in TOPIC_KEYS:
        return [Reply(texts.EXPIRED_BUTTON)]
    remaining = [t for t in topics if t != arg]
    await set_subscriptions(ctx.db, ctx.user, remaining, ctx.user.area if remaining else None)
    if not remaining:
        return [Reply(texts.UNSUB_DONE_ALL)]
    return [Reply(texts.UNSUB_DONE_ONE.format(label=texts.SUB_TOPICS[arg], now=_user_now(ctx)))]


async def on_flow_text(ctx: Context, msg: Incoming) -> list[Reply] | None:
    """Typing during the chooser is a question like any other: the draft simply waits."""
    return None


async def text_hook(ctx: Context, msg: Incoming) -> list[Reply] | None:
    """«hủy đăng ký», «dừng nhận thông báo», «đăng ký nhận thông báo» typed as text."""
    folded = _fold(msg.text or "")
    if folded in _UNSUBSCRIBE_PHRASES:
        return await unsubscribe(ctx, msg)
    if folded in _SUBSCRIBE_PHRASES:
        return await subscribe(ctx, msg)
    return None


FEATURE = Feature.SUBSCRIPTIONS


def register(router: Router) -> None:
    router.command("dangky", subscribe, texts.CMD_DANGKY)
    router.command("huy", unsubscribe, texts.CMD_HUY)
    router.legacy_action("s", on_action)
    router.legacy_flow(FLOW, on_flow_text)
    router.text_hook("subscriptions.phrases", text_hook, priority=HookPriority.PHRASE)
