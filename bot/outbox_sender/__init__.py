"""The sender loop of one channel: takes due outbox rows and delivers them politely.

Politeness is per platform rules, kept by the bot's send budget (budget.py),
shared with live replies, which come first: one global rate per bot (Telegram
allows about 30 messages/s; we default to 25), at least one second between two
announcements to the same chat (20 per minute in a group), and an honoured
`retry_after` on 429. Outcomes are
decided by the channel sender's errors (bot/channels/base.py):

- RateLimited    → every worker of the channel pauses retry_after; the row is resent (nothing lost)
- Unreachable    → row 'unreachable', user marked blocked and unsubscribed
- OutsideWindow  → broadcasts/notices 'skipped'; complaint replies and dossier states go as the
                   channel's template when one is configured, else wait until the user writes again
- TransientError → retried with exponential backoff, 'failed' with the reason after max attempts
- PermanentError → 'failed' with the reason

Crash safety: a row is claimed (leased) before it is sent and marked right
after; a killed worker's rows are claimed again when the lease expires. The
only duplicates possible are sends that reached the platform whose mark was
not committed yet: at most `concurrency` messages per killed worker.

The package: worker (claiming and delivering rows), budget (one send budget
per bot: live replies first, per-chat limits, 429 pauses), rate_limit (the
shared slot ledger), broadcast_monitor (broadcast progress and report),
runner (senders, `motcua run` runners, the standalone process).

Run it inside `motcua run` (one runner per channel with a sender) or alone:
`python -m bot.outbox_sender --channel telegram` / `motcua outbox work`.
"""

from bot.outbox_sender.broadcast_monitor import (
    PROGRESS_POSTED,
    PROGRESS_POSTING,
    BroadcastMonitor,
    EditingSender,
    format_duration,
    progress_bar,
    progress_text,
    report_text,
)
from bot.outbox_sender.budget import ChatRules, Priority, SendBudget, telegram_ledger_key
from bot.outbox_sender.rate_limit import Clock, RealClock, SlotLimiter, as_datetime
from bot.outbox_sender.runner import (
    CHANNEL_SWITCH,
    SENDER_CHANNELS,
    OutboxRunner,
    TelegramOutboxSender,
    channel_configured,
    close_sender,
    main,
    open_sender,
    outbox_runner_factories,
    work,
)
from bot.outbox_sender.worker import OutboxWorker, SenderConfig, Stats

__all__ = [
    "CHANNEL_SWITCH",
    "PROGRESS_POSTED",
    "PROGRESS_POSTING",
    "SENDER_CHANNELS",
    "BroadcastMonitor",
    "ChatRules",
    "Clock",
    "EditingSender",
    "OutboxRunner",
    "OutboxWorker",
    "Priority",
    "RealClock",
    "SendBudget",
    "SenderConfig",
    "SlotLimiter",
    "Stats",
    "TelegramOutboxSender",
    "as_datetime",
    "channel_configured",
    "close_sender",
    "format_duration",
    "main",
    "open_sender",
    "outbox_runner_factories",
    "progress_bar",
    "progress_text",
    "report_text",
    "telegram_ledger_key",
    "work",
]
