"""`motcua web`: serve the staff console alone (no channel), e.g. on an office machine.

What staff do there reaches citizens through the outbox, which the `motcua run`
workers deliver; this process only serves pages (and /healthz, /metrics). It
still shows citizens' photos: a photo is a reference only the channel can turn
into bytes, so the configured channels' file APIs are opened here for reading
(Telegram's getFile with the same token; Zalo's image URLs), nothing else.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import AsyncIterator

from bot.app import App
from bot.commands.common import Subcommands, load_settings, open_app


def add_commands(sub: Subcommands) -> None:
    p = sub.add_parser(
        "web",
        help="serve the staff web console alone on MOTCUA_HTTP_HOST:PORT under /staff/",
        description="Serve the staff web console (and /healthz, /metrics) without any channel; "
        "staff sign in with the link the bot sends after /web.",
    )
    p.set_defaults(func=_web)


async def _web(args: argparse.Namespace) -> int:
    from bot.commands.run import serve
    from bot.logs import configure

    settings = load_settings()
    configure(args.log_level or settings.log_level, settings.log_format)
    async with open_app(settings) as app, photo_sources(app):
        return await serve(app, [])


@contextlib.asynccontextmanager
async def photo_sources(app: App) -> AsyncIterator[None]:
    """Register a file source for every configured channel, without starting the channel.

    Telegram: a Bot on the same token and API server whose connection pool is
    opened without getMe, so the console starts even when Telegram cannot be
    reached (a photo then answers "try later"). Zalo: one HTTP session.
    """
    import aiohttp

    from bot.channels.files import UrlFiles
    from bot.channels.telegram.files import TelegramFiles
    from bot.channels.telegram.parsing import CHANNEL as TELEGRAM
    from bot.channels.telegram.transport import make_bot

    settings = app.settings
    async with contextlib.AsyncExitStack() as stack:
        if settings.telegram_token:
            bot = make_bot(settings)
            await bot.request.initialize()
            stack.push_async_callback(bot.request.shutdown)
            app.file_sources[TELEGRAM] = TelegramFiles(bot)
        zalo = [
            c for c, on in (("zalo_oa", settings.zalo_oa_app_id), ("zalo_bot", settings.zalo_bot_token)) if on
        ]
        if zalo:
            http = await stack.enter_async_context(aiohttp.ClientSession())
            for channel in zalo:
                app.file_sources[channel] = UrlFiles(channel, lambda: http)
        yield
