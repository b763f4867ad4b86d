"""Workers started at the same moment on a fresh PostgreSQL database (issue 17, item 7):
the second exited with UniqueViolation on alembic_version."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from storage.db import Database
from tests.conftest import PG_URL
from tests.fault.outages import drop_pg, fresh_pg

pytestmark = pytest.mark.postgres


@pytest.mark.skipif(not PG_URL, reason="MOTCUA_TEST_DATABASE_URL not set")
async def test_workers_migrating_a_fresh_database_at_once_all_start() -> None:
    for _ in range(3):  # the race is narrow; each round is a fresh database
        url = await fresh_pg(PG_URL)
        dbs = [Database(url) for _ in range(4)]
        try:
            results = await asyncio.gather(*(db.upgrade() for db in dbs), return_exceptions=True)
            assert [r for r in results if isinstance(r, BaseException)] == []
            assert not await dbs[0].pending_migrations()
            async with dbs[0].engine.connect() as conn:
                heads = (await conn.execute(text("SELECT count(*) FROM alembic_version"))).scalar()
            assert heads == len(await _script_heads())
        finally:
            for db in dbs:
                await db.close()
            await drop_pg(url)


async def _script_heads() -> set[str]:
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config

    return set(ScriptDirectory.from_config(alembic_config()).get_heads())
