"""/staff/stats (the dashboard), its workbook download, and /staff/api/stats (the same figures as JSON).

One call of `storage.stats.dashboard` per page: the charts, their tables, the
workbook and the JSON are the same numbers. The API answers signed-in staff,
and the province's dashboards that send MOTCUA_STATS_API_TOKEN in X-API-Key.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.report_xlsx import monthly_bytes
from bot.web.auth import current_staff, staff_required
from bot.web.keys import APP_KEY, now
from bot.web.render import render
from bot.web.stats_view import panels, percent
from handlers import texts
from handlers.feedback_core import working_days_between
from storage.stats import Dashboard, dashboard
from storage.stats_period import Period, PeriodError, month_of, parse_month, period_for
from storage.stats_rollup import behind

log = logging.getLogger("motcua.web")
routes = web.RouteTableDef()
NO_AREA = "-"  # the area selector's value for "citizens who chose none"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _area(request: web.Request) -> str | None:
    """None (everyone), "" (no area chosen) or one of the locality's areas; anything else is refused."""
    value = request.query.get("area", "")
    if not value:
        return None
    if value == NO_AREA:
        return ""
    if value not in request.app[APP_KEY].knowledge.kb.locality.areas:
        raise PeriodError(texts.ST_AREA)
    return value


async def figures(request: web.Request, period: Period, area: str | None) -> Dashboard:
    app = request.app[APP_KEY]
    loc = app.knowledge.kb.locality

    def days(a: dt.date, b: dt.date) -> int:
        return working_days_between(a, b, loc)

    async with app.db.session() as db:
        return await dashboard(db, period, working_days=days, now=now(request), area=area)


@routes.get("/stats")
@staff_required()
async def stats_page(request: web.Request) -> web.Response:
    app = request.app[APP_KEY]
    tz = app.settings.timezone
    today = now(request).astimezone(ZoneInfo(tz)).date()
    kind = request.query.get("period", "month")
    start, end = request.query.get("from", ""), request.query.get("to", "")
    try:
        period = period_for(kind, today, tz, start, end)
        area = _area(request)
    except PeriodError as exc:
        return render(
            request, "stats.html", _context(request, None, today, kind, start, end, str(exc)), status=400
        )
    d = await figures(request, period, area)
    async with app.db.session() as db:
        counting = await behind(db, tz, today)
    context = _context(request, d, today, kind, start, end, None)
    return render(request, "stats.html", {**context, "counting": counting})


def _context(
    request: web.Request,
    d: Dashboard | None,
    today: dt.date,
    kind: str,
    start: str,
    end: str,
    problem: str | None,
) -> dict[str, object]:
    app = request.app[APP_KEY]
    kb = app.knowledge.kb
    month = (d.period.start if d else today).strftime("%Y-%m")
    last = d.period.end - dt.timedelta(days=1) if d else None
    return {
        "d": d,
        "panels": panels(d, kb, app.settings.timezone) if d else [],
        "kinds": texts.ST_PERIOD_KINDS,
        "kind": kind,
        "start": start or (d.period.start.isoformat() if d else ""),
        "end": end or (last.isoformat() if last else ""),
        "areas": kb.locality.areas,
        "area": request.query.get("area", ""),
        "no_area": NO_AREA,
        "month": month,
        "month_label": (d.period.start if d else today).strftime("%m/%Y"),
        "period_line": texts.ST_PERIOD_LINE.format(
            start=d.period.start.strftime("%d/%m/%Y"), last=last.strftime("%d/%m/%Y")
        )
        if d and last
        else "",
        "problem": texts.ST_BAD_PERIOD.format(reason=problem) if problem else None,
        "percent": percent,
    }


@routes.get("/stats/report.xlsx")
@staff_required()
async def report_download(request: web.Request) -> web.StreamResponse:
    app = request.app[APP_KEY]
    try:
        period = parse_month(request.query.get("month", ""), app.settings.timezone)
    except PeriodError as exc:
        raise web.HTTPBadRequest(text=texts.ST_BAD_PERIOD.format(reason=exc)) from None
    body = await monthly_bytes(app.db, period, app.knowledge.kb, now=now(request))
    staff = current_staff(request)
    log.info(
        "staff #%s downloaded the report of %s", staff.id if staff else "?", period.start.strftime("%Y-%m")
    )
    name = f"bao-cao-{period.start:%Y-%m}.xlsx"
    return web.Response(
        body=body,
        content_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def _api_key_ok(request: web.Request) -> bool:
    expected = request.app[APP_KEY].settings.stats_api_token
    given = request.headers.get("X-API-Key", "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


@routes.get("/api/stats")
async def stats_api(request: web.Request) -> web.Response:
    """?from=YYYY-MM-DD&to=YYYY-MM-DD (to not included; default: this month) [&area=...]."""
    if current_staff(request) is None and not _api_key_ok(request):
        log.info("refused /api/stats: neither signed in nor a valid API key")
        return web.json_response({"error": "sign in, or send the API key in X-API-Key"}, status=401)
    app = request.app[APP_KEY]
    tz = app.settings.timezone
    today = now(request).astimezone(ZoneInfo(tz)).date()
    try:
        if "from" in request.query or "to" in request.query:
            period = Period(
                dt.date.fromisoformat(request.query.get("from", "")),
                dt.date.fromisoformat(request.query.get("to", "")),
                tz,
            )
        else:
            period = month_of(today.year, today.month, tz)
        area = _area(request)
    except (ValueError, PeriodError) as exc:
        return web.json_response(
            {"error": f"from and to are dates YYYY-MM-DD, to after from: {exc}"}, status=400
        )
    d = await figures(request, period, area)
    return web.json_response(d.as_json(), headers={"Cache-Control": "no-store"})
