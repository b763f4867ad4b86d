"""The landing page after sign-in: one card per part of the console."""

from __future__ import annotations

from aiohttp import web

from bot.web.auth import staff_required
from bot.web.keys import APP_KEY, now
from bot.web.render import render
from handlers import privacy_staff

routes = web.RouteTableDef()


@routes.get("/")
@staff_required()
async def home(request: web.Request) -> web.Response:
    async with request.app[APP_KEY].db.session() as db:
        open_n, late = await privacy_staff.counts(db, now(request))  # data requests have legal deadlines
    return render(request, "home.html", {"privacy_open": open_n, "privacy_late": late})
