"""`motcua db …`: database maintenance."""

from __future__ import annotations

import argparse

from bot.app import _safe_url
from bot.commands.common import Subcommands, load_settings
from storage.db import Database


def add_commands(sub: Subcommands) -> None:
    p = sub.add_parser("db", help="database maintenance")
    dbsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = dbsub.add_parser("upgrade", help="apply pending migrations")
    up.set_defaults(func=_upgrade)


async def _upgrade(args: argparse.Namespace) -> int:
    from bot.cli import CliError

    settings = load_settings()
    db = Database(settings.database_url)
    try:
        await db.upgrade()
    except Exception as exc:
        raise CliError(f"cannot migrate {_safe_url(settings.database_url)}: {exc}") from None
    finally:
        await db.close()
    print(f"database is up to date: {_safe_url(settings.database_url)}")
    return 0
