"""`motcua …`: the command line.

Each command group lives in its own module under bot/commands/ and registers
its subcommands here; errors a deployer can fix print as one line (exit 2).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from bot.commands import COMMAND_MODULES
from bot.config import ConfigError
from bot.logs import configure as configure_logging


def version() -> str:
    """The installed distribution's version (the wheel's, or the editable checkout's)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("motcua")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="motcua",
        description="motcua: the one-stop office chatbot for Vietnamese public services (Telegram, Zalo).",
    )
    parser.add_argument(
        "--log-level",
        default=None,
        type=str.upper,
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="wins over MOTCUA_LOG_LEVEL (default: MOTCUA_LOG_LEVEL for `run`, WARNING otherwise)",
    )
    parser.add_argument("--version", action="version", version=f"motcua {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    configure_logging(args.log_level or "WARNING", os.environ.get("MOTCUA_LOG_FORMAT", "text"))
    try:
        result = args.func(args)
        if asyncio.iscoroutine(result):
            result = asyncio.run(result)
        return int(result or 0)
    except CliError as exc:
        print(f"motcua: {exc}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"motcua: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


class CliError(Exception):
    """A problem the user can fix; printed as one line without a traceback."""


if __name__ == "__main__":
    sys.exit(main())
