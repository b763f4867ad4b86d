"""Quick fault loops for CI: a few real `kill -9` of `motcua run` (benchmarks/fault_telegram.py
runs the long ones and prints the figures beside the pre-journal baseline)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.fault_telegram import ROOT, complaint, polling, webhook

MAX_IN_FLIGHT = 100  # MOTCUA_TELEGRAM_MAX_IN_FLIGHT's default: the duplicate bound per kill


async def test_polling_backlog_kill_loses_nothing(tmp_path: Path) -> None:
    fig = await polling("fixed", ROOT, kills=2, backlog=60, work=tmp_path)
    assert fig.lost == 0, fig.line()
    assert fig.duplicates <= fig.kills * MAX_IN_FLIGHT, fig.line()


async def test_webhook_burst_kill_loses_nothing(tmp_path: Path) -> None:
    fig = await webhook("fixed", ROOT, kills=2, burst=30, work=tmp_path)
    assert fig.lost == 0, fig.line()
    assert fig.duplicates <= fig.kills * MAX_IN_FLIGHT, fig.line()


async def test_complaint_submission_kill_always_shows_the_code(tmp_path: Path) -> None:
    fig = await complaint("fixed", ROOT, kills=2, work=tmp_path)
    assert fig.sent == 2 and fig.lost == 0, fig.line()
    assert fig.duplicates == 0, fig.line()  # never stored twice
