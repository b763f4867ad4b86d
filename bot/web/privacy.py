"""/staff/privacy: data-subject requests waiting for staff, one request's page, its three actions.

Every action is one function of handlers/privacy_staff.py (the CLI's too), run in one
transaction with its audit row (actor "web:staff#N"); what the citizen is told goes
through the outbox. Opening a request shows what the citizen wrote, so the opening
is audited too. URLs carry only the request's number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.audit import actor_of, audit
from bot.web.auth import current_staff, staff_required
from bot.web.keys import APP_KEY, now, url
from bot.web.render import flash, render
from handlers import privacy_staff as service
from handlers import texts
from handlers.feedback_core import local_text
from handlers.privacy_staff import RequestError
from storage.models_privacy import DataRequest
from storage.privacy import ACK_WORKING_DAYS

routes = web.RouteTableDef()

Action = Callable[[AsyncSession, int, str, dt.datetime], Awaitable[tuple[DataRequest, bool]]]


def _helpers(request: web.Request) -> dict[str, Any]:
    tz = request.app[APP_KEY].settings.timezone

    def when(moment: dt.datetime | None, with_time: bool = True) -> str:
        return local_text(moment, tz, with_time) if moment else ""

    return {
        "when": when,
        "kind_label": lambda k: texts.WEB_PV_KIND.get(k, k),
        "status_label": lambda s: texts.WEB_PV_STATUS.get(s, s),
    }


@routes.get("/privacy")
@staff_required()
async def list_page(request: web.Request) -> web.Response:
    app = request.app[APP_KEY]
    async with app.db.session() as db:
        items = await service.open_list(db, now(request))
        closed = await service.recently_closed(db)
    context = {"items": items, "closed": closed, "ack_days": ACK_WORKING_DAYS, **_helpers(request)}
    return render(request, "privacy/list.html", context)


def _id(request: web.Request) -> int:
    raw = request.match_info["rid"]
    if not raw.isdigit() or len(raw) > 18:
        raise web.HTTPNotFound()
    return int(raw)


async def request_page(
    request: web.Request,
    rid: int,
    *,
    problems: list[str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    app = request.app[APP_KEY]
    async with app.db.session() as db:
        item = await service.get(db, rid, now(request))
        if item is None:
            raise web.HTTPNotFound()
        user = await service.citizen_of(db, item.row)
    await audit(request, "privacy.request_view", service.ref(rid))
    context = {
        "item": item,
        "r": item.row,
        "who": (user.display_name or texts.PA_ANONYMOUS) if user is not None else None,
        "channel": texts.BC_CHANNEL_NAMES.get(user.channel, user.channel) if user is not None else "",
        "problems": problems or [],
        "form": form or {},
        **_helpers(request),
    }
    return render(request, "privacy/request.html", context, status=status)


@routes.get(r"/privacy/{rid}")
@staff_required()
async def show(request: web.Request) -> web.Response:
    return await request_page(request, _id(request))


async def _field(request: web.Request, name: str) -> str:
    value = (await request.post()).get(name, "")
    return value if isinstance(value, str) else ""


async def _run(
    request: web.Request, action: Action, done: str, *, form: dict[str, str] | None = None
) -> web.StreamResponse:
    rid = _id(request)
    staff = current_staff(request)
    assert staff is not None  # staff_required
    app = request.app[APP_KEY]
    try:
        async with app.db.session() as db:
            row, told = await action(db, rid, actor_of(staff.id), now(request))
            await db.commit()
    except RequestError as exc:
        return await request_page(request, rid, problems=[str(exc)], form=form, status=400)
    flash(request, done.format(id=row.id) + ("" if told else texts.WEB_PV_NOT_TOLD))
    raise web.HTTPSeeOther(url(f"/privacy/{row.id}"))


@routes.post(r"/privacy/{rid}/acknowledge")
@staff_required()
async def acknowledge(request: web.Request) -> web.StreamResponse:
    tz = request.app[APP_KEY].settings.timezone

    async def act(db: AsyncSession, rid: int, actor: str, at: dt.datetime) -> tuple[DataRequest, bool]:
        return await service.acknowledge(db, rid, actor=actor, now=at, tz=tz)

    return await _run(request, act, texts.WEB_PV_ACK_FLASH)


# the two ways to close a request: the form field the officer fills, the service, the message
CLOSE: dict[str, tuple[str, Any, str]] = {
    "done": ("outcome", service.finish, texts.WEB_PV_DONE_FLASH),
    "refuse": ("reason", service.refuse, texts.WEB_PV_REFUSED_FLASH),
}


@routes.post(r"/privacy/{rid}/{how:done|refuse}")
@staff_required()
async def close(request: web.Request) -> web.StreamResponse:
    field, conclude, done = CLOSE[request.match_info["how"]]
    text = await _field(request, field)

    async def act(db: AsyncSession, rid: int, actor: str, at: dt.datetime) -> tuple[DataRequest, bool]:
        result: tuple[DataRequest, bool] = await conclude(db, rid, text, actor=actor, now=at)
        return result

    return await _run(request, act, done, form={field: text})
