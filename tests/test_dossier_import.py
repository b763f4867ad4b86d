"""`motcua dossiers import FILE`: CSV and XLSX, every row checked first, nothing half-imported."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.dossier_import import DossierFileError, import_file
from handlers.dossier_events import FIELDS
from storage.models_dossiers import Dossier, DossierEvent
from tests.conftest import make_settings
from tests.dossier_support import CODE, OTHER_CODE, event, later, xlsx_bytes
from tests.test_cli import motcua


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as handle:  # Excel's «CSV UTF-8»
        writer = csv.DictWriter(handle, fieldnames=list(FIELDS))
        writer.writeheader()
        writer.writerows(rows)
    return path


async def count(app: App, model: Any) -> int:
    async with app.db.session() as db:
        return int(await db.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
async def app(tmp_path: Path, db_url: str):
    application = await build_app(make_settings(tmp_path, database_url=db_url))
    yield application
    await application.close()


async def test_bad_rows_are_reported_and_nothing_is_imported(app: App, tmp_path: Path) -> None:
    rows = [
        event(event_id="r2"),
        event(event_id="r3", state="đang chờ"),
        event(event_id="r4", dossier_code=OTHER_CODE, time="05/01/2026"),
        event(event_id="r2", dossier_code=OTHER_CODE),  # the same event id twice in one file
        event(event_id="r6", dossier_code=OTHER_CODE, procedure_name=""),
    ]
    path = write_csv(tmp_path / "hoso.csv", rows)
    report = await import_file(app.db, app.services, path, app.services.clock())
    assert not report.ok
    assert [bad.number for bad in report.bad_rows] == [3, 4, 5, 6]
    reasons = {bad.number: (bad.field, bad.reason) for bad in report.bad_rows}
    assert reasons[3][0] == "state" and "received" in reasons[3][1]
    assert reasons[4][0] == "time"
    assert reasons[5] == ("event_id", "repeats row 2")
    assert reasons[6] == ("procedure_name", "missing")
    assert (await count(app, Dossier), await count(app, DossierEvent)) == (0, 0)


async def test_a_valid_csv_is_imported_and_importing_again_changes_nothing(app: App, tmp_path: Path) -> None:
    rows = [
        event(event_id="c2", state="Yêu cầu bổ sung", note="Bản sao sổ hộ khẩu", time=later(1)),
        event(event_id="c1", state="Đã tiếp nhận"),  # earlier event listed later: applied in time order
        event(event_id="c3", dossier_code=OTHER_CODE.lower(), citizen_phone=None),
    ]
    path = write_csv(tmp_path / "hoso.csv", rows)
    report = await import_file(app.db, app.services, path, app.services.clock())
    assert (report.ok, report.imported, report.duplicates) == (True, 3, 0)
    assert (report.created, report.changed) == (2, 1)  # c1 made CODE, c2 moved it; c3 made OTHER_CODE
    async with app.db.session() as db:
        states = dict((await db.execute(select(Dossier.code, Dossier.state))).all())
    assert states == {CODE: "supplement_requested", OTHER_CODE: "received"}
    again = await import_file(app.db, app.services, path, app.services.clock())
    assert (again.imported, again.duplicates) == (0, 3)
    assert await count(app, DossierEvent) == 3


async def test_xlsx_with_date_cells_and_a_phone_without_its_zero(app: App, tmp_path: Path) -> None:
    filed = dt.datetime.now() - dt.timedelta(days=1)  # a local date-time cell, as staff type it
    row = [
        "x1",
        CODE,
        "1.001193",
        "Đăng ký khai sinh",
        "received",
        filed,
        dt.date(2026, 12, 20),
        None,
        912345678,
    ]
    path = tmp_path / "hoso.xlsx"
    path.write_bytes(xlsx_bytes(row))
    report = await import_file(app.db, app.services, path, app.services.clock())
    assert report.ok and report.imported == 1
    async with app.db.session() as db:
        dossier = await db.scalar(select(Dossier))
    assert dossier is not None and dossier.phone_tail == "5678"


async def test_unreadable_files_are_one_clear_error(app: App, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "b.csv").write_text("event_id,state\n1,received\n")
    (tmp_path / "c.xlsx").write_bytes(b"not a zip")
    for name, words in (
        ("a.txt", ".csv"),
        ("b.csv", "lacks"),
        ("c.xlsx", "not a readable"),
        ("d.csv", "exist"),
    ):
        with pytest.raises(DossierFileError, match=words):
            await import_file(app.db, app.services, tmp_path / name, app.services.clock())


def test_the_command_prints_the_row_report(tmp_path: Path) -> None:
    env = {"MOTCUA_DATA_DIR": str(tmp_path / "data")}
    bad = write_csv(tmp_path / "bad.csv", [event(event_id="k1"), event(event_id="k2", state="???")])
    out = motcua("dossiers", "import", str(bad), env=env)
    assert out.returncode == 2
    assert "nothing imported: 1 bad row(s)" in out.stdout and "row 3: state: unknown state" in out.stdout
    good = write_csv(tmp_path / "good.csv", [event(event_id="k1")])
    out = motcua("dossiers", "import", str(good), env=env)
    assert out.returncode == 0 and "imported 1 event(s)" in out.stdout


async def test_a_big_import_leaves_the_event_loop_turns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite statements run on the loop's thread: storing must still let other tasks run."""
    import asyncio

    from bot import dossier_import

    application = await build_app(make_settings(tmp_path))  # SQLite: no await there yields by itself
    try:
        ticks = 0
        seen: list[int] = []
        real_ingest = dossier_import.ingest

        async def counting_ingest(*args: Any, **kwargs: Any) -> Any:
            seen.append(ticks)
            return await real_ingest(*args, **kwargs)

        monkeypatch.setattr(dossier_import, "ingest", counting_ingest)
        stop = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not stop.is_set():
                await asyncio.sleep(0)
                ticks += 1

        task = asyncio.create_task(ticker())
        rows = [event(event_id=f"t{i}", dossier_code=f"000.00.17.H31-260105-{i:04d}") for i in range(60)]
        data = write_csv(tmp_path / "big.csv", rows).read_bytes()
        report = await dossier_import.import_data(
            application.db, application.services, "big.csv", data, application.services.clock()
        )
        stop.set()
        await task
        assert report.imported == 60
        assert seen[-1] - seen[0] >= 60 // dossier_import.YIELD_EVERY - 1  # turns while storing
    finally:
        await application.close()
