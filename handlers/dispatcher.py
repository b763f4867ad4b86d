"""The one path every message takes: serialise per user, load state, route, save.

Routing order: a button action (unpacked by its codec; unknown or malformed
data is refused before the lock and the database); the active flow's fallback
commands and cancel words; other commands; the active flow's step; then free
text (numbers pressing the last numbered buttons, intents, hooks, the matcher).
Everything a handler writes commits in one transaction with the session state,
so a crash never leaves half a conversation step stored.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import time
import weakref

from sqlalchemy.exc import SQLAlchemyError

from handlers import observe, texts
from handlers.context import Context, Services
from handlers.flow import Fallback
from handlers.limits import RateLimiter
from handlers.messages import Incoming, Reply, log_id
from handlers.rendering import numbered_actions
from storage.error_log import ErrorLog, is_database_error
from storage.repos import TOUCH_RESOLUTION, open_conversation

log = logging.getLogger(__name__)
MAX_TEXT = 4000  # longer free text is cut before matching (the rest is noise for the matcher)
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+(.*))?$", re.S)
LOCAL_CHANNELS = ("console", "test")  # not rate-limited: nobody remote can flood them
LIFECYCLE_EVENTS = ("follow", "unfollow")  # never dropped: they change whether we may write to the user
_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")
# Channels that show real buttons and never number them: a number typed there is text
# (an age, a count, an answer in a form), not a button press, so none are remembered.
BUTTONS_ONLY_CHANNELS = frozenset({"telegram"})
DB_WHAT = "handling messages: database unavailable"


class Dispatcher:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        settings = services.settings
        self.limiter = RateLimiter(settings.rate_burst, settings.rate_per_minute)
        # a database outage fails every message the same way: one line a minute, not a traceback each
        self.db_errors = ErrorLog(log)

    def _limit(self, incoming: Incoming) -> str:
        """Per-user flood control, before the lock and the database.

        Only messages from the platforms are limited: the console and test
        channels are local, follow/unfollow events must never be lost, and
        staff relay conversations at their own pace.
        """
        if incoming.channel in LOCAL_CHANNELS or incoming.other in LIFECYCLE_EVENTS:
            return "ok"
        if self.services.staff.role_of(incoming.user_key) is not None:
            return "ok"
        return self.limiter.check(incoming.user_key)

    def _lock_for(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Process one message; never raises: failures become a polite apology.

        Reports each update once (channel, latency, outcome, the matcher's decision)
        to the observation hooks, which feed /metrics and the JSON log.
        """
        started = time.perf_counter()
        with observe.tracking() as facts:
            replies = await self._handle(incoming)
            observe.emit(
                "update",
                channel=incoming.channel,
                seconds=time.perf_counter() - started,
                outcome=facts.get("outcome", "ok"),
                decision=facts.get("decision"),
                topic=facts.get("topic"),
                replies=len(replies),
            )
        return replies

    async def _handle(self, incoming: Incoming) -> list[Reply]:
        if incoming.action is not None and not self._known_action(incoming.action):
            observe.note(outcome="expired")
            return self._expired_reply()
        await self.services.staff.refresh()
        verdict = self._limit(incoming)
        if verdict != "ok":
            observe.note(outcome="rate_limited")
            if verdict == "drop":
                return []
            wait = self.limiter.wait_seconds(incoming.user_key)
            return [Reply(texts.RATE_LIMITED.format(seconds=wait))]
        lock = self._lock_for(incoming.user_key)
        async with lock:
            try:
                replies = await self._handle_locked(incoming)
            except Exception as exc:
                self._failed(exc, "failed to handle a message from %s", log_id(incoming.user_key))
                hotline = self.services.knowledge.kb.locality.hotline
                return [Reply(texts.SYSTEM_ERROR.format(hotline=hotline))]
            self.db_errors.succeeded(DB_WHAT)
            return replies

    def _failed(self, exc: Exception, message: str, *args: object) -> None:
        """A database outage is logged with backoff; anything else is a bug and keeps its traceback."""
        observe.note(outcome="error")
        if isinstance(exc, SQLAlchemyError):
            observe.emit("db_error", where="dispatcher")
        if is_database_error(exc):
            self.db_errors.failed(DB_WHAT, exc)
        else:
            log.exception(message, *args)

    def _known_action(self, data: str) -> bool:
        return self.services.router.resolve(data) is not None

    @staticmethod
    def _expired_reply() -> list[Reply]:
        """A forged or outdated button: no state was read, so point at the menu."""
        from handlers.menu import menu_button

        return [Reply(texts.EXPIRED_BUTTON, buttons=[menu_button()])]

    async def _handle_locked(self, incoming: Incoming) -> list[Reply]:
        db_is_pg = not self.services.db.is_sqlite
        async with self.services.db.session() as db:
            user, session = await open_conversation(
                db, incoming.channel, incoming.platform_id, incoming.display_name, lock=db_is_pg
            )
            ctx = Context(self.services, db, user, session, incoming)
            try:
                first = self._is_first_contact(ctx)
                replies = await self.route(ctx, incoming)
                if first:
                    replies = self._with_ai_notice(ctx, replies)
                if incoming.channel not in BUTTONS_ONLY_CHANNELS:
                    actions = numbered_actions(replies)
                    if actions:
                        ctx._put("buttons", actions)
                if ctx.now() - session.updated_at > TOUCH_RESOLUTION:
                    session.updated_at = ctx.now()
                await db.commit()
            except Exception as exc:
                if ctx.failure_replies is None:
                    raise
                self._failed(
                    exc, "transaction failed for %s; telling them what it means", log_id(incoming.user_key)
                )
                return ctx.failure_replies
            return replies

    @staticmethod
    def _is_first_contact(ctx: Context) -> bool:
        """Not told yet (staff work with the bot; the notice is for the people it serves)."""
        return ctx.session.data.get(NOTICE_KEY) != texts.PRIVACY_NOTICE_VERSION and not ctx.is_staff

    def _with_ai_notice(self, ctx: Context, replies: list[Reply]) -> list[Reply]:
        """The first answer to a person says it comes from an automatic (AI) assistant.

        The AI Law (134/2025/QH15) asks that people know they are talking to an AI
        system; the notice also says how to reach a person. Remembered in the session,
        so it shows again at the next contact after /xoadulieu (which forgets everything).
        """
        ctx._put(NOTICE_KEY, texts.PRIVACY_NOTICE_VERSION)
        loc = self.services.knowledge.kb.locality
        notice = texts.AI_NOTICE.format(office=loc.office_name, hotline=loc.hotline)
        if not replies:
            return [Reply(notice)]
        first = replies[0]
        # after the answer (a greeting stays first), in it: one message more would change
        # what every channel's first exchange looks like
        return [dataclasses.replace(first, text=f"{first.text}\n\n{notice}"), *replies[1:]]

    async def route(self, ctx: Context, msg: Incoming) -> list[Reply]:
        router = self.services.router
        if msg.text is not None and msg.channel not in BUTTONS_ONLY_CHANNELS:
            number = _NUMBER.match(msg.text)
            shown = ctx.session.data.get("buttons") or []
            if number and 1 <= int(number.group(1)) <= len(shown):
                msg = _with_action(msg, shown[int(number.group(1)) - 1])
                ctx.incoming = msg
        if msg.action is not None:
            resolved = router.resolve_route(msg.action)
            if resolved is None:  # a remembered numbered button whose feature changed since
                return await self._expired(ctx, msg)
            route, action = resolved
            if msg.in_public_group(ctx.settings.staff_chat) and not route.in_groups:
                return [Reply(texts.PRIVATE_ONLY)]
            return await route.handler(ctx, msg, action)
        if msg.in_public_group(ctx.settings.staff_chat):
            return await self._in_group(ctx, msg)
        flow = router.active_flow(ctx)
        if flow is not None and not flow.allowed(ctx):
            flow.end(ctx)  # e.g. staff rights removed mid-draft: the message goes on as if no flow
            flow = None
        command = _COMMAND.match(msg.text.strip()) if msg.text is not None else None
        if command:
            name = command.group(1).lower()
            if flow is not None:
                fallback = flow.fallback_for(name)
                if fallback is Fallback.CANCEL:
                    return await flow.cancel(ctx)
                if fallback is Fallback.LEAVE:
                    left = flow.left_text(ctx)
                    flow.leave(ctx)
                    replies = await self._command(ctx, msg, name)
                    return [Reply(left), *replies] if left else replies
            return await self._command(ctx, msg, name)
        if msg.other is not None and msg.other in router.events:
            # lifecycle events (follow, unfollow) are not part of any conversation flow
            return await router.events[msg.other](ctx, msg)
        if flow is not None:
            step = await flow.handle(ctx, msg)
            if step is not None:
                return step
        elif ctx.session.flow:
            ctx.session.flow = None  # a flow whose feature is gone: forget it
        if msg.text is None:
            kind = "other"
            for name in ("photo", "location", "contact"):
                if getattr(msg, name) is not None:
                    kind = name
            if msg.other == "sticker":
                kind = "sticker"
            return await self._menu_with(ctx, texts.CANNOT_USE_MEDIA[kind])
        return await self.free_text(ctx, msg)

    async def free_text(self, ctx: Context, msg: Incoming) -> list[Reply]:
        router = self.services.router
        text = (msg.text or "").strip()
        if not text:
            return [Reply(texts.EMPTY_TEXT)]
        intent = ctx.matcher.detect_intent(text[:200])  # the deployment's intent phrases too
        if intent and intent in router.intents:
            return await router.intents[intent](ctx, msg)
        for hook in router.text_hooks:
            replies = await hook(ctx, msg)
            if replies is not None:
                return replies
        return await router.intents["question"](ctx, msg)

    async def _in_group(self, ctx: Context, msg: Incoming) -> list[Reply]:
        """In a group chat everyone reads the answer: only what holds nothing personal.

        Commands registered `in_groups` and questions to the matcher are answered; flows
        (a complaint draft, a conversation with an officer) stay in the private chat,
        and every other command or text hook answers "xin mời nhắn riêng".
        """
        command = _COMMAND.match(msg.text.strip()) if msg.text is not None else None
        if command:
            found = self.services.router.commands.get(command.group(1).lower())
            if found is not None and found.in_groups:
                return await self._command(ctx, msg, found.name)
            return [Reply(texts.PRIVATE_ONLY)]
        if msg.text is None or not msg.text.strip():
            return [Reply(texts.PRIVATE_ONLY)]
        return await self.services.router.intents["question"](ctx, msg)

    async def _command(self, ctx: Context, msg: Incoming, name: str) -> list[Reply]:
        command = self.services.router.commands.get(name)
        if command is None:
            from handlers.menu import help_replies

            return help_replies(ctx, texts.UNKNOWN_COMMAND.format(name=name))
        if command.staff_only and not ctx.is_staff:
            return await self._menu_with(ctx, texts.STAFF_ONLY.format(office=ctx.kb.locality.office_name))
        return await command.handler(ctx, msg)

    async def _expired(self, ctx: Context, msg: Incoming) -> list[Reply]:
        return await self._menu_with(ctx, texts.EXPIRED_BUTTON)

    async def _menu_with(self, ctx: Context, text: str) -> list[Reply]:
        from handlers.menu import main_menu

        return [Reply(text), main_menu(ctx)]


NOTICE_KEY = "notice"  # session key: the version of the AI/privacy notice already shown


def _with_action(msg: Incoming, action: str) -> Incoming:
    return Incoming(
        channel=msg.channel,
        platform_id=msg.platform_id,
        display_name=msg.display_name,
        action=action,
        message_id=msg.message_id,
        group=msg.group,
    )
