"""`motcua match`: what the matcher makes of questions (the bot's own code path)."""

from __future__ import annotations

import argparse
import sys

from bot.commands.common import Subcommands
from bot.commands.kb import _load
from knowledge.match_cli import run_match


def add_commands(sub: Subcommands) -> None:
    p = sub.add_parser("match", help="rank knowledge-base topics for questions (arguments, or stdin lines)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--limit", type=int, default=3, help="topics to show per question (default 3)")
    p.add_argument("questions", nargs="*", metavar="QUESTION")
    p.set_defaults(func=_match)


def _match(args: argparse.Namespace) -> int:
    from bot.cli import CliError

    if args.limit < 1:
        raise CliError("--limit must be at least 1")
    return run_match(_load(), args.questions, sys.stdin, sys.stdout, json_output=args.json, limit=args.limit)
