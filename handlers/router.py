"""Where features plug in: each feature module registers its actions, commands,
flows, intents and topic renderers here, so the dispatcher never names them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from handlers.messages import Incoming, Reply

if TYPE_CHECKING:
    from handlers.context import Context

Handler = Callable[["Context", Incoming], Awaitable[list[Reply]]]
# A flow handler may return None: "not mine", and the message continues as free text.
FlowHandler = Callable[["Context", Incoming], Awaitable[list[Reply] | None]]
TopicRenderer = Callable[["Context", str], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    description: str
    staff_only: bool = False


@dataclass
class Router:
    actions: dict[str, Handler] = field(default_factory=dict)
    commands: dict[str, Command] = field(default_factory=dict)
    flows: dict[str, FlowHandler] = field(default_factory=dict)
    intents: dict[str, Handler] = field(default_factory=dict)
    events: dict[str, Handler] = field(default_factory=dict)
    topic_renderers: dict[str, TopicRenderer] = field(default_factory=dict)
    text_hooks: list[FlowHandler] = field(default_factory=list)

    def action(self, prefix: str, handler: Handler) -> None:
        """Actions look like `prefix:rest`; the prefix picks the handler."""
        if prefix in self.actions:
            raise ValueError(f"action prefix {prefix!r} registered twice")
        self.actions[prefix] = handler

    def command(self, name: str, handler: Handler, description: str, *, staff_only: bool = False) -> None:
        if name in self.commands:
            raise ValueError(f"command /{name} registered twice")
        self.commands[name] = Command(name, handler, description, staff_only)

    def flow(self, name: str, handler: FlowHandler) -> None:
        self.flows[name] = handler

    def intent(self, name: str, handler: Handler) -> None:
        self.intents[name] = handler

    def event(self, name: str, handler: Handler) -> None:
        self.events[name] = handler

    def topic(self, key: str, renderer: TopicRenderer) -> None:
        """Render a topic id (or every topic of a kind: `kind:guide`) specially."""
        self.topic_renderers[key] = renderer

    def text_hook(self, hook: FlowHandler) -> None:
        """Free text is offered to hooks before the matcher (e.g. a tracking code)."""
        self.text_hooks.append(hook)

    def public_commands(self) -> list[Command]:
        return [c for c in self.commands.values() if not c.staff_only]
