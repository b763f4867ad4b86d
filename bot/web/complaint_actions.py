"""The forms of a complaint's page: reply, assign, change status, close, reopen, area.

Each form posts here (the CSRF middleware has checked its token before), runs
one action of handlers.complaint_service with the staff member's identity as
the actor (the history and the chat's audit rows name them as the chat does),
commits, adds the console's own audit row, and sends the browser back to the
complaint with a message (303, so reloading cannot post twice). A refused
action shows the page again with the reason and the typed text kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.audit import audit
from bot.web.auth import current_staff, staff_required
from bot.web.complaints import code_of, complaint_page, office_of
from bot.web.keys import APP_KEY, now, url
from bot.web.render import flash
from handlers import complaint_service as service
from handlers import texts
from handlers.feedback_core import ActionError, Office
from storage import staff_accounts
from storage.models_feedback import Complaint

routes = web.RouteTableDef()

Action = Callable[[AsyncSession, Office, str, str, dt.datetime], Awaitable[Complaint]]


async def _run(
    request: web.Request,
    name: str,
    action: Action,
    done: Callable[[Complaint], str],
    *,
    form: dict[str, str] | None = None,
    detail: dict[str, str] | None = None,
) -> web.StreamResponse:
    code = code_of(request)
    staff = current_staff(request)
    assert staff is not None  # staff_required
    app = request.app[APP_KEY]
    try:
        async with app.db.session() as db:
            c = await action(db, office_of(app), code, staff.key, now(request))
            await db.commit()
    except ActionError as exc:
        return await complaint_page(request, code, problems=[str(exc)], form=form, status=400)
    await audit(request, f"web.{name}", code, detail)
    flash(request, done(c))
    raise web.HTTPSeeOther(url(f"/complaints/{code}"))


async def _field(request: web.Request, name: str) -> str:
    value = (await request.post()).get(name, "")
    return value if isinstance(value, str) else ""


@routes.post("/complaints/{code}/reply")
@staff_required()
async def reply(request: web.Request) -> web.StreamResponse:
    text = await _field(request, "text")

    async def act(db: AsyncSession, office: Office, code: str, actor: str, at: dt.datetime) -> Complaint:
        return await service.reply(db, office, code, actor, text, at)

    def done(c: Complaint) -> str:
        return (texts.WEB_CX_REPLIED if c.channel else texts.WEB_CX_REPLIED_STORED).format(code=c.code)

    return await _run(request, "complaint.reply", act, done, form={"text": text})


@routes.post("/complaints/{code}/assign")
@staff_required()
async def assign(request: web.Request) -> web.StreamResponse:
    """The form names a staff account by its number; its channel identity is looked up here."""
    raw = await _field(request, "account")
    app = request.app[APP_KEY]
    async with app.db.session() as db:
        account = await staff_accounts.by_id(db, int(raw)) if raw.isdigit() else None
    if account is None:
        return await complaint_page(
            request, code_of(request), problems=[texts.WEB_CX_NO_SUCH_STAFF], status=400
        )
    key, who = account.key, account.name or account.key

    async def act(db: AsyncSession, office: Office, code: str, actor: str, at: dt.datetime) -> Complaint:
        return await service.assign(db, office, code, actor, key, at)

    def done(c: Complaint) -> str:
        return texts.WEB_CX_ASSIGNED.format(code=c.code, who=who)

    return await _run(request, "complaint.assign", act, done, detail={"account": str(account.id)})


@routes.post("/complaints/{code}/status")
@staff_required()
async def set_status(request: web.Request) -> web.StreamResponse:
    status = (await _field(request, "status"))[:20]

    async def act(db: AsyncSession, office: Office, code: str, actor: str, at: dt.datetime) -> Complaint:
        return await service.set_status(db, office, code, actor, status, at)

    def done(c: Complaint) -> str:
        return texts.WEB_CX_STATUS_SET.format(code=c.code, status=texts.PA_STATUS.get(c.status, c.status))

    return await _run(request, "complaint.status", act, done, detail={"status": status})


@routes.post("/complaints/{code}/close")
@staff_required()
async def close(request: web.Request) -> web.StreamResponse:
    def done(c: Complaint) -> str:
        return texts.WEB_CX_CLOSED.format(code=c.code)

    return await _run(request, "complaint.close", service.close, done)


@routes.post("/complaints/{code}/reopen")
@staff_required()
async def reopen(request: web.Request) -> web.StreamResponse:
    reason = await _field(request, "reason")
    tz = ZoneInfo(request.app[APP_KEY].settings.timezone)

    async def act(db: AsyncSession, office: Office, code: str, actor: str, at: dt.datetime) -> Complaint:
        return await service.reopen(db, office, code, actor, reason, at)

    def done(c: Complaint) -> str:
        return texts.WEB_CX_REOPENED.format(code=c.code, due=c.due_at.astimezone(tz).strftime("%d/%m/%Y"))

    return await _run(request, "complaint.reopen", act, done, form={"reason": reason})


@routes.post("/complaints/{code}/area")
@staff_required()
async def set_area(request: web.Request) -> web.StreamResponse:
    area = (await _field(request, "area"))[:64]

    async def act(db: AsyncSession, office: Office, code: str, actor: str, at: dt.datetime) -> Complaint:
        return await service.set_area(db, office, code, actor, area or None, at)

    def done(c: Complaint) -> str:
        return texts.WEB_CX_AREA_SAVED.format(code=c.code)

    return await _run(request, "complaint.area", act, done)
