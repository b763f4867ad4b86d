"""`motcua dossiers …`: feed dossier states from a file (the API's fields, CSV or XLSX)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.commands.common import Subcommands, open_app


def add_commands(sub: Subcommands) -> None:
    p = sub.add_parser("dossiers", help="dossier states from the one-stop system (docs/dossiers.md)")
    psub = p.add_subparsers(dest="dossiers_command", metavar="ACTION", required=True)
    imp = psub.add_parser(
        "import",
        help="import dossier events from a CSV or XLSX file: all rows or none",
        description="Import dossier events (columns as the API's fields, see docs/dossiers.md). "
        "Every row is checked first; one bad row and nothing is imported.",
    )
    imp.add_argument("file", type=Path)
    imp.set_defaults(func=_import)


async def _import(args: argparse.Namespace) -> int:
    from bot.cli import CliError
    from bot.dossier_import import DossierFileError, import_file

    async with open_app() as app:
        try:
            report = await import_file(app.db, app.services, args.file, app.services.clock())
        except DossierFileError as exc:
            raise CliError(str(exc)) from None
    if not report.ok:
        print(f"nothing imported: {report.bad_row_count} bad row(s)")
        for bad in report.bad_rows:
            print(bad)
        return 2
    print(
        f"imported {report.imported} event(s), {report.duplicates} already known, "
        f"{report.created} new dossier(s), {report.changed} state change(s), "
        f"{report.notified} follower notice(s) queued"
    )
    return 0
