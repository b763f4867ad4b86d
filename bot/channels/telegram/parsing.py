"""Update -> Incoming: what a Telegram update asks of the dispatcher, and where to answer.

Kept apart from sending so the translation can be tested on plain Update
objects, without a Bot API or an event loop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from telegram import Message, Update

from handlers.messages import MAX_ACTION_BYTES, Contact, Incoming, Location, Photo

CHANNEL = "telegram"
# Media we cannot use, named as the dispatcher's `Incoming.other` kinds.
_OTHER_KINDS = (
    "sticker",
    "voice",
    "video_note",
    "video",
    "animation",
    "audio",
    "document",
    "poll",
    "dice",
    "game",
    "story",
    "venue",
    "paid_media",
    "invoice",
)


@dataclass
class Inbound:
    """One Telegram update translated: what to dispatch, and where to answer.

    `incomings` can hold two items: a photo with a caption becomes the photo,
    then the caption as text, so nothing the user typed is dropped.
    """

    update_id: int
    chat_id: int | None = None
    platform_id: str | None = None
    incomings: list[Incoming] = field(default_factory=list)
    callback_query_id: str | None = None
    callback_message_id: int | None = None
    blocked: bool = False  # the user blocked the bot (my_chat_member "kicked")


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is (from getMe): used to tell whether a group message addresses it."""

    id: int
    username: str


def parse_update(update: Update, me: BotIdentity) -> Inbound | None:
    """Translate an update; None when there is nothing to answer (e.g. group chatter)."""
    if update.callback_query is not None:
        return _parse_callback(update, me)
    if update.my_chat_member is not None:
        member = update.my_chat_member
        if member.chat.type != "private":
            return None
        status = member.new_chat_member.status
        return Inbound(
            update.update_id,
            chat_id=member.chat.id,
            platform_id=str(member.from_user.id),
            blocked=status in ("kicked", "left"),
        )
    message = update.message or update.edited_message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return None
    user = message.from_user
    text = message.text if message.text is not None else message.caption
    if message.chat.type != "private":
        if not _addressed(message, me):
            return None
        if text is not None:
            text = _strip_mention(text, me.username)
    base = {
        "channel": CHANNEL,
        "platform_id": str(user.id),
        "display_name": user.full_name[:128] or None,
        # the answer is read by everyone there: the dispatcher answers nothing personal
        "group": None if message.chat.type == "private" else str(message.chat.id),
    }
    message_id = str(message.message_id)
    incomings = _message_incomings(message, text, base, message_id)
    return Inbound(update.update_id, chat_id=message.chat.id, platform_id=str(user.id), incomings=incomings)


def _message_incomings(
    message: Message, text: str | None, base: dict[str, Any], message_id: str
) -> list[Incoming]:
    """What the message carries, in the dispatcher's terms."""
    first: Incoming | None = None
    caption_used = False
    if message.photo:
        biggest = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        first = Incoming(**base, photo=Photo(biggest.file_id, biggest.file_size), message_id=message_id)
        caption_used = True
    elif message.document is not None and (message.document.mime_type or "").startswith("image/"):
        # "Send as file" keeps the photo uncompressed; it is still a photo to us.
        doc = message.document
        first = Incoming(**base, photo=Photo(doc.file_id, doc.file_size), message_id=message_id)
        caption_used = True
    elif message.location is not None:
        loc = message.location
        first = Incoming(**base, location=Location(loc.latitude, loc.longitude), message_id=message_id)
    elif message.contact is not None:
        contact = message.contact
        author = message.from_user  # never None here: parse_update drops messages without one
        own = author is not None and contact.user_id == author.id  # someone else's card is not consent
        if own and contact.phone_number:
            name = " ".join(x for x in (contact.first_name, contact.last_name) if x) or None
            first = Incoming(**base, contact=Contact(contact.phone_number, name), message_id=message_id)
        else:  # someone else's card: we only take a phone number the user shares about themselves
            first = Incoming(**base, other="contact_other", message_id=message_id)
    elif message.text is not None:
        return [Incoming(**base, text=text if text is not None else "", message_id=message_id)]
    else:
        kind = next((k for k in _OTHER_KINDS if getattr(message, k, None)), "other")
        first = Incoming(**base, other=kind, message_id=message_id)
        caption_used = kind in ("video", "animation", "audio", "document")
    out = [first]
    if caption_used and text and text.strip():
        out.append(Incoming(**base, text=text, message_id=message_id))
    return out


def _parse_callback(update: Update, me: BotIdentity) -> Inbound | None:
    query = update.callback_query
    assert query is not None
    message = query.message
    inbound = Inbound(update.update_id, callback_query_id=query.id, platform_id=str(query.from_user.id))
    if message is None or query.data is None:
        return inbound  # inline-mode or game buttons: only answer the query
    data = query.data
    if not data.isascii() or not 0 < len(data.encode()) <= MAX_ACTION_BYTES:
        data = "?"  # not one of ours; the dispatcher answers "this button has expired"
    inbound.chat_id = message.chat.id
    inbound.callback_message_id = message.message_id
    inbound.incomings.append(
        Incoming(
            channel=CHANNEL,
            platform_id=str(query.from_user.id),
            display_name=query.from_user.full_name[:128] or None,
            action=data,
            message_id=str(message.message_id),
            group=None if message.chat.type == "private" else str(message.chat.id),
        )
    )
    return inbound


def _addressed(message: Message, me: BotIdentity) -> bool:
    """In groups the bot answers only a mention, a reply to it, or /command@botname."""
    reply_to = message.reply_to_message
    if reply_to is not None and reply_to.from_user is not None and reply_to.from_user.id == me.id:
        return True
    text = message.text if message.text is not None else message.caption
    if text and re.search(rf"@{re.escape(me.username)}\b", text, re.I):
        return True
    for entity in message.entities or message.caption_entities or ():
        if entity.type == "text_mention" and entity.user is not None and entity.user.id == me.id:
            return True
    return False


def _strip_mention(text: str, username: str) -> str:
    """'/start@motcua_bot' -> '/start'; '@motcua_bot khai sinh' -> 'khai sinh'; bare mention -> /menu."""
    stripped = re.sub(rf"^(/\w+)@{re.escape(username)}\b", r"\1", text.strip(), flags=re.I)
    stripped = re.sub(rf"\s*@{re.escape(username)}\b\s*", " ", stripped, flags=re.I).strip()
    return stripped or "/menu"
