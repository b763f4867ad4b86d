"""`motcua complaints list|show|reply|assign|close|reopen|export|remind`: complaints from a terminal.

The same functions as the staff chat and the web console
(handlers.complaint_service) do the work, so a reply typed here reaches the
citizen through the outbox, is written into the complaint's history and is
audit-logged with the operator's name.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import dataclasses
import getpass
import io
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.commands.common import Subcommands, open_app
from handlers import complaint_service as service
from handlers.feedback_core import (
    ActionError,
    Office,
    category_label,
    complaint_card,
    history_text,
    make_office,
    remind_overdue,
)
from handlers.texts import PA_STATUS
from storage import complaints as repo
from storage.models_feedback import STATUSES, Complaint
from storage.repos import audit

if TYPE_CHECKING:
    from bot.app import App

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
    ls.add_argument("--category", help="only this category key (thai-do, ho-so, ha-tang, an-ninh, khac)")
    ls.add_argument("--area", help="only this area (as in the locality file)")
    ls.add_argument("--assignee", help=f"only this staff identity (channel:id), or {service.UNASSIGNED!r}")
    ls.add_argument("--search", default="", help="a complaint code, or words of its text")
    ls.set_defaults(func=_list)
    show = csub.add_parser("show", help="one complaint with its history")
    show.add_argument("code")
    show.set_defaults(func=_show)
    reply = csub.add_parser("reply", help="answer a complaint (sent to the citizen)")
    reply.add_argument("code")
    reply.add_argument("text", help="the answer; use - to read it from standard input")
    reply.add_argument("--as", dest="actor", default=None, help="your name for the audit log")
    reply.set_defaults(func=_reply)
    assign = csub.add_parser("assign", help="give a complaint to a staff member (who is told)")
    assign.add_argument("code")
    assign.add_argument("staff", help="the staff identity, channel:id")
    assign.add_argument("--as", dest="actor", default=None, help="your name for the audit log")
    assign.set_defaults(func=_assign)
    reopen = csub.add_parser("reopen", help="open an answered or closed complaint again")
    reopen.add_argument("code")
    reopen.add_argument("reason", help="why (kept in the history, not sent to the citizen)")
    reopen.add_argument("--as", dest="actor", default=None, help="your name for the audit log")
    reopen.set_defaults(func=_reopen)
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
    from bot.cli import CliError

    status = args.status or (service.ALL if args.all else None)
    query = service.InboxQuery(
        status=status,
        category=args.category,
        area=args.area,
        assignee=args.assignee,
        overdue=args.overdue,
        text=args.search,
        per_page=service.MAX_PER_PAGE,
    )
    async with open_app() as app:
        now = app.services.clock()
        office = _office(app)
        shown = 0
        async with app.db.session() as db:
            while True:
                try:
                    page = await service.find(db, office, now, query)
                except ActionError as exc:
                    raise CliError(str(exc)) from None
                for item in page.items:
                    c = item.complaint
                    mark = {"overdue": "OVERDUE ", "due_soon": "DUE-SOON "}.get(item.deadline, "")
                    print(
                        f"{c.code}\t{mark}{PA_STATUS.get(c.status, c.status)}\t{category_label(c.category)}\t"
                        f"{c.created_at:%Y-%m-%d}\t{c.description[:60]!r}"
                    )
                shown += len(page.items)
                if page.page >= page.pages:
                    break
                query = dataclasses.replace(query, page=page.page + 1)
            await audit(db, _actor(argparse.Namespace(actor=None)), "complaint.list", None, shown=shown)
            await db.commit()
        if not shown:
            print("no complaints")
    return 0


def _office(app: App) -> Office:
    return make_office(app.services.staff, app.services.settings, app.knowledge.kb.locality)


async def _show(args: argparse.Namespace) -> int:
    from bot.cli import CliError

    code = _code(args.code)
    async with open_app() as app:
        tz = app.settings.timezone
        now = app.services.clock()
        async with app.db.session() as db:
            try:
                view = await service.get(
                    db, _office(app), code, now, actor=_actor(argparse.Namespace(actor=None))
                )
            except ActionError as exc:
                raise CliError(str(exc)) from None
            await db.commit()
            c = view.complaint
            print(complaint_card(c, tz, now, for_staff=True))
            for n, ref in enumerate(c.photos or [], 1):
                print(f"photo {n}: {ref}")
            print()
            print(history_text(view.events, tz, for_staff=True))
    return 0


async def _act(
    args: argparse.Namespace, action: Callable[..., Awaitable[Complaint]], *extra: str
) -> Complaint:
    """Run one staff action of the service on `args.code` and commit it; refusals become CLI errors."""
    from bot.cli import CliError

    code = _code(args.code)
    async with open_app() as app:
        async with app.db.session() as db:
            try:
                c = await action(db, _office(app), code, _actor(args), *extra, app.services.clock())
            except ActionError as exc:
                raise CliError(str(exc)) from None
            await db.commit()
    return c


async def _reply(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.text == "-" else args.text
    c = await _act(args, service.reply, text)
    where = "queued for the citizen" if c.channel else "stored (the citizen erased their data: not sent)"
    print(f"{c.code}: answered, {where}")
    return 0


async def _assign(args: argparse.Namespace) -> int:
    await _act(args, service.assign, args.staff)
    print(f"{_code(args.code)}: assigned to {args.staff}")
    return 0


async def _reopen(args: argparse.Namespace) -> int:
    await _act(args, service.reopen, args.reason)
    print(f"{_code(args.code)}: reopened")
    return 0


async def _close(args: argparse.Namespace) -> int:
    await _act(args, service.close)
    print(f"{_code(args.code)}: closed")
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
        async with app.db.session() as db:
            count = await remind_overdue(db, _office(app), app.services.clock())
            await db.commit()
    if count is None:
        print("today's reminder was already queued (or today is not a working day)")
    else:
        print(f"reminder queued: {count} overdue complaints")
    return 0
