"""`motcua report monthly --month YYYY-MM --output FILE.xlsx`: the workbook a commune sends upward."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from bot.commands.common import Subcommands, load_settings, open_app


def add_commands(sub: Subcommands) -> None:
    p = sub.add_parser("report", help="reports for the province (Excel workbooks)")
    rsub = p.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    monthly = rsub.add_parser(
        "monthly",
        help="one month's figures: a summary sheet and one sheet per area",
        description="Write the month's report workbook; its figures equal the /staff/stats dashboard's "
        "for the same month.",
    )
    monthly.add_argument("--month", required=True, help="YYYY-MM, e.g. 2026-11")
    monthly.add_argument("--output", required=True, type=Path, help="the .xlsx file to write")
    monthly.set_defaults(func=_monthly)


async def _monthly(args: argparse.Namespace) -> int:
    from bot.cli import CliError
    from bot.report_xlsx import write_monthly
    from storage.stats_period import PeriodError, parse_month
    from storage.stats_rollup import roll_up

    settings = load_settings()
    try:
        period = parse_month(args.month, settings.timezone)
    except PeriodError as exc:
        raise CliError(str(exc)) from None
    output: Path = args.output
    if output.suffix.lower() != ".xlsx":
        raise CliError(f"{output}: the report is an Excel workbook; name the file …/something.xlsx")
    if not output.parent.is_dir():
        raise CliError(f"{output.parent}: no such directory")
    async with open_app(settings) as app:
        now = app.services.clock()
        today = now.astimezone(period.zone).date()
        async with app.db.session() as db:
            await roll_up(db, settings.timezone, today)  # finished days counted once: later runs are quick
        await write_monthly(app.db, period, app.knowledge.kb, output, now=now)
    last = period.end - dt.timedelta(days=1)
    print(f"wrote {output}: {period.start:%d/%m/%Y} – {last:%d/%m/%Y}")
    return 0
