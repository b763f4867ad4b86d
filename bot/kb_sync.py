"""Workers follow the staff overlay's version stamp, and count finished days for the statistics.

`motcua run` may be several processes on several machines; staff accept a
change in one of them. Each process checks the stamp (storage.kb_stamp) every
few seconds: a newer version is written to its data directory when its copy
differs, then loaded like a reload (the old base serves until the new one and
its matcher are built, in a thread, so conversations are not held up). Once
an hour the daily question counts are brought up to yesterday.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.periodic import PeriodicRunner
from handlers.improve import write_file
from knowledge.overlay import digest, overlay_path
from storage import kb_stamp
from storage.stats_rollup import roll_up

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
SYNC_SECONDS = 10.0
ROLLUP_SECONDS = 3600.0
_locks: dict[int, asyncio.Lock] = {}


def _file_digest(app: App) -> str | None:
    try:
        return digest(overlay_path(app.settings.data_dir).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


async def sync(app: App) -> bool:
    """Load the overlay's newest version if this process has not yet; True when it did."""
    knowledge = app.knowledge
    lock = _locks.setdefault(id(app), asyncio.Lock())
    async with lock:
        async with app.db.session() as db:
            stamp = await kb_stamp.current(db)
        if stamp is None or stamp.version <= knowledge.overlay_version:
            return False
        if await asyncio.to_thread(_file_digest, app) != stamp.digest:
            await asyncio.to_thread(write_file, overlay_path(app.settings.data_dir), stamp.content)
        ok, problems = await asyncio.to_thread(knowledge.reload)
        knowledge.overlay_version = stamp.version
        if ok:
            log.info("knowledge overlay version %d loaded", stamp.version)
        else:
            log.error("knowledge overlay version %d refused, still serving the old base:\n%s",
                      stamp.version, "\n".join(problems))  # fmt: skip
        return ok


def sync_soon(app: App) -> asyncio.Task[bool]:
    """Start loading a version just published here, without waiting for the next check."""
    task = asyncio.create_task(sync(app))
    app.background.append(task)
    task.add_done_callback(lambda t: app.background.remove(t) if t in app.background else None)
    return task


class KbSyncRunner(PeriodicRunner):
    name = "kb-sync"
    what = "knowledge overlay check (will retry)"
    log = log

    def __init__(self, app: App, interval: float = SYNC_SECONDS) -> None:
        super().__init__(app, interval)

    async def start(self) -> None:
        """The version already on disk at start-up counts as loaded (no rebuild at every start)."""
        async with self.app.db.session() as db:
            stamp = await kb_stamp.current(db)
        knowledge = self.app.knowledge
        if stamp is not None and not knowledge.overlay_problems and _file_digest(self.app) == stamp.digest:
            knowledge.overlay_version = stamp.version
        await super().start()

    async def tick(self) -> bool:
        return await sync(self.app)


class RollupRunner(PeriodicRunner):
    name = "stats-rollup"
    what = "daily statistics counts (will retry)"
    log = log

    def __init__(self, app: App, interval: float = ROLLUP_SECONDS) -> None:
        super().__init__(app, interval)

    async def tick(self) -> int:
        tz = self.app.settings.timezone
        today = self.app.services.clock().astimezone(ZoneInfo(tz)).date()
        async with self.app.db.session() as db:
            counted = await roll_up(db, tz, today)
        if counted:
            log.info("statistics: %d finished day(s) counted", counted)
        return counted


def kb_sync_runner(app: App) -> KbSyncRunner:
    return KbSyncRunner(app)


def rollup_runner(app: App) -> RollupRunner:
    return RollupRunner(app)


__all__ = ["KbSyncRunner", "RollupRunner", "sync", "sync_soon"]
