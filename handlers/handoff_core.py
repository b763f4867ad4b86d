"""The staff actions on conversations with an officer, shared by the chat and the staff console.

Taking, writing, handing back and ending a conversation each go through one
function here, which changes the handoff row, records the line in
`handoff_messages` (so the console can show the whole exchange), writes the
audit record and queues what the citizen receives in the outbox, all in the
caller's transaction. The chat handlers (handlers/handoff.py) add only what a
chat needs (session flows, buttons for the officer); the web console adds
only pages. Nothing here talks to a channel.

Where citizen messages go depends on where the officer took the conversation
(`via`): taken in the chat, they are relayed to the officer's chat as before;
taken in the console, the page shows them and the officer's chat stays quiet
(a reply typed there would not reach the citizen).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, Protocol, cast

from sqlalchemy import CursorResult, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import texts
from handlers.actions import Action
from handlers.buttons import Rate
from handlers.context import Services
from handlers.feedback_core import notify_staff
from handlers.messages import Button, Reply
from handlers.serialize import replies_to_payload
from storage import guides as guide_repo
from storage.models import QuestionLog, User
from storage.models_feedback import Handoff, HandoffMessage
from storage.models_guides import GuideCallback
from storage.repos import audit, enqueue

MAX_RELAY_CHARS = 2000  # Zalo's message limit, the tightest channel a citizen may be on
Via = Literal["chat", "web"]
# what a "system" line of a conversation records; the page shows texts.WC_EVENT[code]
EVENTS = ("taken", "handed_back", "ended_staff", "ended_citizen", "timeout")


class StaffAction(Protocol):
    """hand_back and end_by_staff: an officer's action on their conversation."""

    async def __call__(
        self, db: AsyncSession, services: Services, hid: int, staff_key: str, *, actor: str | None = None
    ) -> Handoff: ...


class HandoffError(Exception):
    """A conversation action that cannot be done (ended, someone else's…); message in Vietnamese."""


# ---------------------------------------------------------------- buttons the citizen and staff get
@dataclass(frozen=True)
class EndHandoff(Action, prefix="ho:end"):
    hid: int


@dataclass(frozen=True)
class BackToHandoff(Action, prefix="ho:back"):
    """The citizen answers a staff message after having left the conversation."""

    hid: int


@dataclass(frozen=True)
class TakeHandoff(Action, prefix="ho:take"):
    hid: int


def end_button(hid: int) -> list[Button]:
    return [EndHandoff(hid).button(texts.HO_BTN_END)]


def rate_buttons(hid: int) -> list[list[Button]]:
    return [
        [
            Rate("h", str(hid), True).button(texts.RT_BTN_YES),
            Rate("h", str(hid), False).button(texts.RT_BTN_NO),
        ]
    ]


def ref(handoff: Handoff) -> str:
    return f"ho:{handoff.id}"


# ---------------------------------------------------------------- reading
@dataclass(frozen=True)
class Waiting:
    """A citizen waiting for an officer, with what is known about why."""

    handoff: Handoff
    name: str
    area: str | None
    topic_id: str | None  # the topic of their last matched question, if any


async def waiting_list(db: AsyncSession, *, limit: int = 100) -> list[Waiting]:
    """Citizens waiting for an officer, oldest first."""
    rows = (
        await db.execute(
            select(Handoff, User.display_name, User.area)
            .outerjoin(User, User.id == Handoff.user_id)
            .where(Handoff.status == "waiting")
            .order_by(Handoff.started_at, Handoff.id)
            .limit(limit)
        )
    ).all()
    out = []
    for handoff, name, area in rows:
        topic = None
        if handoff.user_id is not None:
            topic = await db.scalar(
                select(QuestionLog.topic_id)
                .where(
                    QuestionLog.user_id == handoff.user_id,
                    QuestionLog.topic_id.is_not(None),
                    QuestionLog.at <= handoff.started_at,
                    QuestionLog.at > handoff.started_at - dt.timedelta(days=1),
                )
                .order_by(QuestionLog.at.desc(), QuestionLog.id.desc())
                .limit(1)
            )
        out.append(Waiting(handoff, name or texts.PA_ANONYMOUS, area, topic))
    return out


async def active_of(db: AsyncSession, staff_key: str) -> list[Handoff]:
    """The conversations this officer has taken and not ended, oldest first."""
    return list(
        await db.scalars(
            select(Handoff)
            .where(Handoff.status == "active", Handoff.staff_key == staff_key)
            .order_by(Handoff.taken_at, Handoff.id)
        )
    )


async def citizen_name(db: AsyncSession, handoff: Handoff) -> str:
    if handoff.user_id is None:
        return texts.PA_ANONYMOUS
    name = await db.scalar(select(User.display_name).where(User.id == handoff.user_id))
    return name or texts.PA_ANONYMOUS


async def messages(db: AsyncSession, hid: int, *, after: int = 0) -> list[HandoffMessage]:
    """The lines of a conversation after the line `after` (0: all), in order."""
    return list(
        await db.scalars(
            select(HandoffMessage)
            .where(HandoffMessage.handoff_id == hid, HandoffMessage.id > after)
            .order_by(HandoffMessage.id)
        )
    )


def _line(
    db: AsyncSession,
    handoff: Handoff,
    sender: str,
    text: str,
    now: dt.datetime,
    *,
    author: str | None = None,
    photo: str | None = None,
) -> None:
    db.add(
        HandoffMessage(handoff_id=handoff.id, at=now, sender=sender, author=author, text=text, photo=photo)
    )


async def to_citizen(db: AsyncSession, handoff: Handoff, replies: list[Reply]) -> bool:
    """Queue replies for the citizen of a handoff; False when the person was erased."""
    if not handoff.channel or not handoff.platform_id:
        return False
    await enqueue(
        db,
        channel=handoff.channel,
        platform_id=handoff.platform_id,
        user_id=handoff.user_id,
        kind="handoff",
        payload=replies_to_payload(replies),
        ref=ref(handoff),
    )
    return True


async def _load(db: AsyncSession, hid: int) -> Handoff:
    handoff = await db.get(Handoff, hid, populate_existing=True)
    if handoff is None:
        raise HandoffError(texts.HO_ENDED_ALREADY)
    return handoff


def _owned(handoff: Handoff, staff_key: str) -> None:
    if handoff.status == "ended":
        raise HandoffError(texts.HO_ENDED_ALREADY)
    if handoff.status != "active" or handoff.staff_key != staff_key:
        raise HandoffError(texts.WC_NOT_YOURS)


# ---------------------------------------------------------------- staff actions
async def take(
    db: AsyncSession, services: Services, hid: int, staff_key: str, *, via: Via, actor: str | None = None
) -> Handoff:
    """The officer takes a waiting conversation (or their own again, from the other place).

    One conditional UPDATE decides: when two officers take the same one at once,
    the second update finds it active with someone else and changes nothing.
    """
    now = services.clock()
    before = await db.scalar(select(Handoff.status).where(Handoff.id == hid))
    result = await db.execute(
        update(Handoff)
        .where(
            Handoff.id == hid,
            or_(
                Handoff.status == "waiting",
                and_(Handoff.status == "active", Handoff.staff_key == staff_key),
            ),
        )
        .values(status="active", staff_key=staff_key, via=via, taken_at=func.coalesce(Handoff.taken_at, now))
        .execution_options(synchronize_session=False)
    )
    handoff = await _load(db, hid)
    if cast(CursorResult[Any], result).rowcount != 1:
        if handoff.status == "ended":
            raise HandoffError(texts.HO_ENDED_ALREADY)
        raise HandoffError(texts.HO_TAKEN_BY_OTHER.format(who=handoff.staff_key))
    if before == "waiting":  # not the same officer taking it again from the other place
        _line(db, handoff, "system", "taken", now, author=staff_key)
        await to_citizen(db, handoff, [Reply(texts.HO_STAFF_JOINED, buttons=[end_button(handoff.id)])])
    await audit(db, actor or staff_key, "handoff.take", ref(handoff), via=via)
    return handoff


async def staff_message(
    db: AsyncSession,
    services: Services,
    hid: int,
    staff_key: str,
    text: str,
    *,
    photo: str | None = None,
    actor: str | None = None,
) -> HandoffMessage:
    """The officer writes to the citizen: stored, audited (length only) and queued in the outbox."""
    handoff = await _load(db, hid)
    _owned(handoff, staff_key)
    text = text.strip()
    if not text and photo is None:
        raise HandoffError(texts.WC_EMPTY_MESSAGE)
    if len(text) > MAX_RELAY_CHARS:
        raise HandoffError(texts.HO_TOO_LONG.format(limit=MAX_RELAY_CHARS))
    now = services.clock()
    if photo is not None:
        reply = Reply(texts.HO_FROM_STAFF.format(text=text or texts.HO_PHOTO), photo=photo)
    else:
        back = [BackToHandoff(handoff.id).button(texts.HO_BTN_REPLY), *end_button(handoff.id)]
        reply = Reply(texts.HO_FROM_STAFF.format(text=text), buttons=[back])
    if not await to_citizen(db, handoff, [reply]):
        raise HandoffError(texts.WC_CITIZEN_GONE)
    handoff.messages += 1
    line = HandoffMessage(
        handoff_id=handoff.id,
        at=now,
        sender="staff",
        author=staff_key,
        text=text or texts.HO_PHOTO,
        photo=photo,
    )
    db.add(line)
    await db.flush()
    await audit(db, actor or staff_key, "handoff.message", ref(handoff), chars=len(text))
    return line


async def hand_back(
    db: AsyncSession, services: Services, hid: int, staff_key: str, *, actor: str | None = None
) -> Handoff:
    """The officer gives the conversation back to the waiting list for a colleague."""
    handoff = await _load(db, hid)
    _owned(handoff, staff_key)
    now = services.clock()
    handoff.status = "waiting"
    handoff.staff_key = None
    handoff.via = None
    handoff.taken_at = None
    _line(db, handoff, "system", "handed_back", now, author=staff_key)
    await to_citizen(db, handoff, [Reply(texts.WC_HANDED_BACK_CITIZEN, buttons=[end_button(handoff.id)])])
    name = await citizen_name(db, handoff)
    notice = Reply(
        texts.WC_HANDED_BACK_STAFF.format(name=name, hid=handoff.id),
        buttons=[[TakeHandoff(handoff.id).button(texts.HO_BTN_TAKE)]],
    )
    settings = services.settings
    await notify_staff(db, services.staff, settings.staff_chat, [notice], kind="handoff", ref=ref(handoff))
    await audit(db, actor or staff_key, "handoff.hand_back", ref(handoff))
    return handoff


async def end_by_staff(
    db: AsyncSession, services: Services, hid: int, staff_key: str, *, actor: str | None = None
) -> Handoff:
    """The officer ends the conversation; the citizen is told and asked for a rating."""
    handoff = await _load(db, hid)
    _owned(handoff, staff_key)
    now = services.clock()
    _close(handoff, "staff", now)
    _line(db, handoff, "system", "ended_staff", now, author=staff_key)
    await audit(db, actor or staff_key, "handoff.end", ref(handoff))
    rate = Reply(texts.HO_RATE, buttons=[*rate_buttons(handoff.id), _menu_button()])
    await to_citizen(db, handoff, [Reply(texts.HO_STAFF_ENDED), rate])
    return handoff


async def end_by_citizen(db: AsyncSession, services: Services, handoff: Handoff) -> None:
    """The citizen ended it; an officer who took it in the chat is told there (the page shows it)."""
    now = services.clock()
    _close(handoff, "citizen", now)
    _line(db, handoff, "system", "ended_citizen", now)
    if handoff.staff_key and handoff.via != "web":
        await notify_staff(
            db,
            services.staff,
            "",
            [Reply(texts.HO_CITIZEN_ENDED.format(hid=handoff.id))],
            kind="handoff",
            ref=ref(handoff),
            only=handoff.staff_key,
        )


def _close(handoff: Handoff, by: str, now: dt.datetime) -> None:
    handoff.status = "ended"
    handoff.ended_at = now
    handoff.ended_by = by


def _menu_button() -> list[Button]:
    from handlers.menu import menu_button

    return menu_button()


# ---------------------------------------------------------------- the citizen's side
async def citizen_message(
    db: AsyncSession,
    services: Services,
    handoff: Handoff,
    *,
    text: str | None,
    photo: str | None,
    channel: str,
) -> None:
    """Store a citizen's message and relay it to the officers' chats where they read them.

    Waiting: to every officer on duty, with a button to take it. Taken in the
    chat: to that officer. Taken in the console: stored only, the page shows it.
    """
    now = services.clock()
    shown = text if text is not None else texts.HO_PHOTO
    _line(db, handoff, "citizen", shown, now, photo=photo)
    handoff.messages += 1
    if handoff.status == "active" and handoff.via == "web":
        return
    name = await citizen_name(db, handoff)
    same_channel = handoff.staff_key is not None and handoff.staff_key.startswith(f"{channel}:")
    body = texts.HO_FROM_CITIZEN.format(name=name, hid=handoff.id, text=shown)
    relay_photo = photo if photo is not None and same_channel else None
    if handoff.status == "waiting":
        relay = Reply(body, photo=relay_photo, buttons=[[TakeHandoff(handoff.id).button(texts.HO_BTN_TAKE)]])
    else:
        relay = Reply(body, photo=relay_photo, buttons=[end_button(handoff.id)])
    await notify_staff(
        db,
        services.staff,
        services.settings.staff_chat if handoff.staff_key is None else "",
        [relay],
        kind="handoff",
        ref=ref(handoff),
        only=handoff.staff_key,
    )


# ---------------------------------------------------------------- call-backs
async def callbacks(db: AsyncSession) -> list[GuideCallback]:
    """Pending call-back requests (from walkthroughs and out-of-hours handoffs), oldest first."""
    return await guide_repo.pending_callbacks(db)


async def callback_done(db: AsyncSession, callback_id: int, actor: str) -> GuideCallback | None:
    """Mark a call-back request done; None if it does not exist. Done twice stays the first time."""
    row = await db.get(GuideCallback, callback_id)
    if row is None:
        return None
    if row.status == "done":
        return row
    row = await guide_repo.mark_callback_done(db, callback_id, actor)
    await audit(db, actor, "guide_callback_done", target=str(callback_id))
    return row
