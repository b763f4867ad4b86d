"""Builds the services once per process and wires the dispatcher.

Every entry point (console, `motcua run`, tests) goes through `build_app`, so
they all run the same knowledge base, storage and routing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.channels.base import ChannelSender
from bot.channels.files import FileSource
from bot.config import ConfigError, Settings
from handlers.context import Services
from handlers.dispatcher import Dispatcher
from handlers.features import build_router
from handlers.settings import HandlerSettings, RetentionSettings
from handlers.text_overlay import OverlayError, apply_overlay
from knowledge.loader import KnowledgeError
from knowledge.overlay import overlay_path
from knowledge.service import KnowledgeService
from storage.db import Database
from storage.staff import StaffDirectory, StaffFileError

log = logging.getLogger(__name__)


class StartupError(Exception):
    """The app cannot start; the message says what to fix (no traceback for users)."""


UserReturned = Callable[[str, str], Awaitable[None]]  # (channel, platform_id)
AlertAdmins = Callable[[str], Awaitable[None]]  # (text)


@dataclass
class App:
    """The process: conversation services plus what only channels and delivery share.

    Channel senders, file sources and the two hooks live here rather than in
    handlers' Services because no conversation code uses them: a runner
    registers its sender (and its file source) so the outbox and the staff
    console reuse the same bot and connection pool.
    """

    settings: Settings
    services: Services
    dispatcher: Dispatcher
    background: list[Any] = field(default_factory=list)
    senders: dict[str, ChannelSender] = field(default_factory=dict)  # channel -> its sender
    # channel -> where files its users sent are fetched back (complaint photos for the staff console)
    file_sources: dict[str, FileSource] = field(default_factory=dict)
    # called after a Zalo user wrote, so replies held "outside the Zalo window" go out now
    on_user_returned: UserReturned | None = None
    # called when the OA needs re-authorisation; None: a notice to every admin via the outbox
    alert_admins: AlertAdmins | None = None

    @property
    def db(self) -> Database:
        return self.services.db

    @property
    def knowledge(self) -> KnowledgeService:
        return self.services.knowledge

    async def close(self) -> None:
        tasks = [t for t in self.background if isinstance(t, asyncio.Task) and not t.done()]
        for task in tasks:  # e.g. an overlay reload started by the console (bot/kb_sync.py)
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.services.db.close()


def handler_settings(settings: Settings) -> HandlerSettings:
    """The slice of the configuration that conversations read (see handlers/settings.py)."""
    names = [f.name for f in dataclasses.fields(HandlerSettings) if f.name != "retention"]
    kept = {f.name: getattr(settings, f"retention_{f.name}") for f in dataclasses.fields(RetentionSettings)}
    return HandlerSettings(
        **{name: getattr(settings, name) for name in names}, retention=RetentionSettings(**kept)
    )


def staff_path(settings: Settings) -> Path:
    return settings.staff_file or (settings.data_dir / "staff.txt")


async def build_app(settings: Settings, *, migrate: bool = True) -> App:
    """Load the knowledge base, open (and migrate) the database, build the router."""
    try:
        knowledge = KnowledgeService(
            settings.knowledge_dir,
            settings.locality_file,
            cache_dir=settings.data_dir / "cache",
            overlay_file=overlay_path(settings.data_dir),
        )
    except KnowledgeError as exc:
        raise StartupError("knowledge base is invalid:\n" + "\n".join(exc.problems)) from None
    try:
        apply_overlay(settings.texts_path)
    except OverlayError as exc:
        raise StartupError("the texts overlay is invalid:\n" + "\n".join(exc.problems)) from None
    try:
        staff = StaffDirectory(staff_path(settings), settings.staff)
    except StaffFileError as exc:
        raise StartupError(str(exc)) from None
    db = Database(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_overflow,
    )
    try:
        if migrate:
            await db.upgrade()
        else:
            await db.ping()
        await staff.attach(db, strict=migrate)
    except Exception as exc:  # driver errors vary; say what failed and where
        await db.close()
        raise StartupError(f"cannot use the database {_safe_url(settings.database_url)}: {exc}") from None
    services = Services(
        settings=handler_settings(settings), knowledge=knowledge, db=db, staff=staff, router=build_router()
    )
    return App(settings=settings, services=services, dispatcher=Dispatcher(services))


def _safe_url(url: str) -> str:
    """The URL without its password, for error messages and logs."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unparseable URL)"


__all__ = ["App", "ConfigError", "StartupError", "build_app"]
