"""`motcua staff add|remove|list`: who may use staff functions."""

from __future__ import annotations

import argparse

from bot.app import staff_path
from bot.commands.common import Subcommands, load_settings
from storage.staff import ROLES, StaffDirectory, StaffFileError, parse_key


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
    pw = ssub.add_parser(
        "password",
        help="set an admin's password for the web console (read from the terminal or stdin)",
        description="Set (or with --clear remove) the password an admin may sign in to the staff "
        "web console with, instead of the link from /web. Staff members sign in only by link.",
    )
    pw.add_argument("identity", help="the admin's channel:id, e.g. telegram:123456789")
    pw.add_argument("--clear", action="store_true", help="remove the password")
    pw.set_defaults(func=_password)


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


async def _remove(args: argparse.Namespace) -> int:
    """From the file (so the seed does not bring it back) and from the database, signing it out."""
    from bot.cli import CliError
    from bot.commands.common import open_app
    from storage import staff_accounts, web_auth

    try:
        in_file = _directory().remove(args.identity)
        key = parse_key(args.identity)
    except StaffFileError as exc:
        raise CliError(str(exc)) from None
    async with open_app() as app, app.db.session() as db:
        account = await staff_accounts.by_key(db, key)
        if account is not None:
            await web_auth.end_sessions_of(db, account.id)
            await staff_accounts.remove(db, account.id)
            await db.commit()
    if not in_file and account is None:
        raise CliError(f"{args.identity} is not in the staff list")
    print(f"removed {args.identity}")
    return 0


async def _list(args: argparse.Namespace) -> int:
    """The accounts in the database (the file seeds them; admins add more on the web console)."""
    from bot.commands.common import open_app
    from storage import staff_accounts

    async with open_app() as app, app.db.session() as db:
        accounts = await staff_accounts.all_accounts(db)
    if not accounts:
        print(
            "no staff yet; add one with: motcua staff add telegram:ID --role admin  "
            f"(file: {app.services.staff.path})"
        )
    for a in accounts:
        print(f"{a.key}\t{a.role}\t{a.name}\t({a.source})")
    return 0


def _read_password() -> str:
    import getpass
    import sys

    from bot.cli import CliError

    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Again: ") != first:
        raise CliError("the two passwords differ; nothing changed")
    return first


async def _password(args: argparse.Namespace) -> int:
    from bot.cli import CliError
    from bot.commands.common import open_app
    from bot.web.passwords import PasswordError, hash_password
    from storage import staff_accounts, web_auth

    try:
        key = parse_key(args.identity)
    except StaffFileError as exc:
        raise CliError(str(exc)) from None
    stored = None
    if not args.clear:
        try:
            stored = hash_password(_read_password())
        except PasswordError as exc:
            raise CliError(f"{exc}; nothing changed") from None
    async with open_app() as app, app.db.session() as db:
        account = await staff_accounts.by_key(db, key)
        if account is None or account.role != "admin":
            raise CliError(f"{key} is not an admin account; only admins may have a password")
        account.password_hash = stored
        await web_auth.end_sessions_of(db, account.id)  # a changed password ends open sessions
        await db.commit()
    print(f"{key}: password {'removed' if args.clear else 'set'}")
    return 0
