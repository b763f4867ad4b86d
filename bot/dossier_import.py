"""Reading a CSV or XLSX file of dossier events, all or nothing: one import for the CLI and the console.

Staff (or a one-stop system without the API) export the same fields as the API
(handlers/dossier_events.FIELDS), one event per row under a header row. Every row
is validated before anything is stored; one bad row means nothing is imported and
the report names each problem by its row number in the file (the header is row 1),
its field and the reason. A valid file is stored in one transaction, so an
interruption leaves nothing half-imported; importing the same file again only
reports duplicates.

`motcua dossiers import FILE` reads the file from disk (`import_file`), the staff
console (bot/web/dossiers.py) from an upload (`import_data`); both end in
`import_data`, so a file means the same whichever way it came in. Reasons are
English, as the API's are: they name fields of docs/dossiers.md.
"""

from __future__ import annotations

import asyncio
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
YIELD_EVERY = 10  # rows stored between turns given back to the event loop
SUFFIXES = (".csv", ".xlsx", ".xlsm")


class DossierFileError(ValueError):
    """The file cannot be read at all (format, header, size)."""


@dataclass(frozen=True)
class BadRow:
    """One problem of one row: its number in the file (header = 1), the field, why."""

    number: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.number}: {self.field}: {self.reason}"


@dataclass
class Report:
    imported: int = 0  # new events stored
    duplicates: int = 0  # events already known (the same event id)
    created: int = 0  # dossiers seen for the first time
    changed: int = 0  # known dossiers whose state citizens see moved
    notified: int = 0  # followers' notices queued in the outbox
    bad_rows: list[BadRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.bad_rows

    @property
    def bad_row_count(self) -> int:
        return len({bad.number for bad in self.bad_rows})


def parse_table(name: str, data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(row number, fields) of every non-empty row; DossierFileError for an unreadable file."""
    if len(data) > MAX_FILE_BYTES:
        raise DossierFileError(f"{name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it")
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        table = _csv(name, data)
    elif suffix in (".xlsx", ".xlsm"):
        table = _xlsx(name, data)
    else:
        raise DossierFileError(f"{name}: use a .csv (UTF-8) or .xlsx file")
    if not table:
        raise DossierFileError(f"{name} is empty")
    header = [str(h or "").strip().lower() for h in table[0]]
    missing = [column for column in FIELDS[:7] if column not in header]
    if missing:
        raise DossierFileError(
            f"{name}: the header row lacks {', '.join(missing)} (expected columns: {', '.join(FIELDS)})"
        )
    unknown = [h for h in header if h and h not in FIELDS]
    if unknown:
        raise DossierFileError(
            f"{name}: unknown columns {', '.join(unknown)} (expected: {', '.join(FIELDS)})"
        )
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {h: _cell(h, c) for h, c in zip(header, cells, strict=False) if h}
        if any(v not in (None, "") for v in values.values()):
            rows.append((number, values))
    if len(rows) > MAX_ROWS:
        raise DossierFileError(f"{name} has {len(rows)} rows; at most {MAX_ROWS} per file")
    return rows


def _csv(name: str, data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DossierFileError(f"{name} is not UTF-8; save it as «CSV UTF-8»") from None
    try:
        return [row for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:  # e.g. a NUL byte: not a text file at all
        raise DossierFileError(f"{name} is not a readable CSV file ({exc})") from None


def _xlsx(name: str, data: bytes) -> list[list[Any]]:
    from zipfile import BadZipFile

    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise DossierFileError(f"{name} is not a readable XLSX file ({type(exc).__name__})") from None
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


def check_rows(
    services: Services, rows: list[tuple[int, dict[str, Any]]], now: dt.datetime
) -> tuple[list[repo.EventFacts], list[BadRow]]:
    """Every row validated as the API validates a body; the events, or every problem found."""
    facts: list[repo.EventFacts] = []
    bad: list[BadRow] = []
    seen: dict[str, int] = {}
    settings = services.settings
    for number, values in rows:
        try:
            event = validate(
                values,
                source="import",
                code_pattern=settings.dossier_code_pattern,
                timezone=settings.timezone,
                now=now,
            )
        except EventError as exc:
            bad += [BadRow(number, name, reason) for name, reason in exc.problems]
            continue
        if event.event_id in seen:
            bad.append(BadRow(number, "event_id", f"repeats row {seen[event.event_id]}"))
            continue
        seen[event.event_id] = number
        facts.append(event)
    return facts, bad


def _read_and_check(
    services: Services, name: str, data: bytes, now: dt.datetime
) -> tuple[list[repo.EventFacts], list[BadRow]]:
    return check_rows(services, parse_table(name, data), now)


async def import_data(db: Database, services: Services, name: str, data: bytes, now: dt.datetime) -> Report:
    """Validate every row of the file `name` (its bytes), then store them all in one transaction, or none.

    Reading and checking run in a thread: a 20,000-row workbook takes seconds of CPU in
    openpyxl, which on the event loop would hold up every webhook of the same process.
    """
    facts, bad = await asyncio.to_thread(_read_and_check, services, name, data, now)
    report = Report(bad_rows=bad)
    if bad:
        return report
    facts.sort(key=lambda f: f.at)  # a dossier's events in the order they happened
    async with db.session() as session:
        for number, event in enumerate(facts, start=1):
            if number % YIELD_EVERY == 0:
                # On SQLite statements run on the loop's thread (storage/sqlite_driver.py): let
                # the server answer meanwhile (health checks, webhooks' quick 200s, reads).
                await asyncio.sleep(0)
            outcome = await ingest(session, services, event, now)
            if outcome.duplicate:
                report.duplicates += 1
                continue
            report.imported += 1
            report.created += outcome.created
            report.changed += outcome.changed and not outcome.created
            report.notified += outcome.notified
        await session.commit()
    return report


def read_file(path: Path) -> bytes:
    """The CLI's file, checked for size before it is read (a CLI run may block: nothing else waits)."""
    if not path.is_file():
        raise DossierFileError(f"{path} does not exist")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise DossierFileError(f"{path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it")
    return path.read_bytes()


async def import_file(db: Database, services: Services, path: Path, now: dt.datetime) -> Report:
    """The CLI's way in: the file at `path`."""
    return await import_data(db, services, path.name, read_file(path), now)
