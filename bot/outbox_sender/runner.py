"""Where the outbox worker runs: inside `motcua run`, or alone as a process per channel.

Also picks each channel's sender: the one a channel runner registered (same
bot, same connection pool) or one built from the settings.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.channels.base import ChannelSender, PermanentError
from bot.outbox_sender.broadcast_monitor import EditingSender
from bot.outbox_sender.worker import OutboxWorker, SenderConfig, Stats
from handlers.messages import Reply

if TYPE_CHECKING:
    from aiohttp import web

    from bot.app import App
    from bot.config import Settings

# One logger name for the whole outbox sender, as before the split: log filters keep matching.
log = logging.getLogger("motcua.outbox")


class TelegramOutboxSender:
    """TelegramSender plus message editing, so staff see one progress message edited as it goes."""

    def __init__(self, inner: Any, *, owns_bot: bool = True) -> None:
        self.inner = inner
        self.channel = inner.channel
        self.owns_bot = owns_bot  # False when the Telegram runner's bot is shared: it closes it
        self.budget = getattr(inner, "budget", None)  # the runner's, shared with its live replies
        self.budget_key = getattr(inner, "budget_key", inner.channel)

    async def send(self, platform_id: str, replies: list[Reply]) -> str | None:
        return await self.inner.send(platform_id, replies)

    async def edit(self, platform_id: str, message_id: str, reply: Reply) -> None:
        from bot.channels.telegram.rendering import OutMessage
        from bot.channels.telegram.sending import call

        try:
            await call(
                self.inner.bot, platform_id, OutMessage("edit", reply.text, edit_message_id=int(message_id))
            )
        except PermanentError as exc:
            if "not modified" not in str(exc).lower():
                raise

    async def close(self) -> None:
        if self.owns_bot:
            await self.inner.bot.shutdown()


async def open_sender(app: App, channel: str) -> ChannelSender | None:
    """The sender of a channel: one a channel runner registered in
    `app.senders`, else one built from the settings; None if unconfigured."""
    registered = app.senders.get(channel)
    if registered is not None:
        if channel == "telegram" and not isinstance(registered, EditingSender) and hasattr(registered, "bot"):
            return TelegramOutboxSender(registered, owns_bot=False)  # same bot, plus editing
        return registered
    settings = app.settings
    if channel == "telegram" and settings.telegram_token:
        from bot.channels.telegram.sending import TelegramSender

        inner = TelegramSender.from_settings(settings)
        await inner.bot.initialize()
        return TelegramOutboxSender(inner)
    if channel in ("zalo_oa", "zalo_bot") and channel_configured(settings, channel):
        # a separate worker process: the channel module builds a sender of its own
        import importlib

        module = importlib.import_module(f"bot.channels.{channel}")
        return module.standalone_sender(app)
    return None


async def close_sender(app: App, sender: ChannelSender) -> None:
    """Close senders this module opened (registered ones belong to their channel runner)."""
    if sender in app.senders.values():
        return
    closer = getattr(sender, "close", None)
    if closer is not None:
        with contextlib.suppress(Exception):
            await closer()


SENDER_CHANNELS = ("telegram", "zalo_oa", "zalo_bot")


# the setting that switches each channel on
CHANNEL_SWITCH = {"telegram": "telegram_token", "zalo_oa": "zalo_oa_app_id", "zalo_bot": "zalo_bot_token"}


def channel_configured(settings: Settings, channel: str) -> bool:
    return bool(getattr(settings, CHANNEL_SWITCH.get(channel, ""), ""))


class OutboxRunner:
    """`motcua run` runner: one outbox worker for one channel."""

    is_channel = False

    def __init__(self, app: App, channel: str) -> None:
        self.app = app
        self.channel = channel
        self.name = f"outbox:{channel}"
        self.worker: OutboxWorker | None = None
        self.sender: ChannelSender | None = None
        self._task: asyncio.Task[None] | None = None

    def add_routes(self, web_app: web.Application) -> None:
        return None

    async def start(self) -> None:
        self.sender = await open_sender(self.app, self.channel)
        if self.sender is None:
            log.error(
                "outbox: no sender for %s; its queued messages wait until one is configured", self.channel
            )
            return
        config = SenderConfig.from_settings(self.app.settings, self.channel)
        self.worker = OutboxWorker(self.app.db, self.sender, config)
        self._task = asyncio.create_task(self.worker.run(), name=self.name)

    async def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, 30)
        if self.sender is not None:
            await close_sender(self.app, self.sender)


def outbox_runner_factories() -> list[Callable[[App], OutboxRunner | None]]:
    def factory_for(channel: str) -> Callable[[App], OutboxRunner | None]:
        def factory(app: App) -> OutboxRunner | None:
            if channel in app.senders or channel_configured(app.settings, channel):
                return OutboxRunner(app, channel)
            return None

        return factory

    return [factory_for(c) for c in SENDER_CHANNELS]


async def work(settings: Settings, channel: str, *, once: bool = False) -> Stats:
    """Run one worker process for `channel` until SIGTERM/SIGINT (or until idle with once)."""
    import signal

    from bot.app import build_app

    app = await build_app(settings)
    sender: ChannelSender | None = None
    try:
        sender = await open_sender(app, channel)
        if sender is None:
            raise SystemExit(f"motcua: channel {channel!r} has no sender configured (see MOTCUA_* settings)")
        worker = OutboxWorker(app.db, sender, SenderConfig.from_settings(settings, channel))
        if once:
            return await worker.drain()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, worker.stop)
        log.info("outbox worker %s on %s at %.1f msg/s", worker.worker_id, channel, worker.config.rate)
        await worker.run()
        return worker.stats
    finally:
        if sender is not None:
            await close_sender(app, sender)
        await app.close()


def main(argv: list[str] | None = None) -> int:
    import bot.outbox_sender as package  # its docstring's first line describes the command
    from bot.config import ConfigError

    description = (package.__doc__ or "").splitlines()[0]
    parser = argparse.ArgumentParser(prog="python -m bot.outbox_sender", description=description)
    parser.add_argument("--channel", required=True, choices=SENDER_CHANNELS)
    parser.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=os.environ.get("MOTCUA_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        from bot.config_sources import load  # the environment and .env, like `motcua`

        settings = load().settings
    except ConfigError as exc:
        print(f"motcua: configuration error: {exc}")
        return 2
    stats = asyncio.run(work(settings, args.channel, once=args.once))
    print(
        f"sent={stats.sent} rate_limited={stats.rate_limited} unreachable={stats.unreachable} skipped={stats.skipped} failed={stats.failed} retried={stats.retried}"
    )
    return 0
