"""Backups: create, change the data, restore, and every table is as it was (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import backup
from bot.app import build_app
from tests.conftest import FIXTURE_KB, Chat, make_settings
from tests.test_cli import motcua


async def every_table(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """All rows of every table in the database (not only the models'), in a stable order."""
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: inspect(c).get_table_names())
        out = {}
        for name in sorted(names):
            rows = (await conn.execute(text(f'SELECT * FROM "{name}"'))).all()
            out[name] = sorted((tuple(r) for r in rows), key=repr)
    return out


async def test_round_trip_restores_every_table(db_url: str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, database_url=db_url, knowledge_dir=FIXTURE_KB)
    app = await build_app(settings)
    file = tmp_path / "backups" / "motcua.backup"
    try:
        for user in ("a", "b"):
            chat = Chat(app, user=user)
            await chat.say("/start")
            await chat.say("làm giấy khai sinh cho con")
            await chat.say("/dangky")
        before = await every_table(app.db.engine)
        assert sum(len(rows) for rows in before.values()) > 5
        assert before["alembic_version"], "the migration state is backed up too"
        backup.create(settings.database_url, file)
        with pytest.raises(backup.BackupError, match="already exists"):
            backup.create(settings.database_url, file)
        await Chat(app, user="c").say("đổi căn cước")  # after the backup: must disappear
        async with app.db.engine.begin() as conn:
            await conn.execute(text("DELETE FROM question_log"))
        assert await every_table(app.db.engine) != before
    finally:
        await app.close()
    backup.restore(settings.database_url, file)
    app = await build_app(settings)  # the restored database opens and is fully migrated
    try:
        assert await every_table(app.db.engine) == before
    finally:
        await app.close()


def test_postgres_without_pg_dump_prints_the_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(backup.shutil, "which", lambda _name: None)
    url = "postgresql+asyncpg://bot:hunter2@db.example:5432/motcua"
    with pytest.raises(backup.BackupError) as err:
        backup.create(url, tmp_path / "x.sql")
    message = str(err.value)
    assert "pg_dump is not installed here" in message
    assert "PGPASSWORD=… pg_dump --clean --if-exists" in message
    assert "postgresql://bot@db.example:5432/motcua" in message and "hunter2" not in message


def test_backup_commands_on_sqlite(tmp_path: Path) -> None:
    env = {"MOTCUA_DATA_DIR": str(tmp_path / "data"), "MOTCUA_KNOWLEDGE_DIR": str(FIXTURE_KB)}
    assert motcua("db", "upgrade", env=env).returncode == 0
    made = motcua("backup", "create", str(tmp_path / "b.db"), env=env)
    assert made.returncode == 0 and "backed up" in made.stdout
    (tmp_path / "data" / "motcua.pid").write_text("1")  # pid 1 is alive: "the bot is running"
    refused = motcua("backup", "restore", str(tmp_path / "b.db"), env=env)
    assert refused.returncode == 2 and "stop it before restoring" in refused.stderr
    (tmp_path / "data" / "motcua.pid").unlink()
    (tmp_path / "junk").write_text("not a database")
    bad = motcua("backup", "restore", str(tmp_path / "junk"), env=env)
    assert bad.returncode == 2 and "not a SQLite backup" in bad.stderr
    assert motcua("backup", "restore", str(tmp_path / "b.db"), env=env).returncode == 0
