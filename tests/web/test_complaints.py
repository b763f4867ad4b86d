"""The complaints inbox and complaint page of the staff console, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from multidict import MultiDict

from bot.app import App, build_app
from handlers import texts
from handlers.serialize import replies_from_payload
from tests.conftest import make_settings
from tests.web.complaints_support import (
    MONDAY_9AM,
    add_complaint,
    audit_rows,
    codes_in,
    complaint,
    event_kinds,
    outbox_rows,
    set_clock,
    settings_extra,
)
from tests.web.conftest import ADMIN, STAFF, STAFF_FILE, post_form

DAY = dt.timedelta(days=1)


@pytest.fixture
async def web_bot(tmp_path: Path, db_url: str) -> AsyncIterator[App]:
    """The console's bot (tests/web/conftest.py) on the complaints KB, a holiday, 2 working days to answer."""
    staff_file = tmp_path / "staff.txt"
    staff_file.write_text(STAFF_FILE, encoding="utf-8")
    settings = make_settings(tmp_path, database_url=db_url, staff_file=staff_file, **settings_extra(tmp_path))
    app = await build_app(settings)
    set_clock(app, MONDAY_9AM)
    yield app
    await app.close()


# ---------------------------------------------------------------- the inbox
async def test_inbox_puts_the_longest_overdue_first_and_marks_deadlines(web_bot: App, staff_client) -> None:
    clock = set_clock(web_bot, MONDAY_9AM - 14 * DAY)
    oldest = await add_complaint(web_bot, clock.now, "Cống thoát nước trước chợ bị tắc nghẽn")
    late = await add_complaint(web_bot, clock.now + 3 * DAY, "Đèn đường ngõ 5 bị hỏng đã một tuần nay")
    soon = await add_complaint(web_bot, MONDAY_9AM - DAY, "Rác thải bên bờ sông không ai thu gom")  # due Tue
    fresh = await add_complaint(
        web_bot, MONDAY_9AM, "Biển báo ngã tư bị đổ sau cơn bão"
    )  # due Thu (holiday Wed)
    closed = await add_complaint(web_bot, clock.now, "Đã xong từ lâu", status="closed")
    clock.now = MONDAY_9AM
    client = await staff_client()
    page = await client.get("/staff/complaints")
    assert page.status == 200
    html = await page.text()
    assert codes_in(html) == [oldest, late, soon, fresh]
    assert closed not in html
    cards = html.split('<li class="cx-')[1:]
    assert cards[0].startswith("overdue") and texts.WEB_CX_OVERDUE in cards[0]
    assert cards[1].startswith("overdue")
    assert cards[2].startswith("due_soon") and texts.WEB_CX_DUE_SOON in cards[2]
    assert cards[3].startswith("on_time") and texts.WEB_CX_DUE_SOON not in cards[3]
    assert texts.WEB_CX_COUNT.format(total=4) in html
    assert (f"web:staff#{client.staff_id}", "complaint.inbox") in await audit_rows_all(web_bot)


async def audit_rows_all(app: App) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from storage.models import AuditLog

    async with app.db.session() as db:
        return [(r.actor, r.action) for r in await db.scalars(select(AuditLog).order_by(AuditLog.id))]


async def test_overdue_counts_working_days_across_the_holiday(web_bot: App, staff_client) -> None:
    code = await add_complaint(web_bot, MONDAY_9AM)  # 2 working days: Tue 1, (Wed 2 is a holiday), Thu 3
    assert (await complaint(web_bot, code)).due_at == dt.datetime(
        2026, 12, 3, 10, 0, tzinfo=dt.UTC
    )  # 17:00 local
    set_clock(web_bot, dt.datetime(2026, 12, 2, 11, 0, tzinfo=dt.UTC))  # Wed 18:00: late without the holiday
    client = await staff_client()  # signed in now (sessions expire by the same clock)
    html = await (await client.get("/staff/complaints?overdue=1")).text()
    assert codes_in(html) == []
    html = await (await client.get("/staff/complaints")).text()
    assert '<li class="cx-due_soon">' in html  # due by the end of the next working day (Thursday)
    page = await (await client.get(f"/staff/complaints/{code}")).text()
    assert texts.WEB_CX_DUE_TODAY not in page and texts.WEB_CX_DAYS_LEFT.format(n=1) in page
    set_clock(web_bot, dt.datetime(2026, 12, 4, 1, 0, tzinfo=dt.UTC))  # Fri 08:00
    client = await staff_client()
    html = await (await client.get("/staff/complaints?overdue=1")).text()
    assert codes_in(html) == [code]
    page = await (await client.get(f"/staff/complaints/{code}")).text()
    assert texts.WEB_CX_OVERDUE in page and texts.WEB_CX_DAYS_LATE.format(n=1) in page


async def test_filters_are_get_parameters(web_bot: App, staff_client) -> None:
    client = await staff_client()
    road = await add_complaint(web_bot, MONDAY_9AM - 2 * DAY, category="ha-tang", area="Khu phố 1")
    rude = await add_complaint(
        web_bot, MONDAY_9AM - DAY, "Cán bộ một cửa trả lời thiếu lịch sự", category="thai-do", assignee=STAFF
    )
    other = await add_complaint(
        web_bot, MONDAY_9AM, "Chó thả rông ngoài đường", category="khac", assignee=ADMIN
    )
    done = await add_complaint(web_bot, MONDAY_9AM, "Đã được trả lời", status="answered", area="Khu phố 1")

    async def codes(query: str) -> list[str]:
        page = await client.get("/staff/complaints" + query)
        assert page.status == 200, query
        return codes_in(await page.text())

    assert await codes("") == [road, rude, other]
    assert await codes("?status=all") == [road, rude, other, done]
    assert await codes("?status=answered") == [done]
    assert await codes("?category=thai-do") == [rude]
    assert await codes("?area=Khu+ph%E1%BB%91+1") == [road]
    assert await codes("?area=Khu+ph%E1%BB%91+1&status=all") == [road, done]
    assert await codes("?assignee=me") == [rude]
    assert await codes("?assignee=none") == [road]
    async with web_bot.db.session() as db:
        from storage import staff_accounts

        admin = await staff_accounts.by_key(db, ADMIN)
        assert admin is not None
    assert await codes(f"?assignee={admin.id}") == [other]
    assert await codes("?overdue=1") == []
    # a filter that cannot be used is named and dropped; the rest still applies
    page = await client.get(
        "/staff/complaints?category=nope&status=thai-do&assignee=telegram:9001&area=Khu+phố+1"
    )
    assert page.status == 400
    html = await page.text()
    assert (
        texts.WEB_CX_BAD_FILTER.format(
            what=", ".join([texts.WEB_CX_STATUS, texts.WEB_CX_CATEGORY, texts.WEB_CX_ASSIGNEE])
        )
        in html
    )
    assert codes_in(html) == [road]
    # the filter form shows what is applied
    html = await (await client.get("/staff/complaints?category=thai-do&overdue=1")).text()
    assert '<option value="thai-do" selected>' in html and 'name="overdue" value="1" checked' in html


async def test_search_by_code_or_words_without_diacritics(web_bot: App, staff_client) -> None:
    client = await staff_client()
    flood = await add_complaint(web_bot, MONDAY_9AM - DAY, "Đường thôn 3 bị NGẬP sâu mỗi khi mưa")
    light = await add_complaint(web_bot, MONDAY_9AM, "Đèn đường ngõ 5 bị hỏng")
    closed = await add_complaint(web_bot, MONDAY_9AM, "Ngập ở chợ, đã xử lý", status="closed")

    async def codes(query: dict[str, str]) -> list[str]:
        page = await client.get("/staff/complaints", params=query)
        assert page.status == 200
        return codes_in(await page.text())

    assert await codes({"q": "ngap"}) == [flood]
    assert await codes({"q": "ngập sâu"}) == [flood]
    assert await codes({"q": "ngap", "status": "all"}) == [flood, closed]
    assert await codes({"q": "den duong hong"}) == [light]
    assert await codes({"q": "không có chữ này"}) == []
    number = int(light.rsplit("-", 1)[1])
    assert await codes({"q": f"pa 2026 {number}"}) == [light]
    assert await codes({"q": closed}) == []  # a code still respects the status filter
    assert await codes({"q": closed, "status": "all"}) == [closed]


async def test_pages_keep_the_filters(web_bot: App, staff_client) -> None:
    client = await staff_client()
    made = [
        await add_complaint(web_bot, MONDAY_9AM - dt.timedelta(hours=30 - i), f"Phản ánh thử số {i} về đường")
        for i in range(23)
    ]
    await add_complaint(web_bot, MONDAY_9AM, "Một loại khác", category="khac")
    html = await (await client.get("/staff/complaints?category=ha-tang")).text()
    assert codes_in(html) == made[:20]
    assert texts.WEB_CX_PAGE.format(page=1, pages=2) in html
    assert 'href="?category=ha-tang&amp;page=2"' in html
    html = await (await client.get("/staff/complaints?category=ha-tang&page=2")).text()
    assert codes_in(html) == made[20:]
    assert 'href="?category=ha-tang"' in html  # back to the first page
    html = await (await client.get("/staff/complaints?category=ha-tang&page=99")).text()
    assert codes_in(html) == made[20:]  # past the end: the last page
    html = await (await client.get("/staff/complaints?page=abc")).text()
    assert len(codes_in(html)) == 20


async def test_pages_need_a_signed_in_staff_member(web_bot: App, staff_client) -> None:
    code = await add_complaint(web_bot, MONDAY_9AM)
    stranger = await staff_client(signed_in=False)
    for path in ("/staff/complaints", f"/staff/complaints/{code}", f"/staff/complaints/{code}/photos/1"):
        page = await stranger.get(path, allow_redirects=False)
        assert page.status == 303 and page.headers["Location"] == "/staff/signin", path
    page = await stranger.post(f"/staff/complaints/{code}/reply", data={"text": "Xin chào"})
    assert page.status == 403
    assert (await complaint(web_bot, code)).status == "received"
    client = await staff_client()
    assert (await client.get("/staff/complaints/PA-2026-999999")).status == 404
    assert (await client.get("/staff/complaints/pa-2026-1")).status == 404  # only the canonical code


# ---------------------------------------------------------------- one complaint
async def test_the_complaint_page_shows_everything_staff_need(web_bot: App, staff_client) -> None:
    code = await add_complaint(
        web_bot,
        MONDAY_9AM,
        "Cây đổ chắn ngang đường <script>alert(1)</script>",
        photos=("photo-501-l", "photo-501-m"),
        latitude=20.64321,
        longitude=106.05123,
        area="Khu phố 2",
    )
    client = await staff_client()
    page = await client.get(f"/staff/complaints/{code}")
    assert page.status == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = await page.text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "Nguyễn Văn An" in html and "0912345678" in html and "Khu phố 2" in html
    assert (
        'href="https://www.openstreetmap.org/?mlat=20.643210&amp;mlon=106.051230#map=18/20.643210/106.051230"'
        in html
    )
    assert "tile" not in html.lower()  # a link to the map, no map tiles in the page
    assert (
        f'src="/staff/complaints/{code}/photos/1"' in html
        and f'src="/staff/complaints/{code}/photos/2"' in html
    )
    assert "photo-501" not in html  # the channel's file ids stay on the server
    for action in ("reply", "assign", "status", "close", "area"):
        form = html.split(f'action="/staff/complaints/{code}/{action}"', 1)[1].split("</form>", 1)[0]
        assert 'name="_csrf"' in form, action
    assert "/reopen" not in html  # only answered or closed complaints can be reopened
    assert texts.PA_EVENT["received"] in html
    assert (f"{STAFF}", "complaint.open") in await audit_rows(web_bot, code)


async def test_a_reply_reaches_the_citizen_through_the_outbox(web_bot: App, staff_client) -> None:
    code = await add_complaint(web_bot, MONDAY_9AM)
    client = await staff_client()
    answer = "Phường đã cử tổ công tác khơi thông cống, dự kiến xong trong tuần."
    response = await post_form(client, f"/complaints/{code}/reply", {"text": answer})
    assert response.status == 303 and response.headers["Location"] == f"/staff/complaints/{code}"
    c = await complaint(web_bot, code)
    assert c.status == "answered" and c.answer == answer and c.assignee == STAFF
    [row] = await outbox_rows(web_bot)
    assert (row.channel, row.platform_id, row.kind, row.ref) == ("telegram", "501", "complaint_reply", code)
    sent = replies_from_payload(row.payload)
    assert answer in sent[0].text and [b.action for b in sent[1].buttons[0]] == [
        f"pa:rate:{code}:1",
        f"pa:rate:{code}:0",
    ]
    assert (await event_kinds(web_bot, code))[-1] == ("answered", STAFF)
    assert [a for a in await audit_rows(web_bot, code) if "reply" in a[1]] == [
        (STAFF, "complaint.reply"),
        (f"web:staff#{client.staff_id}", "web.complaint.reply"),
    ]
    html = await (await client.get(f"/staff/complaints/{code}")).text()
    assert texts.WEB_CX_REPLIED.format(code=code) in html  # the flash after the redirect
    assert answer in html


async def test_a_reply_to_an_erased_citizen_is_stored_not_sent(web_bot: App, staff_client) -> None:
    code = await add_complaint(web_bot, MONDAY_9AM, channel=None, platform_id=None, name=None, phone=None)
    client = await staff_client()
    response = await post_form(client, f"/complaints/{code}/reply", {"text": "Đã xử lý xong."}, follow=True)
    html = await response.text()
    assert texts.WEB_CX_REPLIED_STORED.format(code=code) in html and texts.WEB_CX_ERASED in html
    assert await outbox_rows(web_bot) == []


async def test_assign_status_close_reopen_and_area(web_bot: App, staff_client) -> None:
    code = await add_complaint(web_bot, MONDAY_9AM)
    client = await staff_client()
    async with web_bot.db.session() as db:
        from storage import staff_accounts

        admin = await staff_accounts.by_key(db, ADMIN)
        assert admin is not None
    response = await post_form(client, f"/complaints/{code}/assign", {"account": str(admin.id)}, follow=True)
    assert texts.WEB_CX_ASSIGNED.format(code=code, who="Quản trị Một") in await response.text()
    c = await complaint(web_bot, code)
    assert (c.assignee, c.status) == (ADMIN, "assigned")
    notice = (await outbox_rows(web_bot))[-1]
    assert (notice.channel, notice.platform_id, notice.kind) == ("telegram", "9001", "notice")

    response = await post_form(client, f"/complaints/{code}/area", {"area": "Khu phố 3"})
    assert response.status == 303 and (await complaint(web_bot, code)).area == "Khu phố 3"
    response = await post_form(client, f"/complaints/{code}/area", {"area": "Thôn Không Có"})
    assert response.status == 400 and (await complaint(web_bot, code)).area == "Khu phố 3"

    response = await post_form(client, f"/complaints/{code}/status", {"status": "answered"})
    assert response.status == 400 and texts.CS_NEED_ANSWER in await response.text()
    response = await post_form(client, f"/complaints/{code}/status", {"status": "received"})
    assert response.status == 303 and (await complaint(web_bot, code)).status == "received"

    before = len(await outbox_rows(web_bot))
    response = await post_form(client, f"/complaints/{code}/close", {}, follow=True)
    assert texts.WEB_CX_CLOSED.format(code=code) in await response.text()
    c = await complaint(web_bot, code)
    assert c.status == "closed" and c.closed_at == MONDAY_9AM
    rows = await outbox_rows(web_bot)
    assert len(rows) == before + 1 and rows[-1].platform_id == "501"  # the citizen hears it was closed
    response = await post_form(client, f"/complaints/{code}/close", {})
    assert response.status == 400 and texts.CS_ALREADY_CLOSED.format(code=code) in await response.text()

    response = await post_form(client, f"/complaints/{code}/reopen", {"reason": "  "})
    assert response.status == 400 and texts.CS_REOPEN_NEEDS_REASON in await response.text()
    set_clock(web_bot, MONDAY_9AM + DAY)
    response = await post_form(client, f"/complaints/{code}/reopen", {"reason": "Người dân báo cống lại tắc"})
    assert response.status == 303
    c = await complaint(web_bot, code)
    assert c.status == "reopened" and c.closed_at is None
    assert c.due_at == dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)  # Tue + 2 working days, skipping Wed
    citizen = replies_from_payload((await outbox_rows(web_bot))[-1].payload)[0].text
    assert "04/12/2026" in citizen and "cống lại tắc" not in citizen  # the internal reason is not sent
    response = await post_form(client, f"/complaints/{code}/reopen", {"reason": "Lần nữa"})
    assert response.status == 400  # it is open already

    kinds = await event_kinds(web_bot, code)
    assert [k for k, _ in kinds] == [
        "received", "assigned", "area", "received", "closed", "staff_reopened",
    ]  # fmt: skip
    assert {actor for _, actor in kinds[1:]} == {STAFF}
    web_actions = [a for actor, a in await audit_rows(web_bot, code) if actor.startswith("web:")]
    assert web_actions == [
        "web.complaint.assign", "web.complaint.area", "web.complaint.status",
        "web.complaint.close", "web.complaint.reopen",
    ]  # fmt: skip


async def test_a_refused_reply_keeps_what_was_typed(web_bot: App, staff_client) -> None:
    code = await add_complaint(web_bot, MONDAY_9AM)
    client = await staff_client()
    response = await post_form(client, f"/complaints/{code}/reply", {"text": "   "})
    assert response.status == 400 and texts.CS_REPLY_EMPTY in await response.text()
    long = "Trả lời rất dài. " * 200
    response = await post_form(client, f"/complaints/{code}/reply", {"text": long})
    html = await response.text()
    assert response.status == 400 and texts.CS_REPLY_TOO_LONG.format(limit=3000) in html
    assert long.strip()[:200] in html
    response = await post_form(client, f"/complaints/{code}/assign", {"account": "99999"})
    assert response.status == 400 and texts.WEB_CX_NO_SUCH_STAFF in await response.text()
    c = await complaint(web_bot, code)
    assert (c.status, c.answer, c.assignee) == ("received", None, None)
    assert await outbox_rows(web_bot) == []


async def test_forms_without_the_csrf_token_change_nothing(web_bot: App, staff_client) -> None:
    code = await add_complaint(web_bot, MONDAY_9AM, status="answered")
    client = await staff_client()
    for action, data in (
        ("reply", {"text": "Xin chào"}),
        ("close", {}),
        ("status", {"status": "received"}),
        ("reopen", {"reason": "Thử"}),
        ("area", {"area": "Khu phố 1"}),
    ):
        response = await client.post(f"/staff/complaints/{code}/{action}", data=data, allow_redirects=False)
        assert response.status == 403, action
        assert texts.WEB_CSRF_REFUSED in await response.text()
        wrong = MultiDict({**data, "_csrf": "forged-token"})
        response = await client.post(f"/staff/complaints/{code}/{action}", data=wrong, allow_redirects=False)
        assert response.status == 403, action
    c = await complaint(web_bot, code)
    assert (c.status, c.answer, c.area) == ("answered", None, None)
    assert await outbox_rows(web_bot) == []
    assert [k for k, _ in await event_kinds(web_bot, code)] == ["received"]


async def test_no_personal_data_in_links_or_logs(
    web_bot: App, staff_client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    code = await add_complaint(web_bot, MONDAY_9AM, platform_id="77123456", photos=("photo-x",))
    client = await staff_client()
    html = await (await client.get("/staff/complaints?assignee=me")).text()
    html += await (await client.get(f"/staff/complaints/{code}")).text()
    await post_form(client, f"/complaints/{code}/reply", {"text": "Đã xử lý cho anh Nguyễn Văn An"})
    await client.get(f"/staff/complaints/{code}/photos/1")  # no file source: a message, logged without ids
    import re

    links = re.findall(r'(?:href|src|action)="([^"]*)"', html)
    for secret in ("77123456", "Nguyễn", "Nguy%E1%BB%85n", "0912345678", "photo-x", "9002"):
        assert not [link for link in links if secret in link], secret
        assert secret not in caplog.text, secret
