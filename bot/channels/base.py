"""The contract between the outbox sender and a channel's sending side.

Delivery code (broadcasts, complaint replies) must treat every platform the
same way: a send either succeeds with the platform's message id, or raises
one of these errors, which tell the sender whether to wait, retry, give up on
the recipient, or fail the row.
"""

from __future__ import annotations

from typing import Protocol

from handlers.messages import Reply


class DeliveryError(Exception):
    """Base of everything a channel send can raise."""


class RateLimited(DeliveryError):
    """The platform asked us to slow down; wait `retry_after` seconds and retry."""

    def __init__(self, retry_after: float, detail: str = "") -> None:
        self.retry_after = retry_after
        super().__init__(detail or f"rate limited, retry after {retry_after}s")


class Unreachable(DeliveryError):
    """The recipient cannot be reached (blocked, unfollowed, deleted): stop trying."""


class OutsideWindow(DeliveryError):
    """Zalo: the user has not written within the interaction window."""


class TransientError(DeliveryError):
    """Network error or 5xx: retry with backoff."""


class PermanentError(DeliveryError):
    """The message itself was rejected (bad request): retrying will not help."""


class ChannelSender(Protocol):
    """Sends replies to one user of one channel; returns the last platform message id."""

    channel: str

    async def send(self, platform_id: str, replies: list[Reply]) -> str | None: ...
