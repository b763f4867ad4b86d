"""`motcua complaints list|show|reply|close|export|remind`: complaint handling from a terminal.

The same functions as the staff chat (handlers.feedback_core) do the work, so
a reply typed here reaches the citizen through the outbox, is written into
the complaint's history and is audit-logged with the operator's name.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import getpass
import io
import sys
from pathlib import Path

from bot.commands.common import Subcommands, open_app
from handlers.feedback_core import (
    ActionError,
    category_label,
    complaint_card,
    history_text,
    make_office,
    remind_overdue,
    set_status,
    staff_reply,
)
from handlers.texts import PA_STATUS
from storage import complaints as repo
from storage.models_feedback import OPEN_STATUSES, STATUSES
from storage.repos import audit

CSV_FIELDS = [
    "code", "status", "category", "created_at", "due_at", "answered_at", "closed_at",
    "assignee", "reporter_name", "phone", "channel", "description", "answer", "photos", "latitude", "longitude",
]  # fmt: skip


def add_commands(sub: Subcommands) -> None:
    p = sub.add_parser("complaints", help="list, answer, close and export citizens' complaints")
    csub = p.add_subparsers(dest="complaints_command", metavar="ACTION", required=True)
    ls = csub.add_parser("list", help="open complaints, overdue first (or filter)")
    ls.add_argument("--status", choices=STATUSES, help="only this status")
    ls.add_argument("--all", action="store_true", help="every status, not only open ones")
    ls.add_argument("--overdue", action="store_true", help="only overdue ones")
    ls.set_defaults(func=_list)
    show = csub.add_parser("show", help="one complaint with its history")
    show.add_argument("code")
    show.set_defaults(func=_show)
    reply = csub.add_parser("reply", help="answer a complaint (sent to the citizen)")
    reply.add_argument("code")
    reply.add_argument("text", help="the answer; use - to read it from standard input")
    reply.add_argument("--as", dest="actor", default=None, help="your name for the audit log")
    reply.set_defaults(func=_reply)
    close = csub.add_parser("close", help="close a complaint")
    close.add_argument("code")
    close.add_argument("--as", dest="actor", default=None, help="your name for the audit log")
    close.set_defaults(func=_close)
    export = csub.add_parser("export", help="export complaints")
    export.add_argument(
        "--csv", action="store_true", required=True, help="CSV (UTF-8 with BOM, opens in Excel)"
    )
    export.add_argument("--output", "-o", default="-", help="file to write (default: standard output)")
    export.set_defaults(func=_export)
    remind = csub.add_parser("remind", help="queue today's overdue reminder to staff now (once a day)")
    remind.set_defaults(func=_remind)


def _actor(args: argparse.Namespace) -> str:
    return f"cli:{args.actor or getpass.getuser()}"


def _code(raw: str) -> str:
    from bot.cli import CliError

    code = repo.parse_code(raw)
    if code is None:
        raise CliError(f"{raw!r} is not a complaint code; codes look like PA-2026-000123")
    return code


async def _list(args: argparse.Namespace) -> int:
    async with open_app() as app:
        now = app.services.clock()
        statuses = (args.status,) if args.status else (STATUSES if args.all else OPEN_STATUSES)
        async with app.db.session() as db:
            rows = await repo.inbox(db, now, statuses=statuses, limit=10_000)
            await audit(db, _actor(argparse.Namespace(actor=None)), "complaint.list", None, shown=len(rows))
            await db.commit()
        if args.overdue:
            rows = [c for c in rows if c.is_open and c.due_at < now]
        if not rows:
            print("no complaints")
        for c in rows:
            late = "OVERDUE " if c.is_open and c.due_at < now else ""
            print(
                f"{c.code}\t{late}{PA_STATUS.get(c.status, c.status)}\t{category_label(c.category)}\t"
                f"{c.created_at:%Y-%m-%d}\t{c.description[:60]!r}"
            )
    return 0


async def _show(args: argparse.Namespace) -> int:
    from bot.cli import CliError

    code = _code(args.code)
    async with open_app() as app:
        tz = app.settings.timezone
        async with app.db.session() as db:
            c = await repo.get_by_code(db, code)
            if c is None:
                raise CliError(f"no complaint {code}")
            events = await repo.events_of(db, c)
            await audit(db, _actor(argparse.Namespace(actor=None)), "complaint.open", code)
            await db.commit()
            print(complaint_card(c, tz, app.services.clock(), for_staff=True))
            for n, ref in enumerate(c.photos or [], 1):
                print(f"photo {n}: {ref}")
            print()
            print(history_text(events, tz, for_staff=True))
    return 0


async def _reply(args: argparse.Namespace) -> int:
    from bot.cli import CliError

    code = _code(args.code)
    text = sys.stdin.read() if args.text == "-" else args.text
    async with open_app() as app:
        office = make_office(app.services.staff, app.services.settings, app.knowledge.kb.locality)
        async with app.db.session() as db:
            try:
                c = await staff_reply(db, office, code, _actor(args), text, app.services.clock())
            except ActionError as exc:
                raise CliError(str(exc)) from None
            await db.commit()
    where = "queued for the citizen" if c.channel else "stored (the citizen erased their data: not sent)"
    print(f"{code}: answered, {where}")
    return 0


async def _close(args: argparse.Namespace) -> int:
    from bot.cli import CliError

    code = _code(args.code)
    async with open_app() as app:
        office = make_office(app.services.staff, app.services.settings, app.knowledge.kb.locality)
        async with app.db.session() as db:
            try:
                await set_status(db, office, code, _actor(args), "closed", app.services.clock())
            except ActionError as exc:
                raise CliError(str(exc)) from None
            await db.commit()
    print(f"{code}: closed")
    return 0


async def _export(args: argparse.Namespace) -> int:
    from bot.cli import CliError

    async with open_app() as app:
        async with app.db.session() as db:
            rows = await repo.all_complaints(db)
            await audit(db, _actor(argparse.Namespace(actor=None)), "complaint.export", None, rows=len(rows))
            await db.commit()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_FIELDS)
    for c in rows:
        values = []
        for name in CSV_FIELDS:
            value = getattr(c, name)
            if name == "photos":
                value = len(value or [])
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            values.append(_cell(value))
        writer.writerow(values)
    data = buffer.getvalue()
    if args.output == "-":
        sys.stdout.write(data)
    else:
        try:
            await asyncio.to_thread(Path(args.output).write_text, data, encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise CliError(f"cannot write {args.output}: {exc.strerror}") from None
        print(f"exported {len(rows)} complaints to {args.output}", file=sys.stderr)
    return 0


def _cell(value: object) -> object:
    """A CSV cell; citizen text that Excel would run as a formula is prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


async def _remind(args: argparse.Namespace) -> int:
    async with open_app() as app:
        office = make_office(app.services.staff, app.services.settings, app.knowledge.kb.locality)
        async with app.db.session() as db:
            count = await remind_overdue(db, office, app.services.clock())
            await db.commit()
    if count is None:
        print("today's reminder was already queued (or today is not a working day)")
    else:
        print(f"reminder queued: {count} overdue complaints")
    return 0
