"""What the bot waits for during a walkthrough: declared states with typed data.

A citizen's progress is the feature's own `guide_runs` row (storage/guides.py);
the session flow only says which answer the bot is waiting for and which run
it is about. Cancelling («hủy», «thôi», /huy) depends on what is waited for:
at a step or the resume prompt it stops the walkthrough, at the phone prompt
it drops the call-back, at the end it drops the rating; each says so. Those
cancels touch the database, so each state's canceller is declared (async)
next to the state's handlers with `@FLOW.cancelling(state)`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel

from handlers import texts
from handlers.flow import Flow, Run
from handlers.messages import Reply

if TYPE_CHECKING:
    from handlers.context import Context


class Wait(StrEnum):
    WALKING = "walking"  # a step is shown: typed «xong», «quay lại», «bị vướng», a choice's label
    RESUME = "resume"  # «làm tiếp từ bước đó không?»
    DONE = "done"  # «anh/chị đã làm được chưa?»
    RATE = "rate"  # the satisfaction rating
    COMMENT = "comment"  # an optional comment after the rating
    PHONE = "phone"  # a phone number for a call-back


class Waiting(BaseModel):
    """The run (guide_runs.id) the awaited answer is about."""

    run: int | None = None


GuideRun_ = Run[Wait, Waiting]
Canceller = Callable[["Context", GuideRun_], Awaitable[list[Reply]]]


def _generic_cancel(ctx: Context, run: GuideRun_) -> list[Reply]:
    return [Reply(texts.GUIDE_CANCELLED)]


class GuideFlow(Flow[Wait, Waiting]):
    """A Flow whose cancel may use the database (Flow's `cancelled` callable is synchronous)."""

    def __init__(self) -> None:
        super().__init__("guide", Wait, Waiting, cancelled=_generic_cancel)
        self._cancellers: dict[Wait, Canceller] = {}

    def cancelling(self, *states: Wait) -> Callable[[Canceller], Canceller]:
        def register(canceller: Canceller) -> Canceller:
            for state in states:
                if state in self._cancellers:
                    raise ValueError(f"flow {self.name}: canceller of {state} declared twice")
                self._cancellers[state] = canceller
            return canceller

        return register

    async def cancel(self, ctx: Context) -> list[Reply]:
        run = self.stored(ctx)
        self.end(ctx)
        canceller = self._cancellers.get(run.state) if run is not None else None
        if run is None or canceller is None:
            return self.cancel_replies(ctx, run)
        return await canceller(ctx, run)


FLOW = GuideFlow()


def waiting_for(ctx: Context, state: Wait, run: int | None) -> None:
    """Wait for `state`'s answer about run `run` (replacing whatever flow was active)."""
    FLOW.start(ctx, state, Waiting(run=run))


def referenced(ctx: Context) -> int | None:
    """The run the awaited answer is about, when the guide flow is active."""
    current = FLOW.run(ctx)
    return current.data.run if current is not None else None


__all__ = ["FLOW", "GuideFlow", "Wait", "Waiting", "referenced", "waiting_for"]
