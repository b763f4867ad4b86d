"""python-telegram-bot's HTTP layer on aiohttp instead of httpx.

PTB lets the transport be swapped (telegram.request.BaseRequest); everything
above it (methods, types, error mapping, retry_after) stays PTB's. We already
depend on aiohttp for webhooks and Zalo, and its C HTTP parser costs a fraction
of httpx's pure-Python stack: measured against the fake Bot API, a reply went
from about 2.4 ms of CPU to about 1 ms (benchmarks/telegram_bench.py).

Two other choices, both about CPU per reply:
- Requests go out as JSON (which the Bot API accepts for every method without
  files) instead of percent-encoded form fields; uploads use multipart.
- The Bot API answers edits with the whole message: text, entities, keyboard.
  We only ever read its message_id, yet PTB turns all of it into objects. For
  those methods the result is cut to the identifying fields (message_id, date,
  chat) before PTB parses it. Errors pass through untouched.

`make_bot` lives here too: which pools and timeouts a Bot gets is a transport
decision, and both the runner and the standalone outbox sender need it. So
does `get_updates_raw`: getUpdates on PTB's polling pool, answering the
updates as Telegram sent them, because the update journal stores that JSON and
re-encoding PTB's objects (Update.to_dict) was most of the journal's CPU.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from telegram import Bot
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from telegram.request._requestparameter import RequestParameter  # stable since PTB 20; pinned <23

# Methods whose result is a Message we only identify, never read.
# (sendMessage is sent without PTB's Message at all: see telegram/sending.send_text.)
SLIM_RESULT_METHODS = ("editMessageText", "editMessageReplyMarkup")
MESSAGE_ID_FIELDS = ("message_id", "date", "chat", "message_thread_id")
USER_AGENT = "motcua (python-telegram-bot, aiohttp)"


class AiohttpRequest(BaseRequest):
    """A pooled aiohttp client for one kind of traffic (replies, or long polling)."""

    def __init__(
        self,
        *,
        connection_pool_size: int = 8,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets none; skip the jar's work per call
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _timeout(self, read: Any, write: Any, connect: Any, pool: Any) -> aiohttp.ClientTimeout:
        def pick(value: Any, default: float | None) -> float | None:
            return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value

        read_s = pick(read, self._read_timeout)
        write_s = pick(write, self._write_timeout)
        connect_s = pick(connect, self._connect_timeout)
        pool_s = pick(pool, self._pool_timeout)
        # aiohttp has no separate write timeout: the read timeout starts after the body is
        # sent, so the write allowance is added to the connection phase instead.
        connect_total = None if connect_s is None or pool_s is None else connect_s + pool_s + (write_s or 0.0)
        return aiohttp.ClientTimeout(
            total=None, connect=connect_total, sock_connect=connect_s, sock_read=read_s
        )

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        body: Any = None
        headers: dict[str, str] = {}
        if request_data is not None and request_data.contains_files:
            body = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():
                body.add_field(name, value)
            for name, (filename, content, mimetype) in request_data.multipart_data.items():
                body.add_field(name, content, filename=filename, content_type=mimetype)
        elif request_data is not None:
            body = json.dumps(request_data.parameters, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout)
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as resp:
                payload = await resp.read()
                status = resp.status
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise TimedOut(f"Timed out talking to the Bot API: {exc!r}") from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
        if status == 200 and url.rsplit("/", 1)[-1] in SLIM_RESULT_METHODS:
            payload = slim_message_result(payload)
        return status, payload


def slim_message_result(payload: bytes) -> bytes:
    """A successful message result cut to the fields that identify the message."""
    try:
        data = json.loads(payload)
        result = data.get("result")
    except (ValueError, AttributeError):
        return payload  # PTB reports unparseable answers itself
    if not isinstance(result, dict) or "message_id" not in result:
        return payload  # e.g. `true` for inline messages
    data["result"] = {key: result[key] for key in MESSAGE_ID_FIELDS if key in result}
    return json.dumps(data).encode()


def make_bot(settings: Any, *, poll_timeout: int | None = None) -> Bot:
    """A PTB Bot on the configured Bot API base URL with pools sized for concurrency."""
    poll = settings.telegram_poll_timeout if poll_timeout is None else poll_timeout
    request = AiohttpRequest(
        connection_pool_size=max(8, settings.telegram_concurrency),
        read_timeout=15.0,
        write_timeout=15.0,
        connect_timeout=10.0,
        pool_timeout=10.0,
    )
    updates_request = AiohttpRequest(
        connection_pool_size=2, read_timeout=poll + 10.0, connect_timeout=10.0, pool_timeout=5.0
    )
    base = settings.telegram_api_url.strip()
    file_base = base[:-3] + "file/bot" if base.endswith("/bot") else base
    return Bot(
        settings.telegram_token,
        base_url=base,
        base_file_url=file_base,
        request=request,
        get_updates_request=updates_request,
    )


async def get_updates_raw(
    bot: Bot, *, offset: int | None, poll_seconds: int, limit: int, allowed_updates: list[str]
) -> list[dict[str, Any]]:
    """getUpdates as Bot.get_updates makes it (same pool, read timeout, error mapping), without
    turning the answer into objects: the caller keeps each update's JSON as Telegram sent it."""
    values: dict[str, Any] = {"timeout": poll_seconds, "limit": limit, "allowed_updates": allowed_updates}
    if offset is not None:
        values["offset"] = offset
    request: BaseRequest = bot._request[0]  # PTB's getUpdates request (stable since PTB 20; pinned <23)
    params = [RequestParameter(name, value, input_files=None) for name, value in values.items()]
    result = await request.post(
        f"{bot.base_url}/getUpdates",
        request_data=RequestData(params),
        read_timeout=(request.read_timeout or 0) + poll_seconds,
    )
    if not isinstance(result, list) or not all(isinstance(u, dict) for u in result):
        raise NetworkError(f"unexpected getUpdates result: {str(result)[:200]}")
    return result
