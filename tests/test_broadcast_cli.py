"""`motcua broadcast …` and `motcua outbox status` on a temporary database."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.cli import main
from storage.db import Database
from storage.models import AuditLog, Outbox
from storage.repos import get_or_create_user
from tests.conftest import FIXTURE_KB


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MOTCUA_KNOWLEDGE_DIR", str(FIXTURE_KB))
    monkeypatch.delenv("MOTCUA_DATABASE_URL", raising=False)
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'motcua.db'}")

    async def seed() -> None:
        await db.upgrade()
        async with db.session() as s:
            for i, subs in enumerate([["chung"], ["luadao"], ["chung", "luadao"], []]):
                u = await get_or_create_user(s, "telegram", str(100 + i))
                u.subscriptions = subs
                u.area = "Khu phố 1" if i == 2 else None
            await s.commit()
        await db.close()

    asyncio.run(seed())
    return tmp_path


def rows(env: Path, model=Outbox) -> list:
    async def load() -> list:
        db = Database(f"sqlite+aiosqlite:///{env / 'motcua.db'}")
        async with db.session() as s:
            out = list((await s.scalars(select(model))).all())
        await db.close()
        return out

    return asyncio.run(load())


def test_send_by_topic_from_file(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notice = env / "tin.txt"
    notice.write_text("Cảnh báo: không cung cấp mã OTP cho người lạ.\n", encoding="utf-8")
    assert main(["broadcast", "send", "--topic", "luadao", "--file", str(notice), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "recipients: 2 (telegram: 2)" in out and "mã OTP" in out and "queued broadcast 1" in out
    assert sorted(r.platform_id for r in rows(env)) == ["101", "102"]
    (entry,) = rows(env, AuditLog)
    assert entry.action == "broadcast.create" and entry.actor.startswith("cli:")
    assert entry.detail["audience"] == {"topic": "luadao"} and "OTP" in entry.detail["text"]


def test_dry_run_area_and_scheduled(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["broadcast", "send", "--area", "Khu phố 1", "--text", "Họp tổ", "--dry-run"]) == 0
    assert "recipients: 1" in capsys.readouterr().out
    assert rows(env) == []
    assert main(["broadcast", "send", "--text", "Mai", "--at", "2099-01-01 08:00", "--yes"]) == 2
    assert "within the next year" in capsys.readouterr().err
    tomorrow = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() + dt.timedelta(days=1)
    assert main(["broadcast", "send", "--text", "Mai", "--at", f"{tomorrow} 08:00", "--yes"]) == 0
    expected = dt.datetime.combine(tomorrow, dt.time(8, 0), ZoneInfo("Asia/Ho_Chi_Minh")).astimezone(dt.UTC)
    assert {r.not_before for r in rows(env)} == {expected}


def test_bad_inputs_are_one_line_errors(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["broadcast", "send", "--area", "Xóm Lạ", "--text", "x", "--yes"]) == 2
    assert "not an area" in capsys.readouterr().err
    assert main(["broadcast", "send", "--text", "x", "--at", "hôm qua", "--yes"]) == 2
    assert main(["broadcast", "send", "--text", "   ", "--yes"]) == 2
    assert main(["broadcast", "send", "--topic", "yte", "--text", "x", "--yes"]) == 2
    assert "nobody would receive" in capsys.readouterr().err
    assert main(["broadcast", "status", "42"]) == 2
    assert main(["broadcast", "cancel", "42"]) == 2


def test_list_status_cancel(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["broadcast", "send", "--text", "Tin chung", "--yes"]) == 0
    capsys.readouterr()
    assert main(["broadcast", "list"]) == 0
    assert "Tin chung" in capsys.readouterr().out
    assert main(["broadcast", "status", "1"]) == 0
    out = capsys.readouterr().out
    assert "[----------------------------------------] 0%  0/3 done" in out and "pending     3" in out
    assert main(["broadcast", "cancel", "1"]) == 0
    assert "3 deliveries" in capsys.readouterr().out
    assert main(["broadcast", "status", "1"]) == 0
    out = capsys.readouterr().out
    assert "cancelled" in out and "3/3 done" in out
    assert main(["outbox", "status"]) == 0
    assert "telegram\tcancelled\t3" in capsys.readouterr().out
