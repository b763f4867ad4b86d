"""Zalo Official Account (Open API v3) channel: the runner that serves the webhook inside `motcua run`.

The channel is split by job, and this module keeps the names importable from here:
- bot/channels/zalo_oa_webhook.py: the signature, the replay guard, events as Incoming;
- bot/channels/zalo_oa_render.py: replies as OA messages (buttons, links, the info card);
- bot/channels/zalo_oa_api.py: the API client and its error codes;
- bot/channels/zalo_oa_send.py: ZaloOASender (live answers, the outbox, templates).
The facts they rely on are in ../shared/domain/zalo.md (section B) and docs/zalo.md.

Adapters only translate: the conversation is the dispatcher's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.channels import webhook_json
from bot.channels.files import UrlFiles
from bot.channels.zalo_common import (
    MAX_WEBHOOK_BYTES,
    LazyHttp,
    SeenEvents,
    UserQueue,
    alert_hook,
    converse,
    register_sender,
)
from bot.channels.zalo_oa_api import (
    ACTION_PREFIX,
    CHANNEL,
    CS_PATH,
    ERR_NOT_FOLLOWER,
    ERR_RATE_LIMIT,
    ERR_TOKEN_EXPIRED,
    ERR_TOKEN_INVALID,
    ERR_WINDOW,
    RATE_LIMIT_WAIT,
    TOKEN_ERRORS,
    OAClient,
    ZaloApiError,
    delivery_error,
)
from bot.channels.zalo_oa_render import MAX_BUTTON_TITLE, MAX_BUTTONS, MAX_TEXT, render
from bot.channels.zalo_oa_send import WINDOW, WINDOW_MARGIN, ZaloOASender
from bot.channels.zalo_oa_webhook import (
    IGNORED_EVENTS,
    MAX_EVENT_AGE,
    OTHER_KINDS,
    is_stale,
    parse_event,
    signature_for,
    verify_signature,
)
from bot.channels.zalo_templates import parse_templates
from bot.channels.zalo_tokens import TokenManager
from bot.outbox_sender.budget import zalo_budget
from bot.outbox_sender.rate_limit import RealClock
from handlers.messages import Incoming

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

__all__ = [
    "ACTION_PREFIX",
    "CHANNEL",
    "CS_PATH",
    "ERR_NOT_FOLLOWER",
    "ERR_RATE_LIMIT",
    "ERR_TOKEN_EXPIRED",
    "ERR_TOKEN_INVALID",
    "ERR_WINDOW",
    "IGNORED_EVENTS",
    "MAX_BUTTONS",
    "MAX_BUTTON_TITLE",
    "MAX_EVENT_AGE",
    "MAX_TEXT",
    "OTHER_KINDS",
    "RATE_LIMIT_WAIT",
    "TOKEN_ERRORS",
    "WINDOW",
    "WINDOW_MARGIN",
    "OAClient",
    "ZaloApiError",
    "ZaloOARunner",
    "ZaloOASender",
    "build_sender",
    "delivery_error",
    "parse_event",
    "render",
    "runner_factory",
    "signature_for",
    "standalone_sender",
    "verify_signature",
]


class ZaloOARunner:
    """Serves the OA webhook inside `motcua run` and keeps the tokens fresh."""

    name = CHANNEL
    is_channel = True

    def __init__(
        self,
        app: App,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        maintenance_every: float = 600.0,
    ) -> None:
        self.app = app
        self.settings = app.settings
        self.http = LazyHttp()
        self.sender = build_sender(app, self.http, sleep=sleep)
        self.sender.budget = zalo_budget(app.db, CHANNEL, self.settings, RealClock(sleep))
        self.tokens = self.sender.client.tokens
        self.seen = SeenEvents(app.db, CHANNEL)
        self.queue = UserQueue()
        self.maintenance_every = maintenance_every
        self._maintenance: asyncio.Task[None] | None = None
        register_sender(app, self.sender)
        app.file_sources[CHANNEL] = UrlFiles(CHANNEL, self.http)

    def add_routes(self, web_app: web.Application) -> None:
        web_app.router.add_post(self.settings.zalo_oa_webhook_path, self.handle_webhook)

    async def start(self) -> None:
        self._maintenance = asyncio.create_task(self._maintain())

    async def stop(self) -> None:
        if self._maintenance is not None:
            self._maintenance.cancel()
            await asyncio.gather(self._maintenance, return_exceptions=True)
        await self.queue.drain()
        if self.sender.budget is not None:
            await self.sender.budget.close()
        await self.http.close()

    async def _maintain(self) -> None:
        """Refresh tokens ahead of expiry (so an idle OA keeps its 3-month refresh token alive), prune seen ids."""
        await self.seen.prune_forever(self.maintenance_every, before=self.tokens.ensure_fresh)

    async def handle_webhook(self, request: web.Request) -> web.Response:
        """Verify, answer 200 at once, process in the background."""
        if request.content_length is not None and request.content_length > MAX_WEBHOOK_BYTES:
            return web.Response(status=413, text="too large")
        raw = await request.content.read(MAX_WEBHOOK_BYTES + 1)
        if len(raw) > MAX_WEBHOOK_BYTES:
            return web.Response(status=413, text="too large")
        try:
            payload = webhook_json.loads(raw)
        except ValueError:
            payload = None
        header = request.headers.get("X-ZEvent-Signature", "")
        if not header:
            if payload == {}:
                # Zalo probes a new webhook URL with an unsigned empty object; nothing to process
                return web.Response(text="ok")
            log.warning("Zalo OA webhook without X-ZEvent-Signature from %s: rejected", request.remote)
            return web.Response(status=401, text="missing signature")
        if payload is None:
            return web.Response(status=400, text="not JSON")  # nothing to verify or process
        timestamps: list[str] = []
        if isinstance(payload, dict):
            timestamps.append(str(payload.get("timestamp") or ""))
        timestamps.append(request.headers.get("X-ZEvent-Timestamp", ""))
        if not isinstance(payload, dict) or not verify_signature(
            header, raw, timestamps, self.settings.zalo_oa_app_id, self.settings.zalo_oa_secret_key
        ):
            log.warning("Zalo OA webhook with a wrong signature from %s: rejected", request.remote)
            return web.Response(status=403, text="bad signature")
        if self._stale(payload, request.headers.get("X-ZEvent-Timestamp", "")):
            log.warning("Zalo OA event without a recent timestamp ignored (a replay?)")
            return web.json_response({"message": "Success"})
        self.accept(payload)
        return web.json_response({"message": "Success"})

    def _stale(self, payload: dict[str, Any], header_timestamp: str) -> bool:
        return is_stale(payload, header_timestamp, self.app.services.clock())

    def accept(self, payload: dict[str, Any]) -> None:
        """Queue a verified event for background processing (in order per user)."""
        try:
            parsed = parse_event(payload)
        except Exception:
            log.exception("unreadable Zalo OA event %r", str(payload.get("event_name"))[:40])
            return
        if parsed is None:
            log.debug("Zalo OA event %s ignored", payload.get("event_name"))
            return
        key, user, messages = parsed
        self.queue.submit(user, lambda: self._process(key, messages))

    async def _process(self, key: str, messages: list[Incoming]) -> None:
        if not await self.seen.first_or_unknown(key, "Zalo OA events"):
            log.info("Zalo OA event %s already processed; skipped", key)
            return
        await converse(self.app, messages, self.sender.send_live)


def build_sender(
    app: App,
    http: LazyHttp,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    owned: bool = False,
) -> ZaloOASender:
    settings = app.settings
    tokens = TokenManager(
        app.db,
        http,
        app_id=settings.zalo_oa_app_id,
        app_secret=settings.zalo_oa_app_secret,
        oauth_url=settings.zalo_oauth_url,
        clock=app.services.clock,
        alert=lambda text: alert_hook(app)(text),  # looked up when needed: hooks may come later
    )
    client = OAClient(settings.zalo_oa_api_url, tokens, http)
    return ZaloOASender(
        client,
        app.db,
        clock=app.services.clock,
        info_image_url=settings.zalo_oa_info_image_url,
        sleep=sleep,
        owned_http=http if owned else None,
        templates=parse_templates(settings),
    )


def standalone_sender(app: App) -> ZaloOASender | None:
    """A sender for a process without the OA runner (e.g. an outbox worker); call close() when done.

    It shares the token row with the runner of another process: refreshes
    are serialised by the database row lock on PostgreSQL, and on SQLite
    (one process) the runner's own sender is registered instead.
    """
    if not app.settings.zalo_oa_app_id:
        return None
    return build_sender(app, LazyHttp(), owned=True)


def runner_factory(app: App) -> ZaloOARunner | None:
    """`motcua run` starts the OA channel when MOTCUA_ZALO_OA_APP_ID is set."""
    if not app.settings.zalo_oa_app_id:
        return None
    return ZaloOARunner(app)
