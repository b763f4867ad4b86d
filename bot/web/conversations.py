"""/staff/conversations: citizens waiting for an officer, the conversation itself, the call-back list.

Every action is one function of handlers/handoff_core.py (the chat's too), run
in one transaction with its audit record; what the citizen receives goes through
the outbox. The conversation page works with plain forms and reloads; a few
lines of static/conversation.js poll `messages.json` and send without reloading.
URLs carry only row numbers, never a name or a phone number.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from aiohttp import web

from bot.web.audit import actor_of
from bot.web.auth import StaffUser, current_staff, staff_required
from bot.web.keys import APP_KEY, url
from bot.web.photos import channel_photo
from bot.web.render import flash, render
from handlers import handoff_core as core
from handlers import texts
from handlers.feedback_core import local_text
from handlers.guide_view import title_of
from handlers.handoff_core import MAX_RELAY_CHARS, HandoffError
from storage.models_feedback import Handoff, HandoffMessage

log = logging.getLogger("motcua.web")
routes = web.RouteTableDef()


def _me(request: web.Request) -> StaffUser:
    staff = current_staff(request)
    assert staff is not None  # staff_required ran first
    return staff


def _channel_label(channel: str | None) -> str:
    return texts.BC_CHANNEL_NAMES.get(channel or "", channel or "-")


def _when(request: web.Request, moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return local_text(moment, request.app[APP_KEY].services.settings.timezone)


def _staff_name(request: web.Request, key: str | None) -> str:
    if not key:
        return texts.WC_STAFF
    if key == _me(request).key:
        return texts.WC_YOU
    for member in request.app[APP_KEY].services.staff.members():
        if member.key == key:
            return member.name or texts.WC_STAFF
    return texts.WC_STAFF


def _line(request: web.Request, line: HandoffMessage, citizen: str) -> dict[str, Any]:
    """One line of a conversation as the page and the JSON endpoint show it."""
    if line.sender == "citizen":
        who, text = citizen, line.text
    elif line.sender == "staff":
        who, text = _staff_name(request, line.author), line.text
    else:
        who = texts.WC_SYSTEM
        text = texts.WC_EVENT.get(line.text, line.text).format(who=_staff_name(request, line.author))
    photo = url(f"/conversations/{line.handoff_id}/photos/{line.id}") if line.photo else None
    if photo is not None and text == texts.HO_PHOTO:
        text = ""  # the picture itself is shown; "[ảnh]" is only what a chat without it reads
    return {
        "id": line.id,
        "sender": line.sender,
        "who": who,
        "text": text,
        "at": _when(request, line.at),
        "photo": photo,
        "photo_alt": texts.WC_PHOTO_ALT.format(who=who) if photo else None,
    }


# ---------------------------------------------------------------- the list
@routes.get("/conversations")
@staff_required()
async def conversations_page(request: web.Request) -> web.Response:
    app = request.app[APP_KEY]
    kb = app.knowledge.kb
    me = _me(request)
    async with app.db.session() as db:
        waiting = await core.waiting_list(db)
        mine = await core.active_of(db, me.key)
        mine_rows = [(h, await core.citizen_name(db, h)) for h in mine]
        callbacks = await core.callbacks(db)
    rows = []
    for w in waiting:
        topic = kb.get(w.topic_id) if w.topic_id else None
        about = [
            t
            for t in (topic.name if topic else None, w.area and texts.WC_ABOUT_AREA.format(area=w.area))
            if t
        ]
        rows.append(
            {
                "id": w.handoff.id,
                "name": w.name,
                "channel": _channel_label(w.handoff.channel),
                "since": _when(request, w.handoff.started_at),
                "about": ", ".join(about) or texts.WC_ABOUT_NONE,
                "messages": w.handoff.messages,
            }
        )
    context = {
        "waiting": rows,
        "mine": [
            {
                "id": h.id,
                "name": name,
                "channel": _channel_label(h.channel),
                "since": _when(request, h.taken_at),
            }
            for h, name in mine_rows
        ],
        "callbacks": [
            {
                "id": c.id,
                "name": c.name or texts.PA_ANONYMOUS,
                "phone": c.phone,
                "asked": _when(request, c.created_at),
                "where": texts.WC_FROM_HANDOFF if c.walkthrough_id == "-" else title_of(kb, c.walkthrough_id),
            }
            for c in callbacks
        ],
    }
    return render(request, "conversations/list.html", context)


@routes.post("/conversations/{hid:\\d+}/take")
@staff_required()
async def take(request: web.Request) -> web.StreamResponse:
    hid = int(request.match_info["hid"])
    app = request.app[APP_KEY]
    me = _me(request)
    async with app.db.session() as db:
        try:
            await core.take(db, app.services, hid, me.key, via="web", actor=actor_of(me.id))
        except HandoffError as exc:
            await db.rollback()
            log.info("conversation take refused")
            flash(request, str(exc))
            raise web.HTTPSeeOther(url("/conversations")) from None
        await db.commit()
    flash(request, texts.WC_TAKEN_FLASH.format(hid=hid))
    raise web.HTTPSeeOther(url(f"/conversations/{hid}"))


@routes.post("/conversations/callbacks/{cid:\\d+}/done")
@staff_required()
async def callback_done(request: web.Request) -> web.StreamResponse:
    cid = int(request.match_info["cid"])
    app = request.app[APP_KEY]
    async with app.db.session() as db:
        row = await core.callback_done(db, cid, actor_of(_me(request).id))
        await db.commit()
    flash(request, texts.WC_CALLBACK_DONE_FLASH.format(id=cid) if row else texts.WC_CALLBACK_NOT_FOUND)
    raise web.HTTPSeeOther(url("/conversations"))


# ---------------------------------------------------------------- one conversation
async def _load(request: web.Request) -> tuple[Handoff, str, list[HandoffMessage]]:
    hid = int(request.match_info["hid"])
    after = request.query.get("after", "0")
    async with request.app[APP_KEY].db.session() as db:
        handoff = await db.get(Handoff, hid)
        if handoff is None:
            raise web.HTTPNotFound()
        name = await core.citizen_name(db, handoff)
        lines = await core.messages(db, hid, after=int(after) if after.isdigit() else 0)
    return handoff, name, lines


@routes.get("/conversations/{hid:\\d+}")
@staff_required()
async def conversation_page(request: web.Request) -> web.Response:
    handoff, name, lines = await _load(request)
    me = _me(request)
    context = {
        "handoff": handoff,
        "name": name,
        "channel": _channel_label(handoff.channel),
        "since": _when(request, handoff.started_at),
        "status": texts.WC_STATUS.get(handoff.status, handoff.status),
        "mine": handoff.status == "active" and handoff.staff_key == me.key,
        "owner": _staff_name(request, handoff.staff_key),
        "lines": [_line(request, x, name) for x in lines],
        "last_id": lines[-1].id if lines else 0,
        "limit": MAX_RELAY_CHARS,
    }
    return render(request, "conversations/conversation.html", context)


@routes.get("/conversations/{hid:\\d+}/photos/{mid:\\d{1,18}}")
@staff_required()
async def photo(request: web.Request) -> web.Response:
    """A photo sent in this conversation, fetched through the sender's channel."""
    hid, mid = int(request.match_info["hid"]), int(request.match_info["mid"])
    async with request.app[APP_KEY].db.session() as db:
        line = await db.get(HandoffMessage, mid)
        handoff = await db.get(Handoff, hid)
    if line is None or handoff is None or line.handoff_id != hid or not line.photo:
        raise web.HTTPNotFound()
    # A citizen's photo came on the conversation's channel; an officer's on the officer's own.
    channel = handoff.channel if line.sender == "citizen" else (line.author or "").partition(":")[0]
    return await channel_photo(request, channel or None, line.photo, "conversation")


@routes.get("/conversations/{hid:\\d+}/messages.json")
@staff_required()
async def conversation_json(request: web.Request) -> web.Response:
    """New lines after `?after=<id>` and the state, for the page's polling script."""
    handoff, name, lines = await _load(request)
    me = _me(request)
    body = {
        "status": handoff.status,
        "status_label": texts.WC_STATUS.get(handoff.status, handoff.status),
        "mine": handoff.status == "active" and handoff.staff_key == me.key,
        "messages": [_line(request, x, name) for x in lines],
    }
    return web.json_response(body, headers={"Cache-Control": "no-store"})


def _wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@routes.post("/conversations/{hid:\\d+}/send")
@staff_required()
async def send(request: web.Request) -> web.StreamResponse:
    hid = int(request.match_info["hid"])
    posted = await request.post()
    text = posted.get("text", "")
    app = request.app[APP_KEY]
    me = _me(request)
    async with app.db.session() as db:
        try:
            line = await core.staff_message(
                db, app.services, hid, me.key, text if isinstance(text, str) else "", actor=actor_of(me.id)
            )
        except HandoffError as exc:
            await db.rollback()
            log.info("conversation message refused")
            if _wants_json(request):
                return web.json_response({"ok": False, "error": str(exc)}, status=400)
            flash(request, str(exc))
            raise web.HTTPSeeOther(url(f"/conversations/{hid}")) from None
        await db.commit()
        shown = _line(request, line, "")
    if _wants_json(request):
        return web.json_response({"ok": True, "message": shown})
    flash(request, texts.WC_SENT_FLASH)
    raise web.HTTPSeeOther(url(f"/conversations/{hid}"))


@routes.post("/conversations/{hid:\\d+}/hand-back")
@staff_required()
async def hand_back(request: web.Request) -> web.StreamResponse:
    return await _finish(request, core.hand_back, texts.WC_HANDED_BACK_FLASH)


@routes.post("/conversations/{hid:\\d+}/end")
@staff_required()
async def end(request: web.Request) -> web.StreamResponse:
    return await _finish(request, core.end_by_staff, texts.WC_ENDED_FLASH)


async def _finish(request: web.Request, action: core.StaffAction, done: str) -> web.StreamResponse:
    hid = int(request.match_info["hid"])
    app = request.app[APP_KEY]
    me = _me(request)
    async with app.db.session() as db:
        try:
            await action(db, app.services, hid, me.key, actor=actor_of(me.id))
        except HandoffError as exc:
            await db.rollback()
            flash(request, str(exc))
            raise web.HTTPSeeOther(url(f"/conversations/{hid}")) from None
        await db.commit()
    flash(request, done.format(hid=hid))
    raise web.HTTPSeeOther(url("/conversations"))
