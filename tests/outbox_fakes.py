"""Deterministic fakes for outbox tests: a virtual clock and a scriptable channel sender."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field

from bot.channels.base import DeliveryError
from handlers.messages import Reply


class FakeClock:
    """Virtual time: sleeping advances it instantly, so rate tests take milliseconds."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.t = start
        self.slept: list[float] = []

    def time(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.slept.append(seconds)
            self.t += seconds
        await asyncio.sleep(0)


@dataclass
class Sent:
    at: float
    platform_id: str
    texts: list[str]


@dataclass
class FakeSender:
    """Records every send with the virtual time; `script[platform_id]` lists errors to raise first."""

    clock: FakeClock
    channel: str = "test"
    script: dict[str, list[DeliveryError]] = field(default_factory=lambda: defaultdict(list))
    sent: list[Sent] = field(default_factory=list)
    calls: int = 0
    edits: list[tuple[str, str, str]] = field(default_factory=list)

    async def send(self, platform_id: str, replies: list[Reply]) -> str | None:
        self.calls += 1
        await asyncio.sleep(0)
        queue = self.script.get(platform_id)
        if queue:
            raise queue.pop(0)
        self.sent.append(Sent(self.clock.time(), platform_id, [r.text for r in replies]))
        return f"m{len(self.sent)}"


@dataclass
class EditingFakeSender(FakeSender):
    async def edit(self, platform_id: str, message_id: str, reply: Reply) -> None:
        self.edits.append((platform_id, message_id, reply.text))
