"""The broadcast monitor: moves broadcasts to done and keeps the staff member who sent one informed.

Its database steps are conditional updates (storage/broadcast_monitor.py), so
the monitors of several workers never do a step twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from bot.outbox_sender.budget import Priority
from handlers import texts
from handlers.messages import Reply
from handlers.serialize import replies_to_payload
from storage import broadcast_monitor as bm
from storage import outbox as ob

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.outbox_sender.worker import OutboxWorker

# One logger name for the whole outbox sender, as before the split: log filters keep matching.
log = logging.getLogger("motcua.outbox")


@runtime_checkable
class EditingSender(Protocol):
    """A sender that can replace the text of a message it sent (Telegram editMessageText)."""

    async def edit(self, platform_id: str, message_id: str, reply: Reply) -> None: ...


def progress_bar(done: int, total: int, width: int = 20) -> str:
    if total <= 0:
        return "[" + "-" * width + "]"
    filled = round(width * done / total)
    return "[" + "#" * filled + "-" * (width - filled) + f"] {100 * done // total}%"


def format_duration(seconds: float) -> str:
    seconds = round(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return texts.BC_DURATION.format(h=h, m=m, s=s) if h else texts.BC_DURATION_MS.format(m=m, s=s)


def progress_text(p: ob.Progress) -> str:
    return texts.BC_PROGRESS.format(
        id=p.broadcast.id,
        done=f"{p.done:,}".replace(",", "."),
        total=f"{p.total:,}".replace(",", "."),
        bar=progress_bar(p.done, p.total),
    )


def report_text(p: ob.Progress, duration: float) -> str:
    c = p.counts
    return texts.BC_REPORT.format(
        id=p.broadcast.id,
        total=p.total,
        sent=c["sent"],
        unreachable=c["unreachable"],
        skipped=c["skipped"],
        failed=c["failed"],
        cancelled=c["cancelled"],
        duration=format_duration(duration),
    )


class BroadcastMonitor:
    """Moves broadcasts through scheduled → sending → done and keeps their sender informed.

    Progress goes to the staff member's chat as one message edited as it goes
    when the channel sender can edit (Telegram), otherwise as a new short
    message at each quarter. The final report goes through the outbox (a
    durable 'notice' row), so it survives a crash like any other message.
    Every worker runs a monitor; conditional updates make each step happen once.
    """

    def __init__(self, worker: OutboxWorker) -> None:
        self.worker = worker

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.tick()
            except Exception as exc:
                self.worker.errors.failed("broadcast monitor tick", exc)
            else:
                self.worker.errors.succeeded("broadcast monitor tick")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.worker.config.progress_seconds)

    async def tick(self) -> None:
        w = self.worker
        now = w.now()
        async with w.db.session() as s:
            for b in await ob.active_broadcasts(s, now):
                p = await ob.progress(s, b.id)
                if p is None:
                    continue
                if b.status == "scheduled":
                    await bm.start_sending(s, b.id, now)
                    await s.commit()
                    b.started_at = b.started_at or now
                if p.finished:
                    await self._finish(s, p, now)
                elif b.notify_channel == w.channel and b.notify_platform_id:
                    await self._show_progress(s, p)

    async def _finish(self, s: AsyncSession, p: ob.Progress, now: dt.datetime) -> None:
        b = p.broadcast
        started = b.started_at or b.send_at
        duration = max(0.0, (now - started).total_seconds())
        report: dict[str, float] = {
            k: p.counts[k] for k in ("sent", "unreachable", "skipped", "failed", "cancelled")
        }
        report["total"] = p.total
        report["duration_seconds"] = round(duration, 1)
        if not await bm.finish(s, b.id, now, report):
            await s.rollback()
            return
        if b.notify_channel and b.notify_platform_id:
            await ob.enqueue_notice(
                s,
                channel=b.notify_channel,
                platform_id=b.notify_platform_id,
                payload=replies_to_payload([Reply(report_text(p, duration))]),
                ref=f"b{b.id}",
                dedupe_key=f"bdone:{b.id}",
                now=now,
            )
        await s.commit()
        log.info("broadcast %s done: %s", b.id, report)

    async def _show_progress(self, s: AsyncSession, p: ob.Progress) -> None:
        b = p.broadcast
        w = self.worker
        reply = Reply(progress_text(p))
        if b.progress_message_id is None:
            # the first progress message: exactly one worker posts it
            won = await bm.claim_first_progress(s, b.id, PROGRESS_POSTING, p.done)
            await s.commit()
            if not won:
                return
            try:
                await w.budget.acquire(b.notify_platform_id or "", Priority.BULK)
                mid = await w.sender.send(b.notify_platform_id or "", [reply])
            except Exception as exc:  # progress is a courtesy: the final report is durable
                log.warning("broadcast %s: progress message not delivered: %s", b.id, exc)
                mid = None
                posted = None  # try again at the next tick
            else:
                posted = mid or PROGRESS_POSTED
            await bm.set_progress_message(s, b.id, posted)
            await s.commit()
            return
        if b.progress_message_id == PROGRESS_POSTING:
            return  # another worker is posting it
        editor = w.sender if isinstance(w.sender, EditingSender) else None
        editable = editor is not None and b.progress_message_id != PROGRESS_POSTED
        if editable:
            if p.done == b.progress_sent:
                return
        else:
            step = max(1, p.total // 4)  # no editing: a new message at each quarter
            if p.done // step <= b.progress_sent // step:
                return
        won = await bm.advance_progress(s, b.id, b.progress_sent, p.done)
        await s.commit()
        if not won:
            return
        try:
            if editable and editor is not None:
                await w.limiter.acquire()  # an edit: a slot of the bot's rate, no new message in the chat
                # both ids are set here: the caller checked the chat, the first post set the message
                await editor.edit(b.notify_platform_id or "", b.progress_message_id or "", reply)
            else:
                await w.budget.acquire(b.notify_platform_id or "", Priority.BULK)
                await w.sender.send(b.notify_platform_id or "", [reply])
        except Exception as exc:
            log.warning("broadcast %s: progress update not delivered: %s", b.id, exc)


PROGRESS_POSTING = "posting"  # progress_message_id while one worker posts the first message
PROGRESS_POSTED = "posted"  # posted, but the platform gave no id to edit
