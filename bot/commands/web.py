"""`motcua web`: serve the staff console alone (no channel), e.g. on an office machine.

What staff do there reaches citizens through the outbox, which the `motcua run`
workers deliver; this process only serves pages (and /healthz, /metrics).
"""

from __future__ import annotations

import argparse

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
    async with open_app(settings) as app:
        return await serve(app, [])
