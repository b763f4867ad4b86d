"""A followed dossier's new states reach the citizen exactly once, through the outbox:
on Telegram (the strict fake Bot API) and on Zalo, where outside the 7-day window
they go as the configured ZBS template (the fake's /v3.0/oa/message/template), or
wait for the citizen's next message when no template is configured."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select
from telegram import Bot

from bot.app import App, build_app
from bot.channels.telegram import TelegramSender
from bot.outbox_sender import OutboxWorker, SenderConfig, TelegramOutboxSender
from handlers import texts
from handlers.complaint_service import reply as staff_reply
from handlers.feedback_core import Office
from storage import dossiers as repo
from storage.models import Outbox
from storage.repos import get_or_create_user
from tests.conftest import Chat, make_settings
from tests.dossier_support import CODE, feed, later
from tests.fake_telegram import FakeTelegram
from tests.feedback_support import file_complaint
from tests.test_zalo_oa import OA, USER, set_last_seen, start_oa, stop_oa
from tests.zalo_harness import days_ago

CITIZEN = 101
DOSSIER_TEMPLATE = {"ma_ho_so": 30, "trang_thai": 30, "han_tra": 20, "thu_tuc": 200}
DOSSIER_PARAMS = "ma_ho_so=code,trang_thai=state,han_tra=due_date,thu_tuc=procedure"


async def follow(app: App, channel: str, platform_id: str, *, verified: bool = True) -> None:
    async with app.db.session() as db:
        user = await get_or_create_user(db, channel, platform_id)
        dossier = await repo.by_code(db, CODE)
        assert dossier is not None
        await repo.follow(db, dossier.id, user.id, app.services.clock(), verified=verified)
        await db.commit()


async def follower_outside_the_window(oa: OA) -> None:
    """The Zalo user wrote once, follows a verified dossier, and was last seen 8 days ago."""
    await oa.say("xin chào")
    await feed(oa.app)
    await follow(oa.app, "zalo_oa", USER)
    await set_last_seen(oa, days_ago(8))


async def rows(app: App, kind: str = "dossier_state") -> list[Outbox]:
    async with app.db.session() as db:
        return list((await db.scalars(select(Outbox).where(Outbox.kind == kind).order_by(Outbox.id))).all())


async def test_telegram_follower_gets_each_new_state_once(tmp_path: Path, db_url: str) -> None:
    fake = FakeTelegram()
    await fake.start()
    app = await build_app(make_settings(tmp_path, database_url=db_url))
    bot = Bot(fake.token, base_url=fake.api_url)
    await bot.initialize()
    sender = TelegramOutboxSender(TelegramSender(bot))
    try:
        fake.user(CITIZEN)
        await feed(app)
        await follow(app, "telegram", str(CITIZEN))
        change = {"event_id": "ev-processed", "state": "processed", "time": later(1)}
        await feed(app, **change)
        await feed(app, **change)  # delivered twice by the one-stop system
        workers = [OutboxWorker(app.db, sender, SenderConfig(rate=25, concurrency=2)) for _ in range(2)]
        await asyncio.gather(*(w.drain() for w in workers))  # two workers share the outbox
        (notice,) = fake.texts_to(CITIZEN)
        assert texts.DS_STATE["processed"] in notice and CODE in notice
        assert texts.DS_NEXT["processed"] in notice  # a verified follower gets the next step
        await feed(app, event_id="ev-returned", state="result_returned", time=later(2))
        await asyncio.gather(*(w.drain() for w in workers))
        assert len(fake.texts_to(CITIZEN)) == 2
        assert texts.DS_STATE["result_returned"] in fake.texts_to(CITIZEN)[1]
        assert [r.status for r in await rows(app)] == ["sent", "sent"]
    finally:
        await sender.close()
        await app.close()
        await fake.stop()


async def test_an_unverified_follower_is_told_the_state_only(tmp_path: Path) -> None:
    app = await build_app(make_settings(tmp_path))
    try:
        await feed(app, citizen_phone=None)
        await follow(app, "telegram", "5", verified=False)
        await feed(app, state="supplement_requested", note="Tờ khai có chữ ký", time=later(1))
        (row,) = await rows(app)
        text = row.payload[0]["text"]
        assert texts.DS_STATE["supplement_requested"] in text and "Tờ khai" not in text
        assert row.payload[0]["template"]["values"]["note"] == texts.DS_TEMPLATE_HIDDEN
    finally:
        await app.close()


async def test_zalo_outside_the_window_goes_as_the_template_once(tmp_path: Path, db_url: str) -> None:
    oa = await start_oa(
        tmp_path,
        db_url,
        zalo_oa_template_dossier_id="8a7f3c21",
        zalo_oa_template_dossier_params=DOSSIER_PARAMS,
    )
    oa.fake.templates["8a7f3c21"] = DOSSIER_TEMPLATE
    try:
        await follower_outside_the_window(oa)
        oa.fake.interactions[USER] = days_ago(8)
        cs_before = len(oa.fake.sent)
        await feed(oa.app, event_id="zl-1", state="payment_requested", time=later(1))
        await feed(oa.app, event_id="zl-1", state="payment_requested", time=later(1))
        worker = OutboxWorker(oa.app.db, oa.runner.sender, SenderConfig(rate=25, concurrency=2))
        await worker.drain()
        await worker.drain()
        (sent,) = oa.fake.template_sent
        assert sent.user_id == USER and sent.template_id == "8a7f3c21"
        assert sent.data == {
            "ma_ho_so": CODE,
            "trang_thai": texts.DS_STATE["payment_requested"],
            "han_tra": "20/12/2026",
            "thu_tuc": "Thủ tục đăng ký khai sinh",
        }
        assert len(oa.fake.sent) == cs_before  # no consultation message was attempted
        assert [r.status for r in await rows(oa.app)] == ["sent"]
        assert worker.stats.templated == 1
    finally:
        await stop_oa(oa)


async def test_zalo_without_a_template_waits_for_the_citizen(tmp_path: Path) -> None:
    oa = await start_oa(tmp_path)
    try:
        await follower_outside_the_window(oa)
        await feed(oa.app, event_id="zw-1", state="processed", time=later(1))
        worker = OutboxWorker(oa.app.db, oa.runner.sender, SenderConfig(rate=25, concurrency=1))
        await worker.drain()
        assert [r.status for r in await rows(oa.app)] == ["waiting"]
        assert oa.fake.template_sent == []
        await oa.say("cảm ơn")  # the citizen writes again: the window is open
        before = len(oa.fake.sent)
        await worker.drain()
        notices = [s.text for s in oa.fake.sent[before:]]
        assert len(notices) == 1 and texts.DS_STATE["processed"] in notices[0]
        assert [r.status for r in await rows(oa.app)] == ["sent"]
    finally:
        await stop_oa(oa)


async def test_a_refused_template_keeps_the_message_waiting(tmp_path: Path) -> None:
    oa = await start_oa(
        tmp_path, zalo_oa_template_dossier_id="notapproved", zalo_oa_template_dossier_params=DOSSIER_PARAMS
    )
    try:
        await follower_outside_the_window(oa)
        await feed(oa.app, event_id="zr-1", state="processed", time=later(1))
        await OutboxWorker(oa.app.db, oa.runner.sender, SenderConfig(rate=25)).drain()
        (row,) = await rows(oa.app)
        assert row.status == "waiting" and "template refused" in (row.error or "")
        assert "MOTCUA_ZALO_OA_TEMPLATE_DOSSIER_ID" in (row.error or "")  # what the office must check
        assert oa.fake.errors[-1]["error"] == -109  # Zalo's "Template ID invalid"
    finally:
        await stop_oa(oa)


async def test_template_data_zalo_refuses_waits_and_an_unknown_error_is_retried(tmp_path: Path) -> None:
    oa = await start_oa(
        tmp_path, zalo_oa_template_dossier_id="8a7f3c21", zalo_oa_template_dossier_params=DOSSIER_PARAMS
    )
    oa.fake.templates["8a7f3c21"] = {**DOSSIER_TEMPLATE, "ghi_chu": 200}  # approved with one more parameter
    try:
        await follower_outside_the_window(oa)
        await feed(oa.app, event_id="zd-1", state="processed", time=later(1))
        worker = OutboxWorker(oa.app.db, oa.runner.sender, SenderConfig(rate=25))
        await worker.drain()
        (row,) = await rows(oa.app)
        assert oa.fake.errors[-1]["error"] == -112 and oa.fake.template_sent == []
        assert row.status == "waiting" and "MOTCUA_ZALO_OA_TEMPLATE_DOSSIER_PARAMS" in (row.error or "")
        oa.fake.templates["8a7f3c21"] = DOSSIER_TEMPLATE
        oa.fake.fail_next_template = 1
        await feed(oa.app, event_id="zd-2", state="result_returned", time=later(2))
        await worker.drain()
        second = [r for r in await rows(oa.app) if r.id != row.id]
        assert oa.fake.errors[-1]["error"] == -100
        assert [(r.status, r.attempts) for r in second] == [("pending", 1)]  # "try again later"
    finally:
        await stop_oa(oa)


async def test_a_complaint_answer_outside_the_window_goes_as_its_template(tmp_path: Path) -> None:
    oa = await start_oa(
        tmp_path,
        zalo_oa_template_complaint_id="c0ffee",
        zalo_oa_template_complaint_params="ma_phan_anh=code,tra_loi=answer",
    )
    oa.fake.templates["c0ffee"] = {"ma_phan_anh": 30, "tra_loi": 200}
    try:
        citizen = Chat(oa.app, user=USER, channel="zalo_oa")
        code = await file_complaint(citizen)
        answer = "Xã đã khơi thông cống thoát nước đoạn gần trường học. " * 6
        app = oa.app
        office = Office(app.services.staff, "", app.knowledge.kb.locality, app.services.settings.timezone)
        async with app.db.session() as db:
            await staff_reply(db, office, code, "telegram:1", answer, app.services.clock())
            await db.commit()
        await set_last_seen(oa, days_ago(9))
        await OutboxWorker(app.db, oa.runner.sender, SenderConfig(rate=25)).drain()
        (sent,) = oa.fake.template_sent
        assert sent.data["ma_phan_anh"] == code
        assert len(sent.data["tra_loi"]) == 200 and sent.data["tra_loi"].endswith("…")
        assert [r.status for r in await rows(app, "complaint_reply")] == ["sent"]
    finally:
        await stop_oa(oa)
