"""A strict fake Telegram Bot API server (aiohttp) for end-to-end tests and benchmarks.

The real python-telegram-bot client talks to it through `base_url`, exactly as
to api.telegram.org. It is meant to be as strict as Telegram, or stricter:

- methods and fields are checked against the Bot API spec
  (tests/data/telegram/bot-api-methods.json, reduced from ../shared/telegram/bot-api.json):
  unknown methods get 404 (as Telegram), missing required fields, unknown
  fields (Telegram ignores them; we reject to catch typos) and wrongly typed
  fields get 400;
- text longer than 4096 UTF-16 units after entity parsing, malformed or
  unsupported HTML, callback_data outside 1-64 bytes, invalid button URLs,
  unknown chats and messages get Telegram's 400 errors;
- getFile and the /file/bot<token>/<path> download (tests/fake_telegram_files.py)
  serve only files the fake handed out, through paths a getFile issued;
- blocked chats get 403 "Forbidden: bot was blocked by the user";
- a global messages-per-second limit, a per-chat limit (a sliding second, or
  a bucket with a short burst as Telegram tolerates) and a per-group limit
  per minute (all configurable, off by default) answer 429 with
  `parameters.retry_after`; like Telegram's flood wait, the whole bot is then
  refused (429 with the time left) until retry_after has passed, so a client
  that ignores it keeps failing; `fail_next` injects any error once.

Test side: `send_text`, `send_sticker`, `send_photo`, `press`, … create updates
(served by getUpdates long polling, or POSTed to the webhook with the secret
header when one is set); `messages_to(chat)` / `wait_messages` show what the bot
sent; `count` counts messages per chat. Run it standalone for benchmarks with
`python -m tests.fake_telegram --port 8081`; the `/_fake/*` routes drive it over HTTP.

A broadcast test, for example::

    fake = FakeTelegram(global_per_second=30, per_chat_per_second=1, record=False)
    await fake.start()
    for uid in range(1, 10_001):
        fake.user(uid)                      # a subscriber with a private chat
    fake.block(17)                          # this one blocked the bot: 403
    bot = Bot(fake.token, base_url=fake.api_url)
    sender = TelegramSender(bot)            # bot/channels/telegram/sending.py
    ...                                     # run the outbox
    assert fake.count[42] == 1 and fake.rate_limited >= 0
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import json
import math
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from tests.fake_telegram_files import FileStore, tiny_png

SPEC_FILE = Path(__file__).resolve().parent / "data" / "telegram" / "bot-api-methods.json"
SHARED_SPEC = Path(__file__).resolve().parents[2] / "shared" / "telegram" / "bot-api.json"
DEFAULT_TOKEN = "123456:TEST-fake-token"
MAX_TEXT = 4096
MAX_CAPTION = 1024
SEND_METHODS = {
    "sendMessage",
    "sendPhoto",
    "sendDocument",
}  # count as messages for limits and per-chat counts
PRIMITIVES = {"Integer", "String", "Boolean", "Float", "InputFile"}
ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_BUTTON_URL = re.compile(r"^(https?|tg)://[^\s]+$", re.I)
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_ENTITY_CHARS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class ApiError(Exception):
    """An error answer of the Bot API: HTTP status, description, optional retry_after."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            out["parameters"] = {"retry_after": self.retry_after}
        return out


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def load_spec(path: Path | None = None) -> dict[str, dict[str, dict[str, Any]]]:
    """Method -> field -> {types, required}, from the full spec or the reduced vendored copy."""
    env = os.environ.get("MOTCUA_BOT_API_SPEC")
    candidates = [Path(env)] if env else []
    candidates += [path] if path else []
    candidates += [SPEC_FILE, SHARED_SPEC]
    for candidate in candidates:
        if candidate and candidate.is_file():
            data = json.loads(candidate.read_text(encoding="utf-8"))
            methods = data["methods"]
            first = next(iter(methods.values()))
            if isinstance(first, dict) and "fields" in first:  # the full PaulSonOfLars format
                return {
                    name: {f["name"]: {"types": f["types"], "required": f["required"]} for f in m["fields"]}
                    for name, m in methods.items()
                }
            return methods
    raise FileNotFoundError("no Bot API spec found (tests/data/telegram/bot-api-methods.json)")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """Telegram's HTML parse mode: the plain text, or ValueError saying what is malformed."""
    out: list[str] = []
    stack: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "<":
            end = text.find(">", i)
            if end < 0:
                raise ValueError(f"Unclosed start tag at byte offset {i}")
            tag = text[i + 1 : end].strip()
            if tag.startswith("/"):
                name = tag[1:].strip().lower()
                if not stack or stack[-1] != name:
                    raise ValueError(
                        f'Unmatched end tag at byte offset {i}, expected "</{stack[-1]}>"'
                        if stack
                        else f"Unexpected end tag at byte offset {i}"
                    )
                stack.pop()
            else:
                name = tag.split(None, 1)[0].lower() if tag else ""
                if name not in ALLOWED_TAGS:
                    raise ValueError(f'Unsupported start tag "{name}" at byte offset {i}')
                if name == "span" and 'class="tg-spoiler"' not in tag:
                    raise ValueError(f'Tag "span" must have class "tg-spoiler" at byte offset {i}')
                stack.append(name)
            i = end + 1
        elif ch == "&":
            m = _ENTITY.match(text, i)
            if not m:
                raise ValueError(f"Unsupported HTML entity at byte offset {i}")
            ent = m.group(1)
            if ent.startswith("#x"):
                out.append(chr(int(ent[2:], 16)))
            elif ent.startswith("#"):
                out.append(chr(int(ent[1:])))
            else:
                out.append(_ENTITY_CHARS[ent])
            i = m.end()
        elif ch == ">":
            raise ValueError(f"Character '>' is reserved and must be escaped, at byte offset {i}")
        else:
            out.append(ch)
            i += 1
    if stack:
        raise ValueError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


@dataclass
class InjectedError:
    method: str | None
    error: ApiError
    chat_id: int | None
    times: int
    skip: int = 0


class SlidingLimit:
    """At most `limit` events per `period` seconds; says how long to wait otherwise."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self.events: collections.deque[float] = collections.deque()

    def check(self, now: float) -> int | None:
        while self.events and self.events[0] <= now - self.period:
            self.events.popleft()
        if len(self.events) >= self.limit:
            return max(1, math.ceil(self.events[0] + self.period - now))
        return None

    def add(self, now: float) -> None:
        self.events.append(now)


class TokenBucket:
    """`burst` messages at once, then `rate` per second; says how long to wait otherwise.

    JITTER absorbs the network: a sender pacing exactly one per second is seen
    here a few milliseconds early or late.
    """

    JITTER = 0.05

    def __init__(self, rate: float, burst: int) -> None:
        self.interval = 1.0 / rate
        self.burst = burst
        self.tat = 0.0

    def check(self, now: float) -> int | None:
        after = max(self.tat, now) + self.interval
        early = after - now - self.burst * self.interval
        if early > self.JITTER:
            return max(1, math.ceil(early))
        return None

    def add(self, now: float) -> None:
        self.tat = max(self.tat, now) + self.interval


class FakeTelegram(FileStore):
    """One fake bot on a fake Bot API server; see the module docstring."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_id: int | None = None,
        username: str = "motcua_test_bot",
        global_per_second: int | None = None,
        per_chat_per_second: int | None = None,
        per_chat_burst: int | None = None,
        group_per_minute: int | None = None,
        record: bool = True,
        track_latency: bool = False,
        webhook_retry_delay: float = 0.05,
        spec: dict[str, dict[str, dict[str, Any]]] | None = None,
    ) -> None:
        self.token = token
        self.bot_id = bot_id if bot_id is not None else int(token.split(":", 1)[0])
        self.username = username
        self.spec = spec or load_spec()
        self.record = record
        self.track_latency = track_latency
        self.webhook_retry_delay = webhook_retry_delay
        self.global_per_second = global_per_second
        self.per_chat_per_second = per_chat_per_second
        self.per_chat_burst = per_chat_burst
        self.group_per_minute = group_per_minute
        self.reset_limits()
        self.chats: dict[int, dict[str, Any]] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.blocked: set[int] = set()
        self.messages: dict[int, dict[int, dict[str, Any]]] = collections.defaultdict(dict)
        self.bot_messages: dict[int, list[dict[str, Any]]] = collections.defaultdict(list)
        self.count: collections.Counter[int] = collections.Counter()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.errors: list[tuple[str, dict[str, Any], dict[str, Any]]] = []  # method, params, error body
        self.rate_limited = 0
        self.rate_limited_chats: collections.Counter[int] = collections.Counter()  # 429s per chat
        self.commands: list[dict[str, Any]] = []
        self.callback_queries: dict[str, bool] = {}  # id -> answered
        self.webhook: dict[str, Any] | None = None
        self.webhook_statuses: list[int] = []
        self.latencies: list[float] = []
        self._inject_times: dict[int, collections.deque[float]] = collections.defaultdict(collections.deque)
        self._updates: collections.deque[dict[str, Any]] = collections.deque()
        self._allowed: list[str] = []
        self._next_update = 1
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._query_ids = itertools.count(1)
        self._injected: list[InjectedError] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._poll_generation = 0
        self._sent_event = asyncio.Event()
        self._webhook_queue: asyncio.Queue[dict[str, Any]] | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.port: int | None = None
        self.init_files()

    # ------------------------------------------------------------------ server
    def make_app(self, *, control: bool = True) -> web.Application:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        self.add_file_routes(app)
        if control:
            app.router.add_post("/_fake/text", self._control_text)
            app.router.add_get("/_fake/stats", self._control_stats)
            app.router.add_post("/_fake/reset", self._control_reset)
            app.router.add_post("/_fake/limits", self._control_limits)
            app.router.add_post("/_fake/block", self._control_block)
            app.router.add_post("/_fake/load", self._control_load)
            app.router.add_post("/_fake/users", self._control_users)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._runner = web.AppRunner(self.make_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self.api_url

    async def stop(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            await asyncio.gather(self._webhook_task, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # ------------------------------------------------------------------ configuration
    def reset_limits(self) -> None:
        self._global = SlidingLimit(self.global_per_second, 1.0) if self.global_per_second else None
        self._per_chat: dict[int, SlidingLimit | TokenBucket] = {}
        self.flood_until = 0.0  # the bot's flood wait after a 429 (time.monotonic)

    def set_limits(
        self,
        *,
        global_per_second: int | None = None,
        per_chat_per_second: int | None = None,
        per_chat_burst: int | None = None,
        group_per_minute: int | None = None,
    ) -> None:
        """Flood limits like Telegram's (30/s overall, ~1/s per chat with short bursts, 20/min per
        group); None = off. Also ends a flood wait in progress."""
        self.global_per_second = global_per_second
        self.per_chat_per_second = per_chat_per_second
        self.per_chat_burst = per_chat_burst
        self.group_per_minute = group_per_minute
        self.reset_limits()

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sends to this chat get 403."""
        self.blocked.add(int(chat_id))

    def unblock(self, chat_id: int) -> None:
        self.blocked.discard(int(chat_id))

    def fail_next(
        self,
        method: str | None,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        chat_id: int | None = None,
        times: int = 1,
        after: int = 0,
    ) -> None:
        """After `after` matching calls succeed, the next `times` calls of `method` (any if None) fail."""
        self._injected.append(
            InjectedError(method, ApiError(status, description, retry_after), chat_id, times, after)
        )

    # ------------------------------------------------------------------ users and updates
    def user(self, uid: int, first_name: str = "Người dùng", **extra: Any) -> dict[str, Any]:
        """A Telegram user with a private chat with the bot (known from now on)."""
        if uid not in self.users:
            self.users[uid] = {"id": uid, "is_bot": False, "first_name": first_name, **extra}
            self.chats[uid] = {"id": uid, "type": "private", "first_name": first_name}
        return self.users[uid]

    def group(self, chat_id: int, title: str = "Nhóm thử") -> dict[str, Any]:
        if chat_id not in self.chats:
            self.chats[chat_id] = {"id": chat_id, "type": "supergroup", "title": title}
        return self.chats[chat_id]

    def _message_id(self, chat_id: int) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    def _user_message(self, uid: int, chat_id: int | None, **content: Any) -> dict[str, Any]:
        user = self.user(uid)
        chat = self.chats[chat_id if chat_id is not None else uid]
        msg = {
            "message_id": self._message_id(chat["id"]),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
            **content,
        }
        self.messages[chat["id"]][msg["message_id"]] = msg
        return msg

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Make an update available (getUpdates) or POST it to the webhook."""
        update = {"update_id": self._next_update, **update}
        self._next_update += 1
        kind = next(k for k in update if k != "update_id")
        if self._allowed and kind not in self._allowed:
            return update
        if self.track_latency:
            chat = _chat_of(update)
            if chat is not None:
                self._inject_times[chat].append(time.perf_counter())
        if self.webhook is not None:
            self._start_webhook_worker()
            assert self._webhook_queue is not None
            self._webhook_queue.put_nowait(update)
        else:
            self._updates.append(update)
            for waiter in self._waiters:
                if not waiter.done():
                    waiter.set_result(None)
        return update

    def text_update(self, uid: int, text: str, *, chat_id: int | None = None, **extra: Any) -> dict[str, Any]:
        entities = _entities(text)
        content: dict[str, Any] = {"text": text, **extra}
        if entities:
            content["entities"] = entities
        return {"message": self._user_message(uid, chat_id, **content)}

    async def send_text(self, uid: int, text: str, *, chat_id: int | None = None, **extra: Any) -> dict:
        return self.push(self.text_update(uid, text, chat_id=chat_id, **extra))

    async def edit_text(self, uid: int, message: dict[str, Any], text: str) -> dict[str, Any]:
        edited = {**message, "text": text, "edit_date": int(time.time())}
        return self.push({"edited_message": edited})

    async def forward_text(self, uid: int, text: str, origin_name: str = "Người khác") -> dict[str, Any]:
        origin = {"type": "hidden_user", "sender_user_name": origin_name, "date": int(time.time())}
        return self.push(self.text_update(uid, text, forward_origin=origin))

    async def send_sticker(self, uid: int, *, chat_id: int | None = None) -> dict[str, Any]:
        sticker = {
            "file_id": "CAACAgIAAxkBAAIB",
            "file_unique_id": "AgADAgAD",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return self.push({"message": self._user_message(uid, chat_id, sticker=sticker)})

    async def send_photo(
        self,
        uid: int,
        *,
        caption: str | None = None,
        chat_id: int | None = None,
        content: bytes | None = None,
    ) -> dict:
        """A photo in three sizes; each size's file can be fetched with getFile (`content`: the largest)."""
        self.add_file(f"photo-{uid}-s", tiny_png(9, 7, (200, 200, 200)), "s")
        self.add_file(f"photo-{uid}-m", tiny_png(80, 60, (90, 140, 200)), "m")
        self.add_file(f"photo-{uid}-l", content or tiny_png(128, 96, (40, 120, 60)), "l")
        sizes = [
            {
                "file_id": f"photo-{uid}-s",
                "file_unique_id": "s",
                "width": 90,
                "height": 67,
                "file_size": 1200,
            },
            {
                "file_id": f"photo-{uid}-m",
                "file_unique_id": "m",
                "width": 800,
                "height": 600,
                "file_size": 54000,
            },
            {
                "file_id": f"photo-{uid}-l",
                "file_unique_id": "l",
                "width": 1280,
                "height": 960,
                "file_size": 98000,
            },
        ]
        content: dict[str, Any] = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        return self.push({"message": self._user_message(uid, chat_id, **content)})

    async def send_location(self, uid: int, latitude: float, longitude: float) -> dict[str, Any]:
        location = {"latitude": latitude, "longitude": longitude}
        return self.push({"message": self._user_message(uid, None, location=location)})

    async def send_contact(self, uid: int, phone: str, *, own: bool = True) -> dict[str, Any]:
        contact = {"phone_number": phone, "first_name": self.user(uid)["first_name"]}
        if own:
            contact["user_id"] = uid
        return self.push({"message": self._user_message(uid, None, contact=contact)})

    async def send_voice(self, uid: int) -> dict[str, Any]:
        voice = {"file_id": "voice-1", "file_unique_id": "v1", "duration": 3}
        return self.push({"message": self._user_message(uid, None, voice=voice)})

    async def press(self, uid: int, message: dict[str, Any], data: str) -> dict[str, Any]:
        """The user presses an inline button of a message the bot sent."""
        query_id = str(next(self._query_ids))
        self.callback_queries[query_id] = False
        query = {
            "id": query_id,
            "from": self.user(uid),
            "message": _public(message),
            "chat_instance": f"ci-{message['chat']['id']}",
            "data": data,
        }
        return self.push({"callback_query": query})

    async def block_bot(self, uid: int) -> dict[str, Any]:
        """The user blocks the bot: sends fail with 403 and a my_chat_member update arrives."""
        self.block(uid)
        bot_user = self._bot_user()
        return self.push(
            {
                "my_chat_member": {
                    "chat": self.chats[uid],
                    "from": self.user(uid),
                    "date": int(time.time()),
                    "old_chat_member": {"status": "member", "user": bot_user},
                    "new_chat_member": {"status": "kicked", "user": bot_user, "until_date": 0},
                }
            }
        )

    # ------------------------------------------------------------------ inspection
    def messages_to(self, chat_id: int) -> list[dict[str, Any]]:
        """Messages the bot sent to a chat, in order (edits applied)."""
        return list(self.bot_messages.get(chat_id, []))

    def texts_to(self, chat_id: int) -> list[str]:
        return [m.get("text") or m.get("caption") or "" for m in self.messages_to(chat_id)]

    async def wait_messages(self, chat_id: int, count: int, within: float = 5.0) -> list[dict[str, Any]]:
        """Wait until the bot has sent at least `count` messages to the chat."""
        deadline = time.monotonic() + within
        while len(self.bot_messages.get(chat_id, [])) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                got = self.texts_to(chat_id)
                raise AssertionError(f"chat {chat_id}: expected {count} messages, got {len(got)}: {got}")
            self._sent_event.clear()
            try:
                await asyncio.wait_for(self._sent_event.wait(), min(remaining, 0.2))
            except TimeoutError:
                pass
        return self.messages_to(chat_id)

    async def wait_for(self, predicate: Any, within: float = 5.0) -> None:
        deadline = time.monotonic() + within
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError("condition not reached in time")
            await asyncio.sleep(0.01)

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    @property
    def pending_updates(self) -> int:
        return len(self._updates)

    # ------------------------------------------------------------------ the API
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = {}
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            fields = self.spec.get(method)
            if fields is None:
                raise ApiError(404, "Not Found")
            params = await self._params(request, fields)
            if self.record:
                self.calls.append((method, params))
            self._check_injected(method, params)
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                raise bad(f"method {method} is not implemented by the fake Bot API server")
            result = await handler(params)
        except ApiError as exc:
            body = exc.body()
            self.errors.append((method, params, body))
            return web.json_response(body, status=exc.status)
        return web.json_response({"ok": True, "result": result})

    async def _params(self, request: web.Request, fields: dict[str, dict[str, Any]]) -> dict[str, Any]:
        raw: dict[str, Any] = dict(request.query)
        if request.body_exists:
            if request.content_type == "application/json":
                body = await request.json()
                if not isinstance(body, dict):
                    raise bad("request body must be a JSON object")
                raw.update(body)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, str):
                        raw[key] = value
                    else:  # a file: its name, and its bytes for tests to read
                        raw[key] = {"upload": value.filename, "content": value.file.read()}
        params: dict[str, Any] = {}
        for key, value in raw.items():
            spec = fields.get(key)
            if spec is None:
                raise bad(f"unknown parameter {key!r}")
            params[key] = _convert(key, value, spec["types"])
        for key, spec in fields.items():
            if spec["required"] and key not in params:
                raise bad(f"parameter {key!r} is required")
        return params

    def _check_injected(self, method: str, params: dict[str, Any]) -> None:
        for injected in self._injected:
            if injected.method not in (None, method):
                continue
            if injected.chat_id is not None and _int_or_none(params.get("chat_id")) != injected.chat_id:
                continue
            if injected.skip > 0:
                injected.skip -= 1
                continue
            injected.times -= 1
            if injected.times <= 0:
                self._injected.remove(injected)
            raise injected.error

    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _int_or_none(params.get("chat_id"))
        if chat_id is None or chat_id not in self.chats:
            raise bad("chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return self.chats[chat_id]

    def _flood(self, chat: dict[str, Any]) -> None:
        now = time.monotonic()
        if self.flood_until > now:  # still in the flood wait of an earlier 429: the whole bot
            self.rate_limited += 1
            self.rate_limited_chats[chat["id"]] += 1
            wait = max(1, math.ceil(self.flood_until - now))
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        chat_id = chat["id"]
        limits: list[SlidingLimit | TokenBucket] = []
        if self._global is not None:
            limits.append(self._global)
        if chat["type"] == "private" and self.per_chat_per_second:
            limits.append(self._per_chat.setdefault(chat_id, self._private_limit()))
        if chat["type"] != "private" and self.group_per_minute:
            limits.append(self._per_chat.setdefault(chat_id, SlidingLimit(self.group_per_minute, 60.0)))
        for limit in limits:
            wait = limit.check(now)
            if wait is not None:
                self.rate_limited += 1
                self.rate_limited_chats[chat_id] += 1
                self.flood_until = now + wait
                raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        for limit in limits:
            limit.add(now)

    def _private_limit(self) -> SlidingLimit | TokenBucket:
        assert self.per_chat_per_second
        if self.per_chat_burst:
            return TokenBucket(self.per_chat_per_second, self.per_chat_burst)
        return SlidingLimit(self.per_chat_per_second, 1.0)

    def _bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Một cửa", "username": self.username}

    def _text(self, params: dict[str, Any], key: str = "text", limit: int = MAX_TEXT) -> str:
        text = params.get(key, "")
        mode = params.get("parse_mode")
        if mode not in (None, "", "HTML", "MarkdownV2", "Markdown"):
            raise bad(f"unsupported parse_mode {mode!r}")
        if mode == "HTML":
            try:
                text = parse_html(text)
            except ValueError as exc:
                raise bad(f"can't parse entities: {exc}") from None
        elif mode:
            raise bad("the fake server checks only HTML; use parse_mode HTML")
        if key == "text" and not text.strip():
            raise bad("message text is empty")
        if utf16_len(text) > limit:
            raise bad("message is too long" if key == "text" else "message caption is too long")
        return text

    def _sent(self, chat: dict[str, Any], message: dict[str, Any]) -> None:
        chat_id = chat["id"]
        self.messages[chat_id][message["message_id"]] = message
        self.bot_messages[chat_id].append(message)
        self.count[chat_id] += 1
        self._record_latency(chat_id)
        self._sent_event.set()

    def _record_latency(self, chat_id: int) -> None:
        if self.track_latency:
            pending = self._inject_times.get(chat_id)
            if pending:
                self.latencies.append(time.perf_counter() - pending.popleft())

    async def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._poll_generation += 1
        generation = self._poll_generation
        # A new getUpdates terminates a waiting one, as on Telegram.
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        offset = params.get("offset")
        if isinstance(offset, int) and offset > 0:
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()
        if "allowed_updates" in params:
            self._allowed = list(params["allowed_updates"] or [])
        limit = params.get("limit") or 100
        if not 1 <= limit <= 100:
            raise bad("limit must be 1-100")
        timeout = params.get("timeout") or 0
        if not self._updates and timeout > 0:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await asyncio.wait_for(asyncio.shield(waiter), timeout)
            except TimeoutError:
                pass
            finally:
                self._waiters.remove(waiter)
            if generation != self._poll_generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request")
        return list(itertools.islice(self._updates, limit))

    async def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        url = params["url"]
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.match(secret):
            raise bad("secret token contains unallowed characters")
        if not url:
            self.webhook = None
            return True
        if not url.startswith(("https://", "http://")):
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        max_connections = params.get("max_connections", 40)
        if not 1 <= max_connections <= 100:
            raise bad("bad webhook: max_connections must be 1-100")
        self.webhook = {"url": url, "secret": secret, "max_connections": max_connections}
        if "allowed_updates" in params:
            self._allowed = list(params["allowed_updates"] or [])
        pending = list(self._updates)
        self._updates.clear()
        for update in pending:
            self._start_webhook_worker()
            assert self._webhook_queue is not None
            self._webhook_queue.put_nowait(update)
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        hook = self.webhook or {}
        return {
            "url": hook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
            "max_connections": hook.get("max_connections", 40),
        }

    async def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params["commands"]
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad("commands must be a list of at most 100 BotCommand")
        for command in commands:
            name = command.get("command", "") if isinstance(command, dict) else ""
            description = command.get("description", "") if isinstance(command, dict) else ""
            if not _COMMAND.match(name):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad("command description must be 1-256 characters")
        self.commands = commands
        return True

    async def _m_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands

    async def _m_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands = []
        return True

    async def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        self._chat(params)
        return True

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        text = self._text(params)
        markup = _check_markup(params.get("reply_markup"), inline_only=False)
        self._flood(chat)
        message: dict[str, Any] = {
            "message_id": self._message_id(chat["id"]),
            "from": self._bot_user(),
            "chat": chat,
            "date": int(time.time()),
            "text": text,
            "html": params["text"] if params.get("parse_mode") == "HTML" else None,
        }
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        message["_markup"] = markup
        self._sent(chat, message)
        return _public(message)

    async def _m_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        """A file upload (multipart) or a file_id/URL string, as the Bot API takes them; 50 MB at most."""
        chat = self._chat(params)
        caption = self._text(params, "caption", MAX_CAPTION) if "caption" in params else None
        document = params["document"]
        if isinstance(document, str) and not document.strip():
            raise bad("there is no document in the request")
        if isinstance(document, dict):
            if not document.get("upload"):
                raise bad("file must be non-empty")
            if len(document["content"]) > 50 * 1024 * 1024:
                raise ApiError(413, "Request Entity Too Large")
        self._flood(chat)
        name = document["upload"] if isinstance(document, dict) else "document"
        message: dict[str, Any] = {
            "message_id": self._message_id(chat["id"]),
            "from": self._bot_user(),
            "chat": chat,
            "date": int(time.time()),
            "document": {"file_id": "sent-document", "file_unique_id": "sd", "file_name": name},
            "_document": document,
        }
        if caption is not None:
            message["caption"] = caption
        self._sent(chat, message)
        return _public(message)

    async def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        caption = self._text(params, "caption", MAX_CAPTION) if "caption" in params else None
        markup = _check_markup(params.get("reply_markup"), inline_only=False)
        photo = params["photo"]
        if isinstance(photo, str) and not photo.strip():
            raise bad("there is no photo in the request")
        self._flood(chat)
        message: dict[str, Any] = {
            "message_id": self._message_id(chat["id"]),
            "from": self._bot_user(),
            "chat": chat,
            "date": int(time.time()),
            "photo": [{"file_id": "sent-photo", "file_unique_id": "sp", "width": 800, "height": 600}],
            "_photo": photo,
        }
        if caption is not None:
            message["caption"] = caption
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._sent(chat, message)
        return _public(message)

    async def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        if "inline_message_id" in params:
            raise bad("the fake server has no inline messages")
        chat = self._chat(params)
        message_id = params.get("message_id")
        message = self.messages.get(chat["id"], {}).get(message_id) if message_id else None
        if message is None:
            raise bad("message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id or "text" not in message:
            raise bad("message can't be edited")
        text = self._text(params)
        markup = _check_markup(params.get("reply_markup"), inline_only=True)
        if text == message["text"] and markup == message.get("reply_markup"):
            raise bad(
                "message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message"
            )
        message["text"] = text
        message["html"] = params["text"] if params.get("parse_mode") == "HTML" else None
        message["edit_date"] = int(time.time())
        if markup is not None:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        self._record_latency(chat["id"])
        self._sent_event.set()
        return _public(message)

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        message = self.messages.get(chat["id"], {}).get(params.get("message_id"))
        if message is None:
            raise bad("message to edit not found")
        markup = _check_markup(params.get("reply_markup"), inline_only=True)
        if markup == message.get("reply_markup"):
            raise bad("message is not modified")
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        return _public(message)

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = params["callback_query_id"]
        if self.callback_queries.get(query_id, True):
            raise bad("query is too old and response timeout expired or query ID is invalid")
        if len(params.get("text", "")) > 200:
            raise bad("MESSAGE_TOO_LONG")
        self.callback_queries[query_id] = True
        return True

    # ------------------------------------------------------------------ webhook delivery
    def _start_webhook_worker(self) -> None:
        if self._webhook_queue is None:
            self._webhook_queue = asyncio.Queue()
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._webhook_worker())

    async def _webhook_worker(self) -> None:
        assert self._webhook_queue is not None
        if self._session is None:
            self._session = aiohttp.ClientSession()
        while True:
            update = await self._webhook_queue.get()
            await self.deliver_webhook(update)

    async def deliver_webhook(self, update: dict[str, Any], *, attempts: int = 5) -> int:
        """POST an update to the webhook like Telegram: re-sent on a non-2xx answer."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        hook = self.webhook
        if hook is None:
            return 0
        headers = {"X-Telegram-Bot-Api-Secret-Token": hook["secret"]} if hook.get("secret") else {}
        status = 0
        for _ in range(attempts):
            try:
                async with self._session.post(hook["url"], json=update, headers=headers) as resp:
                    status = resp.status
            except aiohttp.ClientError:
                status = 0
            self.webhook_statuses.append(status)
            if 200 <= status < 300:
                return status
            await asyncio.sleep(self.webhook_retry_delay)
        return status

    # ------------------------------------------------------------------ control API (standalone use)
    async def _control_text(self, request: web.Request) -> web.Response:
        body = await request.json()
        ids = []
        for uid, text in body["messages"]:
            ids.append((await self.send_text(int(uid), text))["update_id"])
        return web.json_response({"update_ids": ids})

    async def _control_stats(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "sent": sum(self.count.values()),
                "per_chat": {str(k): v for k, v in self.count.items()},
                "errors": len(self.errors),
                "rate_limited": self.rate_limited,
                "rate_limited_chats": {str(k): v for k, v in self.rate_limited_chats.items()},
                "pending_updates": len(self._updates),
                "latencies": self.latencies,
                "last_update_id": self._next_update - 1,
            }
        )

    async def _control_reset(self, request: web.Request) -> web.Response:
        self.count.clear()
        self.latencies.clear()
        self.errors.clear()
        self.calls.clear()
        self.bot_messages.clear()
        self.messages.clear()
        self._inject_times.clear()
        self.rate_limited = 0
        self.rate_limited_chats.clear()
        body = await request.json() if request.body_exists else {}
        self.track_latency = bool(body.get("track_latency", self.track_latency))
        return web.json_response({"ok": True})

    async def _control_limits(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.set_limits(
            global_per_second=body.get("global_per_second"),
            per_chat_per_second=body.get("per_chat_per_second"),
            per_chat_burst=body.get("per_chat_burst"),
            group_per_minute=body.get("group_per_minute"),
        )
        return web.json_response({"ok": True})

    async def _control_users(self, request: web.Request) -> web.Response:
        """Make `count` users with private chats from `first` on (e.g. subscribers of a broadcast)."""
        body = await request.json()
        for uid in range(int(body["first"]), int(body["first"]) + int(body["count"])):
            self.user(uid)
        return web.json_response({"ok": True})

    async def _control_load(self, request: web.Request) -> web.Response:
        """Generate text updates at a steady rate from here (the load does not burden the bot's process)."""
        body = await request.json()
        rate, count = float(body["rate"]), int(body["count"])
        users, first, texts = int(body.get("users", 50)), int(body.get("first_user", 1)), body["texts"]

        async def generate() -> None:
            start = time.perf_counter()
            for i in range(count):
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                self.push(self.text_update(first + i % users, texts[i % len(texts)]))

        self._load_task = asyncio.create_task(generate())
        return web.json_response({"ok": True})

    async def _control_block(self, request: web.Request) -> web.Response:
        body = await request.json()
        for chat_id in body.get("chat_ids", []):
            self.block(int(chat_id))
        return web.json_response({"ok": True, "blocked": len(self.blocked)})


# ---------------------------------------------------------------------- helpers


def _public(message: dict[str, Any]) -> dict[str, Any]:
    """The Message object as the API returns it (without the fake's bookkeeping)."""
    return {k: v for k, v in message.items() if not k.startswith("_") and k != "html"}


def _chat_of(update: dict[str, Any]) -> int | None:
    for key in ("message", "edited_message"):
        if key in update:
            return update[key]["chat"]["id"]
    if "callback_query" in update:
        return update["callback_query"]["message"]["chat"]["id"]
    return None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _convert(key: str, value: Any, types: list[str]) -> Any:
    """A form field (always a string) or JSON value, converted and type-checked by the spec."""
    if isinstance(value, dict) and "upload" in value:
        if "InputFile" not in types:
            raise bad(f"parameter {key!r} does not accept a file upload")
        return value
    if isinstance(value, str):
        if "Integer" in types:
            try:
                return int(value)
            except ValueError:
                if "String" in types:
                    return value
                raise bad(f"parameter {key!r} must be an Integer") from None
        if "Float" in types:
            try:
                return float(value)
            except ValueError:
                raise bad(f"parameter {key!r} must be a Float") from None
        if "Boolean" in types:
            if value.lower() in ("true", "false"):
                return value.lower() == "true"
            raise bad(f"parameter {key!r} must be a Boolean")
        if "String" in types or "InputFile" in types:
            return value
        try:  # arrays and objects arrive JSON-serialised in form fields
            return json.loads(value)
        except ValueError:
            raise bad(f"parameter {key!r} must be JSON-serialized") from None
    if isinstance(value, bool):
        if "Boolean" not in types:
            raise bad(f"parameter {key!r} must not be a Boolean")
        return value
    if isinstance(value, int) and not ({"Integer", "Float"} & set(types)):
        raise bad(f"parameter {key!r} must not be a number")
    return value


def _check_markup(markup: Any, *, inline_only: bool) -> dict[str, Any] | None:
    """Telegram's checks of reply_markup: button data size, URLs, sizes."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad('field "inline_keyboard" must be an Array of Array')
        total = 0
        for row in rows:
            if len(row) > 8:
                raise bad("BUTTONS_TOO_MUCH")
            for button in row:
                total += 1
                if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                    raise bad("BUTTON_TEXT_INVALID")
                kinds = [k for k in button if k != "text"]
                if len(kinds) != 1:
                    raise bad("BUTTON_TYPE_INVALID")
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                        raise bad("BUTTON_DATA_INVALID")
                if "url" in button and not _BUTTON_URL.match(str(button["url"])):
                    raise bad("BUTTON_URL_INVALID")
        if total > 100:
            raise bad("BUTTONS_TOO_MUCH")
        return markup
    if inline_only:
        raise bad("only inline keyboards can be used when editing a message")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not rows or not all(isinstance(r, list) and r for r in rows):
            raise bad("keyboard must be a non-empty Array of Array")
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else button.get("text")
                if not text:
                    raise bad("BUTTON_TEXT_INVALID")
        return markup
    if "remove_keyboard" in markup:
        if markup["remove_keyboard"] is not True:
            raise bad("remove_keyboard must be True")
        return markup
    if "force_reply" in markup:
        return markup
    raise bad('can\'t find field "inline_keyboard"')


def _entities(text: str) -> list[dict[str, Any]]:
    """bot_command and mention entities as Telegram adds them (offsets in UTF-16 units)."""
    out = []
    for m in re.finditer(r"(?<!\w)(/[A-Za-z0-9_]{1,32}(?:@\w+)?|@\w{5,32})", text):
        offset = utf16_len(text[: m.start()])
        kind = "bot_command" if m.group(0).startswith("/") else "mention"
        if kind == "bot_command" and m.start() != 0:
            continue
        out.append({"type": kind, "offset": offset, "length": utf16_len(m.group(0))})
    return out


def iter_buttons(message: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        yield from row


def button_data(message: dict[str, Any], label_part: str) -> str:
    """The callback_data of the button whose label contains label_part."""
    for button in iter_buttons(message):
        if label_part.lower() in button["text"].lower() and "callback_data" in button:
            return button["callback_data"]
    labels = [b["text"] for b in iter_buttons(message)]
    raise AssertionError(f"no button containing {label_part!r}; buttons were {labels}")


async def _serve(args: argparse.Namespace) -> None:
    fake = FakeTelegram(token=args.token, record=not args.no_record, track_latency=args.latency)
    if args.global_per_second or args.per_chat_per_second:
        fake.set_limits(
            global_per_second=args.global_per_second,
            per_chat_per_second=args.per_chat_per_second,
            per_chat_burst=args.per_chat_burst,
        )
    await fake.start(args.host, args.port)
    print(f"READY {fake.api_url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


def reduce_spec(full: Path, out: Path = SPEC_FILE) -> None:
    """Rewrite the vendored spec from PaulSonOfLars' api.json (e.g. ../shared/telegram/bot-api.json)."""
    data = json.loads(full.read_text(encoding="utf-8"))
    reduced = {
        "source": "PaulSonOfLars/telegram-bot-api-spec api.json (MIT), reduced to method fields by "
        "tests/fake_telegram.py --reduce-spec",
        "version": data["version"],
        "release_date": data["release_date"],
        "methods": {
            name: {f["name"]: {"types": f["types"], "required": f["required"]} for f in m.get("fields", [])}
            for name, m in sorted(data["methods"].items())
        },
    }
    out.write_text(
        json.dumps(reduced, ensure_ascii=False, separators=(",", ":"), sort_keys=True), encoding="utf-8"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the strict fake Telegram Bot API server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--no-record", action="store_true", help="do not keep every call (long runs)")
    parser.add_argument("--latency", action="store_true", help="record update-to-first-reply latency")
    parser.add_argument("--global-per-second", type=int, default=None)
    parser.add_argument("--per-chat-per-second", type=int, default=None)
    parser.add_argument("--per-chat-burst", type=int, default=None, help="a bucket instead of 1 per second")
    parser.add_argument(
        "--reduce-spec", type=Path, metavar="API_JSON", help="refresh the vendored spec and exit"
    )
    args = parser.parse_args()
    if args.reduce_spec:
        reduce_spec(args.reduce_spec)
        return
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
