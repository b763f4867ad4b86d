"""`motcua privacy …`: the retention purge, data-subject requests and the processing register.

The commune's data-protection officer exports the register (what is processed,
why, on what basis, for how long, who receives it) from the registrations the
features make on the router, so it cannot drift from what the code stores.
Staff see open requests with their deadlines and record what was done here or in the
staff console (/staff/privacy): both call handlers/privacy_staff.py, which also tells
the citizen the outcome.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import fields
from typing import Any

from bot.commands.common import Subcommands, open_app
from handlers.router import Router
from handlers.settings import RetentionSettings


def add_commands(sub: Subcommands) -> None:
    p = sub.add_parser("privacy", help="personal data: retention purge, requests, processing register")
    psub = p.add_subparsers(dest="privacy_command", metavar="ACTION", required=True)
    pu = psub.add_parser("purge", help="erase or anonymise what is past its retention period, now")
    pu.set_defaults(func=_purge)
    rq = psub.add_parser("requests", help="open data-subject requests with their deadlines")
    rq.set_defaults(func=_requests)
    ack = psub.add_parser("ack", help="tell the citizen their request was received and by when")
    ack.add_argument("id", type=int)
    ack.set_defaults(func=_ack)
    done = psub.add_parser("done", help="mark a data-subject request as carried out")
    done.add_argument("id", type=int)
    done.add_argument("--outcome", required=True, help="what was done (no personal data)")
    done.set_defaults(func=_done)
    refuse = psub.add_parser("refuse", help="record that a request cannot be carried out, and why")
    refuse.add_argument("id", type=int)
    refuse.add_argument("--reason", required=True, help="why (sent to the citizen; no personal data)")
    refuse.set_defaults(func=_refuse)
    rg = psub.add_parser("register", help="the processing register for the data-protection officer")
    fmt = rg.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")
    rg.set_defaults(func=_register)


def register_rows(router: Router, retention: RetentionSettings) -> list[dict[str, Any]]:
    """One row per registration: what, why, basis, how long (days), who receives it."""
    days = {f.name.removesuffix("_days"): getattr(retention, f.name) for f in fields(retention)}
    return [
        {
            "name": r.name,
            "data": ", ".join(r.columns),
            "purpose": r.purpose,
            "legal_basis": r.basis,
            "retention_days": days.get(r.retention, ""),
            "recipients": r.recipients,
        }
        for r in router.personal.values()
    ]


async def _purge(args: argparse.Namespace) -> int:
    from handlers.privacy_purge import purge

    async with open_app() as app:
        services = app.services
        async with app.db.session() as db:
            done = await purge(db, services.router, services.clock(), services.settings.retention)
            await db.commit()
    for name, n in done.items():
        print(f"{name}\t{n}")
    return 0


async def _requests(args: argparse.Namespace) -> int:
    from handlers.feedback_core import local_text
    from handlers.privacy_staff import open_list

    async with open_app() as app:
        tz = app.settings.timezone
        async with app.db.session() as db:
            items = await open_list(db, app.services.clock())
        for i in items:
            r = i.row
            ack = f"đã phản hồi {local_text(r.acknowledged_at, tz)}" if r.acknowledged_at else ""
            late = " QUÁ HẠN" if i.overdue else (" QUÁ HẠN PHẢN HỒI" if i.ack_overdue else "")
            print(
                f"YC-{r.id}\t{r.kind}\tnhận {local_text(r.received_at, tz)}\t"
                f"phản hồi trước {local_text(r.ack_due_at, tz)}\thạn {local_text(r.due_at, tz)}"
                f"{chr(9) + ack if ack else ''}{late}"
            )
        print(f"{len(items)} open requests")
    return 0


async def _handle(request_id: int, act: Any, said: str) -> int:
    """Run one handlers.privacy_staff action as "cli", commit, say what happened."""
    from bot.cli import CliError
    from handlers.privacy_staff import RequestError

    async with open_app() as app:
        async with app.db.session() as db:
            try:
                _, told = await act(db, app.settings.timezone, app.services.clock())
            except RequestError as exc:
                raise CliError(str(exc)) from None
            await db.commit()
    print(f"YC-{request_id} {said}" + ("" if told else " (the citizen erased their data: not told)"))
    return 0


async def _ack(args: argparse.Namespace) -> int:
    from handlers.privacy_staff import acknowledge

    return await _handle(
        args.id, lambda db, tz, now: acknowledge(db, args.id, actor="cli", now=now, tz=tz), "acknowledged"
    )


async def _done(args: argparse.Namespace) -> int:
    from handlers.privacy_staff import finish

    return await _handle(
        args.id, lambda db, tz, now: finish(db, args.id, args.outcome, actor="cli", now=now), "done"
    )


async def _refuse(args: argparse.Namespace) -> int:
    from handlers.privacy_staff import refuse

    return await _handle(
        args.id, lambda db, tz, now: refuse(db, args.id, args.reason, actor="cli", now=now), "refused"
    )


async def _register(args: argparse.Namespace) -> int:
    async with open_app(migrate=False) as app:
        rows = register_rows(app.services.router, app.services.settings.retention)
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return 0
