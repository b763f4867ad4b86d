"""Staff handle complaints in the chat: inbox, open, reply, status, assign, close.

Everything here is staff-only: a citizen who types a staff command or presses
a forged staff button gets a polite refusal. Each action goes through
handlers.complaint_service (shared with the CLI and the web console), which
stores it with its history event, its audit record and the outbox messages it
causes, in the dispatcher's transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel

from handlers import texts
from handlers.actions import Action
from handlers.actions import ActionError as CodecError
from handlers.complaint_actions import (
    STATUS_CHOICES,
    AssignMenu,
    AssignTo,
    CloseComplaint,
    Inbox,
    OpenComplaint,
    SetStatus,
    StartReply,
    StatusMenu,
    StopReply,
)
from handlers.complaint_service import Deadline, InboxQuery, assign, close, find, set_status
from handlers.complaint_service import get as get_complaint
from handlers.complaint_service import reply as staff_reply
from handlers.context import Context
from handlers.feedback_core import (
    ActionError,
    Office,
    category_label,
    complaint_card,
    history_text,
    inbox_button,
    local_text,
    make_office,
    staff_buttons,
)
from handlers.flow import Flow, Kind, Run
from handlers.menu import main_menu
from handlers.messages import Incoming, Reply
from handlers.router import ActionHandler, Feature, Router
from storage import complaints as repo
from storage.repos import audit

INBOX_SIZE = 20
A = TypeVar("A", bound=Action)


def _office(ctx: Context) -> Office:
    return make_office(ctx.services.staff, ctx.settings, ctx.kb.locality)


def _refusal(ctx: Context) -> list[Reply]:
    return [main_menu(ctx, texts.STAFF_ONLY.format(office=ctx.kb.locality.office_name))]


async def inbox(ctx: Context, msg: Incoming) -> list[Reply]:
    if not ctx.is_staff:
        return _refusal(ctx)
    page = await find(ctx.db, _office(ctx), ctx.now(), InboxQuery(per_page=INBOX_SIZE))
    await audit(ctx.db, ctx.user_key, "complaint.inbox", None, shown=len(page.items))
    if not page.items:
        return [Reply(texts.CS_INBOX_EMPTY)]
    tz = ctx.settings.timezone
    lines = [texts.CS_INBOX_HEAD.format(n=page.total)]
    buttons = []
    for item in page.items:
        c = item.complaint
        late = _mark(item.deadline)
        lines.append(
            texts.CS_INBOX_LINE.format(
                late=late,
                code=c.code,
                status=texts.PA_STATUS.get(c.status, c.status),
                category=category_label(c.category),
                at=local_text(c.created_at, tz, with_time=False),
                preview=c.description[:60].replace("\n", " "),
            )
        )
        buttons.append([OpenComplaint(c.code).button(f"{late}{c.code}")])
    return [Reply("\n".join(lines), buttons=buttons)]


def _mark(deadline: Deadline) -> str:
    """The inbox line's mark (read at use, so a texts overlay applies)."""
    if deadline is Deadline.OVERDUE:
        return texts.CS_LATE_MARK
    return texts.CS_DUE_SOON_MARK if deadline is Deadline.DUE_SOON else ""


async def open_complaint(ctx: Context, code: str) -> list[Reply]:
    try:
        view = await get_complaint(ctx.db, _office(ctx), code, ctx.now(), actor=ctx.user_key)
    except ActionError as exc:
        return [Reply(str(exc))]
    c = view.complaint
    tz = ctx.settings.timezone
    text = (
        complaint_card(c, tz, ctx.now(), for_staff=True)
        + "\n\n"
        + history_text(view.events, tz, for_staff=True)
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


# ---------------------------------------------------------------- buttons
def _staff_only(handler: Callable[[Context, Incoming, A], Awaitable[list[Reply]]]) -> ActionHandler[A]:
    """A staff button: refused politely to citizens; a refused staff action is explained with the inbox."""

    async def guarded(ctx: Context, msg: Incoming, action: A) -> list[Reply]:
        if not ctx.is_staff:
            return _refusal(ctx)
        try:
            return await handler(ctx, msg, action)
        except ActionError as exc:
            return [Reply(str(exc), buttons=[[inbox_button()]])]

    return guarded


@_staff_only
async def on_inbox(ctx: Context, msg: Incoming, action: Inbox) -> list[Reply]:
    return await inbox(ctx, msg)


@_staff_only
async def on_open(ctx: Context, msg: Incoming, action: OpenComplaint) -> list[Reply]:
    return await open_complaint(ctx, action.code)


@_staff_only
async def on_start_reply(ctx: Context, msg: Incoming, action: StartReply) -> list[Reply]:
    c = await repo.get_by_code(ctx.db, action.code)
    if c is None:
        return [Reply(texts.CS_NOT_FOUND.format(code=action.code[:20]))]
    REPLY.start(ctx, ReplyStep.TEXT, ReplyData(code=c.code))
    return [_reply_prompt(c.code)]


@_staff_only
async def on_stop_reply(ctx: Context, msg: Incoming, action: StopReply) -> list[Reply]:
    REPLY.end(ctx)
    return _reply_cancelled()


@_staff_only
async def on_assign_menu(ctx: Context, msg: Incoming, action: AssignMenu) -> list[Reply]:
    members = sorted(ctx.services.staff.members(), key=lambda m: m.key)
    rows = []
    for m in members:
        channel, _, platform_id = m.key.partition(":")
        try:
            rows.append([AssignTo(action.code, channel, platform_id).button((m.name or m.key)[:60])])
        except CodecError:
            continue  # an identity that cannot travel in a button (too long, odd characters)
    return [Reply(texts.CS_CHOOSE_ASSIGNEE.format(code=action.code[:20]), buttons=rows)]


@_staff_only
async def on_assign_to(ctx: Context, msg: Incoming, action: AssignTo) -> list[Reply]:
    target = action.staff_key
    c = await assign(ctx.db, _office(ctx), action.code, ctx.user_key, target, ctx.now())
    return [Reply(texts.CS_ASSIGNED.format(code=c.code, who=target), buttons=staff_buttons(c))]


@_staff_only
async def on_status_menu(ctx: Context, msg: Incoming, action: StatusMenu) -> list[Reply]:
    rows = [[SetStatus(action.code, s).button(texts.PA_STATUS[s])] for s in STATUS_CHOICES]
    return [Reply(texts.CS_CHOOSE_STATUS.format(code=action.code[:20]), buttons=rows)]


@_staff_only
async def on_set_status(ctx: Context, msg: Incoming, action: SetStatus) -> list[Reply]:
    c = await set_status(ctx.db, _office(ctx), action.code, ctx.user_key, action.status, ctx.now())
    text = texts.CS_STATUS_SET.format(code=c.code, status=texts.PA_STATUS[c.status])
    return [Reply(text, buttons=staff_buttons(c))]


@_staff_only
async def on_close(ctx: Context, msg: Incoming, action: CloseComplaint) -> list[Reply]:
    c = await close(ctx.db, _office(ctx), action.code, ctx.user_key, ctx.now())
    return [Reply(texts.CS_CLOSED.format(code=c.code), buttons=[[inbox_button()]])]


# ---------------------------------------------------------------- the reply flow
class ReplyStep(StrEnum):
    TEXT = "text"


class ReplyData(BaseModel):
    code: str


def _reply_prompt(code: str) -> Reply:
    return Reply(texts.CS_ASK_REPLY.format(code=code), buttons=[[StopReply().button(texts.CS_BTN_CANCEL)]])


def _reply_cancelled(*_: object) -> list[Reply]:
    return [Reply(texts.CS_CANCELLED, buttons=[[inbox_button()]])]


# staff rights removed mid-reply end it quietly (the guard); /huy, «thôi», «hủy» cancel it
REPLY: Flow[ReplyStep, ReplyData] = Flow(
    "cs_reply", ReplyStep, ReplyData, cancelled=_reply_cancelled, guard=lambda ctx: ctx.is_staff
)


@REPLY.on(ReplyStep.TEXT, Kind.TEXT)
async def take_reply(ctx: Context, msg: Incoming, run: Run[ReplyStep, ReplyData]) -> list[Reply]:
    try:
        c = await staff_reply(ctx.db, _office(ctx), run.data.code, ctx.user_key, msg.text or "", ctx.now())
    except ActionError as exc:
        return [Reply(str(exc), buttons=[[StopReply().button(texts.CS_BTN_CANCEL)]])]
    run.end(ctx)
    sent = texts.CS_REPLY_SENT if c.channel else texts.CS_REPLY_STORED_ONLY
    return [Reply(sent.format(code=c.code), buttons=staff_buttons(c))]


@REPLY.on(ReplyStep.TEXT, Kind.PHOTO, Kind.LOCATION, Kind.CONTACT, Kind.OTHER)
async def reply_needs_text(ctx: Context, msg: Incoming, run: Run[ReplyStep, ReplyData]) -> list[Reply]:
    return [_reply_prompt(run.data.code)]


FEATURE = Feature.COMPLAINTS_STAFF


def register(router: Router) -> None:
    router.command("hopthu", inbox, texts.CMD_HOPTHU, staff_only=True)
    router.command("xemphananh", on_show_command, texts.CMD_XEMPHANANH, staff_only=True)
    router.action(Inbox, on_inbox)
    router.action(OpenComplaint, on_open)
    router.action(StartReply, on_start_reply)
    router.action(StopReply, on_stop_reply)
    router.action(AssignMenu, on_assign_menu)
    router.action(AssignTo, on_assign_to)
    router.action(StatusMenu, on_status_menu)
    router.action(SetStatus, on_set_status)
    router.action(CloseComplaint, on_close)
    router.flow(REPLY)
