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

The package, one job per module: parsing (Update -> Incoming), rendering
(Reply -> HTML and keyboards), errors (PTB exceptions -> delivery errors),
sending (live replies and the outbox sender), runner (the update loop) and
transport (PTB's HTTP on aiohttp, and the Bot built on it).

Sending: `TelegramChannel.reply` answers a live update (waits out 429s, retries
network errors with backoff, marks 403 users unreachable, falls back to plain
text on a 400); `TelegramSender` is the outbox side (base.ChannelSender): it
maps Telegram errors to the delivery errors and lets the outbox decide.
"""

from bot.channels.telegram.errors import map_error, retry_after_seconds
from bot.channels.telegram.parsing import CHANNEL, BotIdentity, Inbound, parse_update
from bot.channels.telegram.rendering import (
    MAX_BUTTONS,
    MAX_ROW,
    MAX_TEXT,
    OutMessage,
    inline_keyboard,
    markup_json,
    render,
    split_for_telegram,
    utf16_len,
)
from bot.channels.telegram.runner import (
    ALLOWED_UPDATES,
    COMMAND_ORDER,
    SECRET_HEADER,
    TelegramRunner,
    command_menu,
    runner_factory,
)
from bot.channels.telegram.sending import NO_PREVIEW, Sleep, TelegramChannel, TelegramSender, call, send_text
from bot.channels.telegram.transport import AiohttpRequest, make_bot

__all__ = [
    "ALLOWED_UPDATES",
    "CHANNEL",
    "COMMAND_ORDER",
    "MAX_BUTTONS",
    "MAX_ROW",
    "MAX_TEXT",
    "NO_PREVIEW",
    "SECRET_HEADER",
    "AiohttpRequest",
    "BotIdentity",
    "Inbound",
    "OutMessage",
    "Sleep",
    "TelegramChannel",
    "TelegramRunner",
    "TelegramSender",
    "call",
    "command_menu",
    "inline_keyboard",
    "make_bot",
    "map_error",
    "markup_json",
    "parse_update",
    "render",
    "retry_after_seconds",
    "runner_factory",
    "send_text",
    "split_for_telegram",
    "utf16_len",
]
