"""Refuse any state-changing request that does not carry this session's CSRF token.

SameSite=Strict cookies already keep other sites' forms from riding a session;
the token is the second lock (old browsers, a same-site subdomain). Before sign-in
the token is a double-submit cookie, so the sign-in forms are covered as well and
a stranger's page cannot sign someone in with the stranger's link.
"""

from __future__ import annotations

import hmac
import logging

from aiohttp import web

from bot.web.auth import route_name
from bot.web.sessions import Handler, state

log = logging.getLogger("motcua.web")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FIELD = "_csrf"
HEADER = "X-CSRF-Token"


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method in SAFE_METHODS:
        return await handler(request)
    expected = state(request).csrf_token
    given = request.headers.get(HEADER, "")
    if not given and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()  # cached: the handler reads the same form again
        value = form.get(FIELD, "")
        given = value if isinstance(value, str) else ""
    if not expected or not given or not hmac.compare_digest(given.encode(), expected.encode()):
        log.warning("refused %s %s: missing or wrong CSRF token", request.method, route_name(request))
        from bot.web import errors

        return errors.forbidden(request, csrf=True)
    return await handler(request)
