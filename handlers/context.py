"""What a handler may use while answering one message.

`Services` is built once per process; `Context` once per message, inside the
transaction the dispatcher opened, so a handler's writes commit together with
the session state and question log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.messages import Incoming, Reply
from handlers.router import Feature
from handlers.settings import HandlerSettings
from storage.models import ChatSession, User, utcnow

if TYPE_CHECKING:
    from handlers.router import Router
    from knowledge.loader import KnowledgeBase
    from knowledge.matcher import Matcher
    from knowledge.service import KnowledgeService
    from storage.db import Database
    from storage.staff import StaffDirectory


@dataclass
class Services:
    settings: HandlerSettings
    knowledge: KnowledgeService
    db: Database
    staff: StaffDirectory
    router: Router
    clock: Callable[[], dt.datetime] = utcnow


@dataclass
class Context:
    services: Services
    db: AsyncSession
    user: User
    session: ChatSession
    incoming: Incoming
    # What to tell the user if the transaction fails after the handler ran
    # (e.g. "your complaint was NOT recorded"); None means the generic apology.
    failure_replies: list[Reply] | None = None

    # --- shortcuts -------------------------------------------------------
    @property
    def kb(self) -> KnowledgeBase:
        return self.services.knowledge.kb

    @property
    def matcher(self) -> Matcher:
        return self.services.knowledge.matcher

    @property
    def settings(self) -> HandlerSettings:
        return self.services.settings

    @property
    def router(self) -> Router:
        return self.services.router

    def has_feature(self, name: Feature) -> bool:
        """Whether another feature is present, e.g. to offer its button only when it can be pressed."""
        return self.services.router.has(name)

    def now(self) -> dt.datetime:
        return self.services.clock()

    def local_now(self) -> dt.datetime:
        return self.now().astimezone(ZoneInfo(self.settings.timezone))

    @property
    def user_key(self) -> str:
        return self.incoming.user_key

    @property
    def role(self) -> str | None:
        return self.services.staff.role_of(self.user_key)

    @property
    def is_staff(self) -> bool:
        return self.role is not None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    # --- state that outlives one message -------------------------------
    @property
    def flow(self) -> str | None:
        """The name of the active flow (see handlers/flow.py for its state and data)."""
        return self.session.flow

    def leave_flow(self) -> None:
        """Step out of whatever flow is active (a draft kept in memory stays for later)."""
        flow = self.router.active_flow(self)
        if flow is not None:
            flow.leave(self)
        self.session.flow = None

    def memory(self, key: str, default: Any = None) -> Any:
        """Per-user data that outlives flows (e.g. guide progress, last topic)."""
        return self.session.data.get("mem", {}).get(key, default)

    def remember(self, key: str, value: Any) -> None:
        mem = dict(self.session.data.get("mem", {}))
        if value is None:
            mem.pop(key, None)
        else:
            mem[key] = value
        self._put("mem", mem)

    def session_data(self) -> dict[str, Any]:
        return self.session.data or {}

    def put_session_data(self, key: str, value: Any) -> None:
        self._put(key, value)

    def _put(self, key: str, value: Any) -> None:
        # reassign the whole dict so SQLAlchemy sees the JSON column change
        data = dict(self.session.data or {})
        data[key] = value
        self.session.data = data
