"""/staff/dossiers: importing a CSV or XLSX file (all rows or none) and looking dossiers up.

The import is the CLI's (bot/dossier_import.py); these tests check what the
console adds: the upload's limits, the row report on the page, the summary, the
CSRF token and sign-in, the audit row with counts only, and the lookup pages.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
from typing import Any

import pytest
from aiohttp import ClientResponse, FormData
from sqlalchemy import func, select

from bot import dossier_import
from bot.app import App
from handlers import texts
from handlers.dossier_events import FIELDS
from storage.models import AuditLog
from storage.models_dossiers import Dossier, DossierEvent
from storage.outbox import KIND_DOSSIER_STATE, Outbox
from tests.conftest import Chat
from tests.dossier_support import CODE, OTHER_CODE, event, feed, later, xlsx_bytes
from tests.web.conftest import StaffClient


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(FIELDS))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # Excel's «CSV UTF-8»


async def upload(
    client: StaffClient,
    name: str,
    data: bytes,
    *,
    csrf: bool = True,
    follow: bool = False,
    content_type: str = "text/csv",
) -> ClientResponse:
    form = FormData()
    if csrf:
        form.add_field("_csrf", client.csrf_token)
    form.add_field("file", data, filename=name, content_type=content_type)
    return await client.post("/staff/dossiers/import", data=form, allow_redirects=follow)


async def count(app: App, model: Any) -> int:
    async with app.db.session() as db:
        return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def audits(app: App, action: str) -> list[AuditLog]:
    async with app.db.session() as db:
        return list((await db.scalars(select(AuditLog).where(AuditLog.action == action))).all())


async def follower(app: App) -> Chat:
    """A citizen following CODE (sent without a phone, so following needs no check)."""
    await feed(app, event_id="first", citizen_phone=None)
    chat = Chat(app, user="citizen-1")
    await chat.say(f"/hoso {CODE}")
    await chat.tap(texts.DS_BTN_FOLLOW)
    assert texts.DS_FOLLOWING.format(code=CODE) in chat.text
    return chat


async def test_a_good_csv_is_imported_with_a_summary_and_the_follower_is_told(
    web_bot: App, staff_client
) -> None:
    await follower(web_bot)
    client = await staff_client(role="staff")
    rows = [
        event(event_id="w1", state="Yêu cầu bổ sung", note="Bản sao giấy kết hôn", time=later(1)),
        event(event_id="w2", dossier_code=OTHER_CODE),
        event(event_id="first", citizen_phone=None),  # already known: a duplicate, not an error
    ]
    response = await upload(client, "hoso.csv", csv_bytes(rows))
    assert response.status == 303 and response.headers["Location"] == "/staff/dossiers"
    page = await client.get("/staff/dossiers")
    summary = texts.WEB_DS_IMPORTED.format(events=2, duplicates=1, created=1, changed=1, notified=1)
    assert html.escape(summary, quote=False) in await page.text()
    async with web_bot.db.session() as db:
        states = dict((await db.execute(select(Dossier.code, Dossier.state))).all())
        notices = list((await db.scalars(select(Outbox).where(Outbox.kind == KIND_DOSSIER_STATE))).all())
    assert states == {CODE: "supplement_requested", OTHER_CODE: "received"}
    assert await count(web_bot, DossierEvent) == 3
    assert [(n.platform_id, n.ref) for n in notices] == [("citizen-1", CODE)]
    (row,) = await audits(web_bot, "dossier.import")
    assert row.actor == f"web:staff#{client.staff_id}"
    assert row.detail == {"events": "2", "duplicates": "1", "created": "1", "changed": "1", "notified": "1"}


async def test_an_xlsx_file_is_imported(web_bot: App, staff_client) -> None:
    filed = dt.datetime.now() - dt.timedelta(hours=3)  # a local date-time cell, as staff type it
    data = xlsx_bytes(
        [
            "x1",
            CODE,
            "1.001193",
            "Đăng ký khai sinh",
            "Đã tiếp nhận",
            filed,
            dt.date(2026, 12, 20),
            None,
            912345678,
        ]
    )
    client = await staff_client(role="staff")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = await upload(client, "Hồ sơ tháng 12.xlsx", data, content_type=xlsx)
    assert response.status == 303
    async with web_bot.db.session() as db:
        dossier = await db.scalar(select(Dossier))
    assert dossier is not None and (dossier.code, dossier.state, dossier.phone_tail) == (
        CODE,
        "received",
        "5678",
    )


async def test_bad_rows_are_listed_by_row_field_and_reason_and_nothing_is_stored(
    web_bot: App, staff_client
) -> None:
    client = await staff_client(role="staff")
    rows = [
        event(event_id="b1"),
        event(event_id="b2", state="đang chờ", dossier_code=OTHER_CODE),
        event(event_id="b1", dossier_code=OTHER_CODE),  # the same event id twice in one file
        event(event_id="b4", procedure_name="", citizen_phone="12"),
    ]
    response = await upload(client, "hoso.csv", csv_bytes(rows))
    page = await response.text()
    assert response.status == 400
    assert texts.WEB_DS_BAD_ROWS.format(n=3) in page
    for number, name, reason in (
        (3, "state", "unknown state"),
        (4, "event_id", "repeats row 2"),
        (5, "procedure_name", "missing"),
        (5, "citizen_phone", "not a Vietnamese phone number"),
    ):
        assert f"<tr><td>{number}</td><td>{name}</td><td>{reason}" in page
    assert (await count(web_bot, Dossier), await count(web_bot, DossierEvent)) == (0, 0)
    assert await count(web_bot, Outbox) == 0
    (row,) = await audits(web_bot, "dossier.import_refused")
    assert row.detail == {"bad_rows": "3"}  # counts only: the rows hold phone numbers


async def test_oversize_wrong_type_unreadable_and_missing_files_are_refused(
    web_bot: App, staff_client, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = await staff_client(role="staff")
    monkeypatch.setattr(dossier_import, "MAX_FILE_BYTES", 1024 * 1024)
    good = csv_bytes([event(event_id="o1")])
    big = await upload(client, "hoso.csv", good + b"\n" * (1024 * 1024))
    assert big.status == 413 and texts.WEB_DS_TOO_LARGE.format(mb=1) in await big.text()
    wrong = await upload(client, "hoso.pdf", b"%PDF-1.7", content_type="application/pdf")
    assert wrong.status == 415 and texts.WEB_DS_WRONG_TYPE in await wrong.text()
    broken = await upload(client, "hoso.xlsx", b"not a zip", content_type="application/octet-stream")
    assert broken.status == 400 and texts.WEB_DS_UNREADABLE.split("{")[0] in await broken.text()
    form = FormData()
    form.add_field("_csrf", client.csrf_token)
    none = await client.post("/staff/dossiers/import", data=form, allow_redirects=False)
    assert none.status == 400 and texts.WEB_DS_NO_FILE in await none.text()
    assert (await count(web_bot, Dossier), await count(web_bot, DossierEvent)) == (0, 0)
    fine = await upload(client, "hoso.csv", good)  # the same rows within the limit are imported
    assert fine.status == 303 and await count(web_bot, DossierEvent) == 1


async def test_without_the_csrf_token_or_sign_in_nothing_is_imported(web_bot: App, staff_client) -> None:
    client = await staff_client(role="staff")
    data = csv_bytes([event(event_id="c1")])
    refused = await upload(client, "hoso.csv", data, csrf=False)
    assert refused.status == 403
    stranger = await staff_client(signed_in=False)
    assert (await stranger.get("/staff/dossiers", allow_redirects=False)).status == 303
    assert (await stranger.get(f"/staff/dossiers/{CODE}", allow_redirects=False)).status == 303
    form = FormData()
    form.add_field("file", data, filename="hoso.csv", content_type="text/csv")
    assert (await stranger.post("/staff/dossiers/import", data=form, allow_redirects=False)).status == 403
    assert await count(web_bot, DossierEvent) == 0


async def test_staff_find_a_dossier_by_code_and_see_its_recent_events(web_bot: App, staff_client) -> None:
    await feed(web_bot, event_id="l1")
    await feed(web_bot, event_id="l2", state="supplement_requested", note="Bản sao sổ hộ khẩu", time=later(1))
    await feed(web_bot, event_id="l3", dossier_code=OTHER_CODE)
    client = await staff_client(role="staff")
    listing = await (await client.get("/staff/dossiers")).text()
    assert CODE in listing and OTHER_CODE in listing and texts.WEB_NAV_DOSSIERS in listing
    found = await (await client.get("/staff/dossiers", params={"q": "260105-0001"})).text()
    assert f">{CODE}</a>" in found and f">{OTHER_CODE}</a>" not in found
    none = await (await client.get("/staff/dossiers", params={"q": "999"})).text()
    assert html.escape(texts.WEB_DS_NONE_FOUND.format(q="999"), quote=False) in none
    page = await client.get(f"/staff/dossiers/{CODE}")
    text = await page.text()
    assert page.status == 200
    assert text.index(">l2</td>") < text.index(">l1</td>")  # latest first
    assert texts.DS_STATE["supplement_requested"] in text and "Bản sao sổ hộ khẩu" in text
    assert "5678" not in text  # the phone digits are the owner's check, not shown
    assert (await client.get("/staff/dossiers/000.00.17.H31-260105-9999")).status == 404
    assert (await client.get("/staff/dossiers/not-a-code")).status == 404
    (row,) = await audits(web_bot, "dossier.view")
    assert (row.actor, row.target) == (f"web:staff#{client.staff_id}", CODE)
    assert texts.WEB_DS_CHECK_LOCKED.split("{")[0] not in text


async def test_the_dossier_page_shows_a_lock_of_the_ownership_check(web_bot: App, staff_client) -> None:
    from handlers.dossier_view import local_time
    from handlers.dossiers import DOSSIER_LOCK, DOSSIER_MAX_FAILS, DOSSIER_WINDOW
    from storage import dossiers as repo

    await feed(web_bot, event_id="k1")
    now = web_bot.services.clock()
    async with web_bot.db.session() as db:
        dossier = await repo.by_code(db, CODE)
        assert dossier is not None
        for _ in range(DOSSIER_MAX_FAILS):
            until = await repo.count_failed_check(
                db, dossier.id, now, window=DOSSIER_WINDOW, max_fails=DOSSIER_MAX_FAILS, lock=DOSSIER_LOCK
            )
        await db.commit()
    assert until == now + DOSSIER_LOCK
    client = await staff_client(role="staff")
    text = await (await client.get(f"/staff/dossiers/{CODE}")).text()
    shown = texts.WEB_DS_CHECK_LOCKED.format(until=local_time(until, web_bot.settings.timezone))
    assert shown in text
