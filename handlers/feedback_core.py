"""What complaint handling means, shared by the chat handlers and the CLI.

Every staff action (reply, status change, assignment, close) goes through one
function here, which writes the complaint, its history event, the audit log
and the outbox rows for the citizen and the staff in the caller's transaction,
so the chat and `motcua complaints …` behave the same and nothing is sent
about a change that was not stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import observe, texts
from handlers.complaint_actions import (
    AssignMenu,
    CategoryKey,
    CloseComplaint,
    Inbox,
    OpenComplaint,
    RateComplaint,
    StartReply,
    StatusMenu,
)
from handlers.messages import Button, Reply
from handlers.serialize import replies_to_payload
from handlers.settings import HandlerSettings
from knowledge.schema import Locality
from storage import complaints as repo
from storage.models import User
from storage.models_feedback import Complaint, ComplaintEvent
from storage.repos import audit, enqueue
from storage.staff import StaffDirectory

# category -> the name of its label in handlers.texts (read at use, so a texts overlay applies)
_CATEGORY_TEXTS: dict[CategoryKey, str] = {
    "thai-do": "PA_CAT_ATTITUDE",
    "ho-so": "PA_CAT_DOSSIER",
    "ha-tang": "PA_CAT_INFRA",
    "an-ninh": "PA_CAT_SECURITY",
    "khac": "PA_CAT_OTHER",
}


def categories() -> dict[CategoryKey, str]:
    """The complaint categories and their labels, in the order they are offered."""
    return {key: getattr(texts, name) for key, name in _CATEGORY_TEXTS.items()}


STAFF_REPLY_MAX = 3000


# ---------------------------------------------------------------- office calendar
def is_working_day(day: dt.date, loc: Locality) -> bool:
    return day.isoweekday() in loc.working_hours.days and day not in loc.holidays


def add_working_days(start: dt.date, days: int, loc: Locality) -> dt.date:
    """The date `days` working days after `start` (start itself not counted)."""
    day = start
    counted = 0
    for _ in range(days * 7 + 400):  # bounded even with odd calendars
        day += dt.timedelta(days=1)
        if is_working_day(day, loc):
            counted += 1
            if counted == days:
                return day
    return day


def due_at(now: dt.datetime, days: int, loc: Locality, tz: str) -> dt.datetime:
    """The end of the office day `days` working days from now, in UTC."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    day = add_working_days(local.date(), days, loc)
    end = loc.working_hours.afternoon[1] if loc.working_hours.afternoon else loc.working_hours.morning[1]
    return dt.datetime.combine(day, end, tzinfo=zone).astimezone(dt.UTC)


def in_working_hours(now: dt.datetime, loc: Locality, tz: str) -> bool:
    local = now.astimezone(ZoneInfo(tz))
    if not is_working_day(local.date(), loc):
        return False
    t = local.time()
    wh = loc.working_hours
    spans = [wh.morning] + ([wh.afternoon] if wh.afternoon else [])
    return any(a <= t < b for a, b in spans)


def local_text(moment: dt.datetime, tz: str, with_time: bool = True) -> str:
    local = moment.astimezone(ZoneInfo(tz))
    return local.strftime("%H:%M %d/%m/%Y" if with_time else "%d/%m/%Y")


# ---------------------------------------------------------------- presentation
def status_label(status: str) -> str:
    return texts.PA_STATUS.get(status, status)


def complaint_card(c: Complaint, tz: str, now: dt.datetime, *, for_staff: bool) -> str:
    """A complaint as one message: for staff with contact details and due date."""
    lines = [
        texts.PA_CARD_HEAD.format(code=c.code, status=status_label(c.status)),
        texts.PA_CARD_CATEGORY.format(category=category_label(c.category)),
        texts.PA_CARD_RECEIVED.format(at=local_text(c.created_at, tz)),
        texts.PA_CARD_DESCRIPTION.format(description=c.description),
    ]
    if c.photos:
        lines.append(texts.PA_CARD_PHOTOS.format(n=len(c.photos)))
    if c.latitude is not None and c.longitude is not None:
        lines.append(texts.PA_CARD_LOCATION.format(lat=c.latitude, lon=c.longitude))
    if c.address or c.address_id:
        lines.append(texts.PA_CARD_ADDRESS.format(address=c.address or c.address_id))
    if for_staff:
        due = texts.PA_CARD_DUE.format(at=local_text(c.due_at, tz, with_time=False))
        if c.is_open and c.due_at < now:
            due += texts.PA_CARD_OVERDUE
        lines.append(due)
        who = c.reporter_name or texts.PA_ANONYMOUS
        lines.append(texts.PA_CARD_REPORTER.format(name=who, phone=c.phone or texts.PA_NO_PHONE))
        if c.email:
            lines.append(texts.PA_CARD_EMAIL.format(email=c.email))
        if c.assignee:
            lines.append(texts.PA_CARD_ASSIGNEE.format(assignee=c.assignee))
    if c.answer:
        lines.append(texts.PA_CARD_ANSWER.format(answer=c.answer))
    return "\n".join(lines)


def history_text(events: Iterable[ComplaintEvent], tz: str, *, for_staff: bool) -> str:
    lines = [texts.PA_HISTORY_HEAD]
    for e in events:
        line = texts.PA_HISTORY_LINE.format(at=local_text(e.at, tz), what=texts.PA_EVENT.get(e.kind, e.kind))
        if for_staff and e.actor:
            line += f" ({texts.PA_ACTOR_CITIZEN if e.actor == 'citizen' else e.actor})"
        if e.text and (for_staff or e.kind in ("answered", "reopened")):
            line += f": {e.text[:300]}"
        lines.append(line)
    return "\n".join(lines)


def staff_buttons(c: Complaint) -> list[list[Button]]:
    rows = [[StartReply(c.code).button(texts.CS_BTN_REPLY), AssignMenu(c.code).button(texts.CS_BTN_ASSIGN)]]
    if c.status != "closed":
        rows.append(
            [
                StatusMenu(c.code).button(texts.CS_BTN_STATUS),
                CloseComplaint(c.code).button(texts.CS_BTN_CLOSE),
            ]
        )
    rows.append([inbox_button()])
    return rows


def inbox_button() -> Button:
    return Inbox().button(texts.CS_BTN_INBOX)


def category_label(key: str) -> str:
    """A stored category's label; a key from an older release is shown as it is."""
    return categories().get(key, key)  # type: ignore[call-overload]


# ---------------------------------------------------------------- outbox helpers
@dataclass(frozen=True)
class Recipient:
    channel: str
    platform_id: str
    user_id: int | None


async def staff_recipients(
    db: AsyncSession, staff: StaffDirectory, staff_chat: str, *, only: str | None = None
) -> list[Recipient]:
    """Where staff notices go: the configured staff chat, else every staff member.

    `only` (a staff identity) sends to that one member instead, e.g. the assignee.
    """
    keys: list[str]
    if only:
        keys = [only]
    elif staff_chat:
        keys = [staff_chat]
    else:
        keys = [m.key for m in staff.members()]
    out = []
    for key in keys:
        channel, _, platform_id = key.partition(":")
        user_id = await db.scalar(
            select(User.id).where(User.channel == channel, User.platform_id == platform_id)
        )
        out.append(Recipient(channel, platform_id, user_id))
    return out


async def notify_staff(
    db: AsyncSession,
    staff: StaffDirectory,
    staff_chat: str,
    replies: list[Reply],
    *,
    kind: str,
    ref: str | None,
    only: str | None = None,
) -> int:
    recipients = await staff_recipients(db, staff, staff_chat, only=only)
    payload = replies_to_payload(replies)
    for r in recipients:
        await enqueue(
            db,
            channel=r.channel,
            platform_id=r.platform_id,
            user_id=r.user_id,
            kind=kind,
            payload=payload,
            ref=ref,
        )
    return len(recipients)


async def notify_citizen(db: AsyncSession, c: Complaint, replies: list[Reply], *, kind: str) -> bool:
    """Queue a message to the complaint's author on the channel they used; False if erased."""
    if not c.channel or not c.platform_id:
        return False
    await enqueue(
        db,
        channel=c.channel,
        platform_id=c.platform_id,
        user_id=c.user_id,
        kind=kind,
        payload=replies_to_payload(replies),
        ref=c.code,
    )
    return True


def rating_buttons(code: str) -> list[list[Button]]:
    return [
        [
            RateComplaint(code, True).button(texts.PA_BTN_SATISFIED),
            RateComplaint(code, False).button(texts.PA_BTN_UNSATISFIED),
        ]
    ]


# ---------------------------------------------------------------- staff actions
class ActionError(Exception):
    """A staff action that cannot be done (unknown code, closed complaint…); message in Vietnamese."""


@dataclass
class Office:
    """What staff actions need besides the database: who staff are, where notices go, the calendar."""

    staff: StaffDirectory
    staff_chat: str
    locality: Locality
    tz: str
    due_days: int = 10


async def load(db: AsyncSession, code: str) -> Complaint:
    c = await repo.get_by_code(db, code, lock=True)
    if c is None:
        raise ActionError(texts.CS_NOT_FOUND.format(code=code))
    return c


async def staff_reply(
    db: AsyncSession, office: Office, code: str, actor: str, text: str, now: dt.datetime
) -> Complaint:
    """Answer a complaint: stored, sent to the citizen with a rating question, audited."""
    text = text.strip()
    if not text:
        raise ActionError(texts.CS_REPLY_EMPTY)
    if len(text) > STAFF_REPLY_MAX:
        raise ActionError(texts.CS_REPLY_TOO_LONG.format(limit=STAFF_REPLY_MAX))
    c = await load(db, code)
    c.answer = text
    c.status = "answered"
    c.answered_at = now
    c.updated_at = now
    if c.assignee is None:
        c.assignee = actor
    await repo.add_event(db, c, "answered", actor=actor, text=text, at=now)
    message = texts.PA_ANSWER_TO_CITIZEN.format(code=c.code, office=office.locality.office_name, answer=text)
    await notify_citizen(
        db,
        c,
        [Reply(message), Reply(texts.PA_RATE_QUESTION.format(code=c.code), buttons=rating_buttons(c.code))],
        kind="complaint_reply",
    )
    await audit(db, actor, "complaint.reply", c.code, text=text[:500])
    return c


async def set_status(
    db: AsyncSession, office: Office, code: str, actor: str, status: str, now: dt.datetime
) -> Complaint:
    if status not in texts.PA_STATUS:
        raise ActionError(texts.CS_BAD_STATUS.format(status=status))
    c = await load(db, code)
    if status == "answered" and not c.answer:
        raise ActionError(texts.CS_NEED_ANSWER)
    old = c.status
    c.status = status
    c.updated_at = now
    if status == "closed":
        c.closed_at = now
    await repo.add_event(db, c, status, actor=actor, at=now)
    if status == "closed" and old != "closed":
        observe.complaint("closed")
        await notify_citizen(
            db, c, [Reply(texts.PA_CLOSED_TO_CITIZEN.format(code=c.code))], kind="complaint_reply"
        )
    await audit(db, actor, "complaint.status", c.code, old=old, new=status)
    return c


async def assign(
    db: AsyncSession, office: Office, code: str, actor: str, assignee: str, now: dt.datetime
) -> Complaint:
    if office.staff.role_of(assignee) is None:
        raise ActionError(texts.CS_NOT_STAFF.format(who=assignee))
    c = await load(db, code)
    c.assignee = assignee
    if c.status in ("received", "reopened"):
        c.status = "assigned"
    c.updated_at = now
    await repo.add_event(db, c, "assigned", actor=actor, text=assignee, at=now)
    if assignee != actor:
        card = complaint_card(c, office.tz, now, for_staff=True)
        await notify_staff(
            db,
            office.staff,
            "",
            [
                Reply(
                    texts.CS_ASSIGNED_TO_YOU.format(code=c.code, by=actor) + "\n\n" + card,
                    buttons=staff_buttons(c),
                )
            ],
            kind="notice",
            ref=c.code,
            only=assignee,
        )
    await audit(db, actor, "complaint.assign", c.code, assignee=assignee)
    return c


async def reopen(db: AsyncSession, office: Office, c: Complaint, reason: str, now: dt.datetime) -> None:
    """The citizen is not satisfied: the complaint opens again with their reason, staff are told."""
    c.status = "reopened"
    c.updated_at = now
    c.closed_at = None
    c.due_at = due_at(now, office.due_days, office.locality, office.tz)
    await repo.add_event(db, c, "reopened", actor="citizen", text=reason, at=now)
    notice = [
        Reply(
            texts.CS_REOPENED_NOTICE.format(code=c.code, reason=reason),
            buttons=[[OpenComplaint(c.code).button(texts.CS_BTN_OPEN)]],
        )
    ]
    # the staff member in charge, and the staff group when there is one (the assignee may be away);
    # with neither, every staff member
    assignee = c.assignee if c.assignee and office.staff.role_of(c.assignee) else None
    if assignee:
        await notify_staff(db, office.staff, "", notice, kind="notice", ref=c.code, only=assignee)
    if office.staff_chat or not assignee:
        await notify_staff(db, office.staff, office.staff_chat, notice, kind="notice", ref=c.code)


@dataclass(frozen=True)
class Filing:
    """A new complaint as its author gave it: through the chat form or an Open311 client."""

    category: str
    description: str
    user_id: int | None = None
    channel: str | None = None
    platform_id: str | None = None
    reporter_name: str | None = None
    phone: str | None = None
    email: str | None = None
    photos: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    address_id: str | None = None


async def file_complaint(db: AsyncSession, office: Office, filing: Filing, now: dt.datetime) -> Complaint:
    """Store a complaint, its first event and the staff notice, in the caller's transaction.

    The chat form and the Open311 API both file through here, so staff hear of
    a complaint the same way whoever filed it, and its code and due date follow
    one rule.
    """
    complaint = await repo.create_complaint(
        db,
        now=now,
        year=now.astimezone(ZoneInfo(office.tz)).year,
        due_at=due_at(now, office.due_days, office.locality, office.tz),
        user_id=filing.user_id,
        channel=filing.channel,
        platform_id=filing.platform_id,
        reporter_name=filing.reporter_name,
        phone=filing.phone,
        category=filing.category,
        description=filing.description,
        photos=list(filing.photos),
        latitude=filing.latitude,
        longitude=filing.longitude,
        email=filing.email,
        address=filing.address,
        address_id=filing.address_id,
    )
    card = complaint_card(complaint, office.tz, now, for_staff=True)
    notice = Reply(texts.CS_NEW_COMPLAINT + "\n\n" + card, buttons=staff_buttons(complaint))
    await notify_staff(db, office.staff, office.staff_chat, [notice], kind="notice", ref=complaint.code)
    return complaint


def make_office(staff: StaffDirectory, settings: HandlerSettings, locality: Locality) -> Office:
    return Office(
        staff=staff,
        staff_chat=settings.staff_chat,
        locality=locality,
        tz=settings.timezone,
        due_days=settings.complaint_due_days,
    )


# ---------------------------------------------------------------- daily overdue reminder
async def remind_overdue(db: AsyncSession, office: Office, now: dt.datetime) -> int | None:
    """Queue today's overdue reminder to staff, once per local day across workers.

    Returns how many complaints were listed, or None if today's reminder was
    already queued (or today is not a working day). The job row and the
    outbox rows commit together, so a crash cannot send it twice or lose it.
    """
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    from storage.models_feedback import FeedbackJob

    local = now.astimezone(ZoneInfo(office.tz))
    if not is_working_day(local.date(), office.locality):
        return None
    day = local.date().isoformat()
    exists = await db.scalar(
        select(FeedbackJob.id).where(FeedbackJob.name == "overdue", FeedbackJob.day == day)
    )
    if exists is not None:
        return None
    late = await repo.overdue(db, now)
    insert = sqlite_insert if db.get_bind().dialect.name == "sqlite" else pg_insert
    claimed = await db.execute(
        insert(FeedbackJob)
        .values(name="overdue", day=day, at=now, detail={"count": len(late)})
        .on_conflict_do_nothing(index_elements=["name", "day"])
    )
    if cast("CursorResult[Any]", claimed).rowcount != 1:
        return None  # another worker did it a moment ago
    if not late:
        return 0
    lines = [texts.CS_OVERDUE_HEAD.format(n=len(late))]
    for c in late[:30]:
        lines.append(
            texts.CS_OVERDUE_LINE.format(
                code=c.code,
                category=category_label(c.category),
                due=local_text(c.due_at, office.tz, with_time=False),
                preview=c.description[:60].replace("\n", " "),
            )
        )
    reminder = Reply("\n".join(lines), buttons=[[inbox_button()]])
    await notify_staff(db, office.staff, office.staff_chat, [reminder], kind="notice", ref=f"overdue:{day}")
    # assignees also hear about their own late complaints directly
    by_assignee: dict[str, list[Complaint]] = {}
    for c in late:
        if c.assignee and office.staff.role_of(c.assignee) is not None:
            by_assignee.setdefault(c.assignee, []).append(c)
    if office.staff_chat:
        for key, mine in by_assignee.items():
            own = [texts.CS_OVERDUE_HEAD.format(n=len(mine))] + [
                texts.CS_OVERDUE_LINE.format(
                    code=c.code,
                    category=category_label(c.category),
                    due=local_text(c.due_at, office.tz, with_time=False),
                    preview=c.description[:60].replace("\n", " "),
                )
                for c in mine[:30]
            ]
            await notify_staff(
                db,
                office.staff,
                "",
                [Reply("\n".join(own), buttons=[[inbox_button()]])],
                kind="notice",
                ref=f"overdue:{day}",
                only=key,
            )
    return len(late)
