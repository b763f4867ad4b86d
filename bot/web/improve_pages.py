"""/staff/improve: the groups of unanswered and 👎-rated questions, and what staff decide for each.

A decision goes through handlers.improve.decide (one implementation, audited in
its transaction); a change that would not validate is refused with its reasons
and nothing changes. After an accepted change this process loads the new
overlay at once (in the background); the other workers follow the stamp.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.kb_sync import sync_soon
from bot.web.audit import actor_of
from bot.web.auth import current_staff, staff_required
from bot.web.keys import APP_KEY, now, url
from bot.web.render import flash, render
from handlers import texts
from handlers.improve import ACTIONS, Change, ImproveError, decide, groups
from knowledge.overlay import overlay_path, read_overlay
from knowledge.schema import Procedure
from storage import kb_stamp

log = logging.getLogger("motcua.web")
routes = web.RouteTableDef()
DAYS = (7, 30, 90, 180)
DIGEST = re.compile(r"[0-9a-f]{40}")
FAQ_FIELDS = ("faq_id", "faq_answer", "faq_basis", "faq_source", "faq_url", "faq_checked")


async def _page(
    request: web.Request,
    *,
    problems: list[str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    app = request.app[APP_KEY]
    try:
        days = int(request.query.get("days", "30"))
    except ValueError:
        days = 30
    days = days if days in DAYS else 30
    since = now(request) - dt.timedelta(days=days)
    async with app.db.session() as db:
        found = await groups(db, since)
        stamp = await kb_stamp.current(db)
    kb = app.knowledge.kb
    overlay = kb.overlay or read_overlay(overlay_path(app.settings.data_dir))
    topics = sorted(((t.id, t.name) for t in kb.topics.values()), key=lambda t: t[1])
    return render(
        request,
        "improve.html",
        {
            "groups": found,
            "days": days,
            "day_choices": DAYS,
            "topics": topics,
            "procedures": {t.id for t in kb.topics.values() if isinstance(t, Procedure)},
            "problems": problems or [],
            "form": form or {},
            "stamp": stamp,
            "overlay": overlay,
            "overlay_problems": app.knowledge.overlay_problems,
            "topic_name": lambda tid: kb.get(tid).name if kb.get(tid) is not None else tid,  # type: ignore[union-attr]
            "local": lambda moment: moment.astimezone(ZoneInfo(app.settings.timezone)).strftime(
                "%H:%M %d/%m/%Y"
            ),
        },
        status=status,
    )


@routes.get("/improve")
@staff_required()
async def improve_page(request: web.Request) -> web.Response:
    return await _page(request)


def _faq(form: dict[str, str], text: str) -> dict[str, object]:
    source: dict[str, object] = {"title": form.get("faq_source", ""), "checked": form.get("faq_checked", "")}
    if form.get("faq_url"):
        source["url"] = form["faq_url"]
    entry: dict[str, object] = {
        "id": form.get("faq_id", ""),
        "questions": [text],
        "answer": form.get("faq_answer", ""),
        "source": source,
    }
    if form.get("faq_basis"):
        entry["legal_basis"] = form["faq_basis"]
    return entry


@routes.post("/improve")
@staff_required()
async def improve_decide(request: web.Request) -> web.StreamResponse:
    posted = await request.post()
    form = {k: v.strip() for k, v in posted.items() if isinstance(v, str) and k != "_csrf"}
    action = form.get("action", "")
    digests = [d for d in form.get("digests", "").split(",") if DIGEST.fullmatch(d)]
    if action not in ACTIONS or not digests:
        return await _page(request, problems=[texts.IM_GONE], status=400)
    if action in ("example", "alias", "faq") and form.get("as") in ("example", "alias", "faq"):
        action = form["as"]
    topic = form.get("topic_id") or None
    text = form.get("text", "")
    change = Change(
        action=action,  # type: ignore[arg-type]
        topic_id=topic if action in ("example", "alias", "faq") else None,
        text=text,
        faq=_faq(form, text) if action == "faq" else None,
    )
    app = request.app[APP_KEY]
    staff = current_staff(request)
    try:
        async with app.db.session() as db:
            version = await decide(
                db,
                app.knowledge,
                overlay_path(app.settings.data_dir),
                change,
                digests,
                actor_of(staff.id if staff else None),
            )
    except ImproveError as exc:
        log.info("improvement refused: %d problem(s)", len(exc.problems))
        return await _page(request, problems=exc.problems, form=form, status=400)
    if version is None:
        flash(request, texts.IM_DISMISSED)
    else:
        sync_soon(app)
        flash(
            request,
            (texts.IM_MARKED if action == "out_of_scope" else texts.IM_ACCEPTED).format(version=version),
        )
    log.info("staff #%s: improvement %s (version %s)", staff.id if staff else "?", action, version)
    raise web.HTTPSeeOther(url("/improve"))
