"""Who is signed in, and the decorator that keeps pages to staff (and some to admins).

`session_middleware` (bot/web/sessions.py) puts the StaffUser in `request["staff"]`
before any handler runs; the decorator only decides: a GET from someone not
signed in is sent to the page that says how to sign in (type /web to the bot),
any other method is refused outright, so no form is ever half-processed.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from aiohttp import web

from bot.web.keys import url

log = logging.getLogger("motcua.web")

Role = Literal["staff", "admin"]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
RANK = {"staff": 1, "admin": 2}


@dataclass(frozen=True)
class StaffUser:
    id: int
    channel: str
    platform_id: str
    name: str
    role: Role

    @property
    def key(self) -> str:
        return f"{self.channel}:{self.platform_id}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def has_role(self, role: str) -> bool:
        return RANK.get(self.role, 0) >= RANK.get(role, 99)


def current_staff(request: web.Request) -> StaffUser | None:
    staff = request.get("staff")
    return staff if isinstance(staff, StaffUser) else None


def staff_required(role: str = "staff") -> Callable[[Handler], Handler]:
    """Only signed-in staff with at least `role` ("staff" or "admin") reach the handler."""
    if role not in RANK:
        raise ValueError(f"role must be one of {', '.join(RANK)}")

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            from bot.web import errors

            staff = current_staff(request)
            if staff is None:
                if request.method in ("GET", "HEAD"):
                    raise web.HTTPSeeOther(url("/signin"))
                log.info("refused %s %s: not signed in", request.method, route_name(request))
                return errors.forbidden(request)
            if not staff.has_role(role):
                log.info(
                    "refused %s %s: staff #%d lacks role %s",
                    request.method,
                    route_name(request),
                    staff.id,
                    role,
                )
                return errors.forbidden(request)
            return await handler(request)

        return guarded

    return decorate


def route_name(request: web.Request) -> str:
    """The matched route's pattern (e.g. /complaints/{id}), never the values in it, for logs."""
    info = request.match_info.route.resource
    return info.canonical if info is not None else "(no route)"
