"""Zalo Bot Platform channel: for communes without OA API access.

The Bot Platform (bot.zaloplatforms.com) is Telegram-like: every call is
`POST {base}<token>/<method>` with a JSON body, answered with
`{"ok": true, "result": ...}` or `{"ok": false, "error_code", "description"}`
(sometimes with a non-2xx status instead). Updates come either from
`getUpdates` long polling (one update per call, error 408 when nothing
arrived) or from a webhook registered with `setWebhook`, which Zalo calls
with the `X-Bot-Api-Secret-Token` header (a shared secret, compared in
constant time). It is text only: no buttons, so choices are a numbered list
and the dispatcher maps a typed number to the button it stands for.
Facts: ../shared/domain/zalo.md section A, checked against the platform's
docs as mirrored in public repositories (see the report of issue 6).

The token is part of every URL, so URLs are never logged.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import aiohttp
from aiohttp import web

from bot.channels import webhook_json
from bot.channels.base import (
    DeliveryError,
    PermanentError,
    RateLimited,
    TransientError,
    Unreachable,
)
from bot.channels.files import UrlFiles
from bot.channels.zalo_common import (
    MAX_WEBHOOK_BYTES,
    LazyHttp,
    SeenEvents,
    UserQueue,
    ZaloSenderBase,
    answer_with_retries,
    as_dict,
    as_str,
    converse,
    is_http_url,
    register_sender,
)
from bot.outbox_sender.budget import zalo_budget
from bot.outbox_sender.rate_limit import RealClock
from handlers.messages import Incoming, Photo, Reply
from handlers.rendering import inline_documents, render_numbered_batch, split_text

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

CHANNEL = "zalo_bot"
MAX_TEXT = 2000
DEFAULT_WEBHOOK_PATH = "/zalo/bot/webhook"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
NO_UPDATE = 408
RATE_LIMIT_WAIT = 10.0  # the platform documents 429 "quota exceeded" but no Retry-After


class BotApiError(Exception):
    """The Bot Platform answered ok:false (or a non-2xx status)."""

    def __init__(self, code: int, description: str) -> None:
        self.code = code
        self.description = description
        super().__init__(f"Zalo Bot API error {code}: {description}")


class BotClient:
    """Calls Bot Platform methods; the token stays inside this object."""

    def __init__(self, api_url: str, token: str, http: Callable[[], aiohttp.ClientSession]) -> None:
        self._base = f"{api_url}{token}/"
        self._http = http

    async def call(self, method: str, body: dict[str, Any] | None = None, *, wait: float = 15.0) -> Any:
        try:
            async with self._http().post(
                self._base + method, json=body or {}, timeout=aiohttp.ClientTimeout(total=wait)
            ) as resp:
                status = resp.status
                try:
                    data = await resp.json(content_type=None)
                except ValueError:
                    data = None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransientError(f"Zalo Bot API unreachable ({method}): {type(exc).__name__}") from None
        if isinstance(data, dict) and data.get("ok") is True and status < 300:
            return data.get("result")
        if isinstance(data, dict) and "error_code" in data:
            try:
                code = int(data["error_code"])
            except (TypeError, ValueError):
                code = status
            raise BotApiError(code, str(data.get("description") or "")[:200])
        if status >= 500 or data is None:
            raise TransientError(f"Zalo Bot API answered HTTP {status} to {method}")
        raise BotApiError(status, "unexpected answer")


def delivery_error(exc: BotApiError) -> DeliveryError:
    """Map the platform's error codes (400/401/403/404/408/429) to the outbox contract."""
    if exc.code == 429:
        return RateLimited(RATE_LIMIT_WAIT, str(exc))
    if exc.code == 401:
        log.critical("the Zalo Bot token was rejected (401): check MOTCUA_ZALO_BOT_TOKEN in Zalo Bot Creator")
        return TransientError(str(exc))
    if exc.code in (403, 408) or exc.code >= 500:  # 403 is documented as "internal server error"
        return TransientError(str(exc))
    if exc.code == 404:
        return Unreachable(str(exc))
    return PermanentError(str(exc))


# ---------------------------------------------------------------- inbound
def parse_update(update: Any) -> tuple[str, str, list[Incoming]] | None:
    """(dedup key, chat id, messages) for an update to act on; None otherwise.

    Accepts the webhook body with or without the `{ok, result}` envelope,
    and `from.display_name` or `from.first_name` (both appear in the docs).
    """
    if not isinstance(update, dict):
        return None
    if isinstance(update.get("result"), dict) and "ok" in update:
        update = update["result"]
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    chat = as_dict(message.get("chat"))
    sender = as_dict(message.get("from"))
    if sender.get("is_bot"):
        return None
    if chat.get("chat_type") not in (None, "PRIVATE"):
        log.info("Zalo Bot group message ignored: the bot serves one-to-one chats")
        return None
    chat_id = str(chat.get("id") or sender.get("id") or "")
    if not chat_id:
        return None
    name = sender.get("display_name") or sender.get("first_name") or sender.get("name")
    name = str(name)[:128] if name else None
    event = str(update.get("event_name") or "")
    message_id = str(message.get("message_id") or "")
    key = f"{event}:{message_id}" if message_id else f"{event}:{chat_id}:{message.get('date')}"
    text = as_str(message.get("text"))
    caption = as_str(message.get("caption"))
    photo = message.get("photo") or message.get("photo_url")

    def make(**kind: Any) -> Incoming:
        return Incoming(CHANNEL, chat_id, display_name=name, message_id=message_id or None, **kind)

    out: list[Incoming] = []
    if event == "message.text.received" or (not event and text):
        if text.strip():
            out.append(make(text=text))
    elif event == "message.image.received" or (not event and photo):
        if is_http_url(photo):
            out.append(make(photo=Photo(ref=str(photo))))
        if (caption or text).strip():
            out.append(make(text=caption or text))
    elif event == "message.sticker.received":
        out.append(make(other="sticker"))
    elif event == "message.unsupported.received":
        out.append(make(other="unsupported"))
    else:
        out.append(make(other="other"))
    return (key, chat_id, out) if out else None


# ---------------------------------------------------------------- outbound
def render(replies: list[Reply]) -> list[tuple[str, dict[str, Any]]]:
    """(method, body without chat_id) for each call: photos, then text with numbered choices.

    Documents are written out as text (the bot sends no files).
    """
    replies = inline_documents(replies)
    calls: list[tuple[str, dict[str, Any]]] = []
    for reply, text in zip(replies, render_numbered_batch(replies), strict=True):
        if is_http_url(reply.photo):
            calls.append(("sendPhoto", {"photo": reply.photo}))
        for part in split_text(text, MAX_TEXT) if text.strip() else []:
            calls.append(("sendMessage", {"text": part}))
    return calls


class ZaloBotSender(ZaloSenderBase):
    """Sends replies to one Bot Platform chat: live answers and, through `send`, the outbox."""

    channel = CHANNEL

    def __init__(
        self,
        client: BotClient,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        owned_http: LazyHttp | None = None,
    ) -> None:
        super().__init__(sleep=sleep, owned_http=owned_http)
        self.client = client

    async def send(self, platform_id: str, replies: list[Reply]) -> str | None:
        last: str | None = None
        for method, body in render(replies):
            try:
                result = await self.client.call(method, {"chat_id": platform_id, **body})
            except BotApiError as exc:
                raise delivery_error(exc) from None
            if isinstance(result, dict) and result.get("message_id"):
                last = str(result["message_id"])
        return last

    async def send_live(self, platform_id: str, replies: list[Reply]) -> None:
        await answer_with_retries(
            self.send, platform_id, replies, sleep=self.sleep, label="Zalo Bot", budget=self.budget
        )


# ---------------------------------------------------------------- runner
class ZaloBotRunner:
    """Long polling (default) or webhook (when MOTCUA_ZALO_BOT_WEBHOOK_URL is set)."""

    name = CHANNEL
    is_channel = True

    def __init__(
        self,
        app: App,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        maintenance_every: float = 3600.0,
    ) -> None:
        settings = app.settings
        self.app = app
        self.settings = settings
        self.http = LazyHttp()
        self.client = BotClient(settings.zalo_bot_api_url, settings.zalo_bot_token, self.http)
        self.sender = ZaloBotSender(self.client, sleep=sleep)
        self.sender.budget = zalo_budget(app.db, CHANNEL, settings, RealClock(sleep))
        self.seen = SeenEvents(app.db, CHANNEL)
        self.queue = UserQueue()
        self.sleep = sleep
        self.webhook = bool(settings.zalo_bot_webhook_url)
        self.maintenance_every = maintenance_every
        self._tasks: list[asyncio.Task[None]] = []
        register_sender(app, self.sender)
        app.file_sources[CHANNEL] = UrlFiles(CHANNEL, self.http)

    @property
    def webhook_path(self) -> str:
        return (
            self.settings.zalo_bot_webhook_path
            or urlparse(self.settings.zalo_bot_webhook_url).path
            or DEFAULT_WEBHOOK_PATH
        )

    def add_routes(self, web_app: web.Application) -> None:
        if self.webhook:
            web_app.router.add_post(self.webhook_path, self.handle_webhook)

    async def start(self) -> None:
        if self.webhook:
            self._tasks.append(asyncio.create_task(self._register_webhook()))
        else:
            self._tasks.append(asyncio.create_task(self._poll()))
        self._tasks.append(asyncio.create_task(self._maintain()))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.queue.drain()
        if self.sender.budget is not None:
            await self.sender.budget.close()
        await self.http.close()

    async def _register_webhook(self) -> None:
        """setWebhook until it succeeds: Zalo must know where to deliver."""
        body = {
            "url": self.settings.zalo_bot_webhook_url,
            "secret_token": self.settings.zalo_bot_webhook_secret,
        }
        delay = 1.0
        while True:
            try:
                await self.client.call("setWebhook", body)
                log.info("Zalo Bot webhook registered")
                return
            except (BotApiError, TransientError) as exc:
                log.error("could not register the Zalo Bot webhook (retrying in %.0fs): %s", delay, exc)
            await self.sleep(delay)
            delay = min(delay * 2, 300.0)

    async def _poll(self) -> None:
        """getUpdates in a loop; polling and webhooks exclude each other, so drop any webhook first."""
        try:
            await self.client.call("deleteWebhook")
        except (BotApiError, TransientError) as exc:
            log.warning("deleteWebhook failed before polling: %s", exc)
        timeout = self.settings.zalo_bot_poll_timeout
        delay = 1.0
        while True:
            try:
                result = await self.client.call("getUpdates", {"timeout": str(timeout)}, wait=timeout + 5)
            except BotApiError as exc:
                if exc.code == NO_UPDATE:
                    delay = 1.0
                    continue
                if exc.code == 401:
                    log.critical("the Zalo Bot token was rejected (401): check MOTCUA_ZALO_BOT_TOKEN")
                else:
                    log.error("Zalo Bot getUpdates failed (retrying in %.0fs): %s", delay, exc)
                await self.sleep(delay)
                delay = min(delay * 2, 60.0)
                continue
            except TransientError as exc:
                log.warning("Zalo Bot getUpdates failed (retrying in %.0fs): %s", delay, exc)
                await self.sleep(delay)
                delay = min(delay * 2, 60.0)
                continue
            delay = 1.0
            for update in result if isinstance(result, list) else [result]:
                self.accept(update)

    async def _maintain(self) -> None:
        await self.seen.prune_forever(self.maintenance_every)

    async def handle_webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER)
        if not given:
            log.warning("Zalo Bot webhook without %s from %s: rejected", SECRET_HEADER, request.remote)
            return web.Response(status=401, text="missing secret token")
        expected = self.settings.zalo_bot_webhook_secret.encode()
        if not hmac.compare_digest(given.encode(), expected):
            log.warning("Zalo Bot webhook with a wrong secret token from %s: rejected", request.remote)
            return web.Response(status=403, text="wrong secret token")
        raw = await request.content.read(MAX_WEBHOOK_BYTES + 1)
        if len(raw) > MAX_WEBHOOK_BYTES:
            return web.Response(status=413, text="too large")
        try:
            payload = webhook_json.loads(raw)
        except ValueError:
            return web.Response(status=400, text="not JSON")
        self.accept(payload)
        return web.json_response({"message": "Success"})

    def accept(self, update: Any) -> None:
        try:
            parsed = parse_update(update)
        except Exception:
            log.exception("unreadable Zalo Bot update")
            return
        if parsed is None:
            return
        key, chat_id, messages = parsed
        self.queue.submit(chat_id, lambda: self._process(key, messages))

    async def _process(self, key: str, messages: list[Incoming]) -> None:
        if not await self.seen.first_or_unknown(key, "Zalo Bot updates"):
            log.info("Zalo Bot update %s already processed; skipped", key)
            return
        await converse(self.app, messages, self.sender.send_live)


def standalone_sender(app: App) -> ZaloBotSender | None:
    """A sender for a process without the bot runner (e.g. an outbox worker); call close() when done."""
    if not app.settings.zalo_bot_token:
        return None
    http = LazyHttp()
    client = BotClient(app.settings.zalo_bot_api_url, app.settings.zalo_bot_token, http)
    return ZaloBotSender(client, owned_http=http)


def runner_factory(app: App) -> ZaloBotRunner | None:
    """`motcua run` starts the Bot Platform channel when MOTCUA_ZALO_BOT_TOKEN is set."""
    if not app.settings.zalo_bot_token:
        return None
    return ZaloBotRunner(app)
