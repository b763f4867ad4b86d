"""The Telegram channel: Update -> Incoming, Reply -> HTML messages with inline keyboards.

Design choice: PTB's low-level `Bot` with our own update loop, not `Application`.

- Every decision about what to say is made by `Dispatcher.handle(Incoming)`;
  PTB's handler machinery (filters, groups, CallbackContext, ConversationHandler,
  persistence) would have nothing to do but wrap one catch-all handler.
- What the issue demands sits exactly in the update loop, so owning it keeps it
  explicit and testable: de-duplication of re-sent `update_id`s, FIFO order per
  chat with different chats in parallel (bounded), "acknowledge the webhook at
  once, process in the background", and a SIGTERM stop that finishes in-flight
  updates before closing the HTTP client. With `Application` each of these is a
  custom `BaseUpdateProcessor` plus hooks around `Updater`, i.e. more code.
- The webhook is a route on the shared aiohttp server of `motcua run` (PTB's
  own webhook server is tornado, a second server and a second dependency), and
  it checks the secret-token header itself in constant time.
- One layer fewer per update also matters for the throughput target
  (benchmarks/telegram_bench.py compares against a bare PTB echo bot).

PTB still does the Bot API side: HTTP (httpx), the `Update` model, exceptions
(`RetryAfter`, `Forbidden`, `BadRequest`, `NetworkError`), `base_url` for
self-hosted Bot API servers and the test fake.

Sending: `TelegramChannel.reply` answers a live update (waits out 429s, retries
network errors with backoff, marks 403 users unreachable, falls back to plain
text on a 400); `TelegramSender` is the outbox side (base.ChannelSender): it
maps Telegram errors to the delivery errors and lets the outbox decide.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import hmac
import html
import logging
import re
import secrets
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter  # stable since PTB 20; pinned <23

from bot.channels.base import (
    DeliveryError,
    PermanentError,
    RateLimited,
    TransientError,
    Unreachable,
)
from bot.channels.telegram_http import AiohttpRequest
from bot.config import ConfigError
from handlers import texts
from handlers.messages import MAX_ACTION_BYTES, Contact, Incoming, Location, Photo, Reply
from handlers.rendering import split_text

if TYPE_CHECKING:
    from bot.app import App
    from handlers.router import Command

log = logging.getLogger(__name__)

CHANNEL = "telegram"
MAX_TEXT = 4096  # sendMessage text, counted in UTF-16 code units after entity parsing
MAX_ROW = 8  # buttons per inline keyboard row
MAX_BUTTONS = 100  # buttons per inline keyboard
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
# The order of the command menu; registered commands not listed here follow alphabetically.
COMMAND_ORDER = [
    "start",
    "menu",
    "huongdan",
    "phananh",
    "tracuu",
    "dangky",
    "huy",
    "lienhe",
    "trogiup",
    "xoadulieu",
]
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_URL = re.compile(r"^(https?|tg)://\S+$", re.I)
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
Sleep = Callable[[float], Awaitable[None]]


# --------------------------------------------------------------------------- inbound


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
    base = {"channel": CHANNEL, "platform_id": str(user.id), "display_name": user.full_name[:128] or None}
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
        own = contact.user_id == message.from_user.id  # a shared card of someone else is not consent
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


# --------------------------------------------------------------------------- outbound rendering


@dataclass
class OutMessage:
    """One Bot API call that renders (part of) a reply."""

    kind: str  # "text", "edit" or "photo"
    text: str = ""  # plain text (the fallback after a 400)
    markup: Any = None  # InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None
    photo: str | None = None
    edit_message_id: int | None = None
    removes_keyboard: bool = False
    follow_markup: InlineKeyboardMarkup | None = None  # put on the message by an edit once it is sent

    @property
    def html(self) -> str:
        return html.escape(self.text, quote=False)

    def describe(self, chat_id: int | str) -> str:
        markup = self.markup.to_dict() if self.markup is not None else None
        return f"{self.kind} chat={chat_id} text={self.html[:300]!r} markup={markup}"


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji can be 2)."""
    return len(text.encode("utf-16-le")) // 2


def split_for_telegram(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split on paragraphs (then lines, words) so every part fits Telegram's limit."""
    size = limit
    while True:
        parts = split_text(text, size)
        if all(utf16_len(p) <= limit for p in parts) or size <= 64:
            return parts
        size = size * 3 // 4


def inline_keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Buttons as inline keyboard rows (at most 8 per row, 100 in all), then link buttons."""
    rows: list[list[InlineKeyboardButton]] = []
    count = 0
    for row in reply.buttons:
        for start in range(0, len(row), MAX_ROW):
            chunk = row[start : start + MAX_ROW][: MAX_BUTTONS - count]
            if chunk:
                rows.append([InlineKeyboardButton(b.label[:200], callback_data=b.action) for b in chunk])
                count += len(chunk)
    for link in reply.links:
        if count < MAX_BUTTONS and _URL.match(link.url):
            rows.append([InlineKeyboardButton(link.label[:200], url=link.url)])
            count += 1
    return InlineKeyboardMarkup(rows) if rows else None


def _unusable_links(reply: Reply) -> str:
    """Links Telegram would refuse as buttons are spelled out in the text instead."""
    bad = [link for link in reply.links if not _URL.match(link.url)]
    if not bad:
        return ""
    return "\n\n" + "\n".join(f"{link.label}: {link.url}" for link in bad)


def render(
    replies: list[Reply], *, edit_message_id: int | None = None, remove_keyboard: bool = False
) -> list[OutMessage]:
    """Replies as Bot API calls: text split to fit, keyboard on the last part.

    The first reply with `edit=True` edits the pressed message when it fits in
    one message; everything else is sent as new messages. A pending contact
    keyboard is removed by the first message that carries no inline keyboard;
    when every message has one, the first is sent with the removal and gets its
    inline keyboard by an edit right after (a message carries one keyboard).
    """
    out: list[OutMessage] = []
    for reply in replies:
        if reply.photo:
            out.append(OutMessage("photo", photo=reply.photo))
        body = reply.text + _unusable_links(reply)
        markup: Any = inline_keyboard(reply)
        if not body.strip():
            if markup is None and not reply.request_contact:
                continue
            body = texts.TG_CHOOSE
        parts = split_for_telegram(body)
        if reply.request_contact:
            keyboard = ReplyKeyboardMarkup(
                [[KeyboardButton(texts.TG_SHARE_PHONE, request_contact=True)]],
                one_time_keyboard=True,
                resize_keyboard=True,
            )
            out += [OutMessage("text", p) for p in parts[:-1]]
            out.append(OutMessage("text", parts[-1], keyboard))
            if markup is not None:  # one message carries one keyboard: buttons follow
                out.append(OutMessage("text", texts.TG_CHOOSE, markup))
            remove_keyboard = False
            continue
        use_edit = edit_message_id is not None and reply.edit and len(parts) == 1 and not reply.photo
        if use_edit:
            out.append(OutMessage("edit", parts[0], markup, edit_message_id=edit_message_id))
            edit_message_id = None
            continue
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            msg = OutMessage("text", part, markup if last else None)
            if remove_keyboard and msg.markup is None:
                msg.markup = ReplyKeyboardRemove()
                msg.removes_keyboard = True
                remove_keyboard = False
            out.append(msg)
    if remove_keyboard:
        for msg in out:
            if msg.kind == "text" and isinstance(msg.markup, InlineKeyboardMarkup):
                msg.follow_markup, msg.markup = msg.markup, ReplyKeyboardRemove()
                msg.removes_keyboard = True
                break
    return out


# --------------------------------------------------------------------------- error mapping


def retry_after_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value)


_UNREACHABLE = (
    "chat not found",
    "user is deactivated",
    "bot was blocked",
    "bot was kicked",
    "user not found",
    "peer_id_invalid",
    "have no rights to send",
    "not enough rights to send",
)


def map_error(exc: TelegramError) -> DeliveryError:
    """PTB's exception as the channel-neutral delivery error (see bot/channels/base.py)."""
    text = str(exc)
    low = text.lower()
    if isinstance(exc, RetryAfter):
        return RateLimited(retry_after_seconds(exc), text)
    if isinstance(exc, Forbidden):
        return Unreachable(text)
    if isinstance(exc, ChatMigrated):
        return Unreachable(f"group moved to supergroup {exc.new_chat_id}: {text}")
    if isinstance(exc, BadRequest):  # must precede NetworkError: BadRequest subclasses it
        if any(marker in low for marker in _UNREACHABLE):
            return Unreachable(text)
        return PermanentError(text)
    if isinstance(exc, InvalidToken):
        return TransientError(f"the bot token was rejected: {text}")
    if isinstance(exc, (TimedOut, NetworkError, Conflict)):
        return TransientError(text)
    return TransientError(text)


def _not_modified(exc: DeliveryError) -> bool:
    return isinstance(exc, PermanentError) and "message is not modified" in str(exc).lower()


def _cannot_edit(exc: DeliveryError) -> bool:
    low = str(exc).lower()
    return isinstance(exc, PermanentError) and (
        "message can't be edited" in low or "message to edit not found" in low or "can't be edited" in low
    )


async def call(bot: Bot, chat_id: int | str, msg: OutMessage, *, plain: bool = False) -> int | None:
    """Make one Bot API call; the id of the message sent or edited, or a mapped DeliveryError."""
    parse_mode = None if plain else "HTML"
    text = msg.text if plain else msg.html
    markup = None if plain and not isinstance(msg.markup, ReplyKeyboardRemove) else msg.markup
    try:
        if msg.kind == "photo":
            return (await bot.send_photo(chat_id=chat_id, photo=msg.photo)).message_id
        if msg.kind == "edit":
            result = await bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=msg.edit_message_id,
                parse_mode=parse_mode,
                reply_markup=markup,
                disable_web_page_preview=True,
            )
            return result.message_id if isinstance(result, Message) else None
        return await send_text(bot, chat_id, text, parse_mode, markup)
    except TelegramError as exc:
        raise map_error(exc) from exc


def markup_json(markup: Any) -> dict[str, Any]:
    """The reply_markup as the Bot API's JSON; inline keyboards (nearly every reply) directly.

    PTB's generic to_dict walks every attribute of every button; ours have text
    and one of callback_data or url.
    """
    if isinstance(markup, InlineKeyboardMarkup):
        rows = []
        for row in markup.inline_keyboard:
            out = []
            for b in row:
                button: dict[str, Any] = {"text": b.text}
                if b.callback_data is not None:
                    button["callback_data"] = b.callback_data
                if b.url is not None:
                    button["url"] = b.url
                if len(button) == 1 or b.api_kwargs or _other_button_fields(b):
                    button = b.to_dict()  # a kind of button we do not build ourselves
                out.append(button)
            rows.append(out)
        return {"inline_keyboard": rows}
    return markup.to_dict()


def _other_button_fields(b: InlineKeyboardButton) -> bool:
    return any(
        getattr(b, name, None) is not None
        for name in ("web_app", "login_url", "switch_inline_query", "copy_text", "pay", "callback_game")
    )


NO_PREVIEW = {"is_disabled": True}  # link previews would bury the answer under a page card


async def send_text(bot: Bot, chat_id: int | str, text: str, parse_mode: str | None, markup: Any) -> int:
    """sendMessage through the bot's own transport, reading only the new message's id.

    Bot.send_message would build a full telegram.Message from the answer (a
    hundred-field object, about a tenth of a reply's CPU) that we never read.
    BaseRequest.post is PTB's public request call: same transport, same error
    mapping (RetryAfter, Forbidden, BadRequest…), just no Message.
    """
    values: dict[str, Any] = {"chat_id": chat_id, "text": text, "link_preview_options": NO_PREVIEW}
    if parse_mode:
        values["parse_mode"] = parse_mode
    if markup is not None:
        values["reply_markup"] = markup_json(markup)
    params = [RequestParameter(name, value, input_files=None) for name, value in values.items()]
    result = await bot.request.post(f"{bot.base_url}/sendMessage", request_data=RequestData(params))
    if not isinstance(result, dict) or not isinstance(result.get("message_id"), int):
        raise NetworkError(f"unexpected sendMessage result: {str(result)[:200]}")
    return result["message_id"]


# --------------------------------------------------------------------------- live replies


class TelegramChannel:
    """Answers live updates: waits out 429s, retries network errors, falls back to plain text."""

    MAX_ATTEMPTS = 5
    MAX_WAIT = 60.0  # never hold a user's reply longer than this for one 429

    def __init__(
        self,
        bot: Bot,
        *,
        on_unreachable: Callable[[str], Awaitable[None]] | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self.on_unreachable = on_unreachable
        self.sleep = sleep
        self._contact_keyboard: set[int | str] = set()  # chats showing the phone-number keyboard

    async def reply(
        self,
        chat_id: int,
        replies: list[Reply],
        *,
        platform_id: str | None = None,
        edit_message_id: int | None = None,
    ) -> int:
        """Deliver replies in order; returns how many messages went out."""
        pending_remove = chat_id in self._contact_keyboard
        sent = 0
        for msg in render(replies, edit_message_id=edit_message_id, remove_keyboard=pending_remove):
            try:
                ok = await self._deliver(chat_id, msg)
            except Unreachable as exc:
                log.info("telegram chat %s is unreachable (%s); marking the user", chat_id, exc)
                if self.on_unreachable is not None and platform_id is not None:
                    await self.on_unreachable(platform_id)
                return sent
            if ok:
                sent += 1
                if isinstance(msg.markup, ReplyKeyboardMarkup):
                    self._contact_keyboard.add(chat_id)
                elif msg.removes_keyboard:
                    self._contact_keyboard.discard(chat_id)
        return sent

    async def _deliver(self, chat_id: int, msg: OutMessage) -> bool:
        plain = False
        delay = 0.5
        for attempt in range(1, self.MAX_ATTEMPTS + 1):
            try:
                sent = await call(self.bot, chat_id, msg, plain=plain)
                if msg.follow_markup is not None:
                    await self._add_inline_keyboard(chat_id, sent, msg.follow_markup)
                return True
            except RateLimited as exc:
                wait = min(exc.retry_after, self.MAX_WAIT)
                log.warning("telegram 429 for chat %s: waiting %.1fs", chat_id, wait)
                await self.sleep(wait)
            except TransientError as exc:
                if attempt == self.MAX_ATTEMPTS:
                    log.error("telegram send to %s failed after %d attempts: %s", chat_id, attempt, exc)
                    return False
                log.warning("telegram network error for chat %s (%s); retry in %.1fs", chat_id, exc, delay)
                await self.sleep(delay)
                delay = min(delay * 2, 10.0)
            except PermanentError as exc:
                if msg.kind == "edit":
                    if _not_modified(exc):
                        return True
                    if not _cannot_edit(exc):
                        log.warning("telegram rejected %s: %s", msg.describe(chat_id), exc)
                    msg.kind = "text"  # the message is gone or too old: follow with a new one
                    msg.edit_message_id = None
                    continue
                if msg.kind == "photo":
                    log.warning("telegram rejected %s: %s", msg.describe(chat_id), exc)
                    return False
                if plain:
                    log.error("telegram rejected the plain-text fallback for chat %s: %s", chat_id, exc)
                    return False
                log.warning("telegram rejected %s: %s; sending plain text", msg.describe(chat_id), exc)
                plain = True
        log.error("telegram kept rate-limiting chat %s; gave up on %s", chat_id, msg.describe(chat_id))
        return False

    async def _add_inline_keyboard(
        self, chat_id: int, sent: int | None, markup: InlineKeyboardMarkup
    ) -> None:
        """Give a message sent with ReplyKeyboardRemove its buttons; never lose them."""
        if sent is not None:
            try:
                await self.bot.edit_message_reply_markup(
                    chat_id=chat_id, message_id=sent, reply_markup=markup
                )
                return
            except TelegramError as exc:
                log.warning("could not add the buttons to message %s: %s", sent, exc)
        await self._deliver(chat_id, OutMessage("text", texts.TG_CHOOSE, markup))


# --------------------------------------------------------------------------- outbox sender


class TelegramSender:
    """The outbox side of the channel (bot/channels/base.ChannelSender).

    Errors map as: 429 -> RateLimited(retry_after), 403 / chat not found /
    user deactivated -> Unreachable, network and 5xx -> TransientError,
    other 400 -> PermanentError. Once part of a multi-message delivery has
    gone out, a 429 or network error on a later part is waited out here
    (bounded) instead of raised, because the outbox would otherwise resend
    the parts the user already has.
    """

    channel = CHANNEL
    MAX_PART_RETRIES = 4

    def __init__(self, bot: Bot, *, sleep: Sleep = asyncio.sleep) -> None:
        self.bot = bot
        self.sleep = sleep

    @classmethod
    def from_settings(cls, settings: Any) -> TelegramSender:
        """A sender with its own Bot (call `await sender.bot.initialize()` before sending)."""
        return cls(make_bot(settings))

    async def send(self, platform_id: str, replies: list[Reply]) -> str | None:
        last: str | None = None
        for index, msg in enumerate(render(replies)):
            tries = 0
            while True:
                try:
                    result = await call(self.bot, platform_id, msg)
                    if result is not None:
                        last = str(result)
                    break
                except (RateLimited, TransientError) as exc:
                    tries += 1
                    if index == 0 or tries > self.MAX_PART_RETRIES:
                        raise
                    wait = exc.retry_after if isinstance(exc, RateLimited) else 0.5 * 2**tries
                    await self.sleep(min(wait, 60.0))
        return last


# --------------------------------------------------------------------------- the runner


def make_bot(settings: Any, *, poll_timeout: int | None = None) -> Bot:
    """A PTB Bot on the configured Bot API base URL with pools sized for concurrency."""
    poll = settings.telegram_poll_timeout if poll_timeout is None else poll_timeout
    request = AiohttpRequest(
        connection_pool_size=max(8, settings.telegram_concurrency),
        read_timeout=15.0,
        write_timeout=15.0,
        connect_timeout=10.0,
        pool_timeout=10.0,
    )
    updates_request = AiohttpRequest(
        connection_pool_size=2, read_timeout=poll + 10.0, connect_timeout=10.0, pool_timeout=5.0
    )
    base = settings.telegram_api_url.strip()
    file_base = base[:-3] + "file/bot" if base.endswith("/bot") else base
    return Bot(
        settings.telegram_token,
        base_url=base,
        base_file_url=file_base,
        request=request,
        get_updates_request=updates_request,
    )


def command_menu(commands: list[Command]) -> list[BotCommand]:
    """The public commands for setMyCommands, in the order citizens need them."""
    rank = {name: i for i, name in enumerate(COMMAND_ORDER)}
    valid = [c for c in commands if _COMMAND_NAME.match(c.name) and c.description.strip()]
    valid.sort(key=lambda c: (rank.get(c.name, len(rank)), c.name))
    return [BotCommand(c.name, c.description.strip()[:256]) for c in valid[:100]]


class TelegramRunner:
    """Serves Telegram for `motcua run`: long polling, or a webhook on the shared HTTP server."""

    name = "telegram"
    is_channel = True
    SEEN_WINDOW = 20_000  # update_ids remembered for de-duplication

    def __init__(self, app: App, *, bot: Bot | None = None, sleep: Sleep = asyncio.sleep) -> None:
        # httpx logs every request URL at INFO, and Bot API URLs contain the token.
        logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLogger("httpx").level))
        self.app = app
        self.settings = app.settings
        self.bot = bot or make_bot(self.settings)
        self.sleep = sleep
        self.channel = TelegramChannel(self.bot, on_unreachable=self._mark_unreachable, sleep=sleep)
        self.sender = TelegramSender(self.bot, sleep=sleep)
        app.services.extras.setdefault("senders", {})[CHANNEL] = self.sender
        self.webhook_url = self.settings.telegram_webhook_url.strip()
        self.secret = self.settings.telegram_webhook_secret or secrets.token_urlsafe(32)
        path = urlsplit(self.webhook_url).path if self.webhook_url else ""
        self.webhook_path = path if path not in ("", "/") else "/telegram/webhook"
        self.me: BotIdentity | None = None
        self.processed = 0  # updates fully handled (for health checks and benchmarks)
        self._seen: collections.OrderedDict[int, None] = collections.OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()
        self._chat_locks: weakref.WeakValueDictionary[Any, asyncio.Lock] = weakref.WeakValueDictionary()
        self._slots = asyncio.Semaphore(self.settings.telegram_concurrency)
        self._offset: int | None = None
        self._poller: asyncio.Task[None] | None = None
        self._stopping = False
        self._started = False

    # -- lifecycle -----------------------------------------------------------
    def add_routes(self, web_app: web.Application) -> None:
        if self.webhook_url:
            web_app.router.add_post(self.webhook_path, self.handle_webhook)

    async def start(self) -> None:
        await self._connect()
        await self._register_commands()
        try:
            if self.webhook_url:
                await self._retrying(
                    "setWebhook",
                    lambda: self.bot.set_webhook(
                        url=self.webhook_url,
                        secret_token=self.secret,
                        allowed_updates=ALLOWED_UPDATES,
                        max_connections=self.settings.telegram_webhook_max_connections,
                    ),
                )
                log.info("telegram webhook set to %s (served at %s)", self.webhook_url, self.webhook_path)
            else:
                # getUpdates fails with 409 while a webhook is set: switch to polling explicitly.
                await self._retrying(
                    "deleteWebhook", lambda: self.bot.delete_webhook(drop_pending_updates=False)
                )
                self._poller = asyncio.create_task(self._poll_loop(), name="telegram-polling")
                log.info("telegram long polling as @%s", self.me.username if self.me else "?")
        except BadRequest as exc:
            raise ConfigError(
                f"Telegram refused MOTCUA_TELEGRAM_WEBHOOK_URL={self.webhook_url!r}: {exc}; it must be a "
                "public https URL with a valid certificate"
            ) from None
        except TelegramError as exc:
            raise ConfigError(
                f"cannot set up Telegram updates at {self.settings.telegram_api_url}: {exc}"
            ) from None
        self._started = True

    async def _connect(self) -> None:
        """getMe: a bad token stops startup with a message saying what to fix."""
        url = self.settings.telegram_api_url
        delay = 1.0
        for attempt in range(1, 6):
            try:
                await self.bot.initialize()
                break
            except InvalidToken as exc:
                raise ConfigError(
                    f"MOTCUA_TELEGRAM_TOKEN was rejected by the Bot API at {url} ({exc}); "
                    "copy the token again from @BotFather (it looks like 123456789:AA...)"
                ) from None
            except (NetworkError, RetryAfter) as exc:
                if attempt == 5:
                    raise ConfigError(
                        f"cannot reach the Telegram Bot API at {url}: {exc}; check the network and "
                        "MOTCUA_TELEGRAM_API_URL"
                    ) from None
                log.warning("cannot reach the Telegram Bot API (%s); retrying in %.0fs", exc, delay)
                await self.sleep(delay)
                delay *= 2
        self.me = BotIdentity(self.bot.id, self.bot.username)

    async def _register_commands(self) -> None:
        commands = command_menu(self.app.services.router.public_commands())
        try:
            await self._retrying("setMyCommands", lambda: self.bot.set_my_commands(commands))
        except TelegramError as exc:  # the menu is a convenience; serving matters more
            log.warning("could not register the Telegram command menu: %s", exc)

    async def _retrying(self, what: str, make: Callable[[], Awaitable[Any]]) -> Any:
        delay = 1.0
        for attempt in range(1, 6):
            try:
                return await make()
            except RetryAfter as exc:
                await self.sleep(retry_after_seconds(exc))
            except BadRequest:
                raise
            except (TimedOut, NetworkError) as exc:
                if attempt == 5:
                    raise
                log.warning("telegram %s failed (%s); retrying in %.0fs", what, exc, delay)
                await self.sleep(delay)
                delay *= 2
        return await make()

    async def stop(self) -> None:
        """Stop taking updates, finish the ones in flight, then close the HTTP client."""
        self._stopping = True
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None
        await self.drain(self.settings.telegram_shutdown_grace)
        if self._offset is not None and not self.webhook_url and self._started:
            try:  # confirm the updates we handled, so a restart does not get them again
                await self.bot.get_updates(offset=self._offset, timeout=0, limit=1)
            except TelegramError as exc:
                log.info("could not confirm the last updates: %s", exc)
        try:
            await self.bot.shutdown()
        except Exception:
            log.exception("error while closing the Telegram client")

    async def drain(self, grace: float | None = None) -> None:
        """Wait until every submitted update is handled (or the timeout passes)."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
        if pending:
            log.error("%d Telegram updates still in progress at shutdown; cancelling them", len(pending))
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    # -- polling -------------------------------------------------------------
    async def _poll_loop(self) -> None:
        delay = 1.0
        timeout = self.settings.telegram_poll_timeout
        while not self._stopping:
            try:
                updates = await self.bot.get_updates(
                    offset=self._offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES
                )
                delay = 1.0
            except asyncio.CancelledError:
                raise
            except RetryAfter as exc:
                await self.sleep(retry_after_seconds(exc))
                continue
            except InvalidToken as exc:
                log.critical("the Bot API rejected the token while polling (%s); polling stopped", exc)
                return
            except Conflict as exc:
                log.error("another process is polling or a webhook is set (%s); retrying", exc)
                await self.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            except (TimedOut, NetworkError) as exc:
                log.warning("telegram getUpdates failed (%s); retrying in %.0fs", exc, delay)
                await self.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            except Exception:
                log.exception("unexpected error while polling Telegram")
                await self.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            for update in updates:
                self._offset = update.update_id + 1
                self.submit(update)

    # -- webhook -------------------------------------------------------------
    async def handle_webhook(self, request: web.Request) -> web.Response:
        """Check the secret in constant time, acknowledge at once, process in the background."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret.encode()):
            log.warning("telegram webhook request without the right secret from %s", request.remote)
            return web.Response(status=403, text="forbidden")
        if self._stopping or self.me is None:
            return web.Response(status=503, text="shutting down")  # Telegram will re-send
        try:
            data = await request.json()
        except ValueError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            log.warning("telegram webhook request with a body that is not an Update")
            return web.Response(status=400, text="bad update")
        try:
            update = Update.de_json(data, self.bot)
        except Exception:
            # It did come from Telegram (the secret matched): answering an error would only make
            # Telegram re-send it. Keep it in the log so what the citizen sent is not lost.
            log.exception("cannot read telegram update %s: %.2000s", data.get("update_id"), data)
            return web.Response(status=200)
        self.submit(update)
        return web.Response(status=200)

    # -- processing ----------------------------------------------------------
    def submit(self, update: Update) -> bool:
        """Schedule an update once per update_id; False for a duplicate."""
        if update.update_id in self._seen:
            log.info("telegram update %s received again; ignored", update.update_id)
            return False
        self._seen[update.update_id] = None
        if len(self._seen) > self.SEEN_WINDOW:
            self._seen.popitem(last=False)
        task = asyncio.create_task(self._process(update, time.perf_counter()))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    def _chat_lock(self, key: Any) -> asyncio.Lock:
        lock = self._chat_locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._chat_locks[key] = lock
        return lock

    async def _process(self, update: Update, received: float) -> None:
        try:
            assert self.me is not None
            inbound = parse_update(update, self.me)
        except Exception:
            log.exception("could not read telegram update %s", update.update_id)
            return
        if inbound is None:
            self.processed += 1
            return
        # The first await is the chat lock, so updates of one chat keep their order.
        async with self._chat_lock(inbound.chat_id or inbound.platform_id), self._slots:
            try:
                await self._handle(inbound)
            except Exception:
                log.exception("failed to handle telegram update %s", update.update_id)
            finally:
                self.processed += 1

    async def _handle(self, inbound: Inbound) -> None:
        if inbound.callback_query_id is not None:
            try:  # stop the button's spinner first; an old query cannot be answered, that is fine
                await self.bot.answer_callback_query(inbound.callback_query_id)
            except TelegramError as exc:
                log.debug("answerCallbackQuery failed: %s", exc)
        if inbound.blocked and inbound.platform_id is not None:
            # Like a Zalo unfollow: the "unfollow" event (handlers/channel_events.py) also ends
            # subscriptions and flows; nothing can be sent to this chat any more.
            if "unfollow" in self.app.services.router.events:
                await self.app.dispatcher.handle(
                    Incoming(channel=CHANNEL, platform_id=inbound.platform_id, other="unfollow")
                )
            await self._mark_unreachable(inbound.platform_id)
            return
        if inbound.chat_id is None:
            return
        for incoming in inbound.incomings:
            replies = await self.app.dispatcher.handle(incoming)
            edit = inbound.callback_message_id if incoming.action is not None else None
            await self.channel.reply(
                inbound.chat_id, replies, platform_id=incoming.platform_id, edit_message_id=edit
            )

    async def _mark_unreachable(self, platform_id: str) -> None:
        from storage.repos import mark_unreachable

        try:
            async with self.app.db.session() as db:
                await mark_unreachable(db, CHANNEL, platform_id)
                await db.commit()
        except Exception:
            log.exception("could not mark telegram user %s as unreachable", platform_id)


def runner_factory(app: App) -> TelegramRunner | None:
    """`motcua run` serves Telegram when MOTCUA_TELEGRAM_TOKEN is set."""
    if not app.settings.telegram_token.strip():
        return None
    return TelegramRunner(app)
