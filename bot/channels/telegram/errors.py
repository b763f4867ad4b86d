"""Telegram's exceptions as the channel-neutral delivery errors (bot/channels/base.py).

One mapping for both senders, so live replies and the outbox agree on what a
403, a 429 or a 400 means.
"""

from __future__ import annotations

import datetime as dt

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

from bot.channels.base import (
    DeliveryError,
    PermanentError,
    RateLimited,
    TransientError,
    Unreachable,
)


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


def not_modified(exc: DeliveryError) -> bool:
    return isinstance(exc, PermanentError) and "message is not modified" in str(exc).lower()


def cannot_edit(exc: DeliveryError) -> bool:
    low = str(exc).lower()
    return isinstance(exc, PermanentError) and (
        "message can't be edited" in low or "message to edit not found" in low or "can't be edited" in low
    )
