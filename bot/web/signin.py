"""Signing in with the one-time link from `/web`, signing out, and the page saying how.

The link's GET only shows a confirm button: a chat app's link preview (or a
virus scanner) fetching it uses nothing up. The POST from that page uses the
link and starts the session, so it also works when the link is opened on
another device than the chat (Telegram Web, Zalo on a computer).
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.web.audit import audit
from bot.web.keys import APP_KEY, now, url
from bot.web.ratelimit import WINDOW, allow_attempt
from bot.web.render import render
from bot.web.sessions import clear_session_cookie, set_session_cookie, staff_user, state
from handlers import texts
from storage import web_auth
from storage.models_web import StaffAccount

log = logging.getLogger("motcua.web")
routes = web.RouteTableDef()

TOKEN_MAX = 100  # a token is 43 characters; anything much longer is not one


def rate_limited(request: web.Request) -> web.Response:
    minutes = int(WINDOW.total_seconds() // 60)
    message = texts.WEB_SIGNIN_RATE_LIMITED.format(minutes=minutes)
    return howto_page(request, error=message, status=429)


def howto_page(
    request: web.Request,
    *,
    error: str | None = None,
    password_error: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> web.Response:
    context = {"error": error, "password_error": password_error, "notice": notice}
    return render(request, "signin/howto.html", context, status=status)


@routes.get("/signin")
async def howto(request: web.Request) -> web.Response:
    return howto_page(request)


@routes.get("/signed-out")
async def signed_out(request: web.Request) -> web.Response:
    """Where sign-out lands: the how-to page with the goodbye (the session holding flashes is gone)."""
    return howto_page(request, notice=texts.WEB_SIGNED_OUT)


@routes.get("/signin/{token}")
async def confirm(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    app = request.app[APP_KEY]
    account = None
    if len(token) <= TOKEN_MAX:
        async with app.db.session() as db:
            account = await web_auth.usable_link(db, token, now(request))
    if account is None:
        log.info("sign-in link refused on the confirm page: unknown, expired or used")
        if not await allow_attempt(request):
            return rate_limited(request)
        return invalid_link(request)
    return render(request, "signin/confirm.html", {"token": token})


def invalid_link(request: web.Request) -> web.Response:
    return howto_page(request, error=texts.WEB_SIGNIN_LINK_INVALID, status=400)


@routes.post("/signin/link")
async def use_link(request: web.Request) -> web.StreamResponse:
    if not await allow_attempt(request):
        log.warning("sign-in refused: too many attempts from one address")
        return rate_limited(request)
    form = await request.post()
    token = form.get("token", "")
    app = request.app[APP_KEY]
    account = None
    if isinstance(token, str) and 0 < len(token) <= TOKEN_MAX:
        async with app.db.session() as db:
            account = await web_auth.consume_link(db, token, now(request))
            await db.commit()
    if account is None:
        log.warning("sign-in refused: a forged, expired or already used link")
        return invalid_link(request)
    return await start_session(request, account, "signin.link")


async def start_session(request: web.Request, account: StaffAccount, action: str) -> web.StreamResponse:
    """A fresh session for `account` (never a reused id), replacing one this browser had."""
    app = request.app[APP_KEY]
    hours = app.settings.web_session_hours
    at = now(request)
    old = state(request).id
    async with app.db.session() as db:
        if old is not None:
            await web_auth.end_session(db, old)
        raw, row = await web_auth.create_session(db, account.id, at, hours)
        row.flashes = [texts.WEB_SIGNIN_WELCOME.format(name=account.name or account.channel)]
        await db.commit()
    request["staff"] = staff_user(
        account.id, account.channel, account.platform_id, account.name, account.role
    )
    state(request).id = None  # the old session is gone; nothing to write back into it
    await audit(request, action, target=f"staff#{account.id}")
    log.info("staff #%d signed in (%s)", account.id, action)
    response = web.HTTPSeeOther(url("/"))
    set_session_cookie(request, response, raw, max_age=int(hours * 3600))
    raise response


@routes.post("/signout")
async def sign_out(request: web.Request) -> web.StreamResponse:
    session = state(request)
    if session.id is not None:
        await audit(request, "signout")
        async with request.app[APP_KEY].db.session() as db:
            await web_auth.end_session(db, session.id)
            await db.commit()
        session.id = None
    response = web.HTTPSeeOther(url("/signed-out"))
    clear_session_cookie(response)
    raise response
