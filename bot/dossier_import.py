"""Reading a CSV or XLSX file of dossier events, all or nothing.

Staff (or a one-stop system without the API) export the same fields as the API
(handlers/dossier_events.FIELDS), one event per row under a header row. Every row
is validated before anything is stored; one bad row means nothing is imported and
the report names each bad row by its number in the file (the header is row 1) and
says why. A valid file is stored in one transaction, so an interruption leaves
nothing half-imported; importing the same file again only reports duplicates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handlers.context import Services
from handlers.dossier_events import FIELDS, EventError, ingest, validate
from storage import dossiers as repo
from storage.db import Database

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20000


class DossierFileError(ValueError):
    """The file cannot be read at all (format, header, size)."""


@dataclass
class Report:
    imported: int = 0
    duplicates: int = 0
    notified: int = 0
    bad_rows: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.bad_rows


def read_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(row number, fields) of every non-empty row; DossierFileError for an unreadable file."""
    if not path.is_file():
        raise DossierFileError(f"{path} does not exist")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise DossierFileError(f"{path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = _csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        table = _xlsx(path)
    else:
        raise DossierFileError(f"{path.name}: use a .csv (UTF-8) or .xlsx file")
    if not table:
        raise DossierFileError(f"{path.name} is empty")
    header = [str(h or "").strip().lower() for h in table[0]]
    missing = [name for name in FIELDS[:7] if name not in header]
    if missing:
        raise DossierFileError(
            f"{path.name}: the header row lacks {', '.join(missing)} (expected columns: {', '.join(FIELDS)})"
        )
    unknown = [h for h in header if h and h not in FIELDS]
    if unknown:
        raise DossierFileError(
            f"{path.name}: unknown columns {', '.join(unknown)} (expected: {', '.join(FIELDS)})"
        )
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {h: _cell(h, c) for h, c in zip(header, cells, strict=False) if h}
        if any(v not in (None, "") for v in values.values()):
            rows.append((number, values))
    if len(rows) > MAX_ROWS:
        raise DossierFileError(f"{path.name} has {len(rows)} rows; at most {MAX_ROWS} per file")
    return rows


def _csv(path: Path) -> list[list[Any]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DossierFileError(f"{path.name} is not UTF-8; save it as «CSV UTF-8»") from None
    return [row for row in csv.reader(io.StringIO(text))]


def _xlsx(path: Path) -> list[list[Any]]:
    from zipfile import BadZipFile

    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise DossierFileError(f"{path.name} is not a readable XLSX file ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _cell(name: str, value: Any) -> Any:
    """A spreadsheet cell as the text the API would have received."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        number = int(value) if float(value).is_integer() else value
        text = str(number)
        if name == "citizen_phone" and len(text) == 9:
            text = "0" + text  # a spreadsheet drops the leading zero of 09…, 03…
        return text
    return str(value)


async def import_file(db: Database, services: Services, path: Path, now: dt.datetime) -> Report:
    """Validate every row, then store them all in one transaction (or none)."""
    report = Report()
    facts: list[repo.EventFacts] = []
    seen: dict[str, int] = {}
    settings = services.settings
    for number, values in read_rows(path):
        try:
            event = validate(
                values,
                source="import",
                code_pattern=settings.dossier_code_pattern,
                timezone=settings.timezone,
                now=now,
            )
        except EventError as exc:
            report.bad_rows.append((number, "; ".join(f"{f}: {r}" for f, r in exc.problems)))
            continue
        if event.event_id in seen:
            report.bad_rows.append((number, f"event_id: repeats row {seen[event.event_id]}"))
            continue
        seen[event.event_id] = number
        facts.append(event)
    if report.bad_rows:
        return report
    facts.sort(key=lambda f: f.at)  # a dossier's events in the order they happened
    async with db.session() as session:
        for event in facts:
            outcome = await ingest(session, services, event, now)
            if outcome.duplicate:
                report.duplicates += 1
            else:
                report.imported += 1
                report.notified += outcome.notified
        await session.commit()
    return report
