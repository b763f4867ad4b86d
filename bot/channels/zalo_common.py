"""What both Zalo adapters (OA and Bot Platform) need: deduplication, per-user
ordering of background work, and handing a message to the dispatcher.

Both platforms want a 200 within about two seconds, so webhooks answer at
once and the conversation runs in a background task. Background tasks must
still keep each user's messages in order (a photo, then its caption), never
process a redelivered event twice, and finish what they started on shutdown.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import aiohttp
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bot.channels.base import ChannelSender, DeliveryError, OutsideWindow, RateLimited, Unreachable
from bot.channels.bounded import dispatch_bounded
from bot.outbox_sender.budget import Priority, SendBudget
from handlers.messages import Incoming, Reply, log_id
from storage.db import Database
from storage.error_log import ErrorLog
from storage.models import utcnow
from storage.models_zalo import ZaloEvent

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

MAX_WEBHOOK_BYTES = 256 * 1024  # Zalo events are small; anything bigger is not from Zalo
SEEN_KEEP = dt.timedelta(days=3)

SendReplies = Callable[[str, list[Reply]], Awaitable[Any]]


class LazyHttp:
    """One aiohttp session, opened on first use inside the running loop, closed once."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def __call__(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


class ZaloSenderBase:
    """What both Zalo senders share: the sleep they retry with, the runner's budget, an owned session.

    A runner's sender uses the runner's session and budget; a standalone one (the outbox
    worker in a process without the channel) owns its session and closes it.
    """

    def __init__(
        self, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, owned_http: LazyHttp | None = None
    ) -> None:
        self.sleep = sleep
        self._owned_http = owned_http
        self.budget: SendBudget | None = None  # the runner's: live answers first, shared with the outbox

    async def close(self) -> None:
        """Close the HTTP session of a standalone sender (a runner's sender is closed by its runner)."""
        if self._owned_http is not None:
            await self._owned_http.close()


class SeenEvents:
    """Remembers event ids in the database so redeliveries and other workers skip them."""

    def __init__(self, db: Database, channel: str, keep: dt.timedelta = SEEN_KEEP) -> None:
        self.db = db
        self.channel = channel
        self.keep = keep
        self.errors = ErrorLog(log)  # an outage fails every event alike: one line a minute

    async def first_time(self, key: str) -> bool:
        """True exactly once per key (across workers); False for a duplicate."""
        async with self.db.session() as db:
            db.add(ZaloEvent(channel=self.channel, event_key=key[:160], received_at=utcnow()))
            try:
                await db.commit()
            except IntegrityError:
                await db.rollback()
                return False
        return True

    async def prune(self) -> int:
        cutoff = utcnow() - self.keep
        async with self.db.session() as db:
            result = await db.execute(
                delete(ZaloEvent).where(ZaloEvent.channel == self.channel, ZaloEvent.received_at < cutoff)
            )
            await db.commit()
            return int(getattr(result, "rowcount", 0) or 0)

    async def first_or_unknown(self, key: str, label: str) -> bool:
        """`first_time`, but True when the database cannot tell: answering twice beats not answering.

        The dispatcher apologises if the database is down for the answer too; an
        outage fails every event alike, so it is logged once a minute, not per event.
        """
        try:
            return await self.first_time(key)
        except Exception as exc:
            self.errors.failed(f"cannot record {label}; processing them anyway", exc)
            return True

    async def prune_forever(self, every: float, before: Callable[[], Awaitable[None]] | None = None) -> None:
        """The maintenance loop: `before` (e.g. a token refresh), then drop old ids, every `every` seconds."""
        errors = ErrorLog(log)
        what = f"pruning seen {self.channel} events (will retry)"
        while True:
            if before is not None:
                await before()
            try:
                await self.prune()
            except Exception as exc:
                errors.failed(what, exc)
            else:
                errors.succeeded(what)
            await asyncio.sleep(every)


class UserQueue:
    """Runs jobs in arrival order per user and in parallel across users."""

    def __init__(self, limit: int = 16) -> None:
        self._tails: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        # a burst (a broadcast answered by thousands) must not open thousands of
        # database transactions at once; SQLite in particular has one writer
        self._slots = asyncio.Semaphore(limit)

    def submit(self, key: str, job: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        previous = self._tails.get(key)
        task = asyncio.create_task(self._run(previous, job))
        self._tails[key] = task
        self._tasks.add(task)

        def done(t: asyncio.Task[None]) -> None:
            self._tasks.discard(t)
            if self._tails.get(key) is t:
                del self._tails[key]

        task.add_done_callback(done)
        return task

    async def _run(self, previous: asyncio.Task[None] | None, job: Callable[[], Awaitable[None]]) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        async with self._slots:
            try:
                await job()
            except Exception:
                log.exception("a Zalo event failed in the background")

    async def drain(self, grace: float = 10.0) -> None:
        """Wait for running jobs (on shutdown), cancelling what still runs after `grace` seconds."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("cancelled %d Zalo events still running at shutdown", len(pending))
            await asyncio.wait(pending, timeout=1)

    async def idle(self) -> None:
        """Wait until every queued job has finished (tests, graceful reloads)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    @property
    def busy(self) -> int:
        return len(self._tasks)


async def converse(app: App, messages: list[Incoming], send: SendReplies) -> None:
    """Hand each message to the dispatcher and send its replies, in order."""
    for msg in messages:
        replies = await dispatch_bounded(app, msg)
        if msg.other == "unfollow":
            # a platform fact, not a conversation step: even if an active flow took the
            # event instead of handlers.channel_events, stop messaging this person
            await _mark_unfollowed(app, msg.channel, msg.platform_id)
            continue
        if replies:
            await send(msg.platform_id, replies)
    if messages and messages[0].other != "unfollow":
        hook = app.on_user_returned
        if hook is not None:
            try:
                await hook(messages[0].channel, messages[0].platform_id)
            except Exception:
                log.exception("the on_user_returned hook failed")


async def _mark_unfollowed(app: App, channel: str, platform_id: str) -> None:
    from sqlalchemy import update

    from storage.models import User

    async with app.db.session() as db:
        await db.execute(
            update(User)
            .where(User.channel == channel, User.platform_id == platform_id)
            .values(blocked=True, subscriptions=[])
        )
        await db.commit()


def register_sender(app: App, sender: ChannelSender) -> None:
    """Make a channel's sender findable by delivery code: app.senders[channel]."""
    app.senders[sender.channel] = sender


def alert_hook(app: App) -> Callable[[str], Awaitable[None]]:
    """The installed admin alert, or the default: a notice queued in the outbox for
    every admin on another channel (the OA itself cannot send while it is unauthorised)."""
    if app.alert_admins is not None:
        return app.alert_admins

    async def queue_for_admins(detail: str) -> None:
        from handlers import texts
        from handlers.messages import Reply
        from handlers.serialize import replies_to_payload
        from storage.repos import enqueue, get_user

        admins = [m for m in app.services.staff.members() if m.role == "admin"]
        payload = replies_to_payload([Reply(texts.ZALO_REAUTH_ALERT)])
        queued = 0
        async with app.db.session() as db:
            for admin in admins:
                channel, _, platform_id = admin.key.partition(":")
                if channel == "zalo_oa":
                    continue
                user = await get_user(db, channel, platform_id)
                await enqueue(
                    db,
                    channel=channel,
                    platform_id=platform_id,
                    user_id=user.id if user else None,
                    kind="notice",
                    payload=payload,
                    ref="zalo_reauth",
                )
                queued += 1
            await db.commit()
        if not queued:
            log.critical(
                "no admin outside Zalo OA to alert; add one with `motcua staff add telegram:<id> --role admin`"
            )

    return queue_for_admins


_PHONE = re.compile(r"^\+?84(\d{9,10})$")


def local_phone(phone: str) -> str:
    """Zalo shares numbers as 84xxxxxxxxx; staff and citizens read them as 0xxxxxxxxx."""
    digits = re.sub(r"[\s.\-()]", "", phone or "")
    match = _PHONE.match(digits)
    return f"0{match.group(1)}" if match else digits


def as_dict(value: Any) -> dict[str, Any]:
    """A JSON object field, or {} when the platform sent something else (or nothing)."""
    return value if isinstance(value, dict) else {}


def as_str(value: Any) -> str:
    """A JSON string field, or "" when the platform sent something else (or nothing)."""
    return value if isinstance(value, str) else ""


def is_http_url(value: str | None) -> bool:
    return bool(value) and str(value).startswith(("https://", "http://"))


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def answer_with_retries(
    send: Callable[[str, list[Reply]], Awaitable[object]],
    platform_id: str,
    replies: list[Reply],
    *,
    sleep: Callable[[float], Awaitable[None]],
    label: str,
    budget: SendBudget | None = None,
    attempts: int = 3,
) -> None:
    """Answer a user who just wrote: a short backoff on rate limits, then give up with a clear log.

    Live answers are not queued (the outbox is for messages nobody is waiting
    for), so a reply that cannot go out after a few seconds is logged, not kept.
    With the channel's send budget the answer goes ahead of announcements, and
    a rate limit pauses the whole OA (or bot) there, announcements included.
    """
    for attempt in range(attempts):
        try:
            if budget is not None:
                await budget.acquire(platform_id, Priority.REPLY, max(1, len(replies)))
            await send(platform_id, replies)
            return
        except RateLimited:
            wait = 2.0**attempt
            log.warning("%s rate limit answering %s; retrying in %.0fs", label, log_id(platform_id), wait)
            if budget is not None:
                await budget.pause(wait)  # the next acquire sleeps it out
            else:
                await sleep(wait)
        except (OutsideWindow, Unreachable) as exc:
            log.warning("%s cannot answer %s: %s", label, log_id(platform_id), exc)
            return
        except DeliveryError as exc:
            log.error("%s could not answer %s: %s", label, log_id(platform_id), exc)
            return
    log.error("gave up answering %s user %s: still rate limited", label, log_id(platform_id))
