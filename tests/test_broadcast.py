"""/thongbao: staff compose, preview, schedule, confirm, cancel; delivery end to end with a fake sender."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App, build_app
from bot.channels.base import Unreachable
from bot.outbox_sender import OutboxWorker, SenderConfig
from handlers.broadcast import parse_send_time
from handlers.messages import Photo
from storage import outbox as ob
from storage.models import AuditLog, Outbox
from storage.models_broadcast import Broadcast
from storage.repos import get_or_create_user
from tests.conftest import FIXTURE_KB, Chat, make_settings
from tests.outbox_fakes import EditingFakeSender, FakeClock, FakeSender

NOW = dt.datetime(2026, 11, 28, 3, 0, tzinfo=dt.UTC)  # 10:00 in Hà Nội


@pytest.fixture
async def bapp(tmp_path: Path) -> AsyncIterator[App]:
    settings = make_settings(tmp_path, knowledge_dir=FIXTURE_KB, staff="test:boss=staff")
    application = await build_app(settings)
    application.services.clock = lambda: NOW
    async with application.db.session() as s:
        for i, (subs, area) in enumerate(
            [
                (["chung"], None),
                (["chung", "luadao"], "Khu phố 1"),
                (["luadao"], "Khu phố 2"),
                ([], None),  # not subscribed
                (["chung"], "Khu phố 1"),
            ]
        ):
            u = await get_or_create_user(s, "test", f"c{i}")
            u.subscriptions, u.area = subs, area
        blocked = await get_or_create_user(s, "test", "gone")
        blocked.subscriptions, blocked.blocked = ["chung"], True
        z = await get_or_create_user(s, "zalo_oa", "z1")
        z.subscriptions = ["chung"]
        await s.commit()
    yield application
    await application.close()


@pytest.fixture
def staff(bapp: App) -> Chat:
    return Chat(bapp, user="boss", name="Cán bộ")


async def outbox_rows(app: App, kind: str = "broadcast") -> list[Outbox]:
    async with app.db.session() as s:
        return list((await s.scalars(select(Outbox).where(Outbox.kind == kind).order_by(Outbox.id))).all())


async def test_citizen_cannot_broadcast(bapp: App) -> None:
    citizen = Chat(bapp, user="c0")
    await citizen.say("/thongbao")
    assert "chỉ dành cho cán bộ" in citizen.text
    await citizen.press("bc:ok")
    assert "chỉ dành cho cán bộ" in citizen.text
    assert await outbox_rows(bapp) == []


async def test_compose_topic_preview_confirm(staff: Chat, bapp: App) -> None:
    await staff.say("/thongbao")
    assert "nội dung thông báo" in staff.text
    await staff.say("Cảnh báo: có người giả danh cán bộ gọi điện đòi tiền.")
    assert "Gửi cho ai?" in staff.text
    assert (
        "Tất cả người đăng ký (5)" in staff.labels
    )  # 4 test users + 1 zalo; blocked and unsubscribed left out
    await staff.press("bc:aud:t")
    assert "Cảnh báo lừa đảo (2)" in staff.labels
    await staff.press("bc:t:luadao")
    preview = staff.last
    assert "Xem trước" in preview[0].text
    assert preview[1].text.startswith("📢 Thông báo của") and "giả danh cán bộ" in preview[1].text
    assert "Người nhận: 2" in preview[2].text and "Cảnh báo lừa đảo" in preview[2].text
    assert await outbox_rows(bapp) == []  # nothing queued before confirmation
    await staff.tap("Gửi")
    assert "Đã xếp hàng thông báo số 1 tới 2 người nhận" in staff.text
    rows = await outbox_rows(bapp)
    assert sorted(r.platform_id for r in rows) == ["c1", "c2"]
    assert rows[0].payload == [{"text": preview[1].text}]  # exactly what the preview showed
    async with bapp.db.session() as s:
        b = await s.get(Broadcast, 1)
        entry = await s.scalar(select(AuditLog).where(AuditLog.action == "broadcast.create"))
    assert b.total == 2 and b.created_by == "test:boss" and b.notify_platform_id == "boss"
    assert entry.actor == "test:boss" and entry.target == "broadcast:1"
    assert entry.detail["text"].startswith("Cảnh báo") and entry.detail["audience"] == {"topic": "luadao"}
    assert entry.detail["recipients"] == 2


async def test_area_and_channel_audiences(staff: Chat, bapp: App) -> None:
    await staff.say("/thongbao")
    await staff.say("Họp tổ dân phố tối nay.")
    await staff.press("bc:aud:a")
    assert "Khu phố 1 (2)" in staff.labels
    await staff.tap("Khu phố 1")
    await staff.press("bc:ok")
    assert sorted(r.platform_id for r in await outbox_rows(bapp)) == ["c1", "c4"]
    await staff.say("/thongbao")
    await staff.say("Tin cho Zalo.")
    await staff.press("bc:aud:c")
    assert "Zalo OA (1)" in staff.labels
    await staff.tap("Zalo OA")
    await staff.press("bc:ok")
    assert [r.platform_id for r in await outbox_rows(bapp) if r.ref == "2"] == ["z1"]


async def test_photo_then_text(staff: Chat, bapp: App) -> None:
    await staff.say("/thongbao")
    await staff.send(photo=Photo("file-123"))
    assert "Đã nhận ảnh" in staff.text
    await staff.say("Lịch tiêm chủng tháng 12.")
    await staff.press("bc:aud:all")
    assert staff.last[1].photo == "file-123"
    await staff.press("bc:ok")
    rows = await outbox_rows(bapp)
    assert len(rows) == 5 and rows[0].payload[0]["photo"] == "file-123"


async def test_schedule_time(staff: Chat, bapp: App) -> None:
    await staff.say("/thongbao")
    await staff.say("Mất điện sáng mai.")
    await staff.press("bc:aud:all")
    await staff.press("bc:when")
    await staff.say("9:00")  # already past today (it is 10:00)
    assert "Tôi chưa hiểu thời điểm" in staff.text
    await staff.say("20:00")
    assert "20:00 28/11/2026" in staff.last[-1].text
    await staff.press("bc:ok")
    rows = await outbox_rows(bapp)
    assert {r.not_before for r in rows} == {dt.datetime(2026, 11, 28, 13, 0, tzinfo=dt.UTC)}


async def test_text_too_long_and_cancel_draft(staff: Chat, bapp: App) -> None:
    await staff.say("/thongbao")
    await staff.say("x" * 3000)
    assert "quá giới hạn" in staff.text
    await staff.say("hủy")
    assert "Đã hủy bản nháp" in staff.text
    await staff.press("bc:ok")
    assert "hết hạn" in staff.text
    assert await outbox_rows(bapp) == []


async def test_no_recipients(staff: Chat, bapp: App) -> None:
    await staff.say("/thongbao")
    await staff.say("Tin y tế.")
    await staff.press("bc:t:yte")
    assert "Không có người nhận nào" in staff.text


async def test_cancel_command_and_list(staff: Chat, bapp: App) -> None:
    await staff.say("/thongbao")
    await staff.say("Tin chung.")
    await staff.press("bc:aud:all")
    await staff.press("bc:ok")
    await staff.say("/thongbao ds")
    assert "Số 1 — chờ gửi — 5 người" in staff.text
    await staff.say("/thongbao huy 1")
    assert "Đã dừng thông báo số 1: 5 tin" in staff.text
    assert {r.status for r in await outbox_rows(bapp)} == {"cancelled"}
    await staff.say("/thongbao huy 1")
    assert "không còn tin nào" in staff.text
    await staff.say("/thongbao huy abc")
    assert "không còn tin nào" in staff.text
    async with bapp.db.session() as s:
        assert await s.scalar(select(AuditLog).where(AuditLog.action == "broadcast.cancel"))


async def test_delivery_progress_and_final_report(staff: Chat, bapp: App) -> None:
    await staff.say("/thongbao")
    await staff.say("Tin chung.")
    await staff.press("bc:aud:c")
    await staff.press("bc:c:test")
    await staff.press("bc:ok")
    clock = FakeClock(NOW.timestamp())
    sender = EditingFakeSender(clock)
    sender.script["c2"] = [Unreachable("blocked")]
    worker = OutboxWorker(bapp.db, sender, SenderConfig(rate=25, concurrency=2), clock=clock)
    await worker.monitor.tick()  # before sending: the first progress message
    assert sender.sent[0].platform_id == "boss" and "0/4" in sender.sent[0].texts[0]
    await worker.drain()  # delivers, then the monitor closes the broadcast and queues the report
    citizens = sorted(x.platform_id for x in sender.sent if x.platform_id.startswith("c"))
    assert citizens == ["c0", "c1", "c4"]
    await worker.drain()  # the report (a notice row) goes out
    report = sender.sent[-1]
    assert report.platform_id == "boss"
    assert "đã gửi xong" in report.texts[0] and "Đã gửi: 3/4" in report.texts[0]
    assert "Không liên lạc được (đã chặn, bỏ theo dõi): 1" in report.texts[0]
    async with bapp.db.session() as s:
        b = await s.get(Broadcast, 1)
    assert b.status == "done" and b.report["sent"] == 3 and b.report["unreachable"] == 1
    await worker.monitor.tick()
    assert len(await outbox_rows(bapp, "notice")) == 1  # reported once


async def test_progress_is_one_edited_message(staff: Chat, bapp: App) -> None:
    await staff.say("/thongbao")
    await staff.say("Tin chung.")
    await staff.press("bc:aud:all")
    await staff.press("bc:ok")
    clock = FakeClock(NOW.timestamp())
    sender = EditingFakeSender(clock)
    worker = OutboxWorker(bapp.db, sender, SenderConfig(rate=25, concurrency=1), clock=clock)
    await worker.monitor.tick()
    async with bapp.db.session() as s:
        rows = await ob.claim(s, "test", worker.worker_id, limit=2, lease_seconds=60, now=NOW)
    for row in rows:
        await worker.deliver(row)
    await worker.monitor.tick()
    assert [t for _, _, t in sender.edits] == ["Thông báo số 1: đã gửi 2/5 [########------------] 40%"]
    assert sender.edits[0][1] == "m1"  # the first progress message is the one edited


async def test_progress_without_edit_posts_quarters(staff: Chat, bapp: App) -> None:
    await staff.say("/thongbao")
    await staff.say("Tin chung.")
    await staff.press("bc:aud:c")
    await staff.press("bc:c:test")
    await staff.press("bc:ok")
    clock = FakeClock(NOW.timestamp())
    sender = FakeSender(clock)
    worker = OutboxWorker(bapp.db, sender, SenderConfig(rate=25, concurrency=1), clock=clock)
    await worker.monitor.tick()
    await worker.monitor.tick()  # nothing new: no second message
    assert [x.platform_id for x in sender.sent] == ["boss"]


def test_parse_send_time() -> None:
    local = dt.datetime(2026, 12, 30, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    assert parse_send_time("20:00", local) == dt.datetime(2026, 12, 30, 13, 0, tzinfo=dt.UTC)
    assert parse_send_time("05/01 08:30", local) == dt.datetime(2027, 1, 5, 1, 30, tzinfo=dt.UTC)
    assert parse_send_time("31/12/2026 7h15", local) == dt.datetime(2026, 12, 31, 0, 15, tzinfo=dt.UTC)
    for bad in ("09:00", "25:00", "32/01 10:00", "mai", "", "01/01/2030 10:00"):
        assert parse_send_time(bad, local) is None


async def test_two_workers_post_one_progress_message_and_one_report(staff: Chat, bapp: App) -> None:
    await staff.say("/thongbao")
    await staff.say("Tin chung.")
    await staff.press("bc:aud:c")
    await staff.press("bc:c:test")
    await staff.press("bc:ok")
    clock = FakeClock(NOW.timestamp())
    sender = EditingFakeSender(clock)
    w1 = OutboxWorker(bapp.db, sender, SenderConfig(rate=25, concurrency=1), clock=clock, worker_id="w1")
    w2 = OutboxWorker(bapp.db, sender, SenderConfig(rate=25, concurrency=1), clock=clock, worker_id="w2")
    await w1.monitor.tick()
    await w2.monitor.tick()
    assert [x.platform_id for x in sender.sent] == ["boss"]
    await w1.drain()
    await w2.drain()
    await w1.drain()
    await w2.drain()
    reports = [x for x in sender.sent if x.platform_id == "boss" and "đã gửi xong" in x.texts[0]]
    assert len(reports) == 1
