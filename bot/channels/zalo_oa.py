"""Zalo Official Account (Open API v3) channel: webhook in, /message/cs out.

The facts it relies on are in ../shared/domain/zalo.md (section B):
- Webhooks carry `X-ZEvent-Signature: mac=<hex>` where the hex is
  sha256(app_id + raw body + timestamp + OA secret key), a plain SHA-256 of
  the concatenation (not an HMAC); `timestamp` is the body's field (some
  deployments send `X-ZEvent-Timestamp`, accepted too). The raw bytes are
  hashed: re-serialised JSON would not match.
- Sends are `POST /v3.0/oa/message/cs` with the `access_token` header; the
  answer is `{"error": 0, "data": {...}}`, failures are HTTP 200 with a
  negative `error`: -216/-220 token invalid/expired, -32 rate limit, -213
  not a follower, -230/-232 outside the 7-day interaction window.
- Buttons are `oa.query.hide` (at most 5 are used); a press comes back as an
  ordinary `user_send_text` whose text is the payload (`#a:<action>`).

Adapters only translate: the conversation is the dispatcher's.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from sqlalchemy import select

from bot.channels import webhook_json
from bot.channels.base import (
    DeliveryError,
    OutsideWindow,
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
    alert_hook,
    answer_with_retries,
    as_dict,
    clip,
    converse,
    is_http_url,
    local_phone,
    register_sender,
)
from bot.channels.zalo_templates import TEMPLATE_PATH, TemplateSpec, parse_templates
from bot.channels.zalo_tokens import TokenManager, ZaloAuthError, ZaloTokenUnavailable
from bot.outbox_sender.budget import SendBudget, zalo_budget
from bot.outbox_sender.rate_limit import RealClock
from handlers import texts
from handlers.messages import MAX_ACTION_BYTES, Contact, Incoming, Location, Photo, Reply
from handlers.rendering import inline_documents, render_numbered, split_text
from storage.db import Database
from storage.models import User, utcnow

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

CHANNEL = "zalo_oa"
CS_PATH = "/v3.0/oa/message/cs"
MAX_TEXT = 2000
MAX_BUTTONS = 5
MAX_BUTTON_TITLE = 100
ACTION_PREFIX = "#a:"
WINDOW = dt.timedelta(days=7)
WINDOW_MARGIN = dt.timedelta(minutes=10)  # do not try at the very edge of the window

ERR_RATE_LIMIT = -32
ERR_NOT_FOLLOWER = -213
ERR_TOKEN_INVALID = -216
ERR_TOKEN_EXPIRED = -220
ERR_WINDOW = (-230, -232)
TOKEN_ERRORS = (ERR_TOKEN_INVALID, ERR_TOKEN_EXPIRED)
MAX_EVENT_AGE = dt.timedelta(days=1)  # older signed events are treated as replays
RATE_LIMIT_WAIT = 60.0  # seconds; Zalo sends no Retry-After (the limit is per minute)

# events that are not a citizen talking to us: echoes of our own sends, receipts
IGNORED_EVENTS = {
    "user_received_message",
    "user_seen_message",
    "user_reacted_message",
    "user_click_chatnow",
    "add_user_to_tag",
    "oa_send_consent",
    "user_reply_consent",
}
OTHER_KINDS = {
    "user_send_sticker": "sticker",
    "user_send_gif": "sticker",
    "user_send_audio": "voice",
    "user_send_video": "video",
    "user_send_file": "file",
    "user_send_link": "link",
    "user_send_business_card": "business_card",
}


# ---------------------------------------------------------------- signature
def signature_for(app_id: str, raw: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The hex mac Zalo puts in X-ZEvent-Signature (after `mac=`)."""
    return hashlib.sha256(app_id.encode() + raw + timestamp.encode() + oa_secret_key.encode()).hexdigest()


def verify_signature(header: str, raw: bytes, timestamps: list[str], app_id: str, oa_secret_key: str) -> bool:
    """Constant-time check of the header against every timestamp candidate."""
    given = header.strip()
    if given.lower().startswith("mac="):
        given = given[4:].strip()
    given = given.lower()
    ok = False
    for ts in timestamps:
        if ts:
            expected = signature_for(app_id, raw, ts, oa_secret_key)
            ok |= hmac.compare_digest(given.encode(), expected.encode())
    return ok


# ---------------------------------------------------------------- inbound
def _action_from_text(text: str) -> str | None:
    if not text.startswith(ACTION_PREFIX):
        return None
    action = text[len(ACTION_PREFIX) :].strip()
    if action and action.isascii() and len(action.encode()) <= MAX_ACTION_BYTES:
        return action
    return None


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def parse_event(payload: dict[str, Any]) -> tuple[str, str, list[Incoming]] | None:
    """(dedup key, user id, messages) for an event we act on; None for the rest.

    A photo with a caption becomes two messages (photo, then text), so
    nothing the citizen wrote is dropped.
    """
    event = str(payload.get("event_name") or "")
    if not event or event.startswith(("oa_send_", "anonymous_")) or event in IGNORED_EVENTS:
        return None
    message = as_dict(payload.get("message"))
    timestamp = str(payload.get("timestamp") or "")
    if event in ("follow", "unfollow"):
        follower = payload.get("follower") or {}
        user = str(follower.get("id") or "") if isinstance(follower, dict) else ""
        if not user:
            return None
        return f"{event}:{user}:{timestamp}", user, [Incoming(CHANNEL, user, other=event)]
    sender = payload.get("sender") or {}
    user = str(sender.get("id") or "") if isinstance(sender, dict) else ""
    if not user:
        return None
    msg_id = str(message.get("msg_id") or "")
    key = msg_id or f"{event}:{user}:{timestamp}"

    def make(**kind: Any) -> Incoming:
        return Incoming(CHANNEL, user, message_id=msg_id or None, **kind)

    attachments = [a for a in (message.get("attachments") or []) if isinstance(a, dict)]
    text = message.get("text")
    text = text if isinstance(text, str) else ""
    out: list[Incoming] = []
    if event == "user_send_text":
        if not text.strip():
            return None
        action = _action_from_text(text)
        out.append(make(action=action) if action else make(text=text))
    elif event == "user_send_image":
        for att in attachments:
            url = as_dict(att.get("payload")).get("url")
            if is_http_url(url):
                out.append(make(photo=Photo(ref=str(url))))
        if text.strip():
            out.append(make(text=text))
    elif event == "user_send_location":
        for att in attachments:
            data = as_dict(att.get("payload"))
            coords = as_dict(data.get("coordinates")) or data
            lat = _float(coords.get("latitude", coords.get("lat")))
            lon = _float(coords.get("longitude", coords.get("long", coords.get("lng"))))
            if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
                out.append(make(location=Location(lat, lon)))
                break
        if not out:
            out.append(make(other="location_unreadable"))
    elif event == "user_submit_info":
        info = payload.get("info") or {}
        phone = local_phone(str(info.get("phone") or "")) if isinstance(info, dict) else ""
        name = str(info.get("name") or "").strip() or None if isinstance(info, dict) else None
        # shared info without a phone is still an answer: say politely we cannot use it
        out.append(
            make(contact=Contact(phone=phone, name=name)) if phone else make(other="contact_unreadable")
        )
    elif event in OTHER_KINDS:
        out.append(make(other=OTHER_KINDS[event]))
    elif event.startswith("user_send_"):
        out.append(make(other="other"))
    else:
        return None
    return (key, user, out) if out else None


# ---------------------------------------------------------------- outbound rendering
def _query_button(label: str, action: str) -> dict[str, Any]:
    return {
        "title": clip(label, MAX_BUTTON_TITLE),
        "type": "oa.query.hide",
        "payload": ACTION_PREFIX + action,
    }


def render(replies: list[Reply], info_image_url: str = "") -> list[dict[str, Any]]:
    """The `message` objects to send for these replies, in order.

    Up to 5 buttons become oa.query.hide buttons; more become a numbered
    list whose numbers continue across the batch, matching what the
    dispatcher maps typed numbers to. Links fill the remaining button slots
    as oa.open.url, or are written out. The OA sends no JSON files: a
    document is written out as text.
    """
    replies = inline_documents(replies)
    out: list[dict[str, Any]] = []
    number = 1
    for reply in replies:
        buttons = reply.flat_buttons
        if is_http_url(reply.photo):
            out.append(
                {
                    "attachment": {
                        "type": "template",
                        "payload": {
                            "template_type": "media",
                            "elements": [{"media_type": "image", "url": reply.photo}],
                        },
                    }
                }
            )
        attached: list[dict[str, Any]] = []
        text = reply.text
        if len(buttons) <= MAX_BUTTONS:
            attached = [_query_button(b.label, b.action) for b in buttons]
            room = MAX_BUTTONS - len(attached)
            for link in reply.links[:room]:
                attached.append(
                    {
                        "title": clip(link.label, MAX_BUTTON_TITLE),
                        "type": "oa.open.url",
                        "payload": {"url": link.url},
                    }
                )
            spelled = [texts.CONSOLE_LINK.format(label=lk.label, url=lk.url) for lk in reply.links[room:]]
            if spelled:
                text = "\n".join([text, *spelled])
        else:
            text = render_numbered(reply, number)
        number += len(buttons)
        chunks = split_text(text, MAX_TEXT) if text.strip() else []
        if not chunks and attached:
            chunks = [texts.ZALO_CHOOSE]
        for i, chunk in enumerate(chunks):
            message: dict[str, Any] = {"text": chunk}
            if attached and i == len(chunks) - 1:
                message["attachment"] = {"type": "template", "payload": {"buttons": attached}}
            out.append(message)
        if reply.request_contact:
            element: dict[str, Any] = {"title": texts.ZALO_INFO_TITLE, "subtitle": texts.ZALO_INFO_SUBTITLE}
            if info_image_url:
                element["image_url"] = info_image_url
            out.append(
                {
                    "attachment": {
                        "type": "template",
                        "payload": {"template_type": "request_user_info", "elements": [element]},
                    }
                }
            )
    return out


# ---------------------------------------------------------------- API client
class ZaloApiError(Exception):
    """Zalo answered with a negative `error` code."""

    def __init__(self, code: int, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"Zalo OA error {code}: {message}")


class OAClient:
    """Calls the OA API with the current token; refreshes once and retries on -216/-220."""

    def __init__(self, api_url: str, tokens: TokenManager, http: Callable[[], aiohttp.ClientSession]) -> None:
        self.api_url = api_url.rstrip("/")
        self.tokens = tokens
        self._http = http

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        token = await self.tokens.access_token()
        for attempt in (1, 2):
            data = await self._post_once(path, body, token)
            code = _code(data)
            if code in TOKEN_ERRORS and attempt == 1:
                log.warning("Zalo OA access token rejected (error %s); refreshing and retrying once", code)
                token = await self.tokens.refresh(stale=token)
                continue
            if code:
                raise ZaloApiError(code, str(data.get("message") or ""))
            result = data.get("data")
            return result if isinstance(result, dict) else {}
        raise AssertionError("unreachable")  # pragma: no cover

    async def _post_once(self, path: str, body: dict[str, Any], token: str) -> dict[str, Any]:
        try:
            async with self._http().post(
                self.api_url + path,
                json=body,
                headers={"access_token": token},
                timeout=aiohttp.ClientTimeout(total=15),
            ) as resp:
                if resp.status == 429:
                    raise RateLimited(RATE_LIMIT_WAIT, "Zalo OA answered HTTP 429")
                if resp.status >= 500:
                    raise TransientError(f"Zalo OA answered HTTP {resp.status}")
                try:
                    data = await resp.json(content_type=None)
                except ValueError:
                    raise TransientError(f"Zalo OA answered HTTP {resp.status} without JSON") from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransientError(f"Zalo OA unreachable: {type(exc).__name__}") from None
        if not isinstance(data, dict):
            raise TransientError("Zalo OA answered something that is not a JSON object")
        return data


def _code(data: dict[str, Any]) -> int:
    try:
        return int(data.get("error") or 0)
    except (TypeError, ValueError):
        return -1


def delivery_error(exc: ZaloApiError) -> DeliveryError:
    """Map a Zalo error code to the outbox contract."""
    if exc.code == ERR_RATE_LIMIT:
        return RateLimited(RATE_LIMIT_WAIT, str(exc))
    if exc.code == ERR_NOT_FOLLOWER:
        return Unreachable(f"not a follower of the OA ({exc})")
    if exc.code in ERR_WINDOW:
        return OutsideWindow(f"outside the Zalo window ({exc})")
    if exc.code in TOKEN_ERRORS:
        return TransientError(f"access token rejected even after a refresh ({exc})")
    return PermanentError(str(exc))


# ---------------------------------------------------------------- sender
class ZaloOASender:
    """Sends replies to one OA user: live answers and, through `send`, the outbox."""

    channel = CHANNEL

    def __init__(
        self,
        client: OAClient,
        db: Database,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        info_image_url: str = "",
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        owned_http: LazyHttp | None = None,
        templates: dict[str, TemplateSpec] | None = None,
    ) -> None:
        self.client = client
        self.templates = templates or {}
        self.db = db
        self.clock = clock
        self.info_image_url = info_image_url
        self.sleep = sleep
        self._owned_http = owned_http
        self.budget: SendBudget | None = None  # the runner's: live answers first, shared with the outbox

    async def close(self) -> None:
        """Close the HTTP session of a standalone sender (a runner's sender is closed by its runner)."""
        if self._owned_http is not None:
            await self._owned_http.close()

    async def send(self, platform_id: str, replies: list[Reply]) -> str | None:
        """Proactive send (broadcast, complaint reply): only inside the 7-day window."""
        await self.check_window(platform_id)
        return await self.deliver(platform_id, replies)

    async def check_window(self, platform_id: str) -> None:
        """Raise OutsideWindow/Unreachable without calling Zalo when it would refuse anyway."""
        async with self.db.session() as db:
            user = await db.scalar(
                select(User).where(User.channel == CHANNEL, User.platform_id == platform_id)
            )
        if user is None:
            raise OutsideWindow("outside the Zalo window: this user never wrote to the OA")
        if user.blocked:
            raise Unreachable("the user unfollowed the OA")
        if user.last_seen_at < self.clock() - WINDOW + WINDOW_MARGIN:
            raise OutsideWindow(
                f"outside the Zalo window: last message {user.last_seen_at:%Y-%m-%d %H:%M} UTC, more than 7 days ago"
            )

    async def deliver(self, platform_id: str, replies: list[Reply]) -> str | None:
        """Send every rendered message; the id of the last one is returned."""
        last: str | None = None
        for message in render(replies, self.info_image_url):
            body = {"recipient": {"user_id": platform_id}, "message": message}
            try:
                data = await self.client.post(CS_PATH, body)
            except ZaloApiError as exc:
                raise delivery_error(exc) from None
            except ZaloAuthError as exc:
                raise TransientError(f"Zalo OA is not authorised: {exc}") from None
            except ZaloTokenUnavailable as exc:
                raise TransientError(str(exc)) from None
            last = str(data.get("message_id") or "") or last
        return last

    async def send_template(self, platform_id: str, purpose: str, values: dict[str, str]) -> str | None:
        """Outside the window: the approved template of `purpose` (bot/channels/zalo_templates.py).

        OutsideWindow when no template serves that purpose: the row waits, as before.
        """
        spec = self.templates.get(purpose)
        if spec is None:
            raise OutsideWindow(f"outside the Zalo window and no template for {purpose}")
        body = {
            "user_id": platform_id,
            "template_id": spec.template_id,
            "template_data": spec.data(purpose, values),
        }
        try:
            data = await self.client.post(TEMPLATE_PATH, body)
        except ZaloApiError as exc:
            raise delivery_error(exc) from None
        except (ZaloAuthError, ZaloTokenUnavailable) as exc:
            raise TransientError(f"Zalo OA is not authorised: {exc}") from None
        return str(data.get("message_id") or "") or None

    async def send_live(self, platform_id: str, replies: list[Reply]) -> None:
        await answer_with_retries(
            self.deliver, platform_id, replies, sleep=self.sleep, label="Zalo OA", budget=self.budget
        )


# ---------------------------------------------------------------- runner
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
        while True:
            await self.tokens.ensure_fresh()
            try:
                await self.seen.prune()
            except Exception:
                log.exception("could not prune seen Zalo OA events")
            await asyncio.sleep(self.maintenance_every)

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
        """Signed events from long ago are replays: the dedup memory does not reach that far.

        The time is the body's `timestamp`, else the header's (the one the signature
        covered). An event with neither is refused: a signed body without a time could be
        replayed forever, which is how the guard used to be skipped.
        """
        raw = payload.get("timestamp") or header_timestamp
        try:
            sent = dt.datetime.fromtimestamp(int(raw) / 1000, dt.UTC)
        except (TypeError, ValueError, OverflowError, OSError):
            return True
        if sent.year <= 2000:
            return True
        return self.app.services.clock() - sent > MAX_EVENT_AGE

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
        try:
            first = await self.seen.first_time(key)
        except Exception as exc:
            # the database is struggling: answer anyway (the dispatcher apologises if it must)
            self.seen.errors.failed("cannot record Zalo OA events; processing them anyway", exc)
            first = True
        if not first:
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
