"""The staff console as an aiohttp sub-application, mounted at /staff/ by `motcua run` and `motcua web`.

Pages come from the modules named in bot/web/pages.py; this module only wires
what every page shares: templates, sessions, CSRF, security headers, static files.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from aiohttp import web

from bot.app import App
from bot.web.csrf import csrf_middleware
from bot.web.keys import APP_KEY, PREFIX
from bot.web.pages import PAGE_MODULES
from bot.web.render import setup_templates
from bot.web.sessions import Handler, session_middleware

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY = 12 * 1024 * 1024  # an announcement's photo; forms are far smaller

# Nothing from another origin (no fonts, scripts or tiles), no framing (clickjacking),
# and no Referer: a sign-in link's token must not leak to a site linked from a page.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@web.middleware
async def headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status == 404 and not request.path.startswith(PREFIX + "/static/"):
            from bot.web.errors import not_found

            response = not_found(request)
        else:
            _secure(exc)
            raise
    _secure(response)
    return response


def _secure(response: web.StreamResponse) -> None:
    if not response.prepared:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)


def build_staff_app(app: App) -> web.Application:
    """The /staff/ sub-application for `app`; mount it with `parent.add_subapp("/staff/", ...)`."""
    staff = web.Application(
        middlewares=[headers_middleware, session_middleware, csrf_middleware], client_max_size=MAX_BODY
    )
    staff[APP_KEY] = app
    setup_templates(staff)
    for name in PAGE_MODULES:
        module = importlib.import_module(name)
        staff.add_routes(module.routes)
    staff.router.add_static("/static/", STATIC, append_version=False)
    return staff


async def _to_root(request: web.Request) -> web.StreamResponse:
    raise web.HTTPMovedPermanently(PREFIX + "/")


def mount(parent: web.Application, app: App) -> None:
    """Mount the console under /staff/ of the HTTP server; a typed "/staff" lands there too."""
    parent.router.add_get(PREFIX, _to_root)  # before the sub-app, which would take it and 404
    parent.add_subapp(PREFIX + "/", build_staff_app(app))
