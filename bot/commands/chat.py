"""`motcua chat`: talk to the bot in the terminal."""

from __future__ import annotations

import argparse
import getpass

from bot.channels.console import run_console
from bot.commands.common import Subcommands, open_app


def add_commands(sub: Subcommands) -> None:
    p = sub.add_parser("chat", help="chat with the bot in this terminal (or script it through stdin)")
    p.add_argument("--user", default=None, help="whose conversation this is (default: your login name)")
    p.set_defaults(func=_chat)


async def _chat(args: argparse.Namespace) -> int:
    user = args.user or _login()
    async with open_app() as app:
        return await run_console(app.dispatcher, user)


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "local"
