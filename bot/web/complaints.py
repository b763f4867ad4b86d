"""/staff/complaints: the inbox, one complaint's page and its photos.

Everything is read through handlers.complaint_service, the same functions
the chat's /hopthu and `motcua complaints list` use; the forms that change a
complaint are in bot/web/complaint_actions.py. Filters travel as GET
parameters that hold no personal data: statuses, category and area keys,
and staff account numbers (never a channel identity). Photos are fetched
through the channel's file source registered on the App and served only
here, to signed-in staff, never as a link to the platform's URL.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.web.audit import audit
from bot.web.auth import StaffUser, current_staff, staff_required
from bot.web.keys import APP_KEY, now
from bot.web.photos import channel_photo
from bot.web.render import render
from handlers import complaint_service as service
from handlers import texts
from handlers.complaint_actions import STATUS_CHOICES
from handlers.feedback_core import ActionError, Office, categories, category_label, local_text, make_office
from storage import complaints as repo
from storage import staff_accounts
from storage.models_feedback import STATUSES
from storage.models_web import StaffAccount

routes = web.RouteTableDef()

SEARCH_MAX = 100
MAP_ZOOM = 18


def office_of(app: App) -> Office:
    return make_office(app.services.staff, app.services.settings, app.knowledge.kb.locality)


def code_of(request: web.Request) -> str:
    """The canonical complaint code of the URL; anything else is "not found"."""
    raw = request.match_info["code"]
    code = repo.parse_code(raw)
    if code is None or code != raw:
        raise web.HTTPNotFound()
    return code


def deadline_text(deadline: service.Deadline, days_left: int) -> str:
    if deadline is service.Deadline.DONE:
        return ""
    if days_left < 0:
        return texts.WEB_CX_DAYS_LATE.format(n=-days_left)
    if deadline is service.Deadline.OVERDUE:
        return ""
    return texts.WEB_CX_DAYS_LEFT.format(n=days_left) if days_left > 0 else texts.WEB_CX_DUE_TODAY


def map_url(lat: float, lon: float) -> str:
    """A link to the place on openstreetmap.org (the page shows no tiles of its own)."""
    return f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map={MAP_ZOOM}/{lat:.6f}/{lon:.6f}"


def helpers(app: App) -> dict[str, Any]:
    """Formatting functions the complaint templates share."""
    tz = app.settings.timezone

    def when(moment: dt.datetime | None, with_time: bool = True) -> str:
        return local_text(moment, tz, with_time) if moment else ""

    return {
        "when": when,
        "category_label": category_label,
        "status_label": lambda s: texts.PA_STATUS.get(s, s),
        "deadline_text": deadline_text,
        "Deadline": service.Deadline,
    }


# ---------------------------------------------------------------- the inbox
@dataclass
class Filters:
    """The inbox form as the staff member filled it, and what could not be used."""

    form: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def read_filters(
    params: Mapping[str, str], staff: StaffUser, accounts: list[StaffAccount], areas: list[str]
) -> tuple[service.InboxQuery, Filters]:
    """The query from GET parameters; a bad value is dropped with a message, never a crash."""
    f = Filters()
    bad: list[str] = []

    def take(name: str, valid: bool, label: str) -> str | None:
        value = params.get(name, "").strip()
        if not value:
            return None
        if not valid:
            bad.append(label)
            return None
        f.form[name] = value
        return value

    status = params.get("status", "").strip()
    status_value = take("status", status in (service.ALL, *STATUSES), texts.WEB_CX_STATUS)
    category = params.get("category", "").strip()
    category_value = take("category", category in categories(), texts.WEB_CX_CATEGORY)
    area_value = take("area", params.get("area", "").strip() in areas, texts.WEB_CX_AREA)
    by_id = {str(a.id): a.key for a in accounts}
    who = params.get("assignee", "").strip()
    who_value = take("assignee", who in ("me", service.UNASSIGNED) or who in by_id, texts.WEB_CX_ASSIGNEE)
    assignee = {"me": staff.key, service.UNASSIGNED: service.UNASSIGNED}.get(who_value or "", by_id.get(who))
    overdue = params.get("overdue", "") == "1"
    if overdue:
        f.form["overdue"] = "1"
    text = params.get("q", "").strip()[:SEARCH_MAX]
    if text:
        f.form["q"] = text
    raw_page = params.get("page", "1").strip() or "1"
    page = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 100_000 else 1
    if bad:
        f.problems.append(texts.WEB_CX_BAD_FILTER.format(what=", ".join(bad)))
    query = service.InboxQuery(
        status=status_value,
        category=category_value,
        area=area_value,
        assignee=assignee if who_value else None,
        overdue=overdue,
        text=text,
        page=page,
    )
    return query, f


def page_link(form: dict[str, str], page: int) -> str:
    return (
        "?" + urlencode({**form, "page": str(page)}) if page > 1 else ("?" + urlencode(form) if form else "?")
    )


@routes.get("/complaints")
@staff_required()
async def inbox(request: web.Request) -> web.Response:
    app = request.app[APP_KEY]
    staff = current_staff(request)
    assert staff is not None  # staff_required
    office = office_of(app)
    areas = list(office.locality.areas or [])
    async with app.db.session() as db:
        accounts = await staff_accounts.all_accounts(db)
        query, filters = read_filters(request.query, staff, accounts, areas)
        result = await service.find(db, office, now(request), query)
        if result.items == [] and query.page > result.pages:  # a page past the end: show the last
            query = dataclasses.replace(query, page=result.pages)
            result = await service.find(db, office, now(request), query)
    await audit(request, "complaint.inbox", None, {"shown": str(len(result.items))})
    names = {a.key: a.name or a.key for a in accounts}
    context = {
        "result": result,
        "filters": filters,
        "accounts": accounts,
        "names": names,
        "areas": areas,
        "categories": categories(),
        "statuses": STATUSES,
        "prev_link": page_link(filters.form, result.page - 1) if result.page > 1 else None,
        "next_link": page_link(filters.form, result.page + 1) if result.page < result.pages else None,
        **helpers(app),
    }
    status = 400 if filters.problems else 200
    return render(request, "complaints/inbox.html", context, status=status)


# ---------------------------------------------------------------- one complaint
async def complaint_page(
    request: web.Request,
    code: str,
    *,
    problems: list[str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    """The complaint's page; forms that failed come back here with their text kept."""
    app = request.app[APP_KEY]
    staff = current_staff(request)
    assert staff is not None
    office = office_of(app)
    async with app.db.session() as db:
        view = await _view(db, office, code, request, staff)
        accounts = await staff_accounts.all_accounts(db)
        await db.commit()  # the service's audit row of the opening
    c = view.complaint
    context = {
        "view": view,
        "c": c,
        "accounts": accounts,
        "names": {a.key: a.name or a.key for a in accounts},
        "areas": list(office.locality.areas or []),
        "status_choices": [s for s in STATUS_CHOICES if s != "closed"],
        "photos": range(1, len(c.photos or []) + 1),
        "map_url": map_url(c.latitude, c.longitude)
        if c.latitude is not None and c.longitude is not None
        else None,
        "problems": problems or [],
        "form": form or {},
        **helpers(app),
    }
    return render(request, "complaints/complaint.html", context, status=status)


async def _view(
    db: AsyncSession, office: Office, code: str, request: web.Request, staff: StaffUser
) -> service.ComplaintView:
    try:
        return await service.get(db, office, code, now(request), actor=staff.key)
    except ActionError:
        raise web.HTTPNotFound() from None


@routes.get("/complaints/{code}")
@staff_required()
async def show(request: web.Request) -> web.Response:
    return await complaint_page(request, code_of(request))


@routes.get(r"/complaints/{code}/photos/{n:\d{1,3}}")
@staff_required()
async def photo(request: web.Request) -> web.Response:
    """A photo's bytes, fetched through the complaint's channel; private to this signed-in browser."""
    app = request.app[APP_KEY]
    code = code_of(request)
    index = int(request.match_info["n"]) - 1
    async with app.db.session() as db:
        ref = await service.photo_ref(db, code, index)
    if ref is None:
        raise web.HTTPNotFound()
    channel, file_ref = ref
    return await channel_photo(request, channel, file_ref, "complaint")
