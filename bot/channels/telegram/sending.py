"""Sending: live replies (TelegramChannel) and the outbox side (TelegramSender).

Both render with the same code and map errors the same way; they differ in
who decides what happens next. A live reply is retried here, while the user
waits; an outbox delivery hands the decision back to the outbox worker.
Both draw from the bot's one send budget (bot/outbox_sender/budget.py): a
live reply first, and a 429 on either pauses the whole bot.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

from telegram import Bot, InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove
from telegram.error import NetworkError, TelegramError
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter  # stable since PTB 20; pinned <23

from bot.channels.base import PermanentError, RateLimited, TransientError, Unreachable
from bot.channels.telegram.errors import cannot_edit, map_error, not_modified
from bot.channels.telegram.parsing import CHANNEL
from bot.channels.telegram.rendering import OutMessage, markup_json, render
from bot.channels.telegram.transport import make_bot
from bot.outbox_sender.budget import Priority, SendBudget, telegram_ledger_key
from handlers import texts
from handlers.messages import Document, Reply

# One logger name for the whole channel, as before the split: log filters and alerts keep matching.
log = logging.getLogger("bot.channels.telegram")

Sleep = Callable[[float], Awaitable[None]]


async def call(bot: Bot, chat_id: int | str, msg: OutMessage, *, plain: bool = False) -> int | None:
    """Make one Bot API call; the id of the message sent or edited, or a mapped DeliveryError."""
    parse_mode = None if plain else "HTML"
    text = msg.text if plain else msg.html
    markup = None if plain and not isinstance(msg.markup, ReplyKeyboardRemove) else msg.markup
    try:
        if msg.kind == "photo":
            # render() gives every 'photo' message its photo
            return (await bot.send_photo(chat_id=chat_id, photo=cast(str, msg.photo))).message_id
        if msg.kind == "document":
            doc = cast(Document, msg.document)  # render() gives every 'document' message its file
            sent = await bot.send_document(chat_id=chat_id, document=doc.content, filename=doc.filename)
            return sent.message_id
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
    """Answers live updates: takes the bot's budget first, waits out 429s, retries network errors,
    falls back to plain text."""

    MAX_ATTEMPTS = 5  # network errors
    MAX_RATE_LIMITED = 10  # 429s in a row before a reply is given up (each waited out in full)
    MAX_WAIT = 60.0  # never hold a user's reply longer than this for one 429

    def __init__(
        self,
        bot: Bot,
        budget: SendBudget,
        *,
        on_unreachable: Callable[[str], Awaitable[None]] | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self.budget = budget
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

    async def _take_budget(self, chat_id: int, msg: OutMessage) -> None:
        """A new message takes the budget (ahead of announcements); an edit only waits out a 429."""
        if msg.kind == "edit":
            await self.budget.wait_pause()
        else:
            await self.budget.acquire(str(chat_id), Priority.REPLY)

    async def _deliver(self, chat_id: int, msg: OutMessage) -> bool:
        plain = False
        delay = 0.5
        failures = limited = 0
        while True:
            await self._take_budget(chat_id, msg)
            try:
                sent = await call(self.bot, chat_id, msg, plain=plain)
                if msg.follow_markup is not None:
                    await self._add_inline_keyboard(chat_id, sent, msg.follow_markup)
                return True
            except RateLimited as exc:
                limited += 1
                if limited > self.MAX_RATE_LIMITED:
                    log.error(
                        "telegram kept rate-limiting chat %s; gave up on %s", chat_id, msg.describe(chat_id)
                    )
                    return False
                wait = min(exc.retry_after, self.MAX_WAIT)
                log.warning("telegram 429 for chat %s: the bot waits %.1fs", chat_id, wait)
                await self.budget.pause(wait)  # the next _take_budget sleeps it out, then retries
            except TransientError as exc:
                failures += 1
                if failures == self.MAX_ATTEMPTS:
                    log.error("telegram send to %s failed after %d attempts: %s", chat_id, failures, exc)
                    return False
                log.warning("telegram network error for chat %s (%s); retry in %.1fs", chat_id, exc, delay)
                await self.sleep(delay)
                delay = min(delay * 2, 10.0)
            except PermanentError as exc:
                if msg.kind == "edit":
                    if not_modified(exc):
                        return True
                    if not cannot_edit(exc):
                        log.warning("telegram rejected %s: %s", msg.describe(chat_id), exc)
                    msg.kind = "text"  # the message is gone or too old: follow with a new one
                    msg.edit_message_id = None
                    continue
                if msg.kind in ("photo", "document"):
                    log.warning("telegram rejected %s: %s", msg.describe(chat_id), exc)
                    return False
                if plain:
                    log.error("telegram rejected the plain-text fallback for chat %s: %s", chat_id, exc)
                    return False
                log.warning("telegram rejected %s: %s; sending plain text", msg.describe(chat_id), exc)
                plain = True

    async def _add_inline_keyboard(
        self, chat_id: int, sent: int | None, markup: InlineKeyboardMarkup
    ) -> None:
        """Give a message sent with ReplyKeyboardRemove its buttons; never lose them."""
        if sent is not None:
            try:
                await self.budget.wait_pause()
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
    the parts the user already has; such a 429 still pauses the whole bot.

    `budget` is the bot's send budget when a channel runner shares its own
    (the outbox worker then paces with it); `budget_key` names the bot's
    ledger row for a worker that builds a budget of its own.
    """

    channel = CHANNEL
    MAX_PART_RETRIES = 4

    def __init__(self, bot: Bot, *, budget: SendBudget | None = None, sleep: Sleep = asyncio.sleep) -> None:
        self.bot = bot
        self.budget = budget
        self.budget_key = telegram_ledger_key(bot.token)
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
                    if isinstance(exc, RateLimited) and self.budget is not None:
                        await self.budget.pause(min(exc.retry_after, 60.0))
                        await self.budget.wait_pause()
                        continue
                    wait = exc.retry_after if isinstance(exc, RateLimited) else 0.5 * 2**tries
                    await self.sleep(min(wait, 60.0))
        return last
