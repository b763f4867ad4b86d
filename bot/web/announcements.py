"""/staff/announcements: compose, preview as citizens see it, send now or at a time, progress, cancel.

The rules are handlers/broadcast_core.py's, the same as /thongbao and
`motcua broadcast`: text limits, audiences and their live counts, the citizen
text, the queue-with-audit transaction, cancelling. Delivery is the outbox
sender's, at each platform's rate. The preview renders the announcement with
each channel's own renderer (bot/broadcast_preview.py).

The draft travels in the forms (compose → preview → confirm), so nothing is
kept for a half-finished announcement; every step validates it again, since a
hidden field can be edited. An uploaded photo is stored at the preview step and
served at /staff/announcements/photo/<token> without sign-in: Telegram and
Zalo fetch an announcement's photo by its URL (MOTCUA_PUBLIC_URL must be
reachable from the internet for photos to go out).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from multidict import MultiDictProxy

from bot.broadcast_preview import bubbles
from bot.web.audit import actor_of
from bot.web.auth import current_staff, staff_required
from bot.web.keys import APP_KEY, url
from bot.web.render import flash, render
from handlers import broadcast_core as core
from handlers import texts
from handlers.broadcast_core import BroadcastError
from storage import outbox as ob

log = logging.getLogger("motcua.web")
routes = web.RouteTableDef()

PHOTO_PATH = "/announcements/photo/"


def _actor(request: web.Request) -> str:
    staff = current_staff(request)
    return actor_of(staff.id if staff else None)


def _tz(request: web.Request) -> str:
    return request.app[APP_KEY].services.settings.timezone


def _office(request: web.Request) -> str:
    return request.app[APP_KEY].knowledge.kb.locality.office_name


def _areas(request: web.Request) -> list[str]:
    return list(request.app[APP_KEY].knowledge.kb.locality.areas)


def _photo_url(request: web.Request, token: str) -> str:
    return request.app[APP_KEY].settings.public_url + url(PHOTO_PATH + token)


def _token_of(photo: str | None) -> str | None:
    """The token of a photo uploaded here (None for a chat photo or no photo)."""
    marker = url(PHOTO_PATH)
    if photo and marker in photo:
        return photo.rsplit("/", 1)[1]
    return None


def _shown_photo(photo: str | None) -> str | None:
    """Where the page loads a photo from: uploaded ones from here; a chat file id is not shown."""
    token = _token_of(photo)
    return url(PHOTO_PATH + token) if token else None


# ---------------------------------------------------------------- the list and the photo
@routes.get("/announcements")
@staff_required()
async def announcements_page(request: web.Request) -> web.Response:
    async with request.app[APP_KEY].db.session() as db:
        tallies = await core.overview(db)
    rows = [
        {
            "t": t,
            "snippet": " ".join(t.broadcast.text.split())[:80],
            "audience": core.audience_label(ob.Audience.from_dict(t.broadcast.audience)),
            "when": core.local_text(t.broadcast.send_at, _tz(request)),
            "status": texts.BC_STATUS.get(t.broadcast.status, t.broadcast.status),
        }
        for t in tallies
    ]
    return render(request, "announcements/list.html", {"rows": rows})


@routes.get(PHOTO_PATH + "{token}")
async def photo(request: web.Request) -> web.Response:
    """An announcement's photo, public: the platforms fetch it when delivering."""
    async with request.app[APP_KEY].db.session() as db:
        found = await core.load_photo(db, request.match_info["token"])
    if found is None:
        raise web.HTTPNotFound()
    return web.Response(
        body=found.data, content_type=found.content_type, headers={"Cache-Control": "public, max-age=604800"}
    )


# ---------------------------------------------------------------- compose
def _blank() -> dict[str, str]:
    return {"text": "", "audience": "all", "when": "now", "send_at": "", "photo": ""}


async def _compose(
    request: web.Request, form: dict[str, str], problems: list[str], *, status: int = 200
) -> web.Response:
    async with request.app[APP_KEY].db.session() as db:
        options = await core.audience_options(db, _areas(request))
    office = _office(request)
    groups: dict[str, list[core.AudienceOption]] = {"all": [], "t": [], "a": [], "c": []}
    for option in options:
        groups[option.key.partition(":")[0]].append(option)
    context = {
        "form": form,
        "problems": problems,
        "groups": groups,
        "limit": core.text_limit(office, photo=False),
        "limit_photo": core.text_limit(office, photo=True),
        "office": office,
        "mb": core.PHOTO_MAX_BYTES // (1024 * 1024),
        "shown_photo": _shown_photo(form["photo"]),
    }
    return render(request, "announcements/compose.html", context, status=status)


@routes.get("/announcements/new")
@staff_required()
async def compose_page(request: web.Request) -> web.Response:
    return await _compose(request, _blank(), [])


@routes.get("/announcements/audience.json")
@staff_required()
async def audience_json(request: web.Request) -> web.Response:
    """The live recipient count of one audience, for the compose form's script."""
    audience = core.audience_from_key(request.query.get("audience", ""), _areas(request))
    if audience is None:
        return web.json_response({"error": texts.WA_BAD_AUDIENCE}, status=400)
    async with request.app[APP_KEY].db.session() as db:
        counts = await core.recipient_count(db, audience)
    n = sum(counts.values())
    return web.json_response(
        {"count": n, "per_channel": dict(counts), "label": texts.WA_LIVE_COUNT.format(n=n)},
        headers={"Cache-Control": "no-store"},
    )


def _field(posted: MultiDictProxy[Any], name: str) -> str:
    value = posted.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _send_time(request: web.Request, form: dict[str, str]) -> dt.datetime | None:
    """The chosen send time in UTC, None for now; BroadcastError when it cannot be used."""
    if form["when"] != "at":
        return None
    now = request.app[APP_KEY].services.clock()
    tz = ZoneInfo(_tz(request))
    raw = form["send_at"]
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        when = core.parse_send_time(raw, now.astimezone(tz))  # a browser without datetime-local
    else:
        value = value.replace(tzinfo=tz) if value.tzinfo is None else value
        when = value.astimezone(dt.UTC) if core.in_range(value, now) else None
    if when is None:
        raise BroadcastError(texts.WA_BAD_TIME)
    return when


async def _read_draft(
    request: web.Request, posted: MultiDictProxy[Any]
) -> tuple[dict[str, str], list[str], dict[str, Any]]:
    """The posted draft, its problems, and what is known once it is valid (audience, time, photo)."""
    form = {k: _field(posted, k) for k in ("text", "audience", "when", "send_at", "photo")}
    problems: list[str] = []
    valid: dict[str, Any] = {}
    app = request.app[APP_KEY]
    upload = posted.get("upload")
    async with app.db.session() as db:
        if isinstance(upload, web.FileField) and upload.filename:
            data = upload.file.read(core.PHOTO_MAX_BYTES + 1)
            try:
                token = await core.store_photo(
                    db, data, upload.content_type, _actor(request), app.services.clock()
                )
                await db.commit()
                form["photo"] = _photo_url(request, token)
            except BroadcastError as exc:
                problems.append(str(exc))
                form["photo"] = ""
        elif form["photo"]:
            kept = _token_of(form["photo"])
            if kept is None or await core.load_photo(db, kept) is None:
                problems.append(texts.WA_PHOTO_GONE)
                form["photo"] = ""
            else:
                form["photo"] = _photo_url(request, kept)  # as this server names it, not as posted
    try:
        form["text"] = core.check_text(_office(request), form["text"], photo=bool(form["photo"]))
    except BroadcastError as exc:
        problems.append(str(exc))
    audience = core.audience_from_key(form["audience"], _areas(request))
    if audience is None:
        problems.append(texts.WA_BAD_AUDIENCE)
    valid["audience"] = audience
    try:
        valid["send_at"] = _send_time(request, form)
    except BroadcastError as exc:
        problems.append(str(exc))
    return form, problems, valid


@routes.post("/announcements/preview")
@staff_required()
async def preview(request: web.Request) -> web.Response:
    posted = await request.post()
    form, problems, valid = await _read_draft(request, posted)
    if problems:
        log.info("announcement draft refused (%d problem(s))", len(problems))
        return await _compose(request, form, problems, status=400)
    audience: ob.Audience = valid["audience"]
    async with request.app[APP_KEY].db.session() as db:
        counts = await core.recipient_count(db, audience)
    if not counts:
        return await _compose(request, form, [texts.BC_NO_RECIPIENTS], status=400)
    replies = core.citizen_replies(_office(request), form["text"], form["photo"] or None)
    previews = []
    for channel in sorted(counts):
        parts = [
            {"kind": b.kind, "text": b.text, "photo": _shown_photo(b.photo) if b.photo else None}
            for b in bubbles(channel, replies)
        ]
        previews.append(
            {"channel": texts.BC_CHANNEL_NAMES.get(channel, channel), "n": counts[channel], "parts": parts}
        )
    send_at: dt.datetime | None = valid["send_at"]
    when = core.local_text(send_at, _tz(request)) if send_at else texts.BC_WHEN_NOW
    context = {
        "form": form,
        "previews": previews,
        "total": sum(counts.values()),
        "audience": core.audience_label(audience),
        "when": when,
        "scheduled": send_at is not None,
    }
    return render(request, "announcements/preview.html", context)


@routes.post("/announcements/edit")
@staff_required()
async def edit(request: web.Request) -> web.Response:
    """Back from the preview to the form, with what was typed."""
    posted = await request.post()
    form = {k: _field(posted, k) for k in ("text", "audience", "when", "send_at", "photo")}
    if _token_of(form["photo"]) is None:
        form["photo"] = ""
    return await _compose(request, form, [])


@routes.post("/announcements")
@staff_required()
async def send(request: web.Request) -> web.StreamResponse:
    posted = await request.post()
    form, problems, valid = await _read_draft(request, posted)
    if problems:
        return await _compose(request, form, problems, status=400)
    app = request.app[APP_KEY]
    async with app.db.session() as db:
        try:
            b = await core.queue(
                db,
                actor=_actor(request),
                office=_office(request),
                text=form["text"],
                photo=form["photo"] or None,
                audience=valid["audience"],
                send_at=valid["send_at"],
                now=app.services.clock(),
            )
        except BroadcastError as exc:
            await db.rollback()
            return await _compose(request, form, [str(exc)], status=400)
        await db.commit()
        bid, total = b.id, b.total
    flash(request, texts.WA_QUEUED_FLASH.format(id=bid, n=total))
    raise web.HTTPSeeOther(url(f"/announcements/{bid}"))


# ---------------------------------------------------------------- progress and cancel
@routes.get("/announcements/{bid:\\d+}")
@staff_required()
async def progress_page(request: web.Request) -> web.Response:
    async with request.app[APP_KEY].db.session() as db:
        t = await core.progress(db, int(request.match_info["bid"]))
    if t is None:
        raise web.HTTPNotFound()
    b = t.broadcast
    context = {
        "t": t,
        "b": b,
        "status": texts.BC_STATUS.get(b.status, b.status),
        "created": core.local_text(b.created_at, _tz(request)),
        "when": core.local_text(b.send_at, _tz(request)),
        "audience": core.audience_label(ob.Audience.from_dict(b.audience)),
        "shown_photo": _shown_photo(b.photo),
        "states": core.PROGRESS_STATES,
    }
    return render(request, "announcements/progress.html", context)


@routes.get("/announcements/{bid:\\d+}/progress.json")
@staff_required()
async def progress_json(request: web.Request) -> web.Response:
    async with request.app[APP_KEY].db.session() as db:
        t = await core.progress(db, int(request.match_info["bid"]))
    if t is None:
        raise web.HTTPNotFound()
    return web.json_response(t.as_dict(), headers={"Cache-Control": "no-store"})


@routes.post("/announcements/{bid:\\d+}/cancel")
@staff_required()
async def cancel(request: web.Request) -> web.StreamResponse:
    bid = int(request.match_info["bid"])
    app = request.app[APP_KEY]
    async with app.db.session() as db:
        try:
            n = await core.cancel(db, bid, _actor(request), app.services.clock())
        except BroadcastError as exc:
            await db.rollback()
            flash(request, str(exc))
            raise web.HTTPSeeOther(url(f"/announcements/{bid}")) from None
        await db.commit()
    flash(request, texts.WA_CANCELLED_FLASH.format(id=bid, n=n))
    raise web.HTTPSeeOther(url(f"/announcements/{bid}"))
