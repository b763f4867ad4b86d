"""What `motcua run` starts: one runner per configured channel or worker.

A channel module adds a factory to RUNNER_FACTORIES; a factory returns None
when its channel is not configured. Runners that serve webhooks add routes to
the shared aiohttp application before it starts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from aiohttp import web

if TYPE_CHECKING:
    from bot.app import App


class Runner(Protocol):
    name: str
    is_channel: bool

    def add_routes(self, web_app: web.Application) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


RunnerFactory = Callable[["App"], "Runner | None"]


def runner_factories() -> list[RunnerFactory]:
    """The factories of every channel and worker, imported lazily (they pull in SDKs)."""
    factories: list[RunnerFactory] = [_telegram]
    from bot.channels import zalo_bot, zalo_oa
    from bot.complaint_reminders import reminder_runner
    from bot.kb_sync import kb_sync_runner, rollup_runner
    from bot.privacy_purge import purge_runner

    factories += [zalo_oa.runner_factory, zalo_bot.runner_factory, reminder_runner, purge_runner]
    factories += [kb_sync_runner, rollup_runner]  # every worker follows the overlay; counts are shared
    # after the channels: their factories register their senders, which the outbox workers use
    from bot.outbox_sender import outbox_runner_factories

    factories += outbox_runner_factories()  # one outbox worker per channel with a sender
    return factories


def _telegram(app: App) -> Runner | None:
    """Telegram, when MOTCUA_TELEGRAM_TOKEN is set (long polling, or the webhook when its URL is set)."""
    from bot.channels.telegram import runner_factory

    return runner_factory(app)
