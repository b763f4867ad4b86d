"""The update runner: long polling or webhook, de-duplication, per-chat FIFO, clean shutdown.

This is the part of the channel the issue's guarantees live in (see the
package docstring for why it is ours and not PTB's `Application`).
"""

from __future__ import annotations

import asyncio
import collections
import hmac
import json
import logging
import re
import secrets
import time
import weakref
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Bot, BotCommand, Update
from telegram.error import (
    BadRequest,
    Conflict,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.channels import webhook_json
from bot.channels.bounded import StarvedCount, dispatch_bounded
from bot.channels.telegram.errors import retry_after_seconds
from bot.channels.telegram.files import TelegramFiles
from bot.channels.telegram.journal import UpdateJournal
from bot.channels.telegram.parsing import CHANNEL, BotIdentity, Inbound, parse_update
from bot.channels.telegram.sending import Sleep, TelegramChannel, TelegramSender
from bot.channels.telegram.transport import get_updates_raw, make_bot
from bot.config import ConfigError
from bot.outbox_sender.budget import ChatRules, SendBudget, telegram_ledger_key
from bot.outbox_sender.rate_limit import RealClock
from handlers.messages import Incoming, Reply

if TYPE_CHECKING:
    from bot.app import App
    from handlers.router import Command

# One logger name for the whole channel, as before the split: log filters and alerts keep matching.
log = logging.getLogger("bot.channels.telegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
# The order of the command menu; registered commands not listed here follow alphabetically.
COMMAND_ORDER = [
    "start",
    "menu",
    "huongdan",
    "phananh",
    "tracuu",
    "dangky",
    "huy",
    "lienhe",
    "trogiup",
    "xoadulieu",
]
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


def command_menu(commands: list[Command]) -> list[BotCommand]:
    """The public commands for setMyCommands, in the order citizens need them."""
    rank = {name: i for i, name in enumerate(COMMAND_ORDER)}
    valid = [c for c in commands if _COMMAND_NAME.match(c.name) and c.description.strip()]
    valid.sort(key=lambda c: (rank.get(c.name, len(rank)), c.name))
    return [BotCommand(c.name, c.description.strip()[:256]) for c in valid[:100]]


class TelegramRunner:
    """Serves Telegram for `motcua run`: long polling, or a webhook on the shared HTTP server.

    `ready` is True while updates are being received (getMe answered and
    polling started or the webhook set); /readyz reads it. An unreachable
    Telegram at start is retried in the background, so `ready` can stay False
    for a while without the process exiting.
    """

    name = "telegram"
    is_channel = True
    SEEN_WINDOW = 20_000  # update_ids remembered in memory (the journal remembers across workers)
    POLL_LIMIT = 100  # Telegram's maximum per getUpdates
    MAINTENANCE_SECONDS = 3600.0  # how often old journal rows are pruned

    def __init__(self, app: App, *, bot: Bot | None = None, sleep: Sleep = asyncio.sleep) -> None:
        # httpx logs every request URL at INFO, and Bot API URLs contain the token.
        logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLogger("httpx").level))
        self.app = app
        self.settings = app.settings
        self.bot = bot or make_bot(self.settings)
        self.sleep = sleep
        # One send budget for the bot in this process: live replies first, the outbox
        # (through the sender registered below) with what is left.
        self.budget = SendBudget.on_database(
            app.db,
            telegram_ledger_key(self.settings.telegram_token),
            self.settings.outbox_rate_for(CHANNEL),
            RealClock(sleep),
            ChatRules(interval=self.settings.outbox_per_chat_seconds),
        )
        self.channel = TelegramChannel(
            self.bot, self.budget, on_unreachable=self._mark_unreachable, sleep=sleep
        )
        self.sender = TelegramSender(self.bot, budget=self.budget, sleep=sleep)
        app.senders[CHANNEL] = self.sender
        app.file_sources[CHANNEL] = TelegramFiles(self.bot)
        self.webhook_url = self.settings.telegram_webhook_url.strip()
        self.secret = self.settings.telegram_webhook_secret or secrets.token_urlsafe(32)
        path = urlsplit(self.webhook_url).path if self.webhook_url else ""
        self.webhook_path = path if path not in ("", "/") else "/telegram/webhook"
        self.me: BotIdentity | None = None
        self.ready = False  # receiving updates; read by /readyz
        self.processed = 0  # updates fully handled (for health checks and benchmarks)
        self._starved = StarvedCount()
        self.journal = UpdateJournal(app.db, lease=self.settings.telegram_update_lease)
        self.max_in_flight = self.settings.telegram_max_in_flight
        self._seen: collections.OrderedDict[int, None] = collections.OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()
        self._journaled: set[int] = set()  # update_ids in progress that the journal holds
        self._room = asyncio.Event()  # set whenever an update finishes
        self._chat_locks: weakref.WeakValueDictionary[Any, asyncio.Lock] = weakref.WeakValueDictionary()
        self._slots = asyncio.Semaphore(self.settings.telegram_concurrency)
        self._offset: int | None = None
        self._poller: asyncio.Task[None] | None = None
        self._side: list[asyncio.Task[None]] = []  # start retries, journal upkeep
        self._stopping = False
        self._started = False

    # -- lifecycle -----------------------------------------------------------
    def add_routes(self, web_app: web.Application) -> None:
        if self.webhook_url:
            web_app.router.add_post(self.webhook_path, self.handle_webhook)

    async def start(self) -> None:
        """Set up updates; a wrong token or a refused webhook URL stops startup with a message.

        A network failure does not: Telegram (or the server's network) being
        down for a while at boot must not leave the commune without its bot
        once it comes back, so the set-up is retried in the background.
        """
        self._started = True
        try:
            await self._set_up()
        except ConfigError:
            await self._close_bot()  # no unclosed HTTP sessions behind the error message
            raise
        except (NetworkError, RetryAfter) as exc:  # TimedOut is a NetworkError
            log.warning(
                "cannot reach the Telegram Bot API at %s (%s); retrying in the background, not ready",
                self.settings.telegram_api_url,
                exc,
            )
            self._side.append(asyncio.create_task(self._keep_trying(), name="telegram-start"))

    async def _keep_trying(self) -> None:
        """Retry the set-up with backoff (1 s up to 60 s), one log line per distinct error."""
        delay = 1.0
        last = ""
        while not self._stopping:
            await self.sleep(delay)
            try:
                await self._set_up()
                log.info("reached the Telegram Bot API; serving")
                return
            except RetryAfter as exc:
                delay = max(delay, retry_after_seconds(exc))
                continue
            except (NetworkError, TelegramError) as exc:
                if str(exc) != last:
                    last = str(exc)
                    log.warning("still cannot reach the Telegram Bot API (%s); retrying", exc)
            except ConfigError as exc:  # the token or the webhook URL is wrong: retrying cannot help
                log.critical("%s; Telegram is not served", exc)
                return
            delay = min(delay * 2, 60.0)

    async def _set_up(self) -> None:
        await self._connect()
        await self._register_commands()
        try:
            if self.webhook_url:
                await self.bot.set_webhook(
                    url=self.webhook_url,
                    secret_token=self.secret,
                    allowed_updates=ALLOWED_UPDATES,
                    max_connections=self.settings.telegram_webhook_max_connections,
                )
                log.info("telegram webhook set to %s (served at %s)", self.webhook_url, self.webhook_path)
            else:
                # getUpdates fails with 409 while a webhook is set: switch to polling explicitly.
                await self.bot.delete_webhook(drop_pending_updates=False)
        except BadRequest as exc:
            raise ConfigError(
                f"Telegram refused MOTCUA_TELEGRAM_WEBHOOK_URL={self.webhook_url!r}: {exc}; it must be a "
                "public https URL with a valid certificate"
            ) from None
        if self._stopping:
            return
        if not self.webhook_url:
            self._poller = asyncio.create_task(self._poll_loop(), name="telegram-polling")
            log.info("telegram long polling as @%s", self.me.username if self.me else "?")
        self._side.append(asyncio.create_task(self._upkeep(), name="telegram-journal"))
        self.ready = True

    async def _connect(self) -> None:
        """getMe: a bad token stops startup with a message saying what to fix."""
        try:
            await self.bot.initialize()
        except InvalidToken as exc:
            raise ConfigError(
                f"MOTCUA_TELEGRAM_TOKEN was rejected by the Bot API at {self.settings.telegram_api_url} "
                f"({exc}); copy the token again from @BotFather (it looks like 123456789:AA...)"
            ) from None
        self.me = BotIdentity(self.bot.id, self.bot.username)
        self.journal.bot_id = self.bot.id

    async def _register_commands(self) -> None:
        commands = command_menu(self.app.services.router.public_commands())
        try:
            await self.bot.set_my_commands(commands)
        except TelegramError as exc:  # the menu is a convenience; serving matters more
            log.warning("could not register the Telegram command menu: %s", exc)

    async def stop(self) -> None:
        """Stop taking updates, finish the ones in flight, then close the HTTP client."""
        self._stopping = True
        self.ready = False
        for task in [*self._side, *([self._poller] if self._poller else [])]:
            task.cancel()
        await asyncio.gather(*self._side, *([self._poller] if self._poller else []), return_exceptions=True)
        self._poller = None
        await self.drain(self.settings.telegram_shutdown_grace)
        await self.journal.flush()
        await self.budget.close()
        if self._offset is not None and not self.webhook_url and self.me is not None:
            try:  # confirm the updates taken, so a restart does not download them again
                await self.bot.get_updates(offset=self._offset, timeout=0, limit=1)
            except TelegramError as exc:
                log.info("could not confirm the last updates: %s", exc)
        await self._close_bot()

    async def _close_bot(self) -> None:
        try:
            await self.bot.shutdown()
        except Exception:
            log.exception("error while closing the Telegram client")

    async def drain(self, grace: float | None = None) -> None:
        """Wait until every submitted update is handled (or the timeout passes).

        Updates cancelled here stay pending in the journal: the next start handles them.
        """
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
        if pending:
            log.error("%d Telegram updates still in progress at shutdown; cancelling them", len(pending))
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def _upkeep(self) -> None:
        """Renew the claim on updates in progress; take over those of a dead worker; prune."""
        await self.journal.prune()
        pruned_at = time.monotonic()
        if self.webhook_url:
            await self._recover(everything=False)
        while True:
            await asyncio.sleep(max(0.2, self.journal.lease / 3))
            if self._journaled:
                await self.journal.renew(list(self._journaled))
            if self.webhook_url:
                await self._recover(everything=False)
            if time.monotonic() - pruned_at > self.MAINTENANCE_SECONDS:
                await self.journal.prune()
                pruned_at = time.monotonic()

    async def _recover(self, *, everything: bool) -> int:
        """Handle updates the journal holds but nobody is handling (a crash); how many."""
        room = max(1, self.max_in_flight - len(self._tasks))
        count = 0
        for update_id, payload in await self.journal.orphans(everything=everything, limit=room):
            try:
                update = Update.de_json(json.loads(payload), self.bot)
            except Exception:
                log.exception("cannot read journaled telegram update %s: %.2000s", update_id, payload)
                self.journal.done(update_id)
                continue
            if update_id in self._journaled:
                continue  # already in progress here
            self._seen.pop(update_id, None)  # taken over from a dead worker: not a duplicate
            if self.submit(update, journaled=True):
                count += 1
        if count:
            log.warning("handling %d Telegram updates left unfinished by a stopped worker", count)
        return count

    # -- polling -------------------------------------------------------------
    async def _wait_for_room(self) -> int:
        """Block while `max_in_flight` updates are in progress; the room left."""
        while (room := self.max_in_flight - len(self._tasks)) <= 0:
            self._room.clear()
            await self._room.wait()
        return room

    async def _poll_loop(self) -> None:
        """Take updates from Telegram, journal them, only then let the offset confirm them."""
        # updates a crash left pending come first (the oldest messages of their chats)
        while await self._recover(everything=True):
            await self._wait_for_room()
        delay = 1.0
        timeout = self.settings.telegram_poll_timeout
        while not self._stopping:
            room = await self._wait_for_room()
            try:
                raw = await get_updates_raw(
                    self.bot,
                    offset=self._offset,
                    poll_seconds=timeout,
                    limit=min(self.POLL_LIMIT, room),
                    allowed_updates=ALLOWED_UPDATES,
                )
                delay = 1.0
                self.ready = True
            except asyncio.CancelledError:
                raise
            except RetryAfter as exc:
                await self.sleep(retry_after_seconds(exc))
                continue
            except InvalidToken as exc:
                log.critical("the Bot API rejected the token while polling (%s); polling stopped", exc)
                self.ready = False
                return
            except Conflict as exc:
                log.error("another process is polling or a webhook is set (%s); retrying", exc)
                await self.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            except (TimedOut, NetworkError) as exc:
                self.ready = False  # honest: nothing arrives while Telegram cannot be reached
                log.warning("telegram getUpdates failed (%s); retrying in %.0fs", exc, delay)
                await self.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            except Exception:
                log.exception("unexpected error while polling Telegram")
                await self.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            fresh: list[tuple[Update, str]] = []
            for data in raw:
                update_id = data.get("update_id")
                if not isinstance(update_id, int) or update_id in self._seen:
                    continue
                try:
                    fresh.append((Update.de_json(data, self.bot), json.dumps(data)))
                except Exception:  # keep it in the log: the journal cannot hold what cannot be read
                    log.exception("cannot read telegram update %s: %.2000s", update_id, data)
            new = await self.journal.take([(u.update_id, payload) for u, payload in fresh])
            for update, _ in fresh:
                if new is None or update.update_id in new:
                    self.submit(update, journaled=new is not None)
            ids = [d["update_id"] for d in raw if isinstance(d.get("update_id"), int)]
            if ids:
                # only now may the next getUpdates confirm them: they are in the journal
                self._offset = max(self._offset or 0, max(ids) + 1)

    # -- webhook -------------------------------------------------------------
    async def handle_webhook(self, request: web.Request) -> web.Response:
        """Check the secret in constant time, journal the update, acknowledge, process in the background."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret.encode()):
            log.warning("telegram webhook request without the right secret from %s", request.remote)
            return web.Response(status=403, text="forbidden")
        if self._stopping or self.me is None:
            return web.Response(status=503, text="shutting down")  # Telegram will re-send
        try:
            data = await request.json(loads=webhook_json.loads)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            log.warning("telegram webhook request with a body that is not an Update")
            return web.Response(status=400, text="bad update")
        try:
            update = Update.de_json(data, self.bot)
        except Exception:
            # It did come from Telegram (the secret matched): answering an error would only make
            # Telegram re-send it. Keep it in the log so what the citizen sent is not lost.
            log.exception("cannot read telegram update %s: %.2000s", data.get("update_id"), data)
            return web.Response(status=200)
        if update.update_id in self._seen:
            log.info("telegram update %s received again; ignored", update.update_id)
            return web.Response(status=200)
        try:  # backpressure: Telegram's connections wait rather than our memory growing
            await asyncio.wait_for(self._wait_for_room(), 10.0)
        except TimeoutError:
            return web.Response(status=503, text="busy")  # Telegram will re-send
        new = await self.journal.take([(update.update_id, json.dumps(data))])
        if new is not None and update.update_id not in new:
            log.info("telegram update %s already taken (another worker or a re-send)", update.update_id)
            self._remember(update.update_id)
            return web.Response(status=200)
        self.submit(update, journaled=new is not None)
        return web.Response(status=200)

    # -- processing ----------------------------------------------------------
    def _remember(self, update_id: int) -> None:
        self._seen[update_id] = None
        if len(self._seen) > self.SEEN_WINDOW:
            self._seen.popitem(last=False)

    def submit(self, update: Update, *, journaled: bool = False) -> bool:
        """Schedule an update once per update_id; False for a duplicate.

        A journaled update is marked done when handled; one cancelled at
        shutdown or lost to a crash stays pending and is handled again.
        """
        if update.update_id in self._seen:
            log.info("telegram update %s received again; ignored", update.update_id)
            return False
        self._remember(update.update_id)
        if journaled:
            self._journaled.add(update.update_id)
        task = asyncio.create_task(self._process(update, time.perf_counter(), journaled))
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return True

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._room.set()

    def _chat_lock(self, key: Any) -> asyncio.Lock:
        lock = self._chat_locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._chat_locks[key] = lock
        return lock

    async def _process(self, update: Update, received: float, journaled: bool = False) -> None:
        try:
            await self._process_one(update)
        finally:
            self._journaled.discard(update.update_id)
        # not reached when cancelled: the update stays pending and is handled again
        if journaled:
            self.journal.done(update.update_id)

    async def _process_one(self, update: Update) -> None:
        try:
            assert self.me is not None
            inbound = parse_update(update, self.me)
        except Exception:
            log.exception("could not read telegram update %s", update.update_id)
            return
        if inbound is None:
            self.processed += 1
            return
        # The first await is the chat lock, so updates of one chat keep their order.
        async with self._chat_lock(inbound.chat_id or inbound.platform_id), self._slots:
            try:
                await self._handle(inbound)
            except Exception:
                log.exception("failed to handle telegram update %s", update.update_id)
            finally:
                self.processed += 1

    async def _handle(self, inbound: Inbound) -> None:
        if inbound.callback_query_id is not None:
            try:  # stop the button's spinner first; an old query cannot be answered, that is fine
                await self.bot.answer_callback_query(inbound.callback_query_id)
            except TelegramError as exc:
                log.debug("answerCallbackQuery failed: %s", exc)
        if inbound.blocked and inbound.platform_id is not None:
            # Like a Zalo unfollow: the "unfollow" event (handlers/channel_events.py) also ends
            # subscriptions and flows; nothing can be sent to this chat any more.
            if "unfollow" in self.app.services.router.events:
                await self._dispatch(
                    Incoming(channel=CHANNEL, platform_id=inbound.platform_id, other="unfollow")
                )
            await self._mark_unreachable(inbound.platform_id)
            return
        if inbound.chat_id is None:
            return
        for incoming in inbound.incomings:
            replies = await self._dispatch(incoming)
            edit = inbound.callback_message_id if incoming.action is not None else None
            await self.channel.reply(
                inbound.chat_id, replies, platform_id=incoming.platform_id, edit_message_id=edit
            )

    async def _dispatch(self, incoming: Incoming) -> list[Reply]:
        return await dispatch_bounded(self.app, incoming, self._starved)

    @property
    def starved_retries(self) -> int:
        """Conversations handled again after the pool had no connection."""
        return self._starved.value

    async def _mark_unreachable(self, platform_id: str) -> None:
        from storage.repos import mark_unreachable

        try:
            async with self.app.db.session() as db:
                await mark_unreachable(db, CHANNEL, platform_id)
                await db.commit()
        except Exception:
            log.exception("could not mark telegram user %s as unreachable", platform_id)


def runner_factory(app: App) -> TelegramRunner | None:
    """`motcua run` serves Telegram when MOTCUA_TELEGRAM_TOKEN is set."""
    if not app.settings.telegram_token.strip():
        return None
    return TelegramRunner(app)
