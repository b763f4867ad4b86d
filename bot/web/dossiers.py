"""/staff/dossiers: look a dossier up by its code, see its recent events, import a CSV or XLSX file.

The import is bot/dossier_import.py's, the same as `motcua dossiers import FILE`:
every row checked first, one bad row and nothing is stored (the page lists each
problem by row, field and reason), a good file stored in one transaction with the
followers' notices queued in the outbox. The page never talks to a channel.

Logs and the audit row carry counts only: a file's rows hold citizens' phone
numbers and an office's notes, which stay out of both.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from aiohttp import web

from bot import dossier_import
from bot.web.audit import audit
from bot.web.auth import staff_required
from bot.web.keys import APP_KEY, now, url
from bot.web.render import flash, render
from handlers import texts
from handlers.dossier_events import FIELDS, find_code
from handlers.dossier_view import local_time, state_label
from storage import dossiers as repo

log = logging.getLogger("motcua.web")
routes = web.RouteTableDef()

LIST_MAX = 50
EVENTS_MAX = 20
SEARCH_MAX = 64
UPLOAD_FIELD = "file"


def _helpers(request: web.Request) -> dict[str, Any]:
    tz = request.app[APP_KEY].settings.timezone

    def when(moment: Any, with_time: bool = True) -> str:
        return local_time(moment, tz, with_time=with_time) if moment else ""

    return {"when": when, "state_label": state_label}


async def _list_page(
    request: web.Request,
    *,
    query: str = "",
    problems: list[str] | None = None,
    bad_rows: list[dossier_import.BadRow] | None = None,
    status: int = 200,
) -> web.Response:
    async with request.app[APP_KEY].db.session() as db:
        dossiers = await repo.search(db, query, LIST_MAX)
    context = {
        "q": query,
        "dossiers": dossiers,
        "limit": LIST_MAX,
        "problems": problems or [],
        "bad_rows": bad_rows or [],
        "mb": dossier_import.MAX_FILE_BYTES // (1024 * 1024),
        "columns": ", ".join(FIELDS),
        "accept": ",".join(dossier_import.SUFFIXES),
        **_helpers(request),
    }
    return render(request, "dossiers/list.html", context, status=status)


@routes.get("/dossiers")
@staff_required()
async def listing(request: web.Request) -> web.Response:
    """The latest changed dossiers, or those whose code contains the searched text."""
    query = request.query.get("q", "").strip()[:SEARCH_MAX]
    return await _list_page(request, query=query)


@routes.get("/dossiers/{code}")
@staff_required()
async def show(request: web.Request) -> web.Response:
    app = request.app[APP_KEY]
    code = find_code(request.match_info["code"], app.settings.dossier_code_pattern)
    if code is None or code != request.match_info["code"].upper():
        raise web.HTTPNotFound()
    async with app.db.session() as db:
        dossier = await repo.by_code(db, code)
        if dossier is None:
            raise web.HTTPNotFound()
        events = await repo.events_of(db, dossier.id, EVENTS_MAX)
        followers = await repo.follower_count(db, dossier.id)
        locked = await repo.check_locked_until(db, dossier.id, now(request))
    await audit(request, "dossier.view", dossier.code)
    context = {
        "d": dossier,
        "events": events,
        "followers": followers,
        "locked_until": locked,
        "events_max": EVENTS_MAX,
        **_helpers(request),
    }
    return render(request, "dossiers/dossier.html", context)


@routes.post("/dossiers/import")
@staff_required()
async def import_upload(request: web.Request) -> web.StreamResponse:
    """One uploaded file, all rows or none; the row report on this page, or a summary after a redirect."""
    app = request.app[APP_KEY]
    limit = dossier_import.MAX_FILE_BYTES
    mb = limit // (1024 * 1024)
    try:
        posted = await request.post()
    except web.HTTPRequestEntityTooLarge:  # over the console's body limit (the CSRF check read it first)
        return await _list_page(request, problems=[texts.WEB_DS_TOO_LARGE.format(mb=mb)], status=413)
    upload = posted.get(UPLOAD_FIELD)
    if not isinstance(upload, web.FileField) or not upload.filename:
        return await _list_page(request, problems=[texts.WEB_DS_NO_FILE], status=400)
    name = Path(upload.filename).name
    if Path(name).suffix.lower() not in dossier_import.SUFFIXES:
        log.info("dossier import refused: a file of type %r", Path(name).suffix[:10])
        return await _list_page(request, problems=[texts.WEB_DS_WRONG_TYPE], status=415)
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        log.info("dossier import refused: more than %d bytes", limit)
        return await _list_page(request, problems=[texts.WEB_DS_TOO_LARGE.format(mb=mb)], status=413)
    try:
        report = await dossier_import.import_data(app.db, app.services, name, data, app.services.clock())
    except dossier_import.DossierFileError as exc:
        log.info("dossier import refused: the file cannot be read")
        return await _list_page(request, problems=[texts.WEB_DS_UNREADABLE.format(reason=exc)], status=400)
    if not report.ok:
        log.info("dossier import refused: %d bad row(s)", report.bad_row_count)
        await audit(request, "dossier.import_refused", None, {"bad_rows": str(report.bad_row_count)})
        problem = texts.WEB_DS_BAD_ROWS.format(n=report.bad_row_count)
        return await _list_page(request, problems=[problem], bad_rows=report.bad_rows, status=400)
    counts = {
        "events": report.imported,
        "duplicates": report.duplicates,
        "created": report.created,
        "changed": report.changed,
        "notified": report.notified,
    }
    log.info("dossier import: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))
    await audit(request, "dossier.import", None, {k: str(v) for k, v in counts.items()})
    flash(request, texts.WEB_DS_IMPORTED.format(**counts))
    raise web.HTTPSeeOther(url("/dossiers"))
