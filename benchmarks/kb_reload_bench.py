"""How much a staff-accepted improvement holds up citizens while the knowledge base reloads.

Accepting a group on /staff/improve publishes a new overlay; every worker then
reloads (bot/kb_sync.py): the base is loaded again and the matcher rebuilt,
its learned second opinion retrained (the overlay changed its training texts,
so no cached model fits). The reload runs off the event loop, but training in
a thread of the same process still competes for the interpreter lock. This
starts a knowledge service with a warm cache, writes an overlay with one new
example question, reloads it as the sync job does (first with the whole build
in this process, as before; then with the matcher prebuilt in a child
process), and meanwhile answers a citizen's question every 50 ms on the event
loop; it prints each reload's duration, this process's CPU time, and the worst
event-loop stall and question latency during it, against the same figures with
no reload (the baseline of this run).

    python -m benchmarks.kb_reload_bench
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from knowledge import service as service_module
from knowledge.overlay import FILE_NAME
from knowledge.service import KnowledgeService

QUESTION = "làm giấy khai sinh cho con cần giấy tờ gì"


async def _citizens(service: KnowledgeService, stop: asyncio.Event) -> tuple[float, float, int]:
    """(worst loop stall, worst question latency, questions answered) until `stop`."""
    loop = asyncio.get_running_loop()
    worst_stall = worst_answer = 0.0
    answered = 0
    while not stop.is_set():
        due = loop.time() + 0.05
        await asyncio.sleep(0.05)
        worst_stall = max(worst_stall, loop.time() - due)
        t0 = time.perf_counter()
        service.matcher.match(QUESTION)
        worst_answer = max(worst_answer, time.perf_counter() - t0)
        answered += 1
    return worst_stall, worst_answer, answered


async def _measure(service: KnowledgeService, work: asyncio.Future[object] | None, seconds: float) -> str:
    stop = asyncio.Event()
    citizens = asyncio.create_task(_citizens(service, stop))
    t0 = time.perf_counter()
    if work is not None:
        result = await work
    else:
        await asyncio.sleep(seconds)
        result = None
    took = time.perf_counter() - t0
    stop.set()
    stall, answer, n = await citizens
    return (
        f"{took:.1f} s, result {result}; worst event-loop stall {stall * 1000:.0f} ms, "
        f"worst question {answer * 1000:.0f} ms ({n} questions)"
    )


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cache, data = Path(tmp) / "cache", Path(tmp) / "data"
        data.mkdir()
        overlay = data / FILE_NAME
        t0 = time.perf_counter()
        service = KnowledgeService(cache_dir=cache, overlay_file=overlay)
        print(f"first start (cold cache): {time.perf_counter() - t0:.1f} s")
        topic = next(iter(service.kb.topics))
        print("baseline, no reload:", await _measure(service, None, 5.0))
        for n, (label, elsewhere) in enumerate(
            (("trained in a thread of this process (before)", False), ("prebuilt in a child process", True))
        ):
            overlay.write_text(
                f"topics:\n  {topic}:\n    examples: ['cho em hỏi thủ tục này nộp ở quầy số {n + 1} ạ']\n",
                encoding="utf-8",
            )
            with _child(elsewhere):
                cpu = time.process_time()
                work = asyncio.ensure_future(asyncio.to_thread(service.reload))
                line = await _measure(service, work, 0)
            print(f"reload, {label}: {line}; this process's CPU {time.process_time() - cpu:.1f} s")
            assert service.kb.overlay is not None and not service.kb.overlay.empty


@contextlib.contextmanager
def _child(enabled: bool) -> Iterator[None]:
    """With `enabled` False, the reload builds everything in this process, as it did before."""
    if enabled:
        yield
        return
    saved = service_module.prebuild_elsewhere
    service_module.prebuild_elsewhere = lambda *args: False
    try:
        yield
    finally:
        service_module.prebuild_elsewhere = saved


if __name__ == "__main__":
    asyncio.run(main())
