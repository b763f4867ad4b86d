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


WaitRun = Run[Wait, Waiting]


def _generic_cancel(ctx: Context, run: WaitRun) -> list[Reply]:
    return [Reply(texts.GUIDE_CANCELLED)]


# Each state's own cancel is declared next to its handlers with `@FLOW.cancelling(state)`.
FLOW: Flow[Wait, Waiting] = Flow("guide", Wait, Waiting, cancelled=_generic_cancel)


def waiting_for(ctx: Context, state: Wait, run: int | None) -> None:
    """Wait for `state`'s answer about run `run` (replacing whatever flow was active)."""
    FLOW.start(ctx, state, Waiting(run=run))


def referenced(ctx: Context) -> int | None:
    """The run the awaited answer is about, when the guide flow is active."""
    current = FLOW.run(ctx)
    return current.data.run if current is not None else None


__all__ = ["FLOW", "Wait", "WaitRun", "Waiting", "referenced", "waiting_for"]
