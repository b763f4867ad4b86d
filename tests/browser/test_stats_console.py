"""The statistics dashboard and the improvement loop in a real Chromium, with the Telegram fake."""

from __future__ import annotations

from handlers import texts
from tests import stats_seed as seed
from tests.browser.conftest import eventually
from tests.browser.test_staff_console import keep_for_docs

PANELS = ("questions", "topics", "aspects", "satisfaction", "trend", "sat-topics", "sat-guides",
          "sat-complaints", "complaints", "funnel-vneid", "announcements", "sub-topics", "sub-areas")  # fmt: skip
CITIZEN = 7001
# written for this test (never from shared/eval): the fixture base cannot answer it
QUESTION = "tôi cần giấy xác nhận đang sống ở đây"


async def test_the_dashboard_draws_every_chart_with_data(server, signed_in_page, screenshot) -> None:
    async with server.bot.db.session() as db:
        await seed.seed(db, server.bot.knowledge.kb.locality)
    page = await signed_in_page("staff")
    await page.goto(server.url("/staff/stats?period=custom&from=2026-11-01&to=2026-11-30"))
    await page.get_by_role("heading", name=texts.ST_TITLE, exact=True).wait_for()
    for panel in PANELS:
        section = page.locator(f"section#{panel}")
        assert await section.locator("svg.chart").count() == 1, panel
        marks = section.locator("svg.chart rect, svg.chart circle")
        assert await marks.count() > 0, f"{panel}: the chart draws nothing"
        box = await section.locator("svg.chart").bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 20, panel
        assert await section.locator("table tbody tr").count() > 0, panel
    # the totals row of the questions table (folded away under a month of days), read as a person does
    await page.locator("section#questions summary").click()
    totals = page.locator("section#questions tbody tr").last
    assert [c.strip() for c in await totals.locator("td").all_inner_texts()] == ["Tổng", "5", "1", "2", "8"]
    keep_for_docs(await screenshot(page, "stats"), "stats.png")
    # the period selector: this week, through the form
    await page.get_by_label(texts.ST_PERIOD_KINDS["week"]).check()
    await page.get_by_role("button", name=texts.ST_SHOW).click()
    await page.wait_for_url("**/staff/stats?period=week*")
    assert await page.locator("section#questions tbody tr").count() == 8  # seven days and the total
    # the workbook download
    await page.goto(server.url("/staff/stats?period=custom&from=2026-11-01&to=2026-11-30"))
    async with page.expect_download() as event:
        await page.get_by_role("link", name=texts.ST_DOWNLOAD.format(month="11/2026")).click()
    download = await event.value
    assert download.suggested_filename == "bao-cao-2026-11.xlsx"


async def test_an_accepted_question_is_answered_afterwards(server, signed_in_page, screenshot) -> None:
    fake, bot = server.fake, server.bot
    tam_tru = bot.knowledge.kb.topics["tam-tru"].name
    await fake.send_text(CITIZEN, QUESTION)
    first = await fake.wait_messages(CITIZEN, 1, within=15)
    assert tam_tru not in first[-1]["text"]  # not answered: the apology and the menu
    page = await signed_in_page("staff")
    await page.goto(server.url("/staff/improve"))
    group = page.locator("section.improve-group", has_text=QUESTION)
    await group.wait_for()
    assert texts.IM_REASONS["fallback"] in await group.inner_text()
    await screenshot(page, "improve")
    await group.locator("select[name=topic_id]").select_option("tam-tru")
    await group.get_by_label(texts.IM_AS_KINDS["example"]).check()
    await group.get_by_role("button", name=texts.IM_ACCEPT).click()
    await page.get_by_text(texts.IM_ACCEPTED.format(version=1)).wait_for()
    assert await page.locator("section.improve-group", has_text=QUESTION).count() == 0
    await screenshot(page, "improve-accepted")
    # the worker reloads the overlay in the background (a new matcher is trained)
    await eventually(lambda: bot.knowledge.matcher.match(QUESTION).decision == "answer", within=120)
    before = len(fake.messages_to(CITIZEN))
    await fake.send_text(CITIZEN, QUESTION)
    await fake.wait_for(lambda: len(fake.messages_to(CITIZEN)) > before, within=15)
    assert tam_tru in fake.messages_to(CITIZEN)[-1]["text"]
