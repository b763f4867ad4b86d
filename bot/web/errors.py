"""The refusal pages: a clear sentence instead of a bare status code."""

from __future__ import annotations

from aiohttp import web

from handlers import texts


def forbidden(request: web.Request, *, csrf: bool = False) -> web.Response:
    from bot.web.render import render

    message = texts.WEB_CSRF_REFUSED if csrf else texts.WEB_FORBIDDEN
    return render(request, "error.html", {"title": texts.WEB_FORBIDDEN_TITLE, "message": message}, status=403)


def not_found(request: web.Request) -> web.Response:
    from bot.web.render import render

    return render(
        request,
        "error.html",
        {"title": texts.WEB_NOT_FOUND_TITLE, "message": texts.WEB_NOT_FOUND},
        status=404,
    )
