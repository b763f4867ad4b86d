"""Server-rendered pages: aiohttp-jinja2 with autoescape, the texts module and the CSRF field.

Every template sees `T` (handlers.texts: sentences live there, never in templates),
`csrf_field()`, `csrf_token`, `staff` (the StaffUser or None), `url()` for paths
under /staff, and the flash messages the page shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from markupsafe import Markup, escape

import handlers.texts
from bot.web.auth import current_staff
from bot.web.keys import url
from bot.web.sessions import flash, state, take_flashes

TEMPLATES = Path(__file__).resolve().parent / "templates"

__all__ = ["flash", "render", "setup_templates"]


@jinja2.pass_context
def _csrf_field(ctx: jinja2.runtime.Context) -> Markup:
    return Markup('<input type="hidden" name="_csrf" value="{}">').format(escape(ctx.get("csrf_token", "")))


def _values(request: web.Request) -> dict[str, Any]:
    return {
        "csrf_token": state(request).csrf_token,
        "staff": current_staff(request),
        "request_path": request.path,
    }


async def _request_context(request: web.Request) -> dict[str, Any]:
    """Values every page needs, also for templates rendered without `render` (aiohttp_jinja2.template).

    This runs before every handler, redirects included, so it must not mark flash
    messages as shown: only `render` does (a page rendered otherwise shows none).
    """
    return {**_values(request), "flashes": []}


def setup_templates(app: web.Application) -> None:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        context_processors=[_request_context],
    )
    env.globals.update(T=handlers.texts, csrf_field=_csrf_field, url=url)


def render(
    request: web.Request, template: str, context: dict[str, Any], *, status: int = 200
) -> web.Response:
    """The page `template` (relative to bot/web/templates) with `context` and the flash messages."""
    values = {**_values(request), "flashes": take_flashes(request), **context}
    response = aiohttp_jinja2.render_template(template, request, values, status=status)
    response.headers.setdefault("Cache-Control", "no-store")  # staff pages hold personal data
    return response
