"""/thongbao: a staff member composes an announcement and queues it for subscribers.

Steps: text (optionally a photo first) → audience (everyone subscribed, a
topic, an area, a channel) → a preview exactly as citizens will see it with
the number of recipients → optional send time → confirm. Confirming writes the
broadcast, one outbox row per recipient and the audit record in the one
transaction the dispatcher commits; the channel workers deliver it and keep
the staff member informed (bot/outbox_sender.py BroadcastMonitor).

`/thongbao ds` lists recent broadcasts, `/thongbao huy ID` stops one.
Actions (prefix "bc"): bc:aud:all|t|a|c, bc:t:<topic>, bc:ar:<n>, bc:c:<channel>,
bc:ok, bc:when, bc:x.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from zoneinfo import ZoneInfo

from handlers import texts
from handlers.context import Context
from handlers.messages import Button, Incoming, Reply
from handlers.router import Feature, Router
from handlers.serialize import replies_to_payload
from storage import outbox as ob
from storage.repos import audit

FLOW = "broadcast"
MAX_TEXT = 2000  # Zalo's message limit: the tightest channel a broadcast may reach
MAX_CAPTION = 1024  # Telegram's photo caption limit
_CANCEL_WORDS = {"huy", "huy bo", "thoi", "dung"}


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


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split()).strip(" .!")


def _cancel_button() -> list[Button]:
    return [Button(texts.BC_CANCEL_DRAFT, "bc:x")]


async def start(ctx: Context, msg: Incoming) -> list[Reply]:
    args = (msg.text or "").split()[1:]
    if args:
        sub = _fold(args[0])
        if sub in ("huy", "dung", "cancel") and len(args) > 1:
            return await cancel(ctx, args[1])
        if sub in ("ds", "danhsach", "list"):
            return await show_list(ctx)
    ctx.set_flow(FLOW, step="text")
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


async def on_flow(ctx: Context, msg: Incoming) -> list[Reply] | None:
    if not ctx.is_staff:  # staff rights were removed mid-draft
        ctx.clear_flow()
        return None
    step = ctx.flow_data.get("step")
    if msg.text is not None and _fold(msg.text) in _CANCEL_WORDS:
        ctx.clear_flow()
        return [Reply(texts.BC_DRAFT_CANCELLED)]
    if step == "text":
        if msg.photo is not None:
            ctx.update_flow(photo=msg.photo.ref)
            return [Reply(texts.BC_PHOTO_SAVED, buttons=[_cancel_button()])]
        if msg.text is None or not msg.text.strip():
            return [Reply(texts.BC_TEXT_EMPTY, buttons=[_cancel_button()])]
        text = msg.text.strip()
        limit = MAX_CAPTION if ctx.flow_data.get("photo") else MAX_TEXT
        limit -= len(texts.BC_CITIZEN.format(office=ctx.kb.locality.office_name, text=""))
        if len(text) > limit:
            return [
                Reply(texts.BC_TEXT_TOO_LONG.format(n=len(text), limit=limit), buttons=[_cancel_button()])
            ]
        ctx.update_flow(text=text, step="audience")
        return await _audience_menu(ctx)
    if step == "time" and msg.text is not None:
        when = parse_send_time(msg.text, ctx.local_now())
        if when is None:
            return [Reply(texts.BC_BAD_TIME.format(text=msg.text.strip()[:40]), buttons=[_cancel_button()])]
        ctx.update_flow(send_at=when.isoformat(), step="preview")
        return await _preview(ctx)
    if msg.text is None:
        return [Reply(texts.BC_USE_BUTTONS, buttons=[_cancel_button()])]
    return None  # a question typed in the middle: answered normally, the draft waits


async def _audience_menu(ctx: Context) -> list[Reply]:
    counts = await ob.count_recipients(ctx.db, ob.Audience())
    rows = [
        [Button(texts.BC_AUD_ALL.format(n=sum(counts.values())), "bc:aud:all")],
        [Button(texts.BC_AUD_TOPIC, "bc:aud:t")],
    ]
    if ctx.kb.locality.areas:
        rows.append([Button(texts.BC_AUD_AREA, "bc:aud:a")])
    rows.append([Button(texts.BC_AUD_CHANNEL, "bc:aud:c")])
    rows.append(_cancel_button())
    return [Reply(texts.BC_AUDIENCE_PROMPT, buttons=rows)]


async def on_action(ctx: Context, msg: Incoming) -> list[Reply]:
    if not ctx.is_staff:
        return [Reply(texts.STAFF_ONLY.format(office=ctx.kb.locality.office_name))]
    op, arg = msg.action_args(2)
    if op == "x":
        ctx.clear_flow()
        return [Reply(texts.BC_DRAFT_CANCELLED, edit=True)]
    if ctx.flow != FLOW or not ctx.flow_data.get("text"):
        ctx.clear_flow()
        return [Reply(texts.EXPIRED_BUTTON)]
    if op == "aud":
        if arg == "all":
            return await _choose(ctx, ob.Audience())
        if arg == "t":
            return await _topic_menu(ctx)
        if arg == "a":
            return await _area_menu(ctx)
        if arg == "c":
            return await _channel_menu(ctx)
    if op == "t" and arg in ob.TOPIC_KEYS:
        return await _choose(ctx, ob.Audience(topic=arg))
    if op == "ar" and arg.isdigit() and int(arg) < len(ctx.kb.locality.areas):
        return await _choose(ctx, ob.Audience(area=ctx.kb.locality.areas[int(arg)]))
    if op == "c" and arg:
        return await _choose(ctx, ob.Audience(channel=arg))
    if op == "when" and ctx.flow_data.get("audience") is not None:
        ctx.update_flow(step="time")
        return [Reply(texts.BC_ASK_TIME, buttons=[_cancel_button()])]
    if op == "ok" and ctx.flow_data.get("audience") is not None:
        return await _confirm(ctx)
    return [Reply(texts.EXPIRED_BUTTON)]


async def _topic_menu(ctx: Context) -> list[Reply]:
    rows = []
    for key in ob.TOPIC_KEYS:
        n = sum((await ob.count_recipients(ctx.db, ob.Audience(topic=key))).values())
        rows.append([Button(texts.BC_OPTION_N.format(label=texts.SUB_TOPICS[key], n=n), f"bc:t:{key}")])
    rows.append(_cancel_button())
    return [Reply(texts.BC_PICK_TOPIC, buttons=rows, edit=True)]


async def _area_menu(ctx: Context) -> list[Reply]:
    areas = ctx.kb.locality.areas
    if not areas:
        return [Reply(texts.BC_NO_AREAS), *await _audience_menu(ctx)]
    rows = []
    for i, area in enumerate(areas):
        n = sum((await ob.count_recipients(ctx.db, ob.Audience(area=area))).values())
        rows.append([Button(texts.BC_OPTION_N.format(label=area, n=n), f"bc:ar:{i}")])
    rows.append(_cancel_button())
    return [Reply(texts.BC_PICK_AREA, buttons=rows, edit=True)]


async def _channel_menu(ctx: Context) -> list[Reply]:
    counts = await ob.count_recipients(ctx.db, ob.Audience())
    rows = [
        [Button(texts.BC_OPTION_N.format(label=texts.BC_CHANNEL_NAMES.get(ch, ch), n=n), f"bc:c:{ch}"[:64])]
        for ch, n in sorted(counts.items())
    ]
    rows.append(_cancel_button())
    return [Reply(texts.BC_PICK_CHANNEL, buttons=rows, edit=True)]


async def _choose(ctx: Context, audience: ob.Audience) -> list[Reply]:
    counts = await ob.count_recipients(ctx.db, audience)
    if not counts:
        return [Reply(texts.BC_NO_RECIPIENTS), *await _audience_menu(ctx)]
    ctx.update_flow(audience=audience.to_dict(), step="preview")
    return await _preview(ctx)


async def _preview(ctx: Context) -> list[Reply]:
    data = ctx.flow_data
    audience = ob.Audience.from_dict(data.get("audience") or {})
    counts = await ob.count_recipients(ctx.db, audience)
    detail = ", ".join(f"{texts.BC_CHANNEL_NAMES.get(ch, ch)}: {n}" for ch, n in sorted(counts.items()))
    when = texts.BC_WHEN_NOW
    if data.get("send_at"):
        local = dt.datetime.fromisoformat(data["send_at"]).astimezone(ZoneInfo(ctx.settings.timezone))
        when = local.strftime("%H:%M %d/%m/%Y")
    footer = texts.BC_PREVIEW_FOOTER.format(
        n=sum(counts.values()), detail=detail or "0", audience=audience_label(audience), when=when
    )
    buttons = [
        [Button(texts.BC_CONFIRM, "bc:ok")],
        [Button(texts.BC_SCHEDULE, "bc:when")],
        _cancel_button(),
    ]
    preview = citizen_replies(ctx.kb.locality.office_name, data["text"], data.get("photo"))
    return [Reply(texts.BC_PREVIEW_HEADER), *preview, Reply(footer, buttons=buttons)]


async def _confirm(ctx: Context) -> list[Reply]:
    data = ctx.flow_data
    audience = ob.Audience.from_dict(data.get("audience") or {})
    send_at = dt.datetime.fromisoformat(data["send_at"]) if data.get("send_at") else ctx.now()
    if send_at < ctx.now():
        send_at = ctx.now()  # the scheduled time passed while the staff member was deciding
    replies = citizen_replies(ctx.kb.locality.office_name, data["text"], data.get("photo"))
    b = await ob.create_broadcast(
        ctx.db,
        created_by=ctx.user_key,
        text=data["text"],
        photo=data.get("photo"),
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
        text=data["text"],
        photo=data.get("photo"),
        audience=audience.to_dict(),
        recipients=b.total,
        send_at=send_at.isoformat(),
    )
    ctx.clear_flow()
    when = texts.BC_WHEN_NOW
    if data.get("send_at"):
        when = send_at.astimezone(ZoneInfo(ctx.settings.timezone)).strftime("%H:%M %d/%m/%Y")
    return [Reply(texts.BC_QUEUED.format(id=b.id, n=b.total, when=when), edit=True)]


FEATURE = Feature.BROADCAST


def register(router: Router) -> None:
    router.command("thongbao", start, texts.CMD_THONGBAO, staff_only=True)
    router.legacy_action("bc", on_action)
    router.legacy_flow(FLOW, on_flow)
