"""Staff handle complaints in the chat: inbox, open, reply, status, assign, close.

Everything here is staff-only: a citizen who types a staff command or presses
a forged staff button gets a polite refusal. Each action goes through
handlers.feedback_core, which stores it with its history event, its audit
record and the outbox messages it causes, in the dispatcher's transaction.
"""

from __future__ import annotations

from handlers import texts
from handlers.context import Context
from handlers.feedback_core import (
    CATEGORIES,
    ActionError,
    Office,
    assign,
    complaint_card,
    history_text,
    local_text,
    make_office,
    set_status,
    staff_buttons,
    staff_reply,
)
from handlers.menu import main_menu
from handlers.messages import MAX_ACTION_BYTES, Button, Incoming, Reply
from handlers.router import Feature, Router
from storage import complaints as repo
from storage.repos import audit

REPLY_FLOW = "cs_reply"
INBOX_SIZE = 20
STATUS_CHOICES = ("received", "assigned", "answered", "closed")


def _office(ctx: Context) -> Office:
    return make_office(ctx.services.staff, ctx.settings, ctx.kb.locality)


def _refusal(ctx: Context) -> list[Reply]:
    return [main_menu(ctx, texts.STAFF_ONLY.format(office=ctx.kb.locality.office_name))]


async def inbox(ctx: Context, msg: Incoming) -> list[Reply]:
    if not ctx.is_staff:
        return _refusal(ctx)
    now = ctx.now()
    rows = await repo.inbox(ctx.db, now, limit=INBOX_SIZE)
    await audit(ctx.db, ctx.user_key, "complaint.inbox", None, shown=len(rows))
    if not rows:
        return [Reply(texts.CS_INBOX_EMPTY)]
    tz = ctx.settings.timezone
    lines = [texts.CS_INBOX_HEAD.format(n=len(rows))]
    buttons = []
    for c in rows:
        late = texts.CS_LATE_MARK if c.due_at < now else ""
        lines.append(
            texts.CS_INBOX_LINE.format(
                late=late,
                code=c.code,
                status=texts.PA_STATUS.get(c.status, c.status),
                category=CATEGORIES.get(c.category, c.category),
                at=local_text(c.created_at, tz, with_time=False),
                preview=c.description[:60].replace("\n", " "),
            )
        )
        buttons.append([Button(f"{late}{c.code}", f"cs:open:{c.code}")])
    return [Reply("\n".join(lines), buttons=buttons)]


async def open_complaint(ctx: Context, code: str) -> list[Reply]:
    c = await repo.get_by_code(ctx.db, code)
    if c is None:
        return [Reply(texts.CS_NOT_FOUND.format(code=code[:20]))]
    tz = ctx.settings.timezone
    events = await repo.events_of(ctx.db, c)
    await audit(ctx.db, ctx.user_key, "complaint.open", c.code)
    text = (
        complaint_card(c, tz, ctx.now(), for_staff=True) + "\n\n" + history_text(events, tz, for_staff=True)
    )
    return [*photo_replies(ctx, c.channel, c.photos or []), Reply(text, buttons=staff_buttons(c))]


def photo_replies(ctx: Context, channel: str | None, photos: list[str]) -> list[Reply]:
    """The complaint's photos, where this staff member's channel can show them.

    A Telegram file id only works through the same bot (same channel); a URL
    (Zalo) works anywhere. Photos the channel cannot show are counted in the card.
    """
    shown = []
    for n, ref in enumerate(photos, 1):
        if ref.startswith(("http://", "https://")) or channel == ctx.incoming.channel:
            shown.append(Reply(texts.CS_PHOTO.format(n=n, total=len(photos)), photo=ref))
    return shown


async def on_show_command(ctx: Context, msg: Incoming) -> list[Reply]:
    code = repo.parse_code(msg.text or "")
    if code is None:
        return [Reply(texts.CS_SHOW_USAGE)]
    return await open_complaint(ctx, code)


async def on_action(ctx: Context, msg: Incoming) -> list[Reply]:
    if not ctx.is_staff:
        return _refusal(ctx)
    verb, code, extra = msg.action_args(3)
    try:
        if verb == "inbox":
            return await inbox(ctx, msg)
        if verb == "open":
            return await open_complaint(ctx, code)
        if verb == "reply":
            c = await repo.get_by_code(ctx.db, code)
            if c is None:
                return [Reply(texts.CS_NOT_FOUND.format(code=code[:20]))]
            ctx.set_flow(REPLY_FLOW, code=c.code)
            return [
                Reply(
                    texts.CS_ASK_REPLY.format(code=c.code), buttons=[[Button(texts.CS_BTN_CANCEL, "cs:stop")]]
                )
            ]
        if verb == "stop":
            ctx.clear_flow()
            return [Reply(texts.CS_CANCELLED, buttons=[[Button(texts.CS_BTN_INBOX, "cs:inbox")]])]
        if verb == "assign":
            return _assign_choices(ctx, code)
        if verb == "to":
            # the button carries the staff identity itself (channel:id), so a change of the
            # staff list between showing and pressing cannot assign the wrong person
            raw = msg.action or ""
            target = raw.split(":", 3)[3] if raw.count(":") >= 4 else ""
            if not target:
                return [Reply(texts.EXPIRED_BUTTON)]
            c = await assign(ctx.db, _office(ctx), code, ctx.user_key, target, ctx.now())
            return [Reply(texts.CS_ASSIGNED.format(code=c.code, who=target), buttons=staff_buttons(c))]
        if verb == "status":
            rows = [[Button(texts.PA_STATUS[s], f"cs:set:{code}:{s}")] for s in STATUS_CHOICES]
            return [Reply(texts.CS_CHOOSE_STATUS.format(code=code[:20]), buttons=rows)]
        if verb == "set":
            c = await set_status(ctx.db, _office(ctx), code, ctx.user_key, extra, ctx.now())
            return [
                Reply(
                    texts.CS_STATUS_SET.format(code=c.code, status=texts.PA_STATUS[c.status]),
                    buttons=staff_buttons(c),
                )
            ]
        if verb == "close":
            c = await set_status(ctx.db, _office(ctx), code, ctx.user_key, "closed", ctx.now())
            return [
                Reply(texts.CS_CLOSED.format(code=c.code), buttons=[[Button(texts.CS_BTN_INBOX, "cs:inbox")]])
            ]
    except ActionError as exc:
        return [Reply(str(exc), buttons=[[Button(texts.CS_BTN_INBOX, "cs:inbox")]])]
    return [Reply(texts.EXPIRED_BUTTON)]


def _assign_choices(ctx: Context, code: str) -> list[Reply]:
    members = sorted(ctx.services.staff.members(), key=lambda m: m.key)
    rows = []
    for m in members:
        action = f"cs:to:{code}:{m.key}"
        if len(action.encode()) <= MAX_ACTION_BYTES and action.isascii():
            rows.append([Button((m.name or m.key)[:60], action)])
    return [Reply(texts.CS_CHOOSE_ASSIGNEE.format(code=code[:20]), buttons=rows)]


async def on_reply_flow(ctx: Context, msg: Incoming) -> list[Reply] | None:
    if not ctx.is_staff:
        ctx.clear_flow()
        return None
    code = ctx.flow_data.get("code", "")
    if msg.text is None:
        return [Reply(texts.CS_ASK_REPLY.format(code=code))]
    try:
        c = await staff_reply(ctx.db, _office(ctx), code, ctx.user_key, msg.text, ctx.now())
    except ActionError as exc:
        return [Reply(str(exc), buttons=[[Button(texts.CS_BTN_CANCEL, "cs:stop")]])]
    ctx.clear_flow()
    sent = texts.CS_REPLY_SENT if c.channel else texts.CS_REPLY_STORED_ONLY
    return [Reply(sent.format(code=c.code), buttons=staff_buttons(c))]


FEATURE = Feature.COMPLAINTS_STAFF


def register(router: Router) -> None:
    router.command("hopthu", inbox, texts.CMD_HOPTHU, staff_only=True)
    router.command("xemphananh", on_show_command, texts.CMD_XEMPHANANH, staff_only=True)
    router.legacy_action("cs", on_action)
    router.legacy_flow(REPLY_FLOW, on_reply_flow)
