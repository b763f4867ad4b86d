"""/staff/accounts: admins list, add (or change) and remove staff accounts.

The same table answers the chat's staff checks, so an account added here can
use the staff commands within seconds on every worker. Accounts from the staff
file are removed from the file too (otherwise the next reread would bring them
back); those from MOTCUA_STAFF can only be changed in the deployment.
"""

from __future__ import annotations

import logging
import re

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.audit import audit
from bot.web.auth import current_staff, staff_required
from bot.web.keys import APP_KEY, url
from bot.web.render import flash, render
from handlers import texts
from storage import staff_accounts, web_auth
from storage.models_web import ROLE_ADMIN, SOURCE_FILE, SOURCE_WEB
from storage.staff import StaffFileError

log = logging.getLogger("motcua.web")
routes = web.RouteTableDef()

CHANNELS = tuple(texts.WEB_ACCOUNTS_CHANNELS)
PLATFORM_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
NAME_MAX = 120


def _role_label(role: str) -> str:
    return texts.WEB_ROLE_ADMIN if role == ROLE_ADMIN else texts.WEB_ROLE_STAFF


async def _page(
    request: web.Request,
    *,
    problems: list[str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    async with request.app[APP_KEY].db.session() as db:
        accounts = await staff_accounts.all_accounts(db)
    context = {
        "accounts": accounts,
        "problems": problems or [],
        "form": form or {"channel": "telegram", "platform_id": "", "name": "", "role": "staff"},
        "channels": texts.WEB_ACCOUNTS_CHANNELS,
        "role_label": _role_label,
    }
    return render(request, "accounts.html", context, status=status)


@routes.get("/accounts")
@staff_required("admin")
async def accounts_page(request: web.Request) -> web.Response:
    return await _page(request)


def _read_form(values: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    form = {k: values.get(k, "").strip() for k in ("channel", "platform_id", "name", "role")}
    problems = []
    if form["channel"] not in CHANNELS:
        problems.append(texts.WEB_ACCOUNTS_BAD_CHANNEL)
    if not PLATFORM_ID.fullmatch(form["platform_id"]):
        problems.append(texts.WEB_ACCOUNTS_BAD_ID)
    if len(form["name"]) > NAME_MAX:
        problems.append(texts.WEB_ACCOUNTS_BAD_NAME)
    if form["role"] not in staff_accounts.ROLES:
        problems.append(texts.WEB_ACCOUNTS_BAD_ROLE)
    return form, problems


@routes.post("/accounts")
@staff_required("admin")
async def add_account(request: web.Request) -> web.StreamResponse:
    posted = await request.post()
    form, problems = _read_form({k: v for k, v in posted.items() if isinstance(v, str)})
    app = request.app[APP_KEY]
    key = f"{form['channel']}:{form['platform_id']}"
    if not problems and app.services.staff.is_inline(key):
        problems.append(texts.WEB_ACCOUNTS_INLINE.format(identity=key))
    me = current_staff(request)
    async with app.db.session() as db:
        existing = await staff_accounts.by_key(db, key) if not problems else None
        if existing is not None and existing.role == ROLE_ADMIN and form["role"] != ROLE_ADMIN:
            if await _admins(db) <= 1:
                problems.append(texts.WEB_ACCOUNTS_LAST_ADMIN)
        if problems:
            log.info("account form refused (%d problem(s))", len(problems))
            return await _page(request, problems=problems, form=form, status=400)
        account = await staff_accounts.upsert(db, key, form["role"], form["name"], SOURCE_WEB)
        await db.commit()
        account_id = account.id
    app.services.staff.invalidate()
    await audit(request, "staff.add", target=f"staff#{account_id}", detail={"role": form["role"]})
    log.info("staff #%s saved account #%d", me.id if me else "?", account_id)
    flash(request, texts.WEB_ACCOUNTS_ADDED.format(identity=key, role=_role_label(form["role"])))
    raise web.HTTPSeeOther(url("/accounts"))


async def _admins(db: AsyncSession) -> int:
    return sum(1 for a in await staff_accounts.all_accounts(db) if a.role == ROLE_ADMIN)


@routes.post("/accounts/{id:\\d+}/remove")
@staff_required("admin")
async def remove_account(request: web.Request) -> web.StreamResponse:
    account_id = int(request.match_info["id"])
    app = request.app[APP_KEY]
    me = current_staff(request)
    async with app.db.session() as db:
        account = await staff_accounts.by_id(db, account_id)
        if account is None:
            flash(request, texts.WEB_ACCOUNTS_NOT_FOUND)
            raise web.HTTPSeeOther(url("/accounts"))
        key = account.key
        refusal = None
        if me is not None and account.id == me.id:
            refusal = texts.WEB_ACCOUNTS_NOT_SELF
        elif app.services.staff.is_inline(key):
            refusal = texts.WEB_ACCOUNTS_INLINE.format(identity=key)
        elif account.role == ROLE_ADMIN and await _admins(db) <= 1:
            refusal = texts.WEB_ACCOUNTS_LAST_ADMIN
        if refusal is not None:
            log.info("account removal refused")
            return await _page(request, problems=[refusal], status=400)
        from_file = account.source == SOURCE_FILE
        await web_auth.end_sessions_of(db, account.id)
        await staff_accounts.remove(db, account.id)
        await db.commit()
    if from_file:
        try:
            app.services.staff.remove(key)
        except StaffFileError:
            log.warning("account #%d came from the staff file, which cannot be written", account_id)
    app.services.staff.invalidate()
    await audit(request, "staff.remove", target=f"staff#{account_id}")
    flash(request, texts.WEB_ACCOUNTS_REMOVED.format(identity=key))
    raise web.HTTPSeeOther(url("/accounts"))
