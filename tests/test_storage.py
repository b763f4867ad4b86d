"""Repositories and migrations, on SQLite always and PostgreSQL when configured."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from storage.db import Database
from storage.models import Base, Outbox, QuestionLog, User
from storage.repos import (
    audit,
    enqueue,
    get_or_create_user,
    get_user,
    load_session,
    log_question,
    mark_unreachable,
)


async def test_migrations_create_exactly_the_models(db_url: str) -> None:
    db = Database(db_url)
    try:
        await db.upgrade()
        await db.upgrade()  # idempotent
        assert not await db.pending_migrations()

        def diff(conn):
            ctx = MigrationContext.configure(conn, opts={"compare_type": False})
            return compare_metadata(ctx, Base.metadata)

        async with db.engine.connect() as conn:
            changes = await conn.run_sync(diff)
        assert changes == [], f"models and migrations differ: {changes}"
    finally:
        await db.close()


async def test_user_session_log_outbox_roundtrip(db_url: str) -> None:
    db = Database(db_url)
    await db.upgrade()
    try:
        async with db.session() as s:
            user = await get_or_create_user(s, "telegram", "42", "Lan")
            again = await get_or_create_user(s, "telegram", "42", None)
            assert user.id == again.id and again.display_name == "Lan"
            session = await load_session(s, user, lock=not db.is_sqlite)
            session.flow = "guide"
            session.data = {"flow": {"step": 3}}
            await log_question(
                s,
                user=user,
                channel="telegram",
                text="Làm KHAI SINH",
                normalized="lam khai sinh",
                decision="answer",
                topic_id="khai-sinh",
                score=0.91,
                candidates=[{"id": "khai-sinh", "score": 0.91}],
            )
            await enqueue(
                s,
                channel="telegram",
                platform_id="42",
                user_id=user.id,
                kind="notice",
                payload=[{"text": "xin chào"}],
            )
            await audit(s, "telegram:1", "test.action", "x", note="ok")
            await s.commit()
        async with db.session() as s:
            user = await get_user(s, "telegram", "42")
            assert user is not None
            session = await load_session(s, user, lock=not db.is_sqlite)
            assert session.flow == "guide" and session.data["flow"]["step"] == 3
            log = (await s.scalars(select(QuestionLog))).one()
            assert log.topic_id == "khai-sinh" and log.candidates[0]["id"] == "khai-sinh"
            assert log.at.tzinfo is not None
            row = (await s.scalars(select(Outbox))).one()
            assert row.status == "pending" and row.payload == [{"text": "xin chào"}]
            await mark_unreachable(s, "telegram", "42")
            await s.commit()
        async with db.session() as s:
            assert (await s.scalars(select(User))).one().blocked is True
            # writing again makes the user reachable
            user = await get_or_create_user(s, "telegram", "42")
            assert user.blocked is False
    finally:
        await db.close()


async def test_same_identity_on_two_channels_is_two_users(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    await db.upgrade()
    async with db.session() as s:
        a = await get_or_create_user(s, "telegram", "1")
        b = await get_or_create_user(s, "zalo_oa", "1")
        assert a.id != b.id
        await s.commit()
    await db.close()


async def test_a_session_left_by_an_exception_keeps_nothing(db_url: str) -> None:
    """Writes before a crash are rolled back on both databases, and the connection is reusable."""
    db = Database(db_url)
    await db.upgrade()
    try:
        with pytest.raises(RuntimeError):
            async with db.session() as s:
                await get_or_create_user(s, "telegram", "crash")
                await log_question(
                    s,
                    user=None,
                    channel="telegram",
                    text="x",
                    normalized="x",
                    decision="fallback",
                    topic_id=None,
                    score=None,
                    candidates=[],
                )
                raise RuntimeError("handler crashed")
        async with db.session() as s:
            assert await get_user(s, "telegram", "crash") is None
            assert (await s.scalars(select(QuestionLog))).all() == []
            await get_or_create_user(s, "telegram", "after")
            await s.commit()
        async with db.session() as s:
            assert await get_user(s, "telegram", "after") is not None
    finally:
        await db.close()


async def test_upgrading_an_existing_database_keeps_its_rows(db_url: str) -> None:
    """A database made by an older release gets the new columns; users and sessions survive."""
    from alembic import command
    from sqlalchemy import text

    from storage.db import alembic_config

    db = Database(db_url)
    try:

        def old_release(conn):  # type: ignore[no-untyped-def]
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001_foundation")

        async with db.engine.begin() as conn:
            await conn.run_sync(old_release)
            await conn.execute(
                text(
                    "INSERT INTO users (channel, platform_id, display_name, subscriptions, blocked, created_at,"
                    " last_seen_at) VALUES ('telegram', '7', 'Lan', '[]', false, CURRENT_TIMESTAMP,"
                    " CURRENT_TIMESTAMP)"
                )
            )
            uid = (await conn.execute(text("SELECT id FROM users"))).scalar_one()
            await conn.execute(
                text(
                    "INSERT INTO sessions (user_id, flow, data, updated_at) VALUES (:u, NULL, '{}', CURRENT_TIMESTAMP)"
                ),
                {"u": uid},
            )
        await db.upgrade()
        assert not await db.pending_migrations()
        async with db.session() as s:
            user = await get_user(s, "telegram", "7")
            assert user is not None and user.display_name == "Lan" and user.store_name is True
            assert (await load_session(s, user, lock=False)).data == {}
    finally:
        await db.close()
