"""Zalo OA Open API v3: the client, its error codes and what they mean for the outbox.

Facts relied on (../shared/domain/zalo.md, section B): every call is a POST with
the `access_token` header; the answer is `{"error": 0, "data": {...}}`, failures
are HTTP 200 with a negative `error`: -216/-220 token invalid/expired (refreshed
once and retried), -32 rate limit, -213 not a follower, -230/-232 outside the
7-day interaction window. The template endpoint (ZBS Template Message, see
bot/channels/zalo_templates.py) answers the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import aiohttp

from bot.channels.base import (
    DeliveryError,
    OutsideWindow,
    PermanentError,
    RateLimited,
    TransientError,
    Unreachable,
)
from bot.channels.zalo_tokens import TokenManager

log = logging.getLogger("bot.channels.zalo_oa")

CHANNEL = "zalo_oa"
CS_PATH = "/v3.0/oa/message/cs"
ACTION_PREFIX = "#a:"  # a button's payload: a press comes back as this user text

ERR_RATE_LIMIT = -32
ERR_NOT_FOLLOWER = -213
ERR_TOKEN_INVALID = -216
ERR_TOKEN_EXPIRED = -220
ERR_WINDOW = (-230, -232)
TOKEN_ERRORS = (ERR_TOKEN_INVALID, ERR_TOKEN_EXPIRED)
RATE_LIMIT_WAIT = 60.0  # seconds; Zalo sends no Retry-After (the limit is per minute)


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
