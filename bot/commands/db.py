"""`motcua db …`: database migrations (current, history, upgrade, downgrade).

The alembic commands run on the bot's own engine and configuration, so they
work on an installed wheel without an alembic.ini or a URL given twice; the
packaged storage/alembic.ini is for people who prefer plain `alembic`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from alembic import command
from sqlalchemy.engine import Connection

from bot.app import _safe_url
from bot.commands.common import Subcommands, load_settings
from storage.db import Database, alembic_config


def add_commands(sub: Subcommands) -> None:
    p = sub.add_parser("db", help="database migrations: current, history, upgrade, downgrade")
    dbsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = dbsub.add_parser("upgrade", help="apply pending migrations")
    up.add_argument("revision", nargs="?", default="heads", help="default: heads (every branch)")
    up.set_defaults(func=_upgrade)
    current = dbsub.add_parser("current", help="the revisions the database is at")
    current.set_defaults(func=_current)
    history = dbsub.add_parser("history", help="every migration, newest first")
    history.set_defaults(func=_history)
    down = dbsub.add_parser("downgrade", help="undo migrations down to REVISION (back up first)")
    down.add_argument(
        "revision", help="e.g. 0401_zalo@-1 (one step on a branch), 0001_foundation, or base (everything)"
    )
    down.set_defaults(func=_downgrade)


async def _on_connection(action: Callable[[Any], None], what: str) -> None:
    """Run an alembic command on the configured database, in one transaction."""
    from bot.cli import CliError

    settings = load_settings()
    db = Database(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_overflow,
    )

    def run(conn: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        action(cfg)

    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(run)
    except Exception as exc:
        raise CliError(f"cannot {what} {_safe_url(settings.database_url)}: {exc}") from None
    finally:
        await db.close()


async def _upgrade(args: argparse.Namespace) -> int:
    await _on_connection(lambda cfg: command.upgrade(cfg, args.revision), "migrate")
    print(f"database is up to date: {_safe_url(load_settings().database_url)}")
    return 0


async def _current(args: argparse.Namespace) -> int:
    await _on_connection(lambda cfg: command.current(cfg, verbose=False), "read the revision of")
    return 0


def _history(args: argparse.Namespace) -> int:
    command.history(alembic_config(), verbose=False)
    return 0


async def _downgrade(args: argparse.Namespace) -> int:
    await _on_connection(lambda cfg: command.downgrade(cfg, args.revision), "downgrade")
    print(f"downgraded to {args.revision}: {_safe_url(load_settings().database_url)}")
    return 0
