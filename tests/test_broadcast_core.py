"""The announcement service the chat, the CLI and the console share: audiences, limits, queue, progress, photos."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import App, build_app
from handlers import broadcast_core as core
from handlers import texts
from handlers.broadcast_core import BroadcastError
from storage import outbox as ob
from storage.models import AuditLog, Outbox
from storage.models_broadcast import Broadcast, BroadcastPhoto
from storage.repos import get_or_create_user
from tests.conftest import FIXTURE_KB, make_settings

NOW = dt.datetime(2026, 11, 28, 3, 0, tzinfo=dt.UTC)
AREAS = ["Khu phố 1", "Khu phố 2", "Khu phố 3"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
async def app(tmp_path: Path, db_url: str) -> AsyncIterator[App]:
    application = await build_app(make_settings(tmp_path, database_url=db_url, knowledge_dir=FIXTURE_KB))
    async with application.db.session() as s:
        for i, (subs, area, channel) in enumerate(
            [
                (["chung"], None, "telegram"),
                (["chung", "luadao"], "Khu phố 1", "telegram"),
                (["luadao"], "Khu phố 2", "zalo_oa"),
                ([], "Khu phố 1", "telegram"),  # not subscribed
            ]
        ):
            u = await get_or_create_user(s, channel, f"u{i}")
            u.subscriptions, u.area = subs, area
        gone = await get_or_create_user(s, "telegram", "gone")
        gone.subscriptions, gone.blocked = ["chung"], True
        await s.commit()
    yield application
    await application.close()


def _office(app: App) -> str:
    return app.knowledge.kb.locality.office_name


async def test_audience_options_carry_live_counts(app: App) -> None:
    async with app.db.session() as db:
        options = {o.key: o.count for o in await core.audience_options(db, AREAS)}
    assert options["all"] == 3
    assert options["t:chung"] == 2 and options["t:luadao"] == 2 and options["t:yte"] == 0
    assert options["a:0"] == 1 and options["a:1"] == 1 and options["a:2"] == 0
    assert options["c:telegram"] == 2 and options["c:zalo_oa"] == 1


def test_audience_keys_name_an_audience_or_nothing() -> None:
    assert core.audience_from_key("all", AREAS) == ob.Audience()
    assert core.audience_from_key("t:luadao", AREAS) == ob.Audience(topic="luadao")
    assert core.audience_from_key("a:1", AREAS) == ob.Audience(area="Khu phố 2")
    assert core.audience_from_key("c:zalo_oa", AREAS) == ob.Audience(channel="zalo_oa")
    for bad in ("", "t:nope", "a:3", "a:-1", "c:", "c:Bad Channel", "all:x", "x:1"):
        assert core.audience_from_key(bad, AREAS) is None, bad


def test_text_limits_count_the_header_and_the_caption() -> None:
    office = "UBND phường Thử"
    frame = len(texts.BC_CITIZEN.format(office=office, text=""))
    assert core.text_limit(office, photo=False) == 2000 - frame
    assert core.text_limit(office, photo=True) == 1024 - frame
    assert core.check_text(office, "  Lịch tiêm chủng  ", photo=False) == "Lịch tiêm chủng"
    with pytest.raises(BroadcastError, match="nội dung"):
        core.check_text(office, "   ", photo=False)
    fits = "a" * core.text_limit(office, photo=True)
    assert core.check_text(office, fits, photo=True) == fits
    with pytest.raises(BroadcastError, match="quá giới hạn"):
        core.check_text(office, fits + "a", photo=True)


async def test_queue_now_audits_and_an_empty_audience_stores_nothing(app: App) -> None:
    async with app.db.session() as db:
        with pytest.raises(BroadcastError):
            await core.queue(
                db,
                actor="web:1",
                office=_office(app),
                text="Thông báo",
                photo=None,
                audience=ob.Audience(topic="yte"),
                send_at=None,
                now=NOW,
            )
        await db.commit()
        assert await db.scalar(select(func.count()).select_from(Broadcast)) == 0
        b = await core.queue(
            db,
            actor="telegram:9",
            office=_office(app),
            text="Lịch tiêm chủng tháng 12",
            photo=None,
            audience=ob.Audience(topic="luadao"),
            send_at=NOW - dt.timedelta(minutes=5),  # passed while deciding: now
            now=NOW,
        )
        await db.commit()
        assert b.total == 2 and b.send_at == NOW
        rows = list(await db.scalars(select(Outbox).where(Outbox.ref == str(b.id))))
        assert rows[0].payload == [
            {"text": core.citizen_replies(_office(app), "Lịch tiêm chủng tháng 12")[0].text}
        ]
        entry = await db.scalar(select(AuditLog).where(AuditLog.action == "broadcast.create"))
        assert entry is not None and entry.actor == "telegram:9" and entry.detail["recipients"] == 2


async def test_progress_and_cancel(app: App) -> None:
    async with app.db.session() as db:
        later = NOW + dt.timedelta(hours=2)
        b = await core.queue(
            db,
            actor="telegram:9",
            office=_office(app),
            text="Họp tổ dân phố",
            photo=None,
            audience=ob.Audience(),
            send_at=later,
            now=NOW,
        )
        await db.commit()
        rows = list(await db.scalars(select(Outbox).where(Outbox.ref == str(b.id)).order_by(Outbox.id)))
        await ob.mark_sent(db, rows[0].id, "m1", NOW)
        await ob.mark_final(db, rows[1].id, "unreachable", "blocked")
        await db.commit()
        t = await core.progress(db, b.id)
        assert t is not None
        assert (t.sent, t.blocked, t.failed, t.pending, t.total, t.done, t.percent) == (1, 1, 0, 1, 3, 2, 66)
        assert not t.finished
        assert await core.cancel(db, b.id, "telegram:9", NOW) == 1
        await db.commit()
        with pytest.raises(BroadcastError):
            await core.cancel(db, b.id, "telegram:9", NOW)
        listed = await core.overview(db)
        assert [(x.broadcast.id, x.sent, x.blocked, x.cancelled, x.pending) for x in listed] == [
            (b.id, 1, 1, 1, 0)
        ]
        assert listed[0].finished and listed[0].as_dict()["status"] == "cancelled"
        cancels = await db.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "broadcast.cancel")
        )
        assert cancels == 1


async def test_photos_are_checked_by_their_bytes_and_size(app: App) -> None:
    assert core.check_photo(PNG, "image/png") == "image/png"
    assert core.check_photo(JPEG, "image/jpeg; charset=binary") == "image/jpeg"
    with pytest.raises(BroadcastError, match="JPG hoặc PNG"):
        core.check_photo(PNG, "image/jpeg")  # the bytes say otherwise
    with pytest.raises(BroadcastError, match="JPG hoặc PNG"):
        core.check_photo(b"GIF89a" + b"\x00" * 10, "image/gif")
    with pytest.raises(BroadcastError, match="1 MB"):
        core.check_photo(JPEG + b"\x00" * core.PHOTO_MAX_BYTES, "image/jpeg")
    with pytest.raises(BroadcastError, match="trống"):
        core.check_photo(b"", "image/png")
    async with app.db.session() as db:
        token = await core.store_photo(db, PNG, "image/png", "telegram:9", NOW)
        await db.commit()
        photo = await core.load_photo(db, token)
        assert photo is not None and photo.data == PNG and token.endswith(".png")
        assert await core.load_photo(db, "../" + token) is None
        assert await core.load_photo(db, token[:-4] + ".jpg") is None
        assert await db.scalar(select(func.count()).select_from(BroadcastPhoto)) == 1


def test_the_preview_uses_each_channels_own_renderer() -> None:
    from bot.broadcast_preview import bubbles

    by_url = core.citizen_replies(
        "UBND phường Thử", "Họp tổ dân phố tối thứ Sáu.", "https://example.org/p.png"
    )
    for channel in ("telegram", "zalo_oa", "zalo_bot", "test"):
        shown = bubbles(channel, by_url)
        assert [b.kind for b in shown] == ["photo", "text"], channel
        assert shown[0].photo == "https://example.org/p.png" and shown[1].text == by_url[0].text
    # a photo sent to /thongbao in Telegram is a Telegram file id: Zalo cannot send it, the preview says so
    by_file_id = core.citizen_replies("UBND phường Thử", "Họp tổ dân phố.", "AgACAgIAAxkBAAIB")
    assert [b.kind for b in bubbles("telegram", by_file_id)] == ["photo", "text"]
    assert [b.kind for b in bubbles("zalo_oa", by_file_id)] == ["text"]
    assert [b.kind for b in bubbles("zalo_bot", by_file_id)] == ["text"]
