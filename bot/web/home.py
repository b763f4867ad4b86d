"""The landing page after sign-in: one card per part of the console."""

from __future__ import annotations

from aiohttp import web

from bot.web.auth import staff_required
from bot.web.render import render

routes = web.RouteTableDef()


@routes.get("/")
@staff_required()
async def home(request: web.Request) -> web.Response:
    return render(request, "home.html", {})
