"""/thongbao: a staff member composes an announcement and queues it for subscribers.

Steps: text (optionally a photo first) → audience (everyone subscribed, a
topic, an area, a channel) → a preview exactly as citizens will see it with
the number of recipients → optional send time → confirm. Confirming writes the
broadcast, one outbox row per recipient and the audit record in the one
transaction the dispatcher commits; the channel workers deliver it and keep
the staff member informed (bot/outbox_sender/broadcast_monitor.py).

`/thongbao ds` lists recent broadcasts, `/thongbao huy ID` stops one.
Actions (prefix "bc"): bc:aud:all|t|a|c, bc:t:<topic>, bc:ar:<n>, bc:c:<channel>,
bc:ok, bc:when, bc:x.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import texts
from handlers.actions import Action
from handlers.context import Context
from handlers.flow import Flow, Kind, Run
from handlers.messages import Button, Incoming, Reply
from handlers.personal import count
from handlers.router import ActionHandler, Feature, Router
from handlers.serialize import replies_to_payload
from handlers.settings import HandlerSettings, RetentionSettings
from knowledge.normalize import fold
from storage import outbox as ob
from storage.models import Outbox, User
from storage.repos import audit

MAX_TEXT = 2000  # Zalo's message limit: the tightest channel a broadcast may reach
MAX_CAPTION = 1024  # Telegram's photo caption limit


def citizen_replies(office: str, text: str, photo: str | None = None) -> list[Reply]:
    """What every recipient receives: who it is from, the text, how to stop receiving."""
    body = texts.BC_CITIZEN.format(office=office, text=text.strip())
    return [Reply(body, photo=photo)]


def audience_label(audience: ob.Audience) -> str:
    parts = []
    if audience.topic:
        parts.append(
            texts.BC_AUD_LABEL_TOPIC.format(topic=texts.SUB_TOPICS.get(audience.topic, audience.topic))
        )
    if audience.area:
        parts.append(texts.BC_AUD_LABEL_AREA.format(area=audience.area))
    if audience.channel:
        parts.append(texts.BC_AUD_LABEL_CHANNEL.format(channel=audience.channel))
    return ", ".join(parts) or texts.BC_AUD_LABEL_ALL


def parse_send_time(text: str, local_now: dt.datetime) -> dt.datetime | None:
    """«20:00» (today), «25/12 08:30» or «25/12/2026 08:30», local time; None unless in the future."""
    m = re.fullmatch(r"\s*(?:(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?\s+)?(\d{1,2})[:hH](\d{2})\s*", text)
    if not m:
        return None
    day, month, year, hour, minute = m.groups()
    try:
        when = local_now.replace(
            year=int(year) if year else local_now.year,
            month=int(month) if month else local_now.month,
            day=int(day) if day else local_now.day,
            hour=int(hour),
            minute=int(minute),
            second=0,
            microsecond=0,
        )
    except ValueError:
        return None
    if day and not year and when < local_now:
        try:
            when = when.replace(year=when.year + 1)  # «05/01» typed in December means next January
        except ValueError:
            return None
    if when <= local_now or when - local_now > dt.timedelta(days=366):
        return None
    return when.astimezone(dt.UTC)


# ---------------------------------------------------------------- buttons
@dataclass(frozen=True)
class PickAudience(Action, prefix="bc:aud"):
    kind: Literal["all", "t", "a", "c"]


@dataclass(frozen=True)
class PickTopic(Action, prefix="bc:t"):
    topic: str


@dataclass(frozen=True)
class PickArea(Action, prefix="bc:ar"):
    index: int


@dataclass(frozen=True)
class PickChannel(Action, prefix="bc:c"):
    channel: str


@dataclass(frozen=True)
class Confirm(Action, prefix="bc:ok"):
    pass


@dataclass(frozen=True)
class Schedule(Action, prefix="bc:when"):
    pass


@dataclass(frozen=True)
class Discard(Action, prefix="bc:x"):
    pass


# ---------------------------------------------------------------- the draft flow
class Step(StrEnum):
    TEXT = "text"  # waiting for the text (a photo may come first)
    AUDIENCE = "audience"  # choosing who receives it (buttons)
    TIME = "time"  # waiting for a typed send time
    PREVIEW = "preview"  # shown as citizens will see it; confirm or schedule


class Draft(BaseModel):
    text: str = ""
    photo: str | None = None
    audience: dict[str, str] | None = None
    send_at: str | None = None  # ISO time in UTC; None: now


FLOW: Flow[Step, Draft] = Flow(
    "broadcast",
    Step,
    Draft,
    cancelled=lambda _ctx, _run: [Reply(texts.BC_DRAFT_CANCELLED)],  # read when said: overlays apply
    guard=lambda ctx: ctx.is_staff,
)


def _cancel_button() -> list[Button]:
    return [Discard().button(texts.BC_CANCEL_DRAFT)]


async def start(ctx: Context, msg: Incoming) -> list[Reply]:
    args = (msg.text or "").split()[1:]
    if args:
        sub = fold(args[0])
        if sub in ("huy", "dung", "cancel") and len(args) > 1:
            return await cancel(ctx, args[1])
        if sub in ("ds", "danhsach", "danh sach", "list"):
            return await show_list(ctx)
    FLOW.start(ctx, Step.TEXT)
    return [Reply(texts.BC_ASK_TEXT, buttons=[_cancel_button()])]


async def cancel(ctx: Context, raw_id: str) -> list[Reply]:
    if not raw_id.isdigit():
        return [Reply(texts.BC_CANCEL_NOTHING.format(id=raw_id[:20]))]
    n = await ob.cancel_broadcast(ctx.db, int(raw_id), ctx.user_key, ctx.now())
    if n is None:
        return [Reply(texts.BC_CANCEL_NOTHING.format(id=raw_id))]
    await audit(ctx.db, ctx.user_key, "broadcast.cancel", f"broadcast:{raw_id}", cancelled=n)
    return [Reply(texts.BC_CANCELLED.format(id=raw_id, n=n))]


async def show_list(ctx: Context) -> list[Reply]:
    rows = await ob.list_broadcasts(ctx.db, 10)
    if not rows:
        return [Reply(texts.BC_LIST_EMPTY)]
    tz = ZoneInfo(ctx.settings.timezone)
    lines = [texts.BC_LIST_HEADER]
    for b in rows:
        snippet = " ".join(b.text.split())[:50]
        lines.append(
            texts.BC_LIST_LINE.format(
                id=b.id,
                status=texts.BC_STATUS.get(b.status, b.status),
                n=b.total,
                when=b.send_at.astimezone(tz).strftime("%d/%m %H:%M"),
                snippet=snippet,
            )
        )
    return [Reply("\n".join(lines))]


@FLOW.on(Step.TEXT, Kind.PHOTO)
async def on_photo(ctx: Context, msg: Incoming, run: Run[Step, Draft]) -> list[Reply]:
    assert msg.photo is not None
    run.data.photo = msg.photo.ref
    run.save(ctx)
    return [Reply(texts.BC_PHOTO_SAVED, buttons=[_cancel_button()])]


@FLOW.on(Step.TEXT, Kind.TEXT)
async def on_text(ctx: Context, msg: Incoming, run: Run[Step, Draft]) -> list[Reply]:
    text = (msg.text or "").strip()
    if not text:
        return [Reply(texts.BC_TEXT_EMPTY, buttons=[_cancel_button()])]
    limit = MAX_CAPTION if run.data.photo else MAX_TEXT
    limit -= len(texts.BC_CITIZEN.format(office=ctx.kb.locality.office_name, text=""))
    if len(text) > limit:
        return [Reply(texts.BC_TEXT_TOO_LONG.format(n=len(text), limit=limit), buttons=[_cancel_button()])]
    run.data.text = text
    run.move(ctx, Step.AUDIENCE)
    return await _audience_menu(ctx)


@FLOW.on(Step.TIME, Kind.TEXT)
async def on_time(ctx: Context, msg: Incoming, run: Run[Step, Draft]) -> list[Reply]:
    when = parse_send_time(msg.text or "", ctx.local_now())
    if when is None:
        return [
            Reply(texts.BC_BAD_TIME.format(text=(msg.text or "").strip()[:40]), buttons=[_cancel_button()])
        ]
    run.data.send_at = when.isoformat()
    run.move(ctx, Step.PREVIEW)
    return await _preview(ctx, run)


@FLOW.on(None, Kind.PHOTO, Kind.LOCATION, Kind.CONTACT, Kind.OTHER)
async def on_media(ctx: Context, msg: Incoming, run: Run[Step, Draft]) -> list[Reply]:
    return [Reply(texts.BC_USE_BUTTONS, buttons=[_cancel_button()])]


# Text at the audience and preview steps is a question typed in the middle: answered
# normally, the draft waits (no handler declared, so the flow lets it through).


def _staff_run(ctx: Context) -> Run[Step, Draft] | None:
    """The draft a button belongs to; None when it is gone (an old message's button)."""
    run = FLOW.run(ctx)
    if run is None or not run.data.text:
        FLOW.end(ctx)
        return None
    return run


def _not_staff(ctx: Context) -> list[Reply]:
    return [Reply(texts.STAFF_ONLY.format(office=ctx.kb.locality.office_name))]


async def on_discard(ctx: Context, msg: Incoming, action: Discard) -> list[Reply]:
    if not ctx.is_staff:
        return _not_staff(ctx)
    FLOW.end(ctx)
    return [Reply(texts.BC_DRAFT_CANCELLED, edit=True)]


A = TypeVar("A", bound=Action)
DraftButton = Callable[[Context, Incoming, A, Run[Step, Draft]], Awaitable[list[Reply]]]


def _draft_button(handler: DraftButton[A]) -> ActionHandler[A]:
    """A button of the draft: staff only, and only while its draft exists (else an old message's)."""

    async def pressed(ctx: Context, msg: Incoming, action: A) -> list[Reply]:
        if not ctx.is_staff:
            return _not_staff(ctx)
        run = _staff_run(ctx)
        if run is None:
            return [Reply(texts.EXPIRED_BUTTON)]
        return await handler(ctx, msg, action, run)

    return pressed


async def on_pick_audience(
    ctx: Context, msg: Incoming, action: PickAudience, run: Run[Step, Draft]
) -> list[Reply]:
    if action.kind == "all":
        return await _choose(ctx, run, ob.Audience())
    if action.kind == "t":
        return await _topic_menu(ctx)
    if action.kind == "a":
        return await _area_menu(ctx)
    return await _channel_menu(ctx)


async def on_pick_topic(ctx: Context, msg: Incoming, action: PickTopic, run: Run[Step, Draft]) -> list[Reply]:
    if action.topic not in ob.TOPIC_KEYS:
        return [Reply(texts.EXPIRED_BUTTON)]
    return await _choose(ctx, run, ob.Audience(topic=action.topic))


async def on_pick_area(ctx: Context, msg: Incoming, action: PickArea, run: Run[Step, Draft]) -> list[Reply]:
    areas = ctx.kb.locality.areas
    if action.index >= len(areas):
        return [Reply(texts.EXPIRED_BUTTON)]
    return await _choose(ctx, run, ob.Audience(area=areas[action.index]))


async def on_pick_channel(
    ctx: Context, msg: Incoming, action: PickChannel, run: Run[Step, Draft]
) -> list[Reply]:
    if not action.channel:
        return [Reply(texts.EXPIRED_BUTTON)]
    return await _choose(ctx, run, ob.Audience(channel=action.channel))


async def on_schedule(ctx: Context, msg: Incoming, action: Schedule, run: Run[Step, Draft]) -> list[Reply]:
    if run.data.audience is None:
        return [Reply(texts.EXPIRED_BUTTON)]
    run.move(ctx, Step.TIME)
    return [Reply(texts.BC_ASK_TIME, buttons=[_cancel_button()])]


async def on_confirm(ctx: Context, msg: Incoming, action: Confirm, run: Run[Step, Draft]) -> list[Reply]:
    if run.data.audience is None:
        return [Reply(texts.EXPIRED_BUTTON)]
    return await _confirm(ctx, run)


async def _audience_menu(ctx: Context) -> list[Reply]:
    counts = await ob.count_recipients(ctx.db, ob.Audience())
    rows = [
        [PickAudience("all").button(texts.BC_AUD_ALL.format(n=sum(counts.values())))],
        [PickAudience("t").button(texts.BC_AUD_TOPIC)],
    ]
    if ctx.kb.locality.areas:
        rows.append([PickAudience("a").button(texts.BC_AUD_AREA)])
    rows.append([PickAudience("c").button(texts.BC_AUD_CHANNEL)])
    rows.append(_cancel_button())
    return [Reply(texts.BC_AUDIENCE_PROMPT, buttons=rows)]


async def _topic_menu(ctx: Context) -> list[Reply]:
    rows = []
    for key in ob.TOPIC_KEYS:
        n = sum((await ob.count_recipients(ctx.db, ob.Audience(topic=key))).values())
        rows.append([PickTopic(key).button(texts.BC_OPTION_N.format(label=texts.SUB_TOPICS[key], n=n))])
    rows.append(_cancel_button())
    return [Reply(texts.BC_PICK_TOPIC, buttons=rows, edit=True)]


async def _area_menu(ctx: Context) -> list[Reply]:
    areas = ctx.kb.locality.areas
    if not areas:
        return [Reply(texts.BC_NO_AREAS), *await _audience_menu(ctx)]
    rows = []
    for i, area in enumerate(areas):
        n = sum((await ob.count_recipients(ctx.db, ob.Audience(area=area))).values())
        rows.append([PickArea(i).button(texts.BC_OPTION_N.format(label=area, n=n))])
    rows.append(_cancel_button())
    return [Reply(texts.BC_PICK_AREA, buttons=rows, edit=True)]


async def _channel_menu(ctx: Context) -> list[Reply]:
    counts = await ob.count_recipients(ctx.db, ob.Audience())
    rows = [
        [PickChannel(ch).button(texts.BC_OPTION_N.format(label=texts.BC_CHANNEL_NAMES.get(ch, ch), n=n))]
        for ch, n in sorted(counts.items())
    ]
    rows.append(_cancel_button())
    return [Reply(texts.BC_PICK_CHANNEL, buttons=rows, edit=True)]


async def _choose(ctx: Context, run: Run[Step, Draft], audience: ob.Audience) -> list[Reply]:
    counts = await ob.count_recipients(ctx.db, audience)
    if not counts:
        return [Reply(texts.BC_NO_RECIPIENTS), *await _audience_menu(ctx)]
    run.data.audience = audience.to_dict()
    run.move(ctx, Step.PREVIEW)
    return await _preview(ctx, run)


async def _preview(ctx: Context, run: Run[Step, Draft]) -> list[Reply]:
    data = run.data
    audience = ob.Audience.from_dict(data.audience or {})
    counts = await ob.count_recipients(ctx.db, audience)
    detail = ", ".join(f"{texts.BC_CHANNEL_NAMES.get(ch, ch)}: {n}" for ch, n in sorted(counts.items()))
    when = texts.BC_WHEN_NOW
    if data.send_at:
        local = dt.datetime.fromisoformat(data.send_at).astimezone(ZoneInfo(ctx.settings.timezone))
        when = local.strftime("%H:%M %d/%m/%Y")
    footer = texts.BC_PREVIEW_FOOTER.format(
        n=sum(counts.values()), detail=detail or "0", audience=audience_label(audience), when=when
    )
    buttons = [
        [Confirm().button(texts.BC_CONFIRM)],
        [Schedule().button(texts.BC_SCHEDULE)],
        _cancel_button(),
    ]
    preview = citizen_replies(ctx.kb.locality.office_name, data.text, data.photo)
    return [Reply(texts.BC_PREVIEW_HEADER), *preview, Reply(footer, buttons=buttons)]


async def _confirm(ctx: Context, run: Run[Step, Draft]) -> list[Reply]:
    data = run.data
    audience = ob.Audience.from_dict(data.audience or {})
    send_at = dt.datetime.fromisoformat(data.send_at) if data.send_at else ctx.now()
    if send_at < ctx.now():
        send_at = ctx.now()  # the scheduled time passed while the staff member was deciding
    replies = citizen_replies(ctx.kb.locality.office_name, data.text, data.photo)
    b = await ob.create_broadcast(
        ctx.db,
        created_by=ctx.user_key,
        text=data.text,
        photo=data.photo,
        audience=audience,
        payload=replies_to_payload(replies),
        send_at=send_at,
        notify=(ctx.incoming.channel, ctx.incoming.platform_id),
        now=ctx.now(),
    )
    if b.total == 0:  # everyone unsubscribed since the preview: store nothing
        await ctx.db.delete(b)
        await ctx.db.flush()
        return [Reply(texts.BC_NO_RECIPIENTS), *await _audience_menu(ctx)]
    await audit(
        ctx.db,
        ctx.user_key,
        "broadcast.create",
        f"broadcast:{b.id}",
        text=data.text,
        photo=data.photo,
        audience=audience.to_dict(),
        recipients=b.total,
        send_at=send_at.isoformat(),
    )
    run.end(ctx)
    when = texts.BC_WHEN_NOW
    if data.send_at:
        when = send_at.astimezone(ZoneInfo(ctx.settings.timezone)).strftime("%H:%M %d/%m/%Y")
    return [Reply(texts.BC_QUEUED.format(id=b.id, n=b.total, when=when), edit=True)]


FEATURE = Feature.BROADCAST


async def _describe_messages(db: AsyncSession, user: User, settings: HandlerSettings) -> list[str]:
    n = await count(db, select(func.count()).select_from(Outbox).where(Outbox.user_id == user.id))
    return [texts.PV_MESSAGES.format(n=n)]


async def _erase_messages(db: AsyncSession, user: User) -> None:
    """Messages to the person (announcements, complaint replies) go, sent or not."""
    await db.execute(
        delete(Outbox).where(Outbox.channel == user.channel, Outbox.platform_id == user.platform_id)
    )
    await db.execute(delete(Outbox).where(Outbox.user_id == user.id))


async def _purge_messages(db: AsyncSession, now: dt.datetime, retention: RetentionSettings) -> int:
    """What a delivered or failed message said is dropped after its period; the row stays as a count."""
    done = list(
        await db.scalars(
            select(Outbox).where(
                Outbox.status.in_(("sent", "failed", "cancelled")),
                Outbox.created_at < now - dt.timedelta(days=retention.outbox_days),
            )
        )
    )
    changed = 0
    for row in done:
        if row.payload != EXPIRED_PAYLOAD:
            row.payload = list(EXPIRED_PAYLOAD)
            changed += 1
    return changed


EXPIRED_PAYLOAD = [{"text": "-"}]


def register(router: Router) -> None:
    router.personal_data(
        "messages",
        describe=_describe_messages,
        erase=_erase_messages,
        purge=_purge_messages,
        columns=("outbox.platform_id", "outbox.user_id", "outbox.payload", "outbox.error"),
        purpose=texts.REG_MESSAGES_PURPOSE,
        basis=texts.REG_MESSAGES_BASIS,
        retention="outbox",
        recipients=texts.REG_MESSAGES_RECIPIENTS,
    )
    router.command("thongbao", start, texts.CMD_THONGBAO, staff_only=True)
    router.action(PickAudience, _draft_button(on_pick_audience))
    router.action(PickTopic, _draft_button(on_pick_topic))
    router.action(PickArea, _draft_button(on_pick_area))
    router.action(PickChannel, _draft_button(on_pick_channel))
    router.action(Schedule, _draft_button(on_schedule))
    router.action(Confirm, _draft_button(on_confirm))
    router.action(Discard, on_discard)
    router.flow(FLOW)
