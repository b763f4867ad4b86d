"""Hostile and odd input through the real webhooks of all three channels (issue 17, items 3, 4).

Each test posts to the HTTP route as the platform would (secret header, or Zalo OA's
signature) and checks what the citizen gets back from the fake platform.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channels import webhook_json
from handlers import texts
from storage.error_log import ErrorLog
from tests.fault.outages import drop_pg, fresh_pg
from tests.fault.rig import Rig, start_rig

SYSTEM_ERROR_START = texts.SYSTEM_ERROR.split("{")[0][:40]
NESTED = b"[" * 100_000 + b"]" * 100_000
HUGE_IDS = ("99999999999999999999", "9223372036854775808", "-9223372036854775809", "1e400", "0x10")
STAFF_UID = 7001


@pytest.fixture
async def rig(tmp_path: Path, db_url: str) -> AsyncIterator[Rig]:
    # PostgreSQL: a database of this test's own, not the shared one other runs reset meanwhile
    own = await fresh_pg(db_url) if db_url.startswith("postgresql") else ""
    db_url = own or db_url
    harness = await start_rig(tmp_path, db_url, staff=f"telegram:{STAFF_UID}=admin,zalo_oa:staff-oa=admin")
    yield harness
    await harness.close()
    if own:
        await drop_pg(own)


def apologised(replies: list[str]) -> bool:
    return any(SYSTEM_ERROR_START in r for r in replies)


async def test_deeply_nested_json_is_answered_400_not_500(
    rig: Rig, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook_json, "_errors", ErrorLog(webhook_json.log, level=logging.WARNING))
    for _ in range(3):
        assert await rig.post_telegram(NESTED) == 400
        assert await rig.post_oa(NESTED, timestamp="") == 400
        assert await rig.post_zalo_bot(NESTED) == 400
    warnings = [r for r in caplog.records if "nested too deeply" in r.getMessage()]
    assert len(warnings) == 1  # logged once, not once per request
    assert rig.tracebacks.records == []


async def test_nul_and_lone_surrogates_in_names_and_texts_are_answered(rig: Rig) -> None:
    """PostgreSQL refuses U+0000, neither driver encodes a lone surrogate: both arrive as JSON escapes."""
    bad_name, bad_text = "Ng\\u0000uyễn \\udc80", "xin ch\\u0000ào \\ud83d"

    def escaped(body: bytes) -> bytes:
        return body.replace(b"BADNAME", bad_name.encode()).replace(b"BADTEXT", bad_text.encode())

    await rig.post_telegram(escaped(rig.telegram_text(501, "BADTEXT", name="BADNAME")))
    await rig.post_telegram(escaped(rig.telegram_text(501, "/start", name="BADNAME")))
    await rig.post_oa(escaped(rig.oa_text("oa-501", "BADTEXT")))
    info = rig.oa.submit_info_event("oa-501", "BADNAME", "0912345678")
    await rig.post_oa(escaped(json.dumps(info, ensure_ascii=False).encode()))
    await rig.post_zalo_bot(escaped(rig.zalo_bot_text("zb-501", "BADTEXT", name="BADNAME")))
    await rig.post_zalo_bot(escaped(rig.zalo_bot_text("zb-501", "xin chào", name="BADNAME")))
    await rig.idle()
    for replies in (rig.tg.texts_to(501), rig.oa.texts_to("oa-501"), rig.zbot.texts_to("zb-501")):
        assert len(replies) >= 2 and not apologised(replies), replies
    assert rig.tracebacks.summary() == []


async def test_out_of_range_ids_in_every_button_are_refused_politely(rig: Rig) -> None:
    """Every registered button prefix with ids that overflow BIGINT, as a citizen and as staff."""
    prefixes = sorted(rig.app.services.router.actions)
    assert len(prefixes) > 10
    for uid in (601, STAFF_UID):
        for prefix in prefixes:
            for huge in HUGE_IDS:
                data = ":".join([prefix, huge, huge, huge])[:64]
                assert await rig.post_telegram(rig.telegram_press(uid, data)) == 200
        for huge in HUGE_IDS:  # Zalo OA buttons come back as text carrying the action
            for prefix in prefixes[:: max(1, len(prefixes) // 8)]:
                await rig.post_oa(
                    rig.oa_text("staff-oa" if uid == STAFF_UID else "oa-601", f"#a:{prefix}:{huge}")
                )
        await rig.idle()
    for replies in (rig.tg.texts_to(601), rig.tg.texts_to(STAFF_UID), rig.oa.texts_to("oa-601")):
        assert replies and not apologised(replies)
    assert rig.tracebacks.summary() == []
    assert rig.loop_errors == []
