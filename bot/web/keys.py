"""Typed keys of the staff sub-application and the request, shared by every page module."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from bot.app import App

# The bot's App (services, db, knowledge, settings): `request.app[APP_KEY]` in any handler.
APP_KEY: web.AppKey[App] = web.AppKey("motcua_app", App)

PREFIX = "/staff"  # where `motcua run` and `motcua web` mount the sub-application
SESSION_COOKIE = "motcua_staff"
ANON_CSRF_COOKIE = "motcua_csrf"  # double-submit token for forms shown before sign-in


def now(request: web.Request) -> dt.datetime:
    """The app's clock (tests move it), for every expiry the console checks."""
    return request.app[APP_KEY].services.clock()


def url(path: str) -> str:
    """The absolute path of a page of the sub-app, e.g. url("/complaints") -> "/staff/complaints"."""
    return PREFIX + path
