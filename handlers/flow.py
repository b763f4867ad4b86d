"""Step-wise conversations as declared states with typed data and their own fallbacks.

A flow (an announcement draft, a complaint form, a call-back request…)
declares its states as an enum, its data as a pydantic model, one handler per
state and kind of input, and what its fallbacks do. While it is active the
dispatcher asks it first: its fallback commands (/huy, /menu, /start) and the
cancel words of the reply vocabulary («hủy», «thôi»…) come before global
commands, so typing /huy in the middle of a complaint cancels the complaint
(and says so) instead of reaching another feature's command.

    class Step(StrEnum):
        TEXT = "text"
        TIME = "time"

    class Draft(BaseModel):
        text: str = ""

    FLOW = Flow("broadcast", Step, Draft, cancelled=texts.BC_DRAFT_CANCELLED)

    @FLOW.on(Step.TEXT, Kind.TEXT)
    async def take_text(ctx: Context, msg: Incoming, run: Run[Step, Draft]) -> list[Reply] | None:
        run.data.text = msg.text or ""
        run.move(ctx, Step.TIME)
        return [Reply(texts.BC_ASK_TIME)]

State lives in the session by default (`SessionStore`), under the dispatcher's
one transaction. A draft that must survive other flows and /menu lives in
user memory (`MemoryStore`): leaving the flow keeps it, cancelling drops it.
Stored data that no longer validates (an old release's format) ends the flow
instead of crashing every message of that user.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from handlers.messages import Incoming, Reply
from handlers.replies import is_cancel

if TYPE_CHECKING:
    from handlers.context import Context

log = logging.getLogger(__name__)

S = TypeVar("S", bound=StrEnum)
D = TypeVar("D", bound=BaseModel)


class Kind(StrEnum):
    """The kinds of input a state may handle."""

    TEXT = "text"
    PHOTO = "photo"
    LOCATION = "location"
    CONTACT = "contact"
    OTHER = "other"  # stickers, voice, files…


def kind_of(msg: Incoming) -> Kind | None:
    """The kind of a message a flow may handle; None for button presses (actions route by codec)."""
    if msg.text is not None:
        return Kind.TEXT
    if msg.photo is not None:
        return Kind.PHOTO
    if msg.location is not None:
        return Kind.LOCATION
    if msg.contact is not None:
        return Kind.CONTACT
    if msg.action is not None:
        return None
    return Kind.OTHER


class Fallback(StrEnum):
    """What a flow does with one of its fallback commands."""

    CANCEL = "cancel"  # end the flow, drop its data, say what was cancelled
    LEAVE = "leave"  # step out (a memory draft is kept), then the global command runs


DEFAULT_FALLBACKS: dict[str, Fallback] = {
    "huy": Fallback.CANCEL,
    "menu": Fallback.LEAVE,
    "start": Fallback.LEAVE,
}


class Store(Protocol):
    """Where a flow keeps its state and data between messages."""

    def load(self, ctx: Context, flow: str) -> dict[str, Any] | None: ...

    def save(self, ctx: Context, flow: str, value: dict[str, Any]) -> None: ...

    def drop(self, ctx: Context, flow: str) -> None: ...


class SessionStore:
    """The session's flow slot: one flow at a time; starting another replaces it."""

    def load(self, ctx: Context, flow: str) -> dict[str, Any] | None:
        if ctx.session.flow != flow:
            return None
        value = ctx.session_data().get("flow")
        return value if isinstance(value, dict) else None

    def save(self, ctx: Context, flow: str, value: dict[str, Any]) -> None:
        ctx.put_session_data("flow", value)

    def drop(self, ctx: Context, flow: str) -> None:
        if ctx.session.flow == flow or ctx.session.flow is None:
            ctx.put_session_data("flow", {})


@dataclass(frozen=True)
class MemoryStore:
    """User memory under `key`: outlives other flows, /menu and days of silence."""

    key: str

    def load(self, ctx: Context, flow: str) -> dict[str, Any] | None:
        value = ctx.memory(self.key)
        return value if isinstance(value, dict) else None

    def save(self, ctx: Context, flow: str, value: dict[str, Any]) -> None:
        ctx.remember(self.key, value)

    def drop(self, ctx: Context, flow: str) -> None:
        ctx.remember(self.key, None)


class Run(Generic[S, D]):
    """One user's position in a flow: its state and data, saved with `move` or `save`."""

    def __init__(self, flow: Flow[S, D], state: S, data: D) -> None:
        self.flow = flow
        self.state = state
        self.data = data

    def move(self, ctx: Context, state: S) -> None:
        self.state = state
        self.save(ctx)

    def save(self, ctx: Context) -> None:
        self.flow.store.save(ctx, self.flow.name, {"state": self.state.value, "data": self.data.model_dump()})

    def end(self, ctx: Context) -> None:
        self.flow.end(ctx)


StepHandler = Callable[["Context", Incoming, Run[S, D]], Awaitable[list[Reply] | None]]
# What a cancel says (and does: ending a live conversation must write): replies, sync or async.
CancelReplies = Callable[["Context", Run[S, D]], list[Reply] | Awaitable[list[Reply]]]
Guard = Callable[["Context"], bool]
LeftText = Callable[["Context", Run[S, D]], str | None]


class Flow(Generic[S, D]):
    """A declared step-wise conversation; register it with `router.flow(FLOW)`."""

    def __init__(
        self,
        name: str,
        states: type[S],
        data: type[D],
        *,
        cancelled: str | CancelReplies[S, D],
        store: Store | None = None,
        fallbacks: dict[str, Fallback] | None = None,
        guard: Guard | None = None,
        left: str | LeftText[S, D] | None = None,
        cancel_words: bool = True,
        cancel_objects: tuple[str, ...] = (),
    ) -> None:
        """`cancelled`: the confirmation of what a cancel dropped (text or replies).

        `guard`: checked before every step (e.g. still staff); a failing guard
        ends the flow quietly and the message goes on as if there were none.
        `left`: said before the global command when a LEAVE fallback keeps a draft
        (a callable may return None when there is nothing worth keeping).
        `cancel_words`: False where typed text is for a person (a live conversation
        with an officer), so «thôi» is relayed instead of ending it; /huy still cancels.
        `cancel_objects`: folded names of what the flow makes («phan anh»), so
        «hủy phản ánh» cancels it too.
        """
        self.name = name
        self.states = states
        self.data_model = data
        self.store: Store = store or SessionStore()
        self.fallbacks = dict(DEFAULT_FALLBACKS if fallbacks is None else fallbacks)
        self.guard = guard
        self._left = left
        self.cancel_words = cancel_words
        self.cancel_objects = cancel_objects
        self._cancellers: dict[S, CancelReplies[S, D]] = {}
        self._cancelled = cancelled
        self._steps: dict[tuple[S, Kind], StepHandler[S, D]] = {}
        self._default: dict[Kind, StepHandler[S, D]] = {}

    # ------------------------------------------------------------------ declaring
    def on(self, state: S | None, *kinds: Kind) -> Callable[[StepHandler[S, D]], StepHandler[S, D]]:
        """Declare the handler of `kinds` (default: text) in `state`, or in every state when None."""

        def register(handler: StepHandler[S, D]) -> StepHandler[S, D]:
            for kind in kinds or (Kind.TEXT,):
                if state is None:
                    if kind in self._default:
                        raise ValueError(f"flow {self.name}: default {kind} handler declared twice")
                    self._default[kind] = handler
                else:
                    if (state, kind) in self._steps:
                        raise ValueError(f"flow {self.name}: {state}/{kind} handler declared twice")
                    self._steps[(state, kind)] = handler
            return handler

        return register

    def cancelling(self, *states: S) -> Callable[[CancelReplies[S, D]], CancelReplies[S, D]]:
        """Declare what cancelling in `states` does and says, where it differs from `cancelled`
        (a walkthrough waiting for a phone number drops the call-back, not the walkthrough)."""

        def register(canceller: CancelReplies[S, D]) -> CancelReplies[S, D]:
            for state in states:
                if state in self._cancellers:
                    raise ValueError(f"flow {self.name}: canceller of {state} declared twice")
                self._cancellers[state] = canceller
            return canceller

        return register

    # ------------------------------------------------------------------ state
    def start(self, ctx: Context, state: S, data: D | None = None) -> Run[S, D]:
        """Make this the user's active flow (replacing any other) in `state`."""
        run = Run(self, state, data if data is not None else self.data_model())
        ctx.session.flow = self.name
        run.save(ctx)
        return run

    def is_active(self, ctx: Context) -> bool:
        return ctx.session.flow == self.name

    def run(self, ctx: Context) -> Run[S, D] | None:
        """The user's run when this flow is active, else None."""
        if not self.is_active(ctx):
            return None
        return self.stored(ctx)

    def stored(self, ctx: Context) -> Run[S, D] | None:
        """The saved run whether or not the flow is active (a kept draft); None if none or unreadable."""
        raw = self.store.load(ctx, self.name)
        if not raw:
            return None
        try:
            state = self.states(raw["state"])
            data = self.data_model.model_validate(raw.get("data") or {})
        except (KeyError, ValueError, TypeError, ValidationError):
            log.warning("flow %s: dropping stored state that no longer validates", self.name)
            self.end(ctx)
            return None
        return Run(self, state, data)

    def resume(self, ctx: Context) -> Run[S, D] | None:
        """Make a kept draft active again (None when there is none)."""
        run = self.stored(ctx)
        if run is not None:
            ctx.session.flow = self.name
        return run

    def leave(self, ctx: Context) -> None:
        """Step out of the flow; data in a MemoryStore stays for later."""
        if self.is_active(ctx):
            ctx.session.flow = None
            if isinstance(self.store, SessionStore):
                self.store.drop(ctx, self.name)

    def end(self, ctx: Context) -> None:
        """Finish or cancel: leave and drop the data wherever it is kept."""
        if self.is_active(ctx):
            ctx.session.flow = None
        self.store.drop(ctx, self.name)

    # ------------------------------------------------------------------ the dispatcher's side
    async def cancel(self, ctx: Context) -> list[Reply]:
        """End the flow and say what was cancelled (the callable sees the run as it was)."""
        run = self.stored(ctx)
        self.end(ctx)
        canceller = self._cancellers.get(run.state) if run is not None else None
        if canceller is None and isinstance(self._cancelled, str):
            return [Reply(self._cancelled)]
        if run is None:
            run = Run(self, next(iter(self.states)), self.data_model())
        chosen = canceller or self._cancelled
        assert not isinstance(chosen, str)
        replies = chosen(ctx, run)
        return await replies if inspect.isawaitable(replies) else replies

    def left_text(self, ctx: Context) -> str | None:
        """What to say when /menu steps out of this flow (before the menu)."""
        if self._left is None or isinstance(self._left, str):
            return self._left
        run = self.stored(ctx)
        return self._left(ctx, run) if run is not None else None

    def fallback_for(self, command: str) -> Fallback | None:
        return self.fallbacks.get(command)

    def allowed(self, ctx: Context) -> bool:
        return self.guard is None or self.guard(ctx)

    async def handle(self, ctx: Context, msg: Incoming) -> list[Reply] | None:
        """One message while this flow is active; None lets it go on as free text."""
        run = self.run(ctx)
        if run is None:
            return None
        if self.cancel_words and msg.text is not None and is_cancel(msg.text, self.cancel_objects):
            return await self.cancel(ctx)
        kind = kind_of(msg)
        if kind is None:
            return None
        handler = self._steps.get((run.state, kind)) or self._default.get(kind)
        if handler is None:
            return None
        return await handler(ctx, msg, run)


class AnyFlow(Protocol):
    """What the router and dispatcher need of a flow, whatever its state and data types."""

    name: str

    def left_text(self, ctx: Context) -> str | None: ...

    def is_active(self, ctx: Context) -> bool: ...

    def allowed(self, ctx: Context) -> bool: ...

    def fallback_for(self, command: str) -> Fallback | None: ...

    async def cancel(self, ctx: Context) -> list[Reply]: ...

    def leave(self, ctx: Context) -> None: ...

    def end(self, ctx: Context) -> None: ...

    async def handle(self, ctx: Context, msg: Incoming) -> list[Reply] | None: ...


__all__ = [
    "DEFAULT_FALLBACKS",
    "AnyFlow",
    "Fallback",
    "Flow",
    "Kind",
    "MemoryStore",
    "Run",
    "SessionStore",
    "Store",
    "kind_of",
]
