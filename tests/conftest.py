"""Shared fixtures: an app on a fresh database, and a `Chat` that talks to it.

Tests drive the dispatcher directly (no channel) unless they test a channel.
PostgreSQL tests run when MOTCUA_TEST_DATABASE_URL is set, and skip otherwise.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.config import Settings
from handlers.messages import Incoming, Reply
from tests.fake_telegram import FakeTelegram

TESTS_DIR = Path(__file__).resolve().parent
FIXTURE_KB = TESTS_DIR / "data" / "kb"


def _database_of_this_worker(url: str) -> str:
    """Under pytest-xdist each worker gets its own database (`test_gw0`, `test_gw1`, …).

    PostgreSQL tests drop and recreate the public schema of their database, which
    one worker must not do under another's feet. The database is created on first
    use and kept (the next run empties it again); the URL is written back to the
    environment so the `motcua` processes a test starts use the same one.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker:
        return url
    import asyncio

    import asyncpg
    from sqlalchemy.engine import make_url

    given = make_url(url)
    name = f"{given.database}_{worker}"

    async def create() -> None:
        conn = await asyncpg.connect(
            host=given.host,
            port=given.port,
            user=given.username,
            password=given.password,
            database=given.database,
        )
        try:
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    try:
        asyncio.run(create())
    except (OSError, asyncpg.PostgresError):
        return url  # the server is not there: the PostgreSQL tests fail or skip as without workers
    mine = given.set(database=name).render_as_string(hide_password=False)
    os.environ["MOTCUA_TEST_DATABASE_URL"] = mine
    return mine


PG_URL = _database_of_this_worker(os.environ.get("MOTCUA_TEST_DATABASE_URL", ""))


async def reset_postgres(url: str) -> None:
    """Drop everything in the test database so each test starts from an empty schema."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    async with engine.begin() as conn:
        # A connection an earlier test left open (a background task still winding down) would
        # hold locks the DROP waits for, or deadlock with: end it first; it belongs to no test now.
        await conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


def make_settings(
    tmp_path: Path, *, database_url: str = "", knowledge_dir: Path | None = None, **extra
) -> Settings:
    url = database_url or f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    return Settings(database_url=url, data_dir=tmp_path, knowledge_dir=knowledge_dir, **extra).resolved()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using this runs on SQLite, and on PostgreSQL when configured."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    if not PG_URL:
        if os.environ.get("MOTCUA_REQUIRE_POSTGRES"):
            pytest.fail("MOTCUA_REQUIRE_POSTGRES is set but MOTCUA_TEST_DATABASE_URL is not")
        pytest.skip("MOTCUA_TEST_DATABASE_URL not set")
    await reset_postgres(PG_URL)
    return PG_URL


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """The fake Telegram Bot API on a free local port (Zalo test modules define their own `fake`)."""
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on a fresh SQLite file with the bundled knowledge base."""
    return make_settings(tmp_path)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[App]:
    """The whole app on the bundled knowledge base and a fresh SQLite database."""
    application = await build_app(settings)
    yield application
    await application.close()


@pytest.fixture
async def fixture_app(tmp_path: Path) -> AsyncIterator[App]:
    """The app on the small fixture knowledge base (tests/data/kb): stable topics for core tests."""
    application = await build_app(make_settings(tmp_path, knowledge_dir=FIXTURE_KB))
    yield application
    await application.close()


class Chat:
    """One user talking to the bot through the dispatcher, as a test would read it."""

    def __init__(
        self, app: App, user: str = "u1", channel: str = "test", name: str | None = "Người dùng"
    ) -> None:
        self.app = app
        self.user = user
        self.channel = channel
        self.name = name
        self.last: list[Reply] = []

    async def send(self, **kind) -> list[Reply]:
        msg = Incoming(channel=self.channel, platform_id=self.user, display_name=self.name, **kind)
        self.last = await self.app.dispatcher.handle(msg)
        return self.last

    async def say(self, text: str) -> list[Reply]:
        return await self.send(text=text)

    async def press(self, action: str) -> list[Reply]:
        return await self.send(action=action)

    async def tap(self, label_part: str) -> list[Reply]:
        """Press the button of the last replies whose label contains label_part."""
        for reply in reversed(self.last):
            for button in reply.flat_buttons:
                if label_part.lower() in button.label.lower():
                    return await self.press(button.action)
        labels = [b.label for r in self.last for b in r.flat_buttons]
        raise AssertionError(f"no button containing {label_part!r}; buttons were {labels}")

    @property
    def text(self) -> str:
        return "\n---\n".join(r.text for r in self.last)

    @property
    def actions(self) -> list[str]:
        return [b.action for r in self.last for b in r.flat_buttons]

    @property
    def labels(self) -> list[str]:
        return [b.label for r in self.last for b in r.flat_buttons]


@pytest.fixture
def chat(app: App) -> Chat:
    return Chat(app)


@pytest.fixture
def fixture_chat(fixture_app: App) -> Chat:
    return Chat(fixture_app)
