"""Sign-in attempts per client address, counted in the database so all workers share the limit.

The address is kept only as a hash, and only for the window; behind the TLS
proxy (MOTCUA_WEB_TRUST_PROXY) the address is the last one the proxy added to
X-Forwarded-For, since the connection itself always comes from the proxy.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from aiohttp import web

from bot.web.keys import APP_KEY, now
from storage import web_auth

MAX_ATTEMPTS = 10
WINDOW = dt.timedelta(minutes=10)


def client_address(request: web.Request) -> str:
    if request.app[APP_KEY].settings.web_trust_proxy:
        forwarded = request.headers.get("X-Forwarded-For", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.remote or "unknown"


def address_hash(request: web.Request) -> str:
    return hashlib.sha256(f"motcua-web-signin:{client_address(request)}".encode()).hexdigest()


async def allow_attempt(request: web.Request) -> bool:
    """Count this attempt; False when the address used up its attempts in the window."""
    at = now(request)
    key = address_hash(request)
    async with request.app[APP_KEY].db.session() as db:
        if await web_auth.count_attempts(db, key, at - WINDOW) >= MAX_ATTEMPTS:
            return False
        await web_auth.record_attempt(db, key, at, keep=WINDOW)
        await db.commit()
    return True
