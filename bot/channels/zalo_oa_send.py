"""Sending to one OA user: live answers, the outbox's sends inside the 7-day window, and templates.

Zalo only lets an OA send consultation messages to people who wrote within the
last 7 days; after that, an approved ZBS template sent by user id is the way
(bot/channels/zalo_templates.py, docs/zalo.md).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable

from sqlalchemy import select

from bot.channels.base import OutsideWindow, PermanentError, TransientError, Unreachable
from bot.channels.zalo_common import LazyHttp, ZaloSenderBase, answer_with_retries
from bot.channels.zalo_oa_api import CHANNEL, CS_PATH, OAClient, ZaloApiError, delivery_error
from bot.channels.zalo_oa_render import render
from bot.channels.zalo_templates import CONFIG_ERRORS, ERR_UNKNOWN, TEMPLATE_PATH, TemplateSpec, refusal
from bot.channels.zalo_tokens import ZaloAuthError, ZaloTokenUnavailable
from handlers.messages import Reply
from storage.db import Database
from storage.models import User, utcnow

WINDOW = dt.timedelta(days=7)
WINDOW_MARGIN = dt.timedelta(minutes=10)  # do not try at the very edge of the window


class ZaloOASender(ZaloSenderBase):
    """Sends replies to one OA user: live answers and, through `send`, the outbox."""

    channel = CHANNEL

    def __init__(
        self,
        client: OAClient,
        db: Database,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        info_image_url: str = "",
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        owned_http: LazyHttp | None = None,
        templates: dict[str, TemplateSpec] | None = None,
    ) -> None:
        super().__init__(sleep=sleep, owned_http=owned_http)
        self.client = client
        self.templates = templates or {}
        self.db = db
        self.clock = clock
        self.info_image_url = info_image_url

    async def send(self, platform_id: str, replies: list[Reply]) -> str | None:
        """Proactive send (broadcast, complaint reply): only inside the 7-day window."""
        await self.check_window(platform_id)
        return await self.deliver(platform_id, replies)

    async def check_window(self, platform_id: str) -> None:
        """Raise OutsideWindow/Unreachable without calling Zalo when it would refuse anyway."""
        async with self.db.session() as db:
            user = await db.scalar(
                select(User).where(User.channel == CHANNEL, User.platform_id == platform_id)
            )
        if user is None:
            raise OutsideWindow("outside the Zalo window: this user never wrote to the OA")
        if user.blocked:
            raise Unreachable("the user unfollowed the OA")
        if user.last_seen_at < self.clock() - WINDOW + WINDOW_MARGIN:
            raise OutsideWindow(
                f"outside the Zalo window: last message {user.last_seen_at:%Y-%m-%d %H:%M} UTC, more than 7 days ago"
            )

    async def deliver(self, platform_id: str, replies: list[Reply]) -> str | None:
        """Send every rendered message; the id of the last one is returned."""
        last: str | None = None
        for message in render(replies, self.info_image_url):
            body = {"recipient": {"user_id": platform_id}, "message": message}
            try:
                data = await self.client.post(CS_PATH, body)
            except ZaloApiError as exc:
                raise delivery_error(exc) from None
            except ZaloAuthError as exc:
                raise TransientError(f"Zalo OA is not authorised: {exc}") from None
            except ZaloTokenUnavailable as exc:
                raise TransientError(str(exc)) from None
            last = str(data.get("message_id") or "") or last
        return last

    async def send_template(self, platform_id: str, purpose: str, values: dict[str, str]) -> str | None:
        """Outside the window: the approved template of `purpose` (bot/channels/zalo_templates.py).

        OutsideWindow when no template serves that purpose: the row waits, as before.
        """
        spec = self.templates.get(purpose)
        if spec is None:
            raise OutsideWindow(f"outside the Zalo window and no template for {purpose}")
        body = {
            "user_id": platform_id,
            "template_id": spec.template_id,
            "template_data": spec.data(purpose, values),
        }
        try:
            data = await self.client.post(TEMPLATE_PATH, body)
        except ZaloApiError as exc:
            if exc.code in CONFIG_ERRORS:
                raise PermanentError(refusal(purpose, exc.code, exc.message)) from None
            if exc.code == ERR_UNKNOWN:  # Zalo's table: "try again later"
                raise TransientError(f"Zalo OA template send failed ({exc})") from None
            raise delivery_error(exc) from None
        except (ZaloAuthError, ZaloTokenUnavailable) as exc:
            raise TransientError(f"Zalo OA is not authorised: {exc}") from None
        return str(data.get("message_id") or "") or None

    async def send_live(self, platform_id: str, replies: list[Reply]) -> None:
        await answer_with_retries(
            self.deliver, platform_id, replies, sleep=self.sleep, label="Zalo OA", budget=self.budget
        )
