"""POST /staff/signin/password: an admin signs in with the password set by `motcua staff password`."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.web.keys import APP_KEY
from bot.web.passwords import verify
from bot.web.ratelimit import allow_attempt
from bot.web.signin import howto_page, rate_limited, start_session
from handlers import texts
from storage import staff_accounts
from storage.models_web import ROLE_ADMIN

log = logging.getLogger("motcua.web")
routes = web.RouteTableDef()


@routes.post("/signin/password")
async def password_sign_in(request: web.Request) -> web.StreamResponse:
    if not await allow_attempt(request):
        log.warning("password sign-in refused: too many attempts from one address")
        return rate_limited(request)
    form = await request.post()
    identity = form.get("identity", "")
    password = form.get("password", "")
    account = None
    if isinstance(identity, str) and isinstance(password, str) and ":" in identity and len(identity) <= 90:
        async with request.app[APP_KEY].db.session() as db:
            account = await staff_accounts.by_key(db, identity.strip())
    stored = account.password_hash if account is not None and account.role == ROLE_ADMIN else None
    if account is None or not verify(stored, password if isinstance(password, str) else ""):
        log.warning("password sign-in refused: unknown account or wrong password")
        return howto_page(request, password_error=texts.WEB_PASSWORD_WRONG, status=401)
    return await start_session(request, account, "signin.password")
