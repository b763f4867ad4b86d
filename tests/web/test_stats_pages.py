"""/staff/stats, its workbook download and /staff/api/stats, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from bot.app import App, build_app
from bot.report_xlsx import FIRST_ROW
from handlers import texts
from handlers.feedback_core import working_days_between
from storage.models_broadcast import Broadcast
from storage.stats import dashboard
from tests import stats_seed as seed
from tests.conftest import FIXTURE_KB, make_settings
from tests.web.conftest import STAFF_FILE

API_KEY = "test-stats-api-key-0123456789abcdef"
PANELS = ("questions", "topics", "aspects", "satisfaction", "trend", "sat-topics", "sat-guides",
          "sat-complaints", "complaints", "funnel-vneid", "announcements", "sub-topics", "sub-areas")  # fmt: skip


@pytest.fixture
async def web_bot(tmp_path: Path, db_url: str) -> AsyncIterator[App]:
    """The console's bot (tests/web/conftest.py) with an API key and a seeded November."""
    staff_file = tmp_path / "staff.txt"
    staff_file.write_text(STAFF_FILE, encoding="utf-8")
    settings = make_settings(
        tmp_path,
        database_url=db_url,
        knowledge_dir=FIXTURE_KB,
        staff_file=staff_file,
        stats_api_token=API_KEY,
    )
    app = await build_app(settings)
    app.services.clock = lambda: seed.NOW
    async with app.db.session() as db:
        await seed.seed(db, app.knowledge.kb.locality)
        # an announcement text is staff's free text: it must come out escaped in the SVG and the table
        await db.execute(
            update(Broadcast).where(Broadcast.total == 4).values(text="<script>alert(1)</script> họp")
        )
        await db.commit()
    yield app
    await app.close()


async def _expected(bot: App):  # type: ignore[no-untyped-def]
    loc = bot.knowledge.kb.locality

    def days(a: dt.date, b: dt.date) -> int:
        return working_days_between(a, b, loc)

    async with bot.db.session() as db:
        return await dashboard(db, seed.NOVEMBER, working_days=days, now=seed.NOW)


NOVEMBER = "/staff/stats?period=custom&from=2026-11-01&to=2026-11-30"


async def test_the_dashboard_shows_every_chart_with_its_table(staff_client, web_bot) -> None:
    client = await staff_client(role="staff")
    page = await client.get(NOVEMBER)
    assert page.status == 200
    html = await page.text()
    for panel in PANELS:
        section = re.search(rf'<section class="stats-panel" id="{panel}">(.*?)</section>', html, re.S)
        assert section, panel
        assert "<svg" in section.group(1) and "<table" in section.group(1), panel
    assert texts.ST_PERIOD_LINE.format(start="01/11/2026", last="30/11/2026") in html
    d = await _expected(web_bot)
    assert d.questions.total == 8
    # the questions table ends with the totals; the topic table names topics
    assert re.search(r"<td[^>]*>Tổng</td><td[^>]*>5</td><td[^>]*>1</td><td[^>]*>2</td><td[^>]*>8</td>", html)
    assert web_bot.knowledge.kb.topics["khai-sinh"].name in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; họp" in html
    assert 'href="/staff/stats/report.xlsx?month=2026-11"' in html


async def test_the_dashboard_refuses_a_bad_period_and_redirects_strangers(staff_client) -> None:
    client = await staff_client(role="staff")
    bad = await client.get("/staff/stats?period=custom&from=2026-11-30&to=2026-11-01")
    assert bad.status == 400 and texts.ST_BAD_PERIOD.split(":")[0] in await bad.text()
    unknown = await client.get("/staff/stats?area=Nowhere")
    assert unknown.status == 400
    stranger = await staff_client(signed_in=False)
    away = await stranger.get("/staff/stats", allow_redirects=False)
    assert away.status == 303 and away.headers["Location"] == "/staff/signin"


async def test_one_area_of_the_dashboard(staff_client, web_bot) -> None:
    client = await staff_client(role="staff")
    area = web_bot.knowledge.kb.locality.areas[0]
    async with web_bot.db.session() as db:
        from storage.models import User

        await db.execute(update(User).where(User.platform_id == "1").values(area=area))
        await db.commit()
    html = await (await client.get(NOVEMBER + f"&area={area}")).text()
    assert re.search(r"<td[^>]*>Tổng</td><td[^>]*>2</td><td[^>]*>0</td><td[^>]*>1</td><td[^>]*>3</td>", html)


async def test_the_workbook_download_equals_the_dashboard(staff_client, web_bot) -> None:
    client = await staff_client(role="staff")
    response = await client.get("/staff/stats/report.xlsx?month=2026-11")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="bao-cao-2026-11.xlsx"' in response.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(await response.read()))
    ws = wb[texts.RP_SUMMARY_SHEET]
    d = await _expected(web_bot)
    assert ws.cell(row=FIRST_ROW, column=4).value == d.questions.total == 8
    assert ws.cell(row=FIRST_ROW + 2, column=4).value == d.questions.answered_share
    assert ws.cell(row=FIRST_ROW + 12, column=4).value == d.satisfaction.overall.rate
    assert wb.sheetnames[1:] == [*web_bot.knowledge.kb.locality.areas, texts.ST_AREA_NONE]
    bad = await client.get("/staff/stats/report.xlsx?month=2026-13")
    assert bad.status == 400


async def test_the_api_answers_staff_and_the_key_only(staff_client, web_bot) -> None:
    expected = (await _expected(web_bot)).as_json()
    stranger = await staff_client(signed_in=False)
    path = "/staff/api/stats?from=2026-11-01&to=2026-12-01"
    refused = await stranger.get(path)
    assert refused.status == 401 and "error" in await refused.json()
    wrong = await stranger.get(path, headers={"X-API-Key": API_KEY[:-1] + "x"})
    assert wrong.status == 401
    keyed = await stranger.get(path, headers={"X-API-Key": API_KEY})
    assert keyed.status == 200 and await keyed.json() == expected
    client = await staff_client(role="staff")
    signed = await client.get(path)
    assert signed.status == 200 and (await signed.json())["questions"]["total"] == 8
    bad = await client.get("/staff/api/stats?from=2026-11-31&to=2026-12-01")
    assert bad.status == 400
    backwards = await client.get("/staff/api/stats?from=2026-12-01&to=2026-11-01")
    assert backwards.status == 400
    async with web_bot.db.session() as db:
        assert await db.scalar(select(Broadcast.id).where(Broadcast.total == 4)) is not None


async def test_the_dashboard_says_while_finished_days_are_still_counted(staff_client, web_bot) -> None:
    from storage.stats_rollup import roll_up

    client = await staff_client(role="staff")
    html = await (await client.get(NOVEMBER)).text()
    assert texts.ST_COUNTING in html  # a log since 31 October, no day counted yet
    assert texts.ST_AREA_NOTE not in html
    async with web_bot.db.session() as db:
        await roll_up(db, web_bot.settings.timezone, dt.date(2026, 12, 10))
    html = await (await client.get(NOVEMBER)).text()
    assert texts.ST_COUNTING not in html
    area = web_bot.knowledge.kb.locality.areas[0]
    assert texts.ST_AREA_NOTE in await (await client.get(NOVEMBER + f"&area={area}")).text()
