"""Where features plug in: each feature module registers its actions, commands,
flows, intents, events, topic renderers and text hooks here, so the dispatcher
never names them.

Every registration is unique: a second one of the same key (an action prefix,
a command, a flow, an intent…) raises at start-up instead of silently replacing
the first, which is how a feature's handler used to go dead unnoticed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from handlers.actions import Action, split_prefixes
from handlers.messages import Incoming, Reply

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy.ext.asyncio import AsyncSession

    from handlers.context import Context
    from handlers.flow import AnyFlow
    from handlers.settings import HandlerSettings, RetentionSettings
    from storage.models import User

A = TypeVar("A", bound=Action)
Handler = Callable[["Context", Incoming], Awaitable[list[Reply]]]
ActionHandler = Callable[["Context", Incoming, A], Awaitable[list[Reply]]]
# A hook may return None: "not mine", and the message goes on to the next hook or the matcher.
TextHook = Callable[["Context", Incoming], Awaitable[list[Reply] | None]]
TopicRenderer = Callable[["Context", str], Awaitable[list[Reply]]]


class Feature(StrEnum):
    """The feature modules, so one can ask whether another is present without a magic string."""

    MENU = "menu"
    ANSWERS = "answers"
    STAFF_TOOLS = "staff_tools"
    GUIDE = "guide"
    CHANNEL_EVENTS = "channel_events"
    FEEDBACK = "feedback"
    COMPLAINTS_STAFF = "complaints_staff"
    HANDOFF = "handoff"
    RATINGS = "ratings"
    PRIVACY = "privacy"
    SUBSCRIPTIONS = "subscriptions"
    BROADCAST = "broadcast"


class HookPriority:
    """Order of text hooks: lower runs first; equal priorities run in feature order."""

    RESUME = 20  # offer to resume something unfinished before reading the text as new
    CODE = 30  # a tracking code or an explicit wish («tôi muốn phản ánh»)
    PHRASE = 50  # a fixed phrase of a feature («gặp cán bộ», «hủy đăng ký»)


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    description: str
    staff_only: bool = False
    # answered in group chats too; every other command answers "xin mời nhắn riêng" there
    in_groups: bool = False


@dataclass(frozen=True)
class ActionRoute:
    codec: type[Action]
    handler: ActionHandler[Any]
    in_groups: bool = False


# What a feature says it stores about a user (lines for /dulieucuatoi) and how it erases it.
Describer = Callable[["AsyncSession", "User", "HandlerSettings"], Awaitable[list[str]]]
Eraser = Callable[["AsyncSession", "User"], Awaitable[None]]
# The records themselves, for the file of a person's data (handlers/privacy_export.py): JSON values.
Exporter = Callable[["AsyncSession", "User", "HandlerSettings"], Awaitable[list[dict[str, Any]]]]
# The daily purge of what is past its retention period; returns how many rows it changed.
Purger = Callable[["AsyncSession", "dt.datetime", "RetentionSettings"], Awaitable[int]]


@dataclass(frozen=True)
class PersonalData:
    """One feature's personal data, and the processing register's entry for it."""

    name: str
    describe: Describer
    erase: Eraser
    columns: tuple[str, ...]  # "table.column" it holds and erases
    purpose: str = ""
    basis: str = ""
    retention: str = ""  # a RetentionSettings field without "_days", e.g. "question_log"
    recipients: str = ""
    purge: Purger | None = None
    export: Exporter | None = None  # records beyond the describer's lines (what they wrote)


@dataclass(frozen=True)
class _Hook:
    priority: int
    order: int
    name: str
    hook: TextHook


def _unique(kind: str, table: dict[Any, Any], key: Any, value: Any) -> None:
    if key in table:
        raise ValueError(f"{kind} {key!r} registered twice")
    table[key] = value


@dataclass
class Router:
    actions: dict[str, ActionRoute] = field(default_factory=dict)
    commands: dict[str, Command] = field(default_factory=dict)
    flows: dict[str, AnyFlow] = field(default_factory=dict)
    intents: dict[str, Handler] = field(default_factory=dict)
    events: dict[str, Handler] = field(default_factory=dict)
    topic_renderers: dict[str, TopicRenderer] = field(default_factory=dict)
    features: set[Feature] = field(default_factory=set)
    personal: dict[str, PersonalData] = field(default_factory=dict)
    _hooks: list[_Hook] = field(default_factory=list)

    def feature(self, name: Feature) -> None:
        if name in self.features:
            raise ValueError(f"feature {name!r} registered twice")
        self.features.add(name)

    def has(self, name: Feature) -> bool:
        return name in self.features

    def action(self, codec: type[A], handler: ActionHandler[A], *, in_groups: bool = False) -> None:
        """Presses of buttons made by `codec` reach `handler` with the unpacked action.

        `in_groups`: the button may be answered in a group chat (it shows nothing personal).
        """
        _unique("action prefix", self.actions, codec.prefix, ActionRoute(codec, handler, in_groups))

    def resolve(self, data: str) -> tuple[ActionHandler[Any], Action] | None:
        """The handler and typed action of a button's data; None when unknown or malformed."""
        found = self.resolve_route(data)
        return None if found is None else (found[0].handler, found[1])

    def resolve_route(self, data: str) -> tuple[ActionRoute, Action] | None:
        """Like `resolve`, with the route (to know whether it may answer in a group)."""
        for prefix in split_prefixes(data):
            route = self.actions.get(prefix)
            if route is not None:
                action = route.codec.unpack(data)
                return None if action is None else (route, action)
        return None

    def command(
        self,
        name: str,
        handler: Handler,
        description: str,
        *,
        staff_only: bool = False,
        in_groups: bool = False,
    ) -> None:
        _unique("command", self.commands, name, Command(name, handler, description, staff_only, in_groups))

    def personal_data(
        self,
        name: str,
        *,
        describe: Describer,
        erase: Eraser,
        columns: tuple[str, ...],
        purpose: str = "",
        basis: str = "",
        retention: str = "",
        recipients: str = "",
        purge: Purger | None = None,
        export: Exporter | None = None,
    ) -> None:
        """What a feature stores about a person: how to describe it (/dulieucuatoi) and erase it.

        Every feature that stores personal data registers here, like its commands, so
        /xoadulieu cannot forget one; tests/test_privacy_registry.py fails when a column
        holding personal data belongs to no registration.
        """
        entry = PersonalData(
            name, describe, erase, columns, purpose, basis, retention, recipients, purge, export
        )
        _unique("personal data", self.personal, name, entry)

    def flow(self, flow: AnyFlow) -> None:
        _unique("flow", self.flows, flow.name, flow)

    def intent(self, name: str, handler: Handler) -> None:
        _unique("intent", self.intents, name, handler)

    def event(self, name: str, handler: Handler) -> None:
        _unique("event", self.events, name, handler)

    def topic(self, key: str, renderer: TopicRenderer) -> None:
        """Render a topic id (or every topic of a kind: `kind:guide`) specially."""
        _unique("topic renderer", self.topic_renderers, key, renderer)

    def text_hook(self, name: str, hook: TextHook, *, priority: int) -> None:
        """Free text is offered to hooks, lowest priority first, before the matcher."""
        if any(h.name == name for h in self._hooks):
            raise ValueError(f"text hook {name!r} registered twice")
        self._hooks.append(_Hook(priority, len(self._hooks), name, hook))
        self._hooks.sort(key=lambda h: (h.priority, h.order))

    @property
    def text_hooks(self) -> list[TextHook]:
        return [h.hook for h in self._hooks]

    def active_flow(self, ctx: Context) -> AnyFlow | None:
        """The declared flow the user is in, if any."""
        name = ctx.session.flow
        return self.flows.get(name) if name else None

    def public_commands(self) -> list[Command]:
        return [c for c in self.commands.values() if not c.staff_only]
