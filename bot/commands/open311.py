"""`motcua open311 key add|remove|list`: who may file and read complaints over Open311.

A key is printed once, when it is made, and only its digest is stored: lost
keys are removed and made again. `--personal-data` lets the key's holder see
who filed each complaint and what they wrote (docs/open311.md); give it only
to a system the commune has an agreement with to process that data.
"""

from __future__ import annotations

import argparse
import re
import sys

from bot.commands.common import Subcommands, open_app

NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


def add_commands(sub: Subcommands) -> None:
    p = sub.add_parser("open311", help="Open311 GeoReport v2 API keys")
    psub = p.add_subparsers(dest="open311_command", metavar="ACTION", required=True)
    key = psub.add_parser("key", help="add, remove or list API keys")
    ksub = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    add = ksub.add_parser("add", help="make a key for a system (printed once)")
    add.add_argument("name", help="who holds it: lower-case letters, digits, . _ - (e.g. so-tttt-tinh)")
    add.add_argument(
        "--personal-data",
        action="store_true",
        help="the key may see who filed a complaint, what they wrote and where",
    )
    add.set_defaults(func=_add)
    rm = ksub.add_parser("remove", help="revoke a key at once")
    rm.add_argument("name")
    rm.set_defaults(func=_remove)
    ls = ksub.add_parser("list", help="the keys, with their permission and last use")
    ls.set_defaults(func=_list)


async def _add(args: argparse.Namespace) -> int:
    from bot.cli import CliError
    from storage import open311 as repo
    from storage.repos import audit

    if not NAME.fullmatch(args.name):
        raise CliError(f"{args.name!r} is not a key name: use lower-case letters, digits, '.', '_', '-'")
    async with open_app() as app:
        async with app.db.session() as db:
            if await repo.key_named(db, args.name) is not None:
                raise CliError(f"a key named {args.name} exists; remove it first to make a new one")
            key = await repo.add_key(
                db, args.name, personal_data=args.personal_data, now=app.services.clock()
            )
            await audit(db, "cli", "open311.key_add", args.name, personal_data=args.personal_data)
            await db.commit()
    print(key)
    scope = "with personal data" if args.personal_data else "without personal data"
    print(f"key {args.name} added ({scope}); it is shown only now", file=sys.stderr)
    return 0


async def _remove(args: argparse.Namespace) -> int:
    from bot.cli import CliError
    from storage import open311 as repo
    from storage.repos import audit

    async with open_app() as app:
        async with app.db.session() as db:
            if not await repo.remove_key(db, args.name):
                raise CliError(f"no key named {args.name}")
            await audit(db, "cli", "open311.key_remove", args.name)
            await db.commit()
    print(f"key {args.name} removed")
    return 0


async def _list(args: argparse.Namespace) -> int:
    from handlers.feedback_core import local_text
    from storage import open311 as repo

    async with open_app() as app:
        tz = app.settings.timezone
        async with app.db.session() as db:
            keys = await repo.list_keys(db)
        for k in keys:
            used = local_text(k.last_used_at, tz) if k.last_used_at else "never used"
            scope = "personal data" if k.personal_data else "no personal data"
            print(f"{k.name}\t{scope}\tadded {local_text(k.created_at, tz)}\t{used}")
        print(f"{len(keys)} keys")
    return 0
