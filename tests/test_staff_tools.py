"""Staff knowledge-base commands: reload and the unanswered questions list."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.app import build_app
from storage.staff import StaffDirectory
from tests.conftest import FIXTURE_KB, Chat, make_settings


async def test_staff_reload_and_unanswered(tmp_path: Path) -> None:
    kb_dir = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, kb_dir)
    app = await build_app(make_settings(tmp_path, knowledge_dir=kb_dir, staff="test:boss=admin"))
    try:
        citizen, boss = Chat(app, "citizen"), Chat(app, "boss")
        await citizen.say("/capnhat")
        assert "chỉ dành cho cán bộ" in citizen.text
        await citizen.say("thời tiết hôm nay thế nào")
        await citizen.say("thoi tiet hom nay the nao")
        await boss.say("/chuatraloi")
        assert "2 lần" in boss.text and "thoi tiet" in boss.text
        (kb_dir / "tam-tru.yaml").write_text("id: tam-tru\nkind: procedure\n", encoding="utf-8")
        await boss.say("/capnhat")
        assert "vẫn dùng nội dung cũ" in boss.text and "tam-tru.yaml" in boss.text
        assert "tam-tru" in app.knowledge.kb.topics
        (kb_dir / "tam-tru.yaml").unlink()
        await boss.say("/capnhat")
        assert "2 chủ đề" in boss.text
    finally:
        await app.close()


def test_staff_file_is_reread_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "staff.txt"
    directory = StaffDirectory(path)
    assert directory.role_of("telegram:1") is None
    directory.add("telegram:1", "staff", "Anh Nam")
    assert directory.role_of("telegram:1") == "staff"
    path.write_text("telegram:1 admin\n# comment\n", encoding="utf-8")
    import os

    os.utime(path, (1, 1))  # force a different mtime even within the same second
    assert directory.role_of("telegram:1") == "admin"


async def test_reload_runs_off_the_event_loop(tmp_path: Path) -> None:
    """A rebuild takes seconds (a retrain): the staff command must not hold every citizen's answer."""
    import asyncio
    import threading

    from handlers import texts

    app = await build_app(make_settings(tmp_path, knowledge_dir=FIXTURE_KB, staff="test:boss=admin"))
    try:
        where: list[bool] = []
        real = app.knowledge.reload

        def recording_reload() -> tuple[bool, list[str]]:
            where.append(threading.current_thread() is threading.main_thread())
            return real()

        app.knowledge.reload = recording_reload  # type: ignore[method-assign]
        boss = Chat(app, "boss")
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        other = asyncio.create_task(ticker())
        await boss.say("/capnhat")
        other.cancel()
        assert where == [False]  # in a worker thread
        assert boss.text == texts.KB_RELOADED.format(count=len(app.knowledge.kb.topics))
        assert ticks > 1  # the loop kept turning while the base was rebuilt
    finally:
        await app.close()
