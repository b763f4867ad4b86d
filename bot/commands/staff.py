"""`motcua staff add|remove|list`: who may use staff functions."""

from __future__ import annotations

import argparse

from bot.app import staff_path
from bot.commands.common import Subcommands, load_settings
from storage.staff import ROLES, StaffDirectory, StaffFileError


def add_commands(sub: Subcommands) -> None:
    p = sub.add_parser("staff", help="manage staff identities (who may use staff functions)")
    ssub = p.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    add = ssub.add_parser("add", help="add or change a staff member")
    add.add_argument("identity", help="channel:id, e.g. telegram:123456789")
    add.add_argument("--role", choices=ROLES, default="staff")
    add.add_argument("--name", default="", help="a name to recognise them by")
    add.set_defaults(func=_add)
    rm = ssub.add_parser("remove", help="remove a staff member")
    rm.add_argument("identity")
    rm.set_defaults(func=_remove)
    ls = ssub.add_parser("list", help="list staff members")
    ls.set_defaults(func=_list)


def _directory() -> StaffDirectory:
    from bot.cli import CliError

    settings = load_settings()
    try:
        return StaffDirectory(staff_path(settings), settings.staff)
    except StaffFileError as exc:
        raise CliError(str(exc)) from None


def _add(args: argparse.Namespace) -> int:
    from bot.cli import CliError

    try:
        _directory().add(args.identity, args.role, args.name)
    except StaffFileError as exc:
        raise CliError(str(exc)) from None
    print(f"{args.identity}: {args.role}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from bot.cli import CliError

    try:
        removed = _directory().remove(args.identity)
    except StaffFileError as exc:
        raise CliError(str(exc)) from None
    if not removed:
        raise CliError(f"{args.identity} is not in the staff list")
    print(f"removed {args.identity}")
    return 0


def _list(args: argparse.Namespace) -> int:
    directory = _directory()
    members = directory.members()
    if not members:
        print(
            f"no staff yet; add one with: motcua staff add telegram:ID --role admin  (file: {directory.path})"
        )
    for m in members:
        print(f"{m.key}\t{m.role}\t{m.name}")
    return 0
