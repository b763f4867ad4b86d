# ruff: noqa: F811  (pytest fixtures imported from tests.feedback_support)
"""Retention: the daily purge on a virtual clock, MOTCUA_RETENTION_* overrides, the register export."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import App, handler_settings
from bot.commands.privacy import register_rows
from bot.config import ConfigError, Settings
from bot.privacy_purge import PurgeRunner
from handlers.messages import Photo
from handlers.privacy_purge import purge, purge_once_today
from storage.models import QuestionLog, User
from storage.models_feedback import Complaint
from storage.models_guides import GuideCallback
from tests.conftest import Chat
from tests.feedback_support import (  # noqa: F401  (fixtures)
    MONDAY_8PM,
    citizen,
    fb_app,
    fb_app_any,
    outbox,
    payload_text,
)

NAME = "Nguyễn Văn An"
PHONE = "0912345678"


async def _purge(app: App) -> dict[str, int]:
    s = app.services
    async with app.db.session() as db:
        done = await purge(db, s.router, s.clock(), s.settings.retention)
        await db.commit()
    return done


async def test_each_kind_goes_when_its_period_ends(fb_app_any: App) -> None:
    app = fb_app_any
    clock = app.services.clock
    citizen = Chat(app, user="c1", name=NAME)
    await citizen.say("/phananh")
    await citizen.press("pa:cat:ha-tang")
    await citizen.say("Đường thôn 3 đoạn gần trường học bị ngập sâu mỗi khi mưa lớn")
    await citizen.send(photo=Photo("photo-1"))
    await citizen.press("pa:next")
    await citizen.press("pa:phone:yes")
    await citizen.say(PHONE)
    await citizen.press("pa:send")
    await citizen.say("khai sinh")
    async with app.db.session() as db:
        c = await db.scalar(select(Complaint))
        c.status, c.closed_at = "closed", clock()
        await db.commit()
    r = app.services.settings.retention
    # one day before the question log's period: nothing goes
    clock.advance(days=r.question_log_days - 1)
    await _purge(app)
    async with app.db.session() as db:
        assert await db.scalar(select(func.count()).select_from(QuestionLog)) == 1
    clock.advance(days=2)
    await _purge(app)
    async with app.db.session() as db:
        assert await db.scalar(select(func.count()).select_from(QuestionLog)) == 0
        user = await db.scalar(select(User).where(User.platform_id == "c1"))
        # silent longer than the phone and session periods: the phone and name are gone
        assert user.phone is None and user.display_name is None
        c = await db.scalar(select(Complaint))
        assert c.phone == PHONE and c.photos == ["photo-1"]  # a closed complaint keeps them a year
    clock.advance(days=r.complaint_person_days - r.question_log_days)
    await _purge(app)
    async with app.db.session() as db:
        c = await db.scalar(select(Complaint))
        assert (c.phone, c.reporter_name, c.platform_id, c.photos) == (None, None, None, [])
        assert "ngập" in c.description
    notices = await outbox(app, ref=c.code)
    assert notices and all(PHONE not in payload_text(n) and NAME not in payload_text(n) for n in notices)


async def test_call_back_numbers_go_after_their_period(fb_app: App, citizen: Chat) -> None:
    from handlers.messages import Contact

    fb_app.services.clock.now = MONDAY_8PM
    await citizen.say("/gapcanbo")
    await citizen.tap("Đồng ý")
    await citizen.send(contact=Contact(PHONE))
    fb_app.services.clock.advance(days=fb_app.services.settings.retention.phone_days + 1)
    await _purge(fb_app)
    async with fb_app.db.session() as db:
        assert await db.scalar(select(func.count()).select_from(GuideCallback)) == 0
    notices = await outbox(fb_app, kind="notice")
    assert notices and all(PHONE not in payload_text(n) for n in notices)


async def test_the_daily_purge_runs_once_a_day_after_its_hour(fb_app: App, citizen: Chat) -> None:
    await citizen.say("khai sinh")
    runner = PurgeRunner(fb_app)
    clock = fb_app.services.clock
    # 01:00 local, before the purge hour (03:00)
    clock.now = dt.datetime(2026, 11, 29, 18, 0, tzinfo=dt.UTC) + dt.timedelta(days=400)
    assert await runner.tick() is None
    clock.advance(hours=3)
    done = await runner.tick()
    assert done is not None and done["question_log"] == 1
    assert await runner.tick() is None  # already done today, by this or another worker
    async with fb_app.db.session() as db:
        s = fb_app.services
        assert await purge_once_today(db, s.router, clock(), s.settings.retention, "Asia/Ho_Chi_Minh") is None


def test_retention_overrides_come_from_the_environment(tmp_path: Path) -> None:
    env = {"MOTCUA_RETENTION_QUESTION_LOG_DAYS": "30", "MOTCUA_DATA_DIR": str(tmp_path)}
    settings = Settings.from_env(env)
    assert handler_settings(settings).retention.question_log_days == 30
    with pytest.raises(ConfigError, match="MOTCUA_RETENTION_PHONE_DAYS"):
        Settings.from_env({"MOTCUA_RETENTION_PHONE_DAYS": "0", "MOTCUA_DATA_DIR": str(tmp_path)}).resolved()


async def test_processing_register_lists_every_registration(fb_app: App) -> None:
    rows = register_rows(fb_app.services.router, fb_app.services.settings.retention)
    by_name = {r["name"]: r for r in rows}
    assert set(by_name) == set(fb_app.services.router.personal)
    assert by_name["question_log"]["retention_days"] == 180
    assert "complaints.phone" in by_name["complaints"]["data"]
    json.dumps(rows, ensure_ascii=False)


def test_cli_exports_the_register_and_purges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main
    from tests.conftest import FIXTURE_KB

    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MOTCUA_KNOWLEDGE_DIR", str(FIXTURE_KB))
    monkeypatch.delenv("MOTCUA_DATABASE_URL", raising=False)
    assert main(["privacy", "register", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"complaints", "question_log", "account"} <= {r["name"] for r in rows}
    assert main(["privacy", "register", "--csv"]) == 0
    assert capsys.readouterr().out.startswith("name,data,purpose,legal_basis,retention_days,recipients")
    assert main(["privacy", "purge"]) == 0
    assert "question_log\t0" in capsys.readouterr().out
    assert main(["privacy", "requests"]) == 0
    assert "0 open requests" in capsys.readouterr().out


def test_cli_handles_requests_through_the_console_s_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`motcua privacy ack|done|refuse`: the same rows, audit and citizen messages as /staff/privacy."""
    import asyncio

    from bot.cli import main
    from bot.commands.common import load_settings, open_app
    from handlers import texts
    from handlers.feedback_core import local_text
    from storage.models import AuditLog, Outbox
    from storage.models_privacy import DataRequest
    from tests.conftest import FIXTURE_KB

    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MOTCUA_KNOWLEDGE_DIR", str(FIXTURE_KB))
    monkeypatch.delenv("MOTCUA_DATABASE_URL", raising=False)

    async def ask() -> None:
        async with open_app() as app:
            chat = Chat(app, user="c9", name="Đỗ Thị Lan")
            for kind in ("object", "object"):
                await chat.say("/yeucaudulieu")
                await chat.press(f"pv:r:{kind}")

    async def stored() -> tuple[list[DataRequest], list[str], list[tuple[str, str | None]]]:
        async with open_app() as app, app.db.session() as db:
            rows = list(await db.scalars(select(DataRequest).order_by(DataRequest.id)))
            sent = await db.scalars(select(Outbox).where(Outbox.platform_id == "c9").order_by(Outbox.id))
            audit = await db.execute(select(AuditLog.action, AuditLog.target).where(AuditLog.actor == "cli"))
            return rows, [r.payload[0]["text"] for r in sent], [(a, t) for a, t in audit.all()]

    asyncio.run(ask())
    assert main(["privacy", "requests"]) == 0
    assert "2 open requests" in capsys.readouterr().out
    assert main(["privacy", "ack", "1"]) == 0
    assert main(["privacy", "done", "1", "--outcome", "Đã dừng gửi thông báo."]) == 0
    assert main(["privacy", "refuse", "2", "--reason", "Xử lý theo nhiệm vụ của cơ quan."]) == 0
    assert main(["privacy", "done", "2", "--outcome", "x"]) != 0  # closed already: refused, one line
    capsys.readouterr()
    rows, sent, audit = asyncio.run(stored())
    assert [(r.status, r.outcome, r.handled_by) for r in rows] == [
        ("done", "Đã dừng gửi thông báo.", "cli"),
        ("refused", "Xử lý theo nhiệm vụ của cơ quan.", "cli"),
    ]
    assert sent[-3:] == [
        texts.DSR_ACKNOWLEDGED.format(id=1, due=local_text(rows[0].due_at, load_settings().timezone, False)),
        texts.DSR_DONE.format(id=1, outcome="Đã dừng gửi thông báo."),
        texts.DSR_REFUSED.format(id=2, outcome="Xử lý theo nhiệm vụ của cơ quan."),
    ]
    assert audit == [
        ("privacy.request_ack", "yc:1"),
        ("privacy.request_done", "yc:1"),
        ("privacy.request_refused", "yc:2"),
    ]
