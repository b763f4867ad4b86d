"""/staff/privacy: data-subject requests queued for staff, their deadlines, and the three outcomes.

Each action must change the stored request, write an audit row that names the account
number only, and queue the citizen's answer in the outbox; the CLI runs the same service.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from bot.app import App
from handlers import texts
from storage.models import AuditLog, Outbox
from storage.models_privacy import DataRequest
from tests.conftest import Chat
from tests.web.conftest import post_form

# Monday 30 November 2026, 09:00 in Hà Nội
MONDAY_9AM = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
DETAIL = "Tên trong phản ánh của tôi ghi sai chính tả, xin sửa thành Trần Thị Mai"


async def _queue(bot: App, user: str = "c1") -> tuple[int, int]:
    """A correction (queued with its detail) and an objection, from one citizen."""
    bot.services.clock = lambda: MONDAY_9AM
    chat = Chat(bot, user=user, name="Trần Thị Mai")
    await chat.say("/yeucaudulieu")
    await chat.press("pv:r:correct")
    await chat.say(DETAIL)
    await chat.say("/yeucaudulieu")
    await chat.press("pv:r:object")
    async with bot.db.session() as db:
        rows = list(await db.scalars(select(DataRequest).order_by(DataRequest.id)))
    assert [(r.kind, r.status) for r in rows] == [("correct", "open"), ("object", "open")]
    return rows[0].id, rows[1].id


async def _request(bot: App, rid: int) -> DataRequest:
    async with bot.db.session() as db:
        row = await db.get(DataRequest, rid)
        assert row is not None
        return row


async def _to_citizen(bot: App, rid: int, user: str = "c1") -> list[str]:
    async with bot.db.session() as db:
        rows = await db.scalars(
            select(Outbox).where(Outbox.platform_id == user, Outbox.ref == f"yc:{rid}").order_by(Outbox.id)
        )
        return ["\n".join(p["text"] for p in r.payload) for r in rows]


async def _audit(bot: App, actor: str) -> list[tuple[str, str | None, dict[str, str]]]:
    async with bot.db.session() as db:
        rows = await db.scalars(select(AuditLog).where(AuditLog.actor == actor).order_by(AuditLog.id))
        return [(r.action, r.target, r.detail) for r in rows]


async def test_the_list_shows_open_requests_with_deadlines_late_first(web_bot: App, staff_client) -> None:
    correct, objection = await _queue(web_bot)
    client = await staff_client(role="staff")
    html = await (await client.get("/staff/privacy")).text()
    assert texts.WEB_PV_TITLE in html and texts.WEB_NAV_PRIVACY in html
    assert texts.WEB_PV_KIND["correct"] in html and texts.WEB_PV_KIND["object"] in html
    # received Mon 30/11: acknowledge by Wed 02/12 (2 working days); correct within 10 days,
    # object within 15 (storage/privacy.DUE_DAYS)
    assert "02/12/2026" in html and "10/12/2026" in html and "15/12/2026" in html
    assert texts.WEB_PV_LATE not in html and DETAIL not in html  # the words only on the request page
    assert re.findall(r'data-id="(\d+)"', html) == [str(correct), str(objection)]

    # twelve days later the correction is past its date, the objection not yet: the late one first
    web_bot.services.clock = lambda: MONDAY_9AM + dt.timedelta(days=12)
    client = await staff_client(role="staff")  # a new day, a new sign-in
    html = await (await client.get("/staff/privacy")).text()
    assert re.findall(r'data-id="(\d+)"', html) == [str(correct), str(objection)]
    assert html.count(texts.WEB_PV_LATE) == 1 and html.count(texts.WEB_PV_ACK_LATE) == 2
    # the objection acknowledged, the correction not: the late correction stays first, then
    # after the objection's own date passes both are late and ordered by date
    web_bot.services.clock = lambda: MONDAY_9AM + dt.timedelta(days=1)
    client = await staff_client(role="staff")
    assert (await post_form(client, f"/privacy/{objection}/acknowledge", {})).status == 303
    web_bot.services.clock = lambda: MONDAY_9AM + dt.timedelta(days=3)
    client = await staff_client(role="staff")
    html = await (await client.get("/staff/privacy")).text()
    assert re.findall(r'data-id="(\d+)"', html) == [str(correct), str(objection)]
    assert html.count(texts.WEB_PV_ACK_LATE) == 1  # only the correction still unanswered

    home = await (await client.get("/staff/")).text()
    assert texts.WEB_HOME_PRIVACY_COUNTS.format(open=2, late=1) in home


async def test_the_late_one_comes_before_an_earlier_received_one(web_bot: App, staff_client) -> None:
    first, second_of_c1 = await _queue(web_bot, user="c1")
    # a second citizen's objection arrives the next day (Tuesday: acknowledge by Thursday)
    web_bot.services.clock = lambda: MONDAY_9AM + dt.timedelta(days=1)
    chat = Chat(web_bot, user="c2", name="Lê Văn Hùng")
    await chat.say("/yeucaudulieu")
    await chat.press("pv:r:object")
    client = await staff_client(role="staff")
    async with web_bot.db.session() as db:
        second = await db.scalar(select(DataRequest.id).order_by(DataRequest.id.desc()))
    for rid in (first, second_of_c1):
        assert (await post_form(client, f"/privacy/{rid}/acknowledge", {})).status == 303
    web_bot.services.clock = lambda: MONDAY_9AM + dt.timedelta(days=4)  # Friday: past Thursday
    client = await staff_client(role="staff")
    html = await (await client.get("/staff/privacy")).text()
    # not acknowledged in time, so first, though its answer-by date is the latest of the three
    assert re.findall(r'data-id="(\d+)"', html) == [str(second), str(first), str(second_of_c1)]


async def test_acknowledge_done_refuse_record_the_outcome_and_tell_the_citizen(
    web_bot: App, staff_client
) -> None:
    correct, objection = await _queue(web_bot)
    client = await staff_client(role="staff")
    actor = f"web:staff#{client.staff_id}"

    page = await (await client.get(f"/staff/privacy/{correct}")).text()
    assert DETAIL in page and "Trần Thị Mai" in page and texts.WEB_PV_ACK_BUTTON in page

    web_bot.services.clock = lambda: MONDAY_9AM + dt.timedelta(hours=3)
    acked = await post_form(client, f"/privacy/{correct}/acknowledge", {})
    assert acked.status == 303 and acked.headers["Location"] == f"/staff/privacy/{correct}"
    row = await _request(web_bot, correct)
    assert row.acknowledged_at == MONDAY_9AM + dt.timedelta(hours=3)
    assert (row.status, row.handled_by) == ("open", actor)
    assert await _to_citizen(web_bot, correct) == [
        texts.DSR_ACKNOWLEDGED.format(id=correct, due="10/12/2026")
    ]
    again = await post_form(client, f"/privacy/{correct}/acknowledge", {})
    assert again.status == 400
    assert texts.WEB_PV_ALREADY_ACKNOWLEDGED.format(id=correct) in await again.text()

    # an outcome is required; the page comes back with the problem and nothing changes
    empty = await post_form(client, f"/privacy/{correct}/done", {"outcome": "   "})
    assert empty.status == 400 and texts.WEB_PV_NEED_OUTCOME in await empty.text()
    assert (await _request(web_bot, correct)).status == "open"
    too_long = await post_form(client, f"/privacy/{correct}/done", {"outcome": "x" * 161})
    assert too_long.status == 400 and "x" * 161 in await too_long.text()  # the typed text kept

    outcome = "Đã sửa tên người gửi trong phản ánh theo đề nghị."
    done = await post_form(client, f"/privacy/{correct}/done", {"outcome": outcome}, follow=True)
    assert texts.WEB_PV_DONE_FLASH.format(id=correct) in await done.text()
    row = await _request(web_bot, correct)
    assert (row.status, row.outcome, row.handled_by) == ("done", outcome, actor)
    assert row.done_at == MONDAY_9AM + dt.timedelta(hours=3)
    assert (await _to_citizen(web_bot, correct))[-1] == texts.DSR_DONE.format(id=correct, outcome=outcome)
    closed = await post_form(client, f"/privacy/{correct}/refuse", {"reason": "Không rõ"})
    assert closed.status == 400 and texts.WEB_PV_ALREADY_CLOSED.format(id=correct) in await closed.text()
    assert (await _request(web_bot, correct)).status == "done"

    reason = "Phản ánh đang được giải quyết theo nhiệm vụ của cơ quan, không cần sự đồng ý."
    refused = await post_form(client, f"/privacy/{objection}/refuse", {"reason": reason})
    assert refused.status == 303
    row = await _request(web_bot, objection)
    assert (row.status, row.outcome) == ("refused", reason)
    assert row.acknowledged_at is not None  # the answer is an acknowledgement too
    assert await _to_citizen(web_bot, objection) == [texts.DSR_REFUSED.format(id=objection, outcome=reason)]

    # the list: nothing open, both in the recent ones with their outcome
    html = await (await client.get("/staff/privacy")).text()
    assert texts.WEB_PV_OPEN_NONE in html and outcome in html and texts.WEB_PV_STATUS["refused"] in html

    # every action audited under the account number, with no personal data
    audit = await _audit(web_bot, actor)
    assert [(a, t) for a, t, _ in audit if a.startswith("privacy.") and a != "privacy.request_view"] == [
        ("privacy.request_ack", f"yc:{correct}"),
        ("privacy.request_done", f"yc:{correct}"),
        ("privacy.request_refused", f"yc:{objection}"),
    ]
    assert ("privacy.request_view", f"yc:{correct}", {}) in audit
    assert all("Mai" not in str(entry) for entry in audit)


async def test_not_signed_in_is_sent_to_sign_in_and_a_post_is_refused(web_bot: App, staff_client) -> None:
    correct, _ = await _queue(web_bot)
    client = await staff_client(signed_in=False)
    page = await client.get(f"/staff/privacy/{correct}", allow_redirects=False)
    assert page.status == 303 and page.headers["Location"] == "/staff/signin"
    refused = await post_form(client, f"/privacy/{correct}/done", {"outcome": "x"})
    assert refused.status == 403
    assert (await _request(web_bot, correct)).status == "open"
    signed = await staff_client(role="staff")
    assert (await signed.get("/staff/privacy/999999")).status == 404
    assert (await signed.get("/staff/privacy/abc")).status == 404


async def test_a_request_whose_citizen_is_gone_is_recorded_without_a_message(
    web_bot: App, staff_client
) -> None:
    correct, _ = await _queue(web_bot)
    async with web_bot.db.session() as db:
        row = await db.get(DataRequest, correct)
        assert row is not None
        row.user_id = None  # the account row removed (users.id is ON DELETE SET NULL)
        await db.commit()
    client = await staff_client(role="staff")
    assert texts.WEB_PV_WHO_ERASED in await (await client.get(f"/staff/privacy/{correct}")).text()
    done = await post_form(client, f"/privacy/{correct}/done", {"outcome": "Đã sửa."}, follow=True)
    assert texts.WEB_PV_NOT_TOLD.strip() in await done.text()
    assert (await _request(web_bot, correct)).status == "done"
    assert await _to_citizen(web_bot, correct) == []
