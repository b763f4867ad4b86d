"""`motcua config …`: what the bot will run with, and a commented example to start from."""

from __future__ import annotations

import argparse
import sys

from bot.commands.common import Subcommands


def add_commands(sub: Subcommands) -> None:
    p = sub.add_parser("config", help="show the effective configuration or write an example")
    csub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = csub.add_parser("show", help="effective values (secrets masked) and where each came from")
    show.set_defaults(func=_show)
    example = csub.add_parser("example", help="every variable, commented, with its default (.env.example)")
    example.set_defaults(func=_example)


def _show(args: argparse.Namespace) -> int:
    from bot.config_sources import load, show_lines, unknown_warning

    loaded = load()
    for name, close in loaded.unknown:
        print(unknown_warning(name, close), file=sys.stderr)
    if loaded.env_file is not None:
        print(f"# .env file: {loaded.env_file}")
    for line in show_lines(loaded):
        print(line)
    return 0


def _example(args: argparse.Namespace) -> int:
    from bot.config_sources import env_example

    sys.stdout.write(env_example())
    return 0
