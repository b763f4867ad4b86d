"""A database outage as citizens and the orchestrator see it: shared by the fault tests and
`benchmarks/fault_db.py`, which only differ in how long and how often.

Citizens on all three channels keep asking during the fault; every message must be
answered (the apology, usually) within 5 s; `/readyz` must say not ready throughout
and `/healthz` stay alive, each within 2 s; after the fault ends the service must come
back within 5 s without a restart.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Protocol

from handlers import texts
from tests.fault.rig import Rig

SYSTEM_ERROR_START = texts.SYSTEM_ERROR.split("{")[0][:40]
ANSWER_WITHIN = 5.0
QUESTIONS = ("/start", "làm căn cước cần gì", "xin chào")  # a menu, a question (logged), small talk
ROUND_SECONDS = 0.5


class Fault(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class Figures:
    name: str
    sent: int = 0
    answered: int = 0  # within ANSWER_WITHIN, apology or answer
    apologies: int = 0
    latencies: list[float] = field(default_factory=list)
    ready_during: list[int] = field(default_factory=list)  # /readyz statuses while the fault lasted
    probe_seconds: list[float] = field(default_factory=list)  # /readyz and /healthz response times
    healthz_failures: int = 0
    recovery_seconds: float | None = None  # fault removed → first real answer
    ready_after: float | None = None  # fault removed → /readyz 200

    @property
    def max_latency(self) -> float:
        return max(self.latencies, default=0.0)

    def line(self) -> str:
        lat = sorted(self.latencies)
        p95 = lat[int(len(lat) * 0.95) - 1] if lat else 0.0
        ready_200 = sum(1 for s in self.ready_during if s == 200)
        return (
            f"{self.name}: {self.sent} messages, {self.answered} answered within {ANSWER_WITHIN:.0f} s "
            f"({self.apologies} apologies), reply p95 {p95:.2f} s max {self.max_latency:.2f} s; "
            f"/readyz ready {ready_200}/{len(self.ready_during)} during the fault, probes max "
            f"{max(self.probe_seconds, default=0):.2f} s, /healthz failures {self.healthz_failures}; "
            f"recovered in {_secs(self.recovery_seconds)}, ready again in {_secs(self.ready_after)}"
        )


def _secs(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f} s"


class Citizens:
    """One citizen per channel (and several per channel when asked), each waiting for the reply."""

    def __init__(self, rig: Rig, per_channel: int = 1, base: int = 0) -> None:
        self.rig = rig
        self.tg = [9000 + base + i for i in range(per_channel)]
        self.oa = [f"oa-{base + i}" for i in range(per_channel)]
        self.zb = [f"zb-{base + i}" for i in range(per_channel)]
        self.asked = 0
        self.base = base
        self.newcomer = 0

    async def ask(self, channel: str, who: int | str) -> tuple[float, str | None]:
        """Post one message; (seconds until the reply reached the platform, its text or None)."""
        rig = self.rig
        self.asked += 1
        question = QUESTIONS[self.asked % len(QUESTIONS)]
        if channel == "telegram":
            assert isinstance(who, int)
            before = len(rig.tg.texts_to(who))
            body = rig.telegram_text(who, question)
            sent = rig.tg.texts_to
            post = rig.post_telegram
        elif channel == "zalo_oa":
            before = len(rig.oa.texts_to(str(who)))
            body = rig.oa_text(str(who), question)
            sent = rig.oa.texts_to  # type: ignore[assignment]
            post = rig.post_oa
        else:
            before = len(rig.zbot.texts_to(str(who)))
            body = rig.zalo_bot_text(str(who), question)
            sent = rig.zbot.texts_to  # type: ignore[assignment]
            post = rig.post_zalo_bot
        began = time.perf_counter()
        await post(body)
        while time.perf_counter() - began < ANSWER_WITHIN * 2:
            got = sent(who)  # type: ignore[arg-type]
            if len(got) > before:
                return time.perf_counter() - began, got[before]
            await asyncio.sleep(0.02)
        return time.perf_counter() - began, None

    async def round(self, figures: Figures | None = None) -> list[tuple[float, str | None]]:
        self.newcomer += 1  # someone writing for the first time: their user row must be stored
        jobs = [self.ask("telegram", u) for u in [*self.tg, 8_000_000 + self.base * 1000 + self.newcomer]]
        jobs += [self.ask("zalo_oa", u) for u in self.oa]
        jobs += [self.ask("zalo_bot", u) for u in self.zb]
        results = await asyncio.gather(*jobs)
        if figures is not None:
            for latency, reply in results:
                figures.sent += 1
                figures.latencies.append(latency)
                if reply is not None and latency <= ANSWER_WITHIN:
                    figures.answered += 1
                    figures.apologies += SYSTEM_ERROR_START in reply
        return results


def is_apology(reply: str | None) -> bool:
    return reply is None or SYSTEM_ERROR_START in reply


async def run_outage(
    rig: Rig,
    fault: Fault,
    name: str,
    *,
    seconds: float = 6.0,
    per_channel: int = 1,
    recover_within: float = 10.0,
) -> Figures:
    """Citizens ask before, during (for `seconds`) and after the fault; the figures of it all."""
    figures = Figures(name)
    citizens = Citizens(rig, per_channel)
    for latency, reply in await citizens.round():  # warm: every channel answers normally
        assert not is_apology(reply), f"{name}: not answering before the fault ({reply!r}, {latency:.2f} s)"
    await fault.start()
    try:
        ends = time.monotonic() + seconds
        while time.monotonic() < ends:
            began = time.monotonic()
            probe = asyncio.ensure_future(_probe(rig, figures))
            await citizens.round(figures)
            await probe
            # a citizen writing faster than this is flood-limited (and then ignored), which is
            # not what is measured here
            await asyncio.sleep(max(0.0, ROUND_SECONDS - (time.monotonic() - began)))
    finally:
        await fault.stop()
    stopped = time.monotonic()
    ready_task = asyncio.ensure_future(_ready_again(rig, figures, stopped, recover_within))
    while time.monotonic() - stopped < recover_within:
        results = await citizens.round()
        if not any(is_apology(reply) for _, reply in results):
            figures.recovery_seconds = time.monotonic() - stopped
            break
    await ready_task
    return figures


async def _probe(rig: Rig, figures: Figures) -> None:
    status, took = await rig.readyz()
    figures.ready_during.append(status)
    figures.probe_seconds.append(took)
    status, took = await rig.healthz()
    figures.probe_seconds.append(took)
    figures.healthz_failures += status != 200


async def _ready_again(rig: Rig, figures: Figures, stopped: float, within: float) -> None:
    while time.monotonic() - stopped < within:
        status, _ = await rig.readyz()
        if status == 200:
            figures.ready_after = time.monotonic() - stopped
            return
        await asyncio.sleep(0.1)
