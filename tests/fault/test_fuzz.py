"""Fuzzed updates through the real webhook handlers of every channel (issue 17, item 4):
0 unhandled exceptions and 0 HTTP 500s. CI runs a few hundred per channel;
`benchmarks/fault_db.py --fuzz 10000` runs the full count."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fault.fuzz import STAFF, fuzz_channel, generate, oa_event, telegram_update, zalo_bot_update
from tests.fault.outages import drop_pg, fresh_pg
from tests.fault.rig import Rig, start_rig

COUNT = int(os.environ.get("MOTCUA_FUZZ_COUNT", "150"))
STRATEGIES = {"telegram": telegram_update(), "zalo_oa": oa_event(), "zalo_bot": zalo_bot_update()}
pytestmark = pytest.mark.timeout(300)


@pytest.fixture
async def rig(tmp_path: Path, db_url: str) -> AsyncIterator[Rig]:
    # PostgreSQL: a database of this test's own, not the shared one other runs reset meanwhile
    own = await fresh_pg(db_url) if db_url.startswith("postgresql") else ""
    db_url = own or db_url
    harness = await start_rig(
        tmp_path, db_url, staff=f"telegram:{STAFF}=admin", rate_burst=1000, rate_per_minute=6000
    )
    yield harness
    await harness.close()
    if own:
        await drop_pg(own)


@pytest.mark.parametrize("channel", list(STRATEGIES))
async def test_fuzzed_updates_never_crash_a_webhook(rig: Rig, channel: str) -> None:
    bodies = generate(STRATEGIES[channel], COUNT)
    figures = await fuzz_channel(rig, channel, bodies)
    print(figures.line())
    print(rig.tracebacks.kinds(unreadable=True))
    assert figures.posted == len(bodies)
    assert figures.http_500 == 0, figures.statuses
    assert rig.tracebacks.kinds() == {}
    assert rig.loop_errors == []
