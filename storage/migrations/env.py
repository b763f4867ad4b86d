"""Alembic environment: runs on a connection handed in by Database.upgrade,
or, from the alembic command line, on an async engine built from the URL."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    if config.config_file_name is not None:  # `alembic -c storage/alembic.ini …`: its logging
        from logging.config import fileConfig

        fileConfig(config.config_file_name, disable_existing_loggers=False)
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("MOTCUA_DATABASE_URL", "")
    if not url:
        raise SystemExit("alembic: no sqlalchemy.url configured (set MOTCUA_DATABASE_URL)")
    asyncio.run(_run_async(url))
