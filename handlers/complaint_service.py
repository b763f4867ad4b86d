"""The staff complaint actions, one implementation for the chat, the CLI and the web console.

Reading (the inbox with its filters, search and pages; one complaint with its
history and deadline) and changing (reply, assign, status, close, reopen,
area) both live here, so the three front ends cannot drift apart: each change
writes the complaint, its history event (who did it), the audit record and
the outbox rows it causes in the caller's transaction, and nothing is sent
about a change that was not stored. The front ends only decide how to show
the result and when to commit.

Deadlines count working days of the locality (weekdays of its office hours,
minus its holidays) through handlers.feedback_core, which also sets them when
a complaint arrives.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import observe, texts
from handlers.feedback_core import (
    ActionError,
    Office,
    complaint_card,
    due_at,
    is_working_day,
    load,
    notify_citizen,
    notify_staff,
    rating_buttons,
    staff_buttons,
)
from handlers.messages import Reply
from knowledge.normalize import fold
from storage import complaints as repo
from storage.models_feedback import OPEN_STATUSES, STATUSES, Complaint, ComplaintEvent
from storage.repos import audit

STAFF_REPLY_MAX = 3000
REASON_MAX = 500
PER_PAGE = 20
MAX_PER_PAGE = 100
DUE_SOON_DAYS = 1  # "due soon": the deadline falls before the end of the next working day
ALL = "all"  # the status filter meaning every status
UNASSIGNED = "none"  # the assignee filter meaning nobody yet


class Deadline(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    ON_TIME = "on_time"
    DONE = "done"  # answered or closed: the deadline no longer runs


def deadline(c: Complaint, now: dt.datetime, office: Office) -> Deadline:
    """Where a complaint stands against its working-day deadline."""
    if not c.is_open:
        return Deadline.DONE
    if c.due_at < now:
        return Deadline.OVERDUE
    if c.due_at <= due_at(now, DUE_SOON_DAYS, office.locality, office.tz):
        return Deadline.DUE_SOON
    return Deadline.ON_TIME


def working_days_left(c: Complaint, now: dt.datetime, office: Office) -> int:
    """Working days from today (not counted) to the due day (counted); negative when overdue."""
    zone = ZoneInfo(office.tz)
    today = now.astimezone(zone).date()
    due_day = c.due_at.astimezone(zone).date()
    start, end, sign = (today, due_day, 1) if due_day >= today else (due_day, today, -1)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, office.locality):
            count += 1
    return sign * count


# ---------------------------------------------------------------- reading
@dataclass(frozen=True)
class InboxQuery:
    """The inbox filters; None means "any". Validated by `check` so a bad link gets a message."""

    status: str | None = None  # None: the open ones; ALL: every status; else one status
    category: str | None = None
    area: str | None = None
    assignee: str | None = None  # a staff identity, or UNASSIGNED
    overdue: bool = False
    text: str = ""  # a complaint code, or words of its description or answer
    page: int = 1
    per_page: int = PER_PAGE

    def check(self) -> InboxQuery:
        if self.status not in (None, ALL, *STATUSES):
            raise ActionError(texts.CS_BAD_STATUS.format(status=str(self.status)[:20]))
        if self.page < 1 or not 1 <= self.per_page <= MAX_PER_PAGE:
            raise ActionError(texts.CS_BAD_PAGE)
        return self


@dataclass(frozen=True)
class Listed:
    complaint: Complaint
    deadline: Deadline


@dataclass(frozen=True)
class InboxPage:
    items: list[Listed]
    total: int
    page: int
    pages: int
    query: InboxQuery


def _conditions(q: InboxQuery, now: dt.datetime) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if q.status is None:
        where.append(Complaint.status.in_(OPEN_STATUSES))
    elif q.status != ALL:
        where.append(Complaint.status == q.status)
    if q.category:
        where.append(Complaint.category == q.category)
    if q.area:
        where.append(Complaint.area == q.area)
    if q.assignee == UNASSIGNED:
        where.append(Complaint.assignee.is_(None))
    elif q.assignee:
        where.append(Complaint.assignee == q.assignee)
    if q.overdue:
        where += [Complaint.status.in_(OPEN_STATUSES), Complaint.due_at < now]
    code = repo.parse_code(q.text)
    if code is not None:
        where.append(Complaint.code == code)
    return where


def _order(now: dt.datetime) -> tuple[Any, ...]:
    """Overdue first, the longest overdue at the top; then by deadline, then by arrival."""
    late = and_(Complaint.status.in_(OPEN_STATUSES), Complaint.due_at < now)
    return (case((late, 0), else_=1), Complaint.due_at, Complaint.created_at, Complaint.id)


def _matches(words: list[str], *fields: str | None) -> bool:
    haystack = " ".join(fold(f) for f in fields if f)
    return all(w in haystack for w in words)


async def find(db: AsyncSession, office: Office, now: dt.datetime, q: InboxQuery) -> InboxPage:
    """One page of the inbox.

    Words are matched without diacritics or case (staff type "ngap" for
    "ngập", as citizens do), which SQL LIKE cannot do on SQLite; so a word
    search reads the filtered rows' texts and matches them here. A commune's
    complaints number in the thousands at most, and the other filters narrow
    them first.
    """
    q.check()
    where = _conditions(q, now)
    words = fold(q.text).split() if q.text.strip() and repo.parse_code(q.text) is None else []
    offset = (q.page - 1) * q.per_page
    if words:
        rows = (
            await db.execute(
                select(Complaint.id, Complaint.description, Complaint.answer)
                .where(*where)
                .order_by(*_order(now))
            )
        ).all()
        ids = [r.id for r in rows if _matches(words, r.description, r.answer)]
        total = len(ids)
        wanted = ids[offset : offset + q.per_page]
        loaded = {c.id: c for c in await db.scalars(select(Complaint).where(Complaint.id.in_(wanted)))}
        found = [loaded[i] for i in wanted]
    else:
        total = int(await db.scalar(select(func.count()).select_from(Complaint).where(*where)) or 0)
        found = list(
            await db.scalars(
                select(Complaint).where(*where).order_by(*_order(now)).offset(offset).limit(q.per_page)
            )
        )
    items = [Listed(c, deadline(c, now, office)) for c in found]
    return InboxPage(items, total, q.page, max(1, math.ceil(total / q.per_page)), q)


@dataclass(frozen=True)
class ComplaintView:
    complaint: Complaint
    events: list[ComplaintEvent]
    deadline: Deadline
    days_left: int


async def get(db: AsyncSession, office: Office, code: str, now: dt.datetime, *, actor: str) -> ComplaintView:
    """One complaint with its whole history; opening it is audited (staff see personal data)."""
    c = await repo.get_by_code(db, code)
    if c is None:
        raise ActionError(texts.CS_NOT_FOUND.format(code=code[:20]))
    events = await repo.events_of(db, c)
    await audit(db, actor, "complaint.open", c.code)
    return ComplaintView(c, events, deadline(c, now, office), working_days_left(c, now, office))


async def photo_ref(db: AsyncSession, code: str, index: int) -> tuple[str | None, str] | None:
    """(channel, file reference) of a complaint's photo `index` (from 0), or None if there is none."""
    c = await repo.get_by_code(db, code)
    if c is None or not 0 <= index < len(c.photos or []):
        return None
    return c.channel, c.photos[index]


# ---------------------------------------------------------------- changing
async def reply(
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
        template={"code": c.code, "answer": text, "office": office.locality.office_name},
    )
    await audit(db, actor, "complaint.reply", c.code, text=text[:500])
    return c


async def set_status(
    db: AsyncSession, office: Office, code: str, actor: str, status: str, now: dt.datetime
) -> Complaint:
    """Move a complaint to a status; reopening has its own action (it needs a reason and a new deadline)."""
    if status not in texts.PA_STATUS:
        raise ActionError(texts.CS_BAD_STATUS.format(status=status[:20]))
    if status == "reopened":
        raise ActionError(texts.CS_USE_REOPEN)
    c = await load(db, code)
    if status == "answered" and not c.answer:
        raise ActionError(texts.CS_NEED_ANSWER)
    old = c.status
    if status == "closed" and old == "closed":
        raise ActionError(texts.CS_ALREADY_CLOSED.format(code=c.code))
    c.status = status
    c.updated_at = now
    if status == "closed":
        c.closed_at = now
    await repo.add_event(db, c, status, actor=actor, at=now)
    if status == "closed":
        observe.complaint("closed")
        await notify_citizen(
            db, c, [Reply(texts.PA_CLOSED_TO_CITIZEN.format(code=c.code))], kind="complaint_reply"
        )
    await audit(db, actor, "complaint.status", c.code, old=old, new=status)
    return c


async def close(db: AsyncSession, office: Office, code: str, actor: str, now: dt.datetime) -> Complaint:
    return await set_status(db, office, code, actor, "closed", now)


async def assign(
    db: AsyncSession, office: Office, code: str, actor: str, assignee: str, now: dt.datetime
) -> Complaint:
    """Give a complaint to a staff member, who is told directly (unless they assigned themselves)."""
    if office.staff.role_of(assignee) is None:
        raise ActionError(texts.CS_NOT_STAFF.format(who=assignee[:60]))
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


async def reopen(
    db: AsyncSession, office: Office, code: str, actor: str, reason: str, now: dt.datetime
) -> Complaint:
    """Staff open an answered or closed complaint again, with a reason and a new deadline.

    The citizen is told it is being looked at again (not the internal reason).
    """
    reason = reason.strip()
    if not reason:
        raise ActionError(texts.CS_REOPEN_NEEDS_REASON)
    if len(reason) > REASON_MAX:
        raise ActionError(texts.CS_REASON_TOO_LONG.format(limit=REASON_MAX))
    c = await load(db, code)
    if c.is_open:
        raise ActionError(texts.CS_REOPEN_NOT_DONE.format(code=c.code))
    old = c.status
    c.status = "reopened"
    c.updated_at = now
    c.closed_at = None
    c.due_at = due_at(now, office.due_days, office.locality, office.tz)
    await repo.add_event(db, c, "staff_reopened", actor=actor, text=reason, at=now)
    due = c.due_at.astimezone(ZoneInfo(office.tz)).strftime("%d/%m/%Y")
    message = texts.CS_REOPENED_TO_CITIZEN.format(code=c.code, office=office.locality.office_name, due=due)
    await notify_citizen(db, c, [Reply(message)], kind="complaint_reply")
    await audit(db, actor, "complaint.reopen", c.code, old=old)
    return c


async def set_area(
    db: AsyncSession, office: Office, code: str, actor: str, area: str | None, now: dt.datetime
) -> Complaint:
    """Record where the problem is (one of the locality's areas), or clear it with None."""
    area = (area or "").strip() or None
    if area is not None and area not in (office.locality.areas or []):
        raise ActionError(texts.CS_BAD_AREA.format(area=area[:60]))
    c = await load(db, code)
    c.area = area
    c.updated_at = now
    await repo.add_event(db, c, "area", actor=actor, text=area, at=now)
    await audit(db, actor, "complaint.area", c.code, area=area)
    return c


def assignees(office: Office) -> Sequence[tuple[str, str]]:
    """(identity, label) of every staff member, for an assignment choice."""
    members = sorted(office.staff.members(), key=lambda m: (m.name or m.key).lower())
    return [(m.key, m.name or m.key) for m in members]
