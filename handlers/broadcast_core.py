"""Announcements to subscribed citizens: one implementation for the chat, the CLI and the staff console.

Composing (text limits, photo limits), choosing the audience with its live
recipient count, the citizen text, queueing (now or at a time) with its audit
record, cancelling and progress all live here; /thongbao (handlers/broadcast.py),
`motcua broadcast` (bot/commands/broadcast.py) and the console
(bot/web/announcements.py) only collect input and show results. Delivery is
the outbox sender's: it keeps each platform's send rate.

Limits: the text must fit Zalo's 2,000 characters (the tightest channel), or
Telegram's 1,024-character photo caption when a photo goes with it, header
included. An uploaded photo is JPEG or PNG of at most 1 MB, Zalo OA's limit
for images (its upload API documentation), which is below Telegram's 5 MB for
photos sent by URL (Bot API sendPhoto).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import texts
from handlers.messages import Reply
from handlers.serialize import replies_to_payload
from storage import outbox as ob
from storage.models import Outbox
from storage.models_broadcast import Broadcast, BroadcastPhoto
from storage.repos import audit

MAX_TEXT = 2000  # Zalo's message limit: the tightest channel a broadcast may reach
MAX_CAPTION = 1024  # Telegram's photo caption limit
PHOTO_MAX_BYTES = 1024 * 1024
PHOTO_TYPES = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
PROGRESS_STATES = ("sent", "failed", "blocked", "skipped", "cancelled", "pending")


class BroadcastError(Exception):
    """An announcement that cannot be queued or changed as asked; the message is in Vietnamese."""


# ---------------------------------------------------------------- what citizens receive
def citizen_replies(office: str, text: str, photo: str | None = None) -> list[Reply]:
    """What every recipient receives: who it is from, the text, how to stop receiving."""
    body = texts.BC_CITIZEN.format(office=office, text=text.strip())
    return [Reply(body, photo=photo)]


def text_limit(office: str, *, photo: bool) -> int:
    """How many characters the announcement itself may have, the header and footer taken out."""
    return (MAX_CAPTION if photo else MAX_TEXT) - len(texts.BC_CITIZEN.format(office=office, text=""))


def check_text(office: str, text: str, *, photo: bool) -> str:
    """The text stripped, or BroadcastError saying why it cannot go."""
    text = text.strip()
    if not text:
        raise BroadcastError(texts.BC_TEXT_EMPTY)
    limit = text_limit(office, photo=photo)
    if len(text) > limit:
        raise BroadcastError(texts.BC_TEXT_TOO_LONG.format(n=len(text), limit=limit))
    return text


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
    return when.astimezone(dt.UTC) if in_range(when, local_now) else None


def in_range(when: dt.datetime, now: dt.datetime) -> bool:
    """A send time staff may choose: in the future, within a year."""
    return now < when <= now + dt.timedelta(days=366)


def local_text(moment: dt.datetime, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%H:%M %d/%m/%Y")


# ---------------------------------------------------------------- audiences
@dataclass(frozen=True)
class AudienceOption:
    """One audience staff can pick, with a key a form or a button can carry."""

    key: str  # "all", "t:<topic>", "a:<area index>", "c:<channel>"
    label: str
    audience: ob.Audience
    count: int


def audience_from_key(key: str, areas: list[str]) -> ob.Audience | None:
    """The audience a key names, None for a key that names nothing (an old form, a typo)."""
    kind, _, value = key.partition(":")
    if kind == "all" and not value:
        return ob.Audience()
    if kind == "t" and value in ob.TOPIC_KEYS:
        return ob.Audience(topic=value)
    if kind == "a" and value.isdigit() and int(value) < len(areas):
        return ob.Audience(area=areas[int(value)])
    if kind == "c" and re.fullmatch(r"[a-z_]{1,16}", value):
        return ob.Audience(channel=value)
    return None


async def recipient_count(db: AsyncSession, audience: ob.Audience) -> Counter[str]:
    """Recipients per channel right now (subscribed, not blocked, reachable)."""
    return await ob.count_recipients(db, audience)


async def audience_options(db: AsyncSession, areas: list[str]) -> list[AudienceOption]:
    """Every audience with its live count: everyone, each topic, each area, each channel in use."""
    everyone = await ob.recipients(db, ob.Audience())
    per_channel = Counter(channel for _, channel, _ in everyone)
    options = [AudienceOption("all", texts.BC_AUD_LABEL_ALL, ob.Audience(), len(everyone))]
    for topic in ob.TOPIC_KEYS:
        aud = ob.Audience(topic=topic)
        n = sum((await ob.count_recipients(db, aud)).values())
        options.append(AudienceOption(f"t:{topic}", audience_label(aud), aud, n))
    for i, area in enumerate(areas):
        aud = ob.Audience(area=area)
        n = sum((await ob.count_recipients(db, aud)).values())
        options.append(AudienceOption(f"a:{i}", audience_label(aud), aud, n))
    for channel, n in sorted(per_channel.items()):
        aud = ob.Audience(channel=channel)
        label = texts.BC_AUD_LABEL_CHANNEL.format(channel=texts.BC_CHANNEL_NAMES.get(channel, channel))
        options.append(AudienceOption(f"c:{channel}", label, aud, n))
    return options


# ---------------------------------------------------------------- queueing and cancelling
async def queue(
    db: AsyncSession,
    *,
    actor: str,
    office: str,
    text: str,
    photo: str | None,
    audience: ob.Audience,
    send_at: dt.datetime | None,
    now: dt.datetime,
    notify: tuple[str, str] | None = None,
) -> Broadcast:
    """The broadcast, one outbox row per recipient and the audit record, in the caller's transaction.

    A send time that passed while staff were deciding means now. Nobody left in
    the audience (everyone unsubscribed since the preview): nothing is stored.
    """
    text = check_text(office, text, photo=photo is not None)
    when = send_at if send_at is not None and send_at > now else now
    replies = citizen_replies(office, text, photo)
    b = await ob.create_broadcast(
        db,
        created_by=actor,
        text=text,
        photo=photo,
        audience=audience,
        payload=replies_to_payload(replies),
        send_at=when,
        notify=notify,
        now=now,
    )
    if b.total == 0:
        await db.delete(b)
        await db.flush()
        raise BroadcastError(texts.BC_NO_RECIPIENTS)
    await audit(
        db,
        actor,
        "broadcast.create",
        f"broadcast:{b.id}",
        text=text,
        photo=photo,
        audience=audience.to_dict(),
        recipients=b.total,
        send_at=when.isoformat(),
    )
    return b


async def cancel(db: AsyncSession, broadcast_id: int, actor: str, now: dt.datetime) -> int:
    """Stop the deliveries not sent yet; how many were stopped. BroadcastError if it was over."""
    n = await ob.cancel_broadcast(db, broadcast_id, actor, now)
    if n is None:
        raise BroadcastError(texts.BC_CANCEL_NOTHING.format(id=broadcast_id))
    await audit(db, actor, "broadcast.cancel", f"broadcast:{broadcast_id}", cancelled=n)
    return n


# ---------------------------------------------------------------- progress
@dataclass(frozen=True)
class Tally:
    """A broadcast's deliveries as staff read them: sent, failed, blocked, skipped, cancelled, pending."""

    broadcast: Broadcast
    sent: int
    failed: int
    blocked: int  # the citizen blocked the bot or unfollowed the OA
    skipped: int  # outside Zalo's interaction window
    cancelled: int
    pending: int  # not sent yet (waiting for its time, being sent, or retried)

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.blocked + self.skipped + self.cancelled + self.pending

    @property
    def done(self) -> int:
        return self.total - self.pending

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 100

    @property
    def finished(self) -> bool:
        return self.pending == 0 or self.broadcast.status in ("done", "cancelled")

    def as_dict(self) -> dict[str, int | str | bool]:
        return {
            "id": self.broadcast.id,
            "status": self.broadcast.status,
            "status_label": texts.BC_STATUS.get(self.broadcast.status, self.broadcast.status),
            "total": self.total,
            "done": self.done,
            "percent": self.percent,
            "finished": self.finished,
            **{state: getattr(self, state) for state in PROGRESS_STATES},
        }


def tally(b: Broadcast, counts: Counter[str]) -> Tally:
    return Tally(
        broadcast=b,
        sent=counts["sent"],
        failed=counts["failed"],
        blocked=counts["unreachable"],
        skipped=counts["skipped"],
        cancelled=counts["cancelled"],
        pending=sum(counts[s] for s in ob.OPEN_STATES),
    )


async def progress(db: AsyncSession, broadcast_id: int) -> Tally | None:
    p = await ob.progress(db, broadcast_id)
    return tally(p.broadcast, p.counts) if p is not None else None


async def overview(db: AsyncSession, limit: int = 30) -> list[Tally]:
    """Recent broadcasts, newest first, each with its progress (one grouped query for all)."""
    rows = list(await ob.list_broadcasts(db, limit))
    if not rows:
        return []
    counts: dict[str, Counter[str]] = {str(b.id): Counter() for b in rows}
    grouped = await db.execute(
        select(Outbox.ref, Outbox.status, func.count())
        .where(Outbox.kind == ob.KIND_BROADCAST, Outbox.ref.in_(list(counts)))
        .group_by(Outbox.ref, Outbox.status)
    )
    for ref, status, n in grouped.all():
        counts[ref][status] = n
    return [tally(b, counts[str(b.id)]) for b in rows]


# ---------------------------------------------------------------- photos uploaded in the console
def check_photo(data: bytes, content_type: str) -> str:
    """The photo's type if it is a JPEG or PNG within the size limit; BroadcastError otherwise.

    The bytes must start like the declared type: a browser's content type is a claim.
    """
    if not data:
        raise BroadcastError(texts.WA_PHOTO_EMPTY)
    if len(data) > PHOTO_MAX_BYTES:
        raise BroadcastError(texts.WA_PHOTO_TOO_BIG.format(mb=PHOTO_MAX_BYTES // (1024 * 1024)))
    kind = content_type.split(";")[0].strip().lower()
    magic = PHOTO_TYPES.get(kind)
    if magic is None or not data.startswith(magic):
        raise BroadcastError(texts.WA_PHOTO_TYPE)
    return kind


async def store_photo(db: AsyncSession, data: bytes, content_type: str, actor: str, now: dt.datetime) -> str:
    """Keep an uploaded photo; returns its token (the last part of its public address)."""
    kind = check_photo(data, content_type)
    token = secrets.token_urlsafe(24) + (".jpg" if kind == "image/jpeg" else ".png")
    db.add(BroadcastPhoto(token=token, content_type=kind, data=data, uploaded_by=actor, created_at=now))
    await db.flush()
    await audit(db, actor, "broadcast.photo", token[:12], bytes=len(data), type=kind)
    return token


async def load_photo(db: AsyncSession, token: str) -> BroadcastPhoto | None:
    if not re.fullmatch(r"[A-Za-z0-9_-]{32}\.(jpg|png)", token):
        return None
    photo: BroadcastPhoto | None = await db.scalar(
        select(BroadcastPhoto).where(BroadcastPhoto.token == token)
    )
    return photo
