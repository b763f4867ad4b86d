"""The session cookie: who a request comes from, and the flash messages of that session.

Sessions live in the database (storage/web_auth.py) so every worker behind a load
balancer knows them and a sign-out or a removed account ends them everywhere. The
cookie is HttpOnly and SameSite=Strict (a page on another site cannot make the
browser send it), and Secure when the public URL is https.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import cast

from aiohttp import web

from bot.web.auth import Role, StaffUser
from bot.web.keys import ANON_CSRF_COOKIE, APP_KEY, PREFIX, SESSION_COOKIE, now
from storage import web_auth
from storage.models_web import WebSession

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class SessionState:
    """What a request knows of its session; the middleware writes back flashes that changed."""

    id: int | None  # None: not signed in (the anonymous double-submit token is used for CSRF)
    csrf_token: str
    flashes: list[str] = field(default_factory=list)  # waiting to be shown
    queued: list[str] = field(default_factory=list)  # added by this request
    shown: bool = False  # a page of this request showed them all
    new_anon_token: bool = False


def state(request: web.Request) -> SessionState:
    """This request's session; a request the middleware never saw (an unmatched path) has none."""
    if "web_session" not in request:
        request["web_session"] = SessionState(id=None, csrf_token="")
    return cast(SessionState, request["web_session"])


def secure_cookies(request: web.Request) -> bool:
    return request.app[APP_KEY].settings.public_url.startswith("https://")


def set_session_cookie(request: web.Request, response: web.StreamResponse, raw: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        raw,
        max_age=max_age,
        path=PREFIX + "/",
        httponly=True,
        samesite="Strict",
        secure=secure_cookies(request),
    )


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(SESSION_COOKIE, path=PREFIX + "/")


def staff_user(account_id: int, channel: str, platform_id: str, name: str, role: str) -> StaffUser:
    return StaffUser(
        id=account_id,
        channel=channel,
        platform_id=platform_id,
        name=name,
        role=cast(Role, role if role in ("staff", "admin") else "staff"),
    )


@web.middleware
async def session_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    app = request.app[APP_KEY]
    request["staff"] = None
    raw = request.cookies.get(SESSION_COOKIE, "")
    session: SessionState | None = None
    if raw:
        async with app.db.session() as db:
            found = await web_auth.load_session(db, raw, now(request))
            await db.commit()  # an expired session was deleted
        if found is not None:
            row, account = found
            request["staff"] = staff_user(
                account.id, account.channel, account.platform_id, account.name, account.role
            )
            session = SessionState(id=row.id, csrf_token=row.csrf_token, flashes=list(row.flashes or []))
    if session is None:
        anon = request.cookies.get(ANON_CSRF_COOKIE, "")
        session = SessionState(id=None, csrf_token=anon or secrets.token_urlsafe(24), new_anon_token=not anon)
    request["web_session"] = session
    try:
        response = await handler(request)
    except web.HTTPException:
        await _save_flashes(request, session)
        raise
    await _save_flashes(request, session)
    if session.id is None and session.new_anon_token and isinstance(response, web.Response):
        response.set_cookie(
            ANON_CSRF_COOKIE,
            session.csrf_token,
            path=PREFIX + "/",
            httponly=True,
            samesite="Strict",
            secure=secure_cookies(request),
        )
    return response


async def _save_flashes(request: web.Request, session: SessionState) -> None:
    if session.id is None:
        return
    remaining = [] if session.shown else session.flashes + session.queued
    if remaining == session.flashes:
        return
    async with request.app[APP_KEY].db.session() as db:
        row = await db.get(WebSession, session.id)
        if row is not None:  # signed out by this very request
            row.flashes = remaining
            await db.commit()


def flash(request: web.Request, text: str) -> None:
    """Show `text` on the next page this person sees (after a redirect, typically)."""
    state(request).queued.append(text)


def take_flashes(request: web.Request) -> list[str]:
    """The messages a page shows now; they are not shown again."""
    session = state(request)
    session.shown = True
    return session.flashes + session.queued
