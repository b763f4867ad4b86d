"""/staff/announcements: compose, live counts, preview as delivered, send now or later, progress, cancel, photos."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from bot.app import App
from bot.channels.base import Unreachable
from bot.outbox_sender import OutboxWorker, SenderConfig
from handlers import broadcast_core as core
from handlers import texts
from storage import outbox as ob
from storage.models import AuditLog, Outbox
from storage.models_broadcast import Broadcast, BroadcastPhoto
from storage.repos import get_or_create_user
from tests.outbox_fakes import FakeClock, FakeSender
from tests.web.conftest import post_form

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
NOW = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)  # Monday 09:00 in Hà Nội


async def _citizens(bot: App) -> None:
    bot.services.clock = lambda: NOW
    async with bot.db.session() as db:
        for i, (subs, area, channel) in enumerate(
            [
                (["chung"], None, "telegram"),
                (["chung", "luadao"], "Khu phố 1", "telegram"),
                (["luadao"], "Khu phố 2", "zalo_oa"),
                ([], "Khu phố 1", "telegram"),
            ]
        ):
            u = await get_or_create_user(db, channel, f"50{i}")
            u.subscriptions, u.area = subs, area
        await db.commit()


def _draft(**extra: str) -> dict[str, str]:
    return {
        "text": "Lịch tiêm chủng mở rộng tháng 12.",
        "audience": "all",
        "when": "now",
        "send_at": "",
        **extra,
    }


async def _broadcasts(bot: App) -> list[Broadcast]:
    async with bot.db.session() as db:
        return list(await db.scalars(select(Broadcast).order_by(Broadcast.id)))


async def test_compose_shows_audiences_with_counts_and_the_json_counts(web_bot: App, staff_client) -> None:
    await _citizens(web_bot)
    client = await staff_client(role="staff")
    html = await (await client.get("/staff/announcements/new")).text()
    assert texts.WA_OPTION.format(label=texts.BC_AUD_LABEL_ALL, n=3) in html
    assert 'value="t:luadao"' in html and 'value="a:1"' in html and 'value="c:zalo_oa"' in html
    assert 'enctype="multipart/form-data"' in html
    for key, n in (
        ("all", 3),
        ("t:luadao", 2),
        ("t:yte", 0),
        ("a:0", 1),
        ("c:telegram", 2),
        ("c:zalo_oa", 1),
    ):
        data = await (await client.get(f"/staff/announcements/audience.json?audience={key}")).json()
        assert data["count"] == n, key
        assert data["label"] == texts.WA_LIVE_COUNT.format(n=n)
    bad = await client.get("/staff/announcements/audience.json?audience=t:nope")
    assert bad.status == 400


async def test_preview_is_what_each_channel_delivers_and_nothing_is_queued(
    web_bot: App, staff_client
) -> None:
    await _citizens(web_bot)
    client = await staff_client(role="staff")
    page = await post_form(client, "/announcements/preview", _draft())
    html = await page.text()
    assert page.status == 200
    office = web_bot.knowledge.kb.locality.office_name
    delivered = core.citizen_replies(office, "Lịch tiêm chủng mở rộng tháng 12.")[0].text
    assert html.count("Lịch tiêm chủng mở rộng tháng 12.") >= 2  # one bubble per channel
    assert 'data-channel="Telegram"' in html and 'data-channel="Zalo OA"' in html
    assert delivered.split("\n")[0] in html
    assert (
        texts.WA_PREVIEW_SUMMARY.format(n=3, audience=texts.BC_AUD_LABEL_ALL, when=texts.BC_WHEN_NOW) in html
    )
    assert await _broadcasts(web_bot) == []


async def test_bad_drafts_come_back_with_the_reason(web_bot: App, staff_client) -> None:
    await _citizens(web_bot)
    client = await staff_client(role="staff")
    office = web_bot.knowledge.kb.locality.office_name
    cases = [
        (_draft(text="   "), texts.BC_TEXT_EMPTY),
        (
            _draft(text="a" * 3000),
            texts.BC_TEXT_TOO_LONG.format(n=3000, limit=core.text_limit(office, photo=False)),
        ),
        (_draft(audience="t:nope"), texts.WA_BAD_AUDIENCE),
        (_draft(when="at", send_at="2020-01-01T08:00"), texts.WA_BAD_TIME),
        (_draft(when="at", send_at="hôm nay"), texts.WA_BAD_TIME),
        (_draft(audience="t:yte"), texts.BC_NO_RECIPIENTS),
        (_draft(photo="http://evil.example/x.jpg"), texts.WA_PHOTO_GONE),
    ]
    for data, reason in cases:
        for path in ("/announcements/preview", "/announcements"):
            page = await post_form(client, path, data)
            assert page.status == 400, (path, data)
            assert reason in await page.text(), (path, reason)
    assert await _broadcasts(web_bot) == []


async def test_send_now_queues_audits_and_the_progress_reaches_done(web_bot: App, staff_client) -> None:
    await _citizens(web_bot)
    client = await staff_client(role="staff")
    sent = await post_form(client, "/announcements", _draft(audience="c:telegram"))
    assert sent.status == 303
    [b] = await _broadcasts(web_bot)
    assert sent.headers["Location"] == f"/staff/announcements/{b.id}"
    assert (b.total, b.created_by, b.send_at, b.notify_channel) == (
        2,
        f"web:staff#{client.staff_id}",
        NOW,
        None,
    )
    page = await (await client.get(f"/staff/announcements/{b.id}")).text()
    assert texts.WA_QUEUED_FLASH.format(id=b.id, n=2) in page and 'id="cancel-form"' in page
    data = await (await client.get(f"/staff/announcements/{b.id}/progress.json")).json()
    assert (data["pending"], data["sent"], data["finished"]) == (2, 0, False)
    # the outbox sender delivers as in `motcua run`, one blocked citizen among them
    clock = FakeClock(NOW.timestamp())
    sender = FakeSender(clock, channel="telegram", script={"501": [Unreachable("blocked by the user")]})
    worker = OutboxWorker(web_bot.db, sender, SenderConfig(rate=1000, per_chat_seconds=0), clock=clock)
    await worker.drain()
    data = await (await client.get(f"/staff/announcements/{b.id}/progress.json")).json()
    assert (data["sent"], data["blocked"], data["pending"], data["status"], data["finished"]) == (
        1,
        1,
        0,
        "done",
        True,
    )
    listing = await (await client.get("/staff/announcements")).text()
    assert texts.WA_PROGRESS_OF.format(done=2, total=2) in listing and texts.BC_STATUS["done"] in listing
    page = await (await client.get(f"/staff/announcements/{b.id}")).text()
    assert 'id="cancel-form"' not in page and 'id="auto-refresh"' not in page
    async with web_bot.db.session() as db:
        entry = await db.scalar(select(AuditLog).where(AuditLog.action == "broadcast.create"))
    assert (
        entry is not None
        and entry.actor == f"web:staff#{client.staff_id}"
        and entry.detail["recipients"] == 2
    )


async def test_schedule_then_cancel(web_bot: App, staff_client) -> None:
    await _citizens(web_bot)
    client = await staff_client(role="staff")
    preview = await post_form(client, "/announcements/preview", _draft(when="at", send_at="2026-11-30T17:30"))
    html = await preview.text()
    assert texts.WA_SEND_AT.format(when="17:30 30/11/2026") in html
    await post_form(client, "/announcements", _draft(when="at", send_at="2026-11-30T17:30"))
    [b] = await _broadcasts(web_bot)
    assert b.send_at == dt.datetime(2026, 11, 30, 10, 30, tzinfo=dt.UTC) and b.status == "scheduled"
    # the chat's typed form works too (a browser without a date picker)
    await post_form(client, "/announcements", _draft(when="at", send_at="30/11 18:00"))
    assert (await _broadcasts(web_bot))[-1].send_at == dt.datetime(2026, 11, 30, 11, 0, tzinfo=dt.UTC)
    refused = await client.post(f"/staff/announcements/{b.id}/cancel", data={}, allow_redirects=False)
    assert refused.status == 403 and (await _broadcasts(web_bot))[0].status == "scheduled"
    cancelled = await post_form(client, f"/announcements/{b.id}/cancel", {}, follow=True)
    assert texts.WA_CANCELLED_FLASH.format(id=b.id, n=3) in await cancelled.text()
    assert (await _broadcasts(web_bot))[0].status == "cancelled"
    again = await post_form(client, f"/announcements/{b.id}/cancel", {}, follow=True)
    assert texts.BC_CANCEL_NOTHING.format(id=b.id) in await again.text()
    async with web_bot.db.session() as db:
        states = set(await db.scalars(select(Outbox.status).where(Outbox.ref == str(b.id))))
    assert states == {"cancelled"}


async def test_missing_csrf_queues_nothing(web_bot: App, staff_client) -> None:
    await _citizens(web_bot)
    client = await staff_client(role="staff")
    refused = await client.post("/staff/announcements", data=_draft(), allow_redirects=False)
    assert refused.status == 403
    assert await _broadcasts(web_bot) == []
    async with web_bot.db.session() as db:
        assert await db.scalar(select(func.count()).select_from(Outbox)) == 0


async def test_a_photo_is_checked_stored_served_publicly_and_sent_by_url(web_bot: App, staff_client) -> None:
    from aiohttp import FormData

    await _citizens(web_bot)
    client = await staff_client(role="staff")

    def form(data: bytes, content_type: str, name: str = "anh.png") -> FormData:
        f = FormData()
        for key, value in {**_draft(), "_csrf": client.csrf_token}.items():
            f.add_field(key, value)
        f.add_field("upload", data, filename=name, content_type=content_type)
        return f

    wrong = await client.post("/staff/announcements/preview", data=form(b"GIF89a....", "image/gif", "a.gif"))
    assert wrong.status == 400 and texts.WA_PHOTO_TYPE in await wrong.text()
    big = await client.post(
        "/staff/announcements/preview", data=form(PNG + b"\x00" * core.PHOTO_MAX_BYTES, "image/png")
    )
    assert big.status == 400 and texts.WA_PHOTO_TOO_BIG.format(mb=1) in await big.text()
    page = await client.post("/staff/announcements/preview", data=form(PNG, "image/png"))
    html = await page.text()
    assert page.status == 200
    shown = re.search(r'src="(/staff/announcements/photo/[A-Za-z0-9_-]{32}\.png)"', html)
    assert shown, html
    anonymous = await staff_client(signed_in=False)
    served = await anonymous.get(shown.group(1))
    assert served.status == 200 and served.content_type == "image/png" and await served.read() == PNG
    assert (await anonymous.get("/staff/announcements/photo/nothere.png")).status == 404
    photo = re.search(r'name="photo" value="([^"]+)"', html)
    assert photo and photo.group(1) == web_bot.settings.public_url + shown.group(1)
    await post_form(client, "/announcements", _draft(photo=photo.group(1)))
    [b] = await _broadcasts(web_bot)
    assert b.photo == photo.group(1)
    async with web_bot.db.session() as db:
        row = await db.scalar(select(Outbox).where(Outbox.ref == str(b.id)))
        assert row is not None and row.payload[0]["photo"] == photo.group(1)
        assert await db.scalar(select(func.count()).select_from(BroadcastPhoto)) == 1
    # the Zalo preview shows the photo too: it goes by URL there
    again = await post_form(
        client, "/announcements/preview", _draft(photo=photo.group(1), audience="c:zalo_oa")
    )
    assert shown.group(1) in await again.text()
    assert ob.Audience(channel="zalo_oa") == core.audience_from_key("c:zalo_oa", [])


async def test_edit_from_the_preview_keeps_what_was_typed(web_bot: App, staff_client) -> None:
    await _citizens(web_bot)
    client = await staff_client(role="staff")
    back = await post_form(
        client, "/announcements/edit", _draft(audience="t:luadao", when="at", send_at="2026-11-30T17:30")
    )
    html = await back.text()
    assert back.status == 200 and "Lịch tiêm chủng mở rộng tháng 12.</textarea>" in html
    assert (
        'value="t:luadao" checked' in html
        and 'value="at" checked' in html
        and 'value="2026-11-30T17:30"' in html
    )
    # a photo address that is not one of this server's photos is dropped, not shown
    forged = await post_form(client, "/announcements/edit", _draft(photo="http://evil.example/x.jpg"))
    assert "evil.example" not in await forged.text()
    assert await _broadcasts(web_bot) == []
