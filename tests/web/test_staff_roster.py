"""Staff accounts in the database: seeded from the staff file and MOTCUA_STAFF, read by the chat."""

from __future__ import annotations

import os
from pathlib import Path

from bot.app import build_app
from storage import staff_accounts
from storage.staff import StaffDirectory
from tests.conftest import FIXTURE_KB, make_settings
from tests.web.conftest import ADMIN, STAFF


async def _keys(bot) -> dict[str, tuple[str, str]]:
    async with bot.db.session() as db:
        return {a.key: (a.role, a.source) for a in await staff_accounts.all_accounts(db)}


async def test_the_file_seeds_the_table(web_bot) -> None:
    assert await _keys(web_bot) == {ADMIN: ("admin", "file"), STAFF: ("staff", "file")}
    assert web_bot.services.staff.role_of(ADMIN) == "admin"


async def test_a_file_edit_reaches_the_table_and_the_chat(web_bot, tmp_path: Path) -> None:
    directory = web_bot.services.staff
    directory.add("telegram:7", "staff", "Bảy")
    os.utime(tmp_path / "staff.txt", (1, 1))  # a different mtime even within the clock's resolution
    await directory.refresh()
    assert (await _keys(web_bot))["telegram:7"] == ("staff", "file")
    assert directory.role_of("telegram:7") == "staff"
    directory.remove("telegram:7")
    await directory.refresh()
    assert "telegram:7" not in await _keys(web_bot)
    assert directory.role_of("telegram:7") is None


async def test_web_accounts_survive_the_seed_and_a_web_edit_wins_over_the_file(web_bot) -> None:
    async with web_bot.db.session() as db:
        await staff_accounts.upsert(db, "zalo_oa:55", "staff", "Năm")
        await staff_accounts.upsert(db, STAFF, "admin", "Hai (web)")
        await db.commit()
    await web_bot.services.staff.refresh(force=True)  # reseed as if the file had changed
    keys = await _keys(web_bot)
    assert keys["zalo_oa:55"] == ("staff", "web")
    assert keys[STAFF] == ("admin", "web")


async def test_inline_staff_are_seeded_and_win(tmp_path: Path, db_url: str) -> None:
    (tmp_path / "staff.txt").write_text(f"{ADMIN} staff\n")
    settings = make_settings(
        tmp_path, database_url=db_url, knowledge_dir=FIXTURE_KB, staff=f"{ADMIN}=admin,zalo_bot:3"
    )
    bot = await build_app(settings)
    try:
        assert await _keys(bot) == {ADMIN: ("admin", "inline"), "zalo_bot:3": ("staff", "inline")}
        assert bot.services.staff.is_inline("zalo_bot:3")
    finally:
        await bot.close()


async def test_another_worker_sees_an_added_account(web_bot, tmp_path: Path) -> None:
    other = StaffDirectory(tmp_path / "staff.txt")
    await other.attach(web_bot.db)
    async with web_bot.db.session() as db:
        await staff_accounts.upsert(db, "telegram:88", "staff", "")
        await db.commit()
    assert other.role_of("telegram:88") is None  # its snapshot is a few seconds old
    other.invalidate()  # as if REFRESH_SECONDS had passed
    await other.refresh()
    assert other.role_of("telegram:88") == "staff"


def test_a_directory_without_a_database_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "staff.txt"
    path.write_text(f"{STAFF} staff\n")
    assert StaffDirectory(path).role_of(STAFF) == "staff"
