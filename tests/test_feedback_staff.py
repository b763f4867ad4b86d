# ruff: noqa: F811  (pytest fixtures imported from tests.feedback_support)
"""Staff side: refusals for citizens, inbox order, overdue reminders, the CLI."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App
from bot.cli import main
from handlers.feedback_core import make_office, remind_overdue
from storage.complaints import format_code
from storage.models import AuditLog
from tests.conftest import Chat
from tests.feedback_support import (  # noqa: F401  (fixtures)
    FEEDBACK_KB,
    STAFF,
    citizen,
    complaints,
    events,
    fb_app,
    file_complaint,
    make_feedback_app,
    outbox,
    payload_text,
    staff,
)


async def test_citizens_get_a_polite_refusal_for_staff_things(fb_app: App, citizen: Chat) -> None:
    code = await file_complaint(citizen)
    for command in ("/hopthu", f"/xemphananh {code}", "/goilai"):
        await citizen.say(command)
        assert "chỉ dành cho cán bộ" in citizen.text, command
    for action in (
        f"cs:open:{code}",
        f"cs:reply:{code}",
        f"cs:close:{code}",
        f"cs:set:{code}:closed",
        "cs:inbox",
        "ho:take:1",
        "g:cbd:1",
    ):
        await citizen.press(action)
        assert "chỉ dành cho cán bộ" in citizen.text, action
    await citizen.press(f"cs:to:{code}:test:c1")
    assert "chỉ dành cho cán bộ" in citizen.text
    assert (await complaints(fb_app))[0].status == "received"
    # staff cannot assign to someone who is not staff
    staff = Chat(fb_app, user="staff1")
    await staff.press(f"cs:to:{code}:test:c1")
    assert "không có trong danh sách cán bộ" in staff.text
    # staff commands are not advertised to citizens
    await citizen.say("/trogiup")
    assert "/hopthu" not in citizen.text and "/phananh" in citizen.text


async def test_inbox_puts_overdue_first(tmp_path: Path) -> None:
    app, clock = await make_feedback_app(tmp_path)
    try:
        first = await file_complaint(Chat(app, user="c1"), "Cống thoát nước trước chợ bị tắc nghẽn")
        clock.advance(days=20)
        second = await file_complaint(Chat(app, user="c2"), "Đèn đường ngõ 5 bị hỏng đã một tuần nay")
        clock.advance(days=1)
        third = await file_complaint(Chat(app, user="c3"), "Rác thải bên bờ sông không ai thu gom")
        staff = Chat(app, user="staff1")
        await staff.say("/hopthu")
        lines = staff.text.splitlines()
        assert lines[1].startswith("⚠️ " + first)
        assert second in lines[2] and third in lines[3]
        assert staff.actions[:3] == [f"cs:open:{first}", f"cs:open:{second}", f"cs:open:{third}"]
    finally:
        await app.close()


async def test_daily_overdue_reminder_once_a_day(tmp_path: Path) -> None:
    app, clock = await make_feedback_app(tmp_path, staff_chat="test:-100777")
    try:
        code = await file_complaint(Chat(app, user="c1"))
        staff = Chat(app, user="staff1")
        await staff.press(f"cs:assign:{code}")
        await staff.press(f"cs:to:{code}:test:staff2")
        office = make_office(app.services.staff, app.services.settings, app.knowledge.kb.locality)
        clock.advance(days=15)  # Tuesday 15/12: overdue (due 14/12)
        async with app.db.session() as db:
            assert await remind_overdue(db, office, clock()) == 1
            await db.commit()
        async with app.db.session() as db:
            assert await remind_overdue(db, office, clock()) is None  # once a day
            await db.commit()
        rows = [r for r in await outbox(app) if (r.ref or "").startswith("overdue:")]
        assert {r.platform_id for r in rows} == {"-100777", "staff2"}
        assert code in payload_text(rows[0]) and "quá hạn" in payload_text(rows[0])
        clock.advance(days=4)  # Saturday: not a working day
        async with app.db.session() as db:
            assert await remind_overdue(db, office, clock()) is None
        # the runner waits for the configured hour
        from bot.complaint_reminders import ReminderRunner

        clock.advance(days=2)  # Monday 21/12 09:00 local, after the 08:00 reminder hour
        assert await ReminderRunner(app).tick() == 1
        assert await ReminderRunner(app).tick() is None
    finally:
        await app.close()


# ---------------------------------------------------------------- CLI
@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MOTCUA_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
    monkeypatch.setenv("MOTCUA_KNOWLEDGE_DIR", str(FEEDBACK_KB))
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MOTCUA_STAFF", STAFF)
    return tmp_path


def _file_one(tmp_path: Path) -> str:
    async def go() -> str:
        app, _ = await make_feedback_app(tmp_path)
        try:
            await file_complaint(Chat(app, user="c2"), '=HYPERLINK("http://x.example","bấm vào đây")')
            return await file_complaint(Chat(app, user="c1", name="Trần Thị Hoa"), phone="0912345678")
        finally:
            await app.close()

    return asyncio.run(go())


def _read(tmp_path: Path, fn):
    async def go():
        app, _ = await make_feedback_app(tmp_path)
        try:
            return await fn(app)
        finally:
            await app.close()

    return asyncio.run(go())


def test_cli_list_show_reply_close_export(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = _file_one(cli_env)
    assert main(["complaints", "list"]) == 0
    out = capsys.readouterr().out
    assert code in out and "Đã tiếp nhận" in out
    assert main(["complaints", "show", code.lower()]) == 0
    out = capsys.readouterr().out
    assert "Trần Thị Hoa" in out and "Tiếp nhận phản ánh" in out
    assert main(["complaints", "reply", code, "Đã khơi thông cống.", "--as", "lan"]) == 0
    assert "queued for the citizen" in capsys.readouterr().out
    assert main(["complaints", "close", code, "--as", "lan"]) == 0
    assert f"{code}: closed" in capsys.readouterr().out
    assert main(["complaints", "list"]) == 0
    assert code not in capsys.readouterr().out
    assert main(["complaints", "list", "--all"]) == 0
    assert code in capsys.readouterr().out
    target = cli_env / "export.csv"
    assert main(["complaints", "export", "--csv", "-o", str(target)]) == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0]["description"].startswith("'=HYPERLINK")  # not run as a formula by Excel
    assert (rows[1]["code"], rows[1]["status"], rows[1]["answer"]) == (code, "closed", "Đã khơi thông cống.")

    replies = _read(cli_env, lambda app: outbox(app, kind="complaint_reply"))
    assert [r.platform_id for r in replies] == ["c1", "c1"]
    assert "Đã khơi thông cống." in payload_text(replies[0])

    async def audits(app: App) -> list[tuple[str, str]]:
        async with app.db.session() as db:
            return [(a.actor, a.action) for a in await db.scalars(select(AuditLog).order_by(AuditLog.id))]

    logged = _read(cli_env, audits)
    assert ("cli:lan", "complaint.reply") in logged and ("cli:lan", "complaint.status") in logged


def test_cli_filters_assign_and_reopen(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = _file_one(cli_env)
    _, year, number = code.split("-")
    other = format_code(int(year), int(number) - 1)  # the formula one, filed first
    assert main(["complaints", "list", "--search", "thong ong"]) == 0  # no match (words folded, none there)
    assert "no complaints" in capsys.readouterr().out
    assert main(["complaints", "list", "--search", "hyperlink"]) == 0
    out = capsys.readouterr().out
    assert other in out and code not in out
    assert main(["complaints", "assign", code, "test:staff2", "--as", "lan"]) == 0
    assert f"{code}: assigned to test:staff2" in capsys.readouterr().out
    assert main(["complaints", "list", "--assignee", "test:staff2"]) == 0
    out = capsys.readouterr().out
    assert code in out and other not in out
    assert main(["complaints", "list", "--assignee", "none"]) == 0
    out = capsys.readouterr().out
    assert other in out and code not in out
    assert main(["complaints", "list", "--category", "thai-do"]) == 0
    assert "no complaints" in capsys.readouterr().out
    assert main(["complaints", "assign", code, "test:c1"]) == 2
    assert "không có trong danh sách cán bộ" in capsys.readouterr().err
    assert main(["complaints", "reopen", code, "cần xem lại"]) == 2  # still open
    assert "không cần mở lại" in capsys.readouterr().err
    assert main(["complaints", "close", code]) == 0
    capsys.readouterr()
    assert main(["complaints", "reopen", code, "Người dân báo vẫn còn tắc", "--as", "lan"]) == 0
    assert f"{code}: reopened" in capsys.readouterr().out
    assert main(["complaints", "list", "--status", "reopened"]) == 0
    assert code in capsys.readouterr().out
    kinds = _read(cli_env, lambda app: events(app, code))
    assert kinds == ["received", "assigned", "closed", "staff_reopened"]


def test_cli_errors_are_one_line(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["complaints", "show", "hello"]) == 2
    assert "not a complaint code" in capsys.readouterr().err
    assert main(["complaints", "reply", "PA-2026-000404", "x"]) == 2
    assert "Không tìm thấy" in capsys.readouterr().err
    assert main(["complaints", "remind"]) == 0


async def test_the_reminder_runs_with_motcua_run_when_a_channel_is_configured(tmp_path: Path) -> None:
    from bot.complaint_reminders import ReminderRunner, reminder_runner

    app, _ = await make_feedback_app(tmp_path / "a")
    try:
        assert reminder_runner(app) is None
    finally:
        await app.close()
    app, _ = await make_feedback_app(tmp_path / "b", telegram_token="123:abc")
    try:
        runner = reminder_runner(app)
        assert isinstance(runner, ReminderRunner) and not runner.is_channel
        await runner.start()
        await runner.stop()
    finally:
        await app.close()
