"""`motcua backup create|restore FILE`: keep a copy of the database, and put one back."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.commands.common import Subcommands, load_settings


def add_commands(sub: Subcommands) -> None:
    p = sub.add_parser("backup", help="back up the database to a file, or restore it from one")
    bsub = p.add_subparsers(dest="backup_command", metavar="ACTION", required=True)
    create = bsub.add_parser(
        "create", help="write a consistent copy (SQLite: while running; PostgreSQL: pg_dump)"
    )
    create.add_argument("file", type=Path)
    create.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    create.set_defaults(func=_create)
    restore = bsub.add_parser("restore", help="replace the database with a backup (stop the bot first)")
    restore.add_argument("file", type=Path)
    restore.add_argument("--force", action="store_true", help="restore even though the bot seems to run")
    restore.set_defaults(func=_restore)


def _create(args: argparse.Namespace) -> int:
    from bot.backup import BackupError, create
    from bot.cli import CliError

    settings = load_settings()
    try:
        print(create(settings.database_url, args.file, force=args.force))
    except BackupError as exc:
        raise CliError(str(exc)) from None
    return 0


def _restore(args: argparse.Namespace) -> int:
    from bot.backup import BackupError, bot_running, restore
    from bot.cli import CliError

    settings = load_settings()
    pid = bot_running(settings.data_dir / "motcua.pid")
    if pid is not None and not args.force:
        raise CliError(f"the bot is running (pid {pid}); stop it before restoring, or pass --force")
    try:
        print(restore(settings.database_url, args.file))
    except BackupError as exc:
        raise CliError(str(exc)) from None
    print("run `motcua db upgrade` if the backup is from an older release")
    return 0
