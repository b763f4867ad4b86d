"""POST /api/v1/dossier-events over real HTTP on 127.0.0.1: signatures, replays, idempotency, bad events."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.dossier_api import MAX_BODY_BYTES, PATH, DossierApi, signature
from storage.models import Outbox
from storage.models_dossiers import Dossier, DossierEvent
from storage.repos import get_or_create_user
from tests.conftest import make_settings
from tests.dossier_support import CODE, event, later
from tests.zalo_harness import serve

SECRET = "s" * 40


@dataclass
class Api:
    app: App
    url: str
    runner: web.AppRunner

    async def post(
        self,
        body: dict[str, Any] | bytes,
        *,
        secret: str = SECRET,
        stamp: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        ts = str(int(time.time()) if stamp is None else stamp)
        sent = {"Content-Type": "application/json", "X-Motcua-Timestamp": ts}
        sent["X-Motcua-Signature"] = signature(secret, ts, raw)
        sent.update(headers or {})
        async with aiohttp.ClientSession() as http:
            async with http.post(self.url + PATH, data=raw, headers=sent) as resp:
                text = await resp.text()
                return resp.status, json.loads(text) if resp.content_type == "application/json" else {}

    async def count(self, model: Any) -> int:
        async with self.app.db.session() as db:
            return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def start_api(tmp_path: Path, database_url: str = "", secret: str = SECRET) -> Api:
    app = await build_app(make_settings(tmp_path, database_url=database_url, dossier_api_secret=secret))
    runner, url = await serve(DossierApi(app).add_routes)
    return Api(app, url, runner)


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    harness = await start_api(tmp_path)
    yield harness
    await harness.runner.cleanup()
    await harness.app.close()


async def test_a_signed_event_is_stored(api: Api) -> None:
    status, body = await api.post(event(event_id="e-1", state="Yêu cầu bổ sung", note="Tờ khai"))
    assert (status, body["status"], body["event_id"]) == (200, "accepted", "e-1")
    async with api.app.db.session() as db:
        dossier = await db.scalar(select(Dossier))
    assert dossier is not None and dossier.code == CODE
    assert (dossier.state, dossier.note, dossier.phone_tail) == ("supplement_requested", "Tờ khai", "5678")


@pytest.mark.parametrize(
    "change",
    [
        {"secret": "x" * 40},  # forged: signed with another secret
        {"headers": {"X-Motcua-Signature": "sha256=" + "0" * 64}},
        {"headers": {"X-Motcua-Signature": ""}},
        {"headers": {"X-Motcua-Timestamp": ""}},
    ],
)
async def test_forged_or_unsigned_events_are_refused(api: Api, change: dict[str, Any]) -> None:
    status, body = await api.post(event(), **change)
    assert status == 401 and body["status"] == "refused"
    assert await api.count(DossierEvent) == 0


async def test_a_body_changed_after_signing_is_refused(api: Api) -> None:
    raw = json.dumps(event()).encode()
    stamp = str(int(time.time()))
    headers = {"X-Motcua-Timestamp": stamp, "X-Motcua-Signature": signature(SECRET, stamp, raw)}
    tampered = raw.replace(b"received", b"rejected")
    status, _ = await api.post(tampered, headers=headers)
    assert status == 401 and await api.count(DossierEvent) == 0


async def test_replays_are_refused_or_harmless(api: Api) -> None:
    old = int(time.time()) - api.app.settings.dossier_api_max_skew_seconds - 5
    status, body = await api.post(event(), stamp=old)  # captured long ago, signed then
    assert status == 401 and "replay" in body["error"]
    status, _ = await api.post(event(), stamp=int(time.time()) + 3600)  # a clock far ahead
    assert status == 401
    raw = json.dumps(event(event_id="e-9")).encode()
    stamp = str(int(time.time()))
    headers = {"X-Motcua-Timestamp": str(int(stamp) + 1), "X-Motcua-Signature": signature(SECRET, stamp, raw)}
    status, _ = await api.post(raw, headers=headers)  # the same signature with a fresh timestamp
    assert status == 401
    assert await api.count(DossierEvent) == 0


async def test_unknown_state_and_bad_fields_are_refused_with_reasons(api: Api) -> None:
    status, body = await api.post(event(state="đang xử lý"))
    assert status == 422
    (problem,) = body["problems"]
    assert problem["field"] == "state" and "supplement_requested" in problem["reason"]
    status, body = await api.post(
        event(dossier_code="HS-1", time="hôm qua", citizen_phone="12", extra="x", procedure_name=None)
    )
    assert status == 422
    fields = {p["field"] for p in body["problems"]}
    assert fields == {"dossier_code", "time", "citizen_phone", "extra", "procedure_name"}
    assert await api.count(Dossier) == 0


async def test_size_and_shape_limits(api: Api) -> None:
    status, _ = await api.post(b"x" * (MAX_BODY_BYTES + 1))
    assert status == 413
    status, _ = await api.post(b"not json")
    assert status == 400
    status, _ = await api.post(b"[1, 2]")
    assert status == 400
    status, body = await api.post(event(note="x" * 1001))
    assert status == 422 and body["problems"][0]["field"] == "note"


async def test_log_lines_carry_no_personal_data(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="motcua.dossiers")
    await api.post(event(event_id="e-log", note="Giấy khai sinh của Nguyễn Văn A"))
    await api.post(event(state="nope", note="Giấy khai sinh của Nguyễn Văn A"))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "e-log" in logged
    for secret_bit in (CODE, "Nguyễn", "0912", "5678"):
        assert secret_bit not in logged


async def test_the_api_is_off_without_a_secret(tmp_path: Path) -> None:
    harness = await start_api(tmp_path, secret="")
    try:
        status, _ = await harness.post(event())
        assert status == 404
    finally:
        await harness.runner.cleanup()
        await harness.app.close()


async def test_idempotent_by_event_id_and_one_notice_per_follower(tmp_path: Path, db_url: str) -> None:
    harness = await start_api(tmp_path, db_url)
    try:
        assert (await harness.post(event(event_id="first")))[0] == 200
        async with harness.app.db.session() as db:
            user = await get_or_create_user(db, "telegram", "77")
            dossier = await db.scalar(select(Dossier))
            assert dossier is not None
            from storage.dossiers import follow

            await follow(db, dossier.id, user.id, harness.app.services.clock(), verified=True)
            await db.commit()
        change = event(event_id="second", state="processed", time=later(1))
        results = [await harness.post(change) for _ in range(3)]
        assert [body["status"] for _, body in results] == ["accepted", "duplicate", "duplicate"]
        assert results[0][1]["notified"] == 1
        async with harness.app.db.session() as db:
            rows = (await db.scalars(select(Outbox).where(Outbox.kind == "dossier_state"))).all()
        assert len(rows) == 1 and rows[0].platform_id == "77"
        assert await harness.count(DossierEvent) == 2
        # an older event delivered late is kept as history but changes nothing
        status, body = await harness.post(event(event_id="late", state="received", time=later(0.5)))
        assert (status, body["status"], body["notified"]) == (200, "accepted", 0)
        async with harness.app.db.session() as db:
            dossier = await db.scalar(select(Dossier))
        assert dossier is not None and dossier.state == "processed"
        # two workers (two apps on one database) receive the same event at the same moment
        other = await start_api(tmp_path, db_url)
        try:
            third = event(event_id="third", state="result_returned", time=later(2))
            both = await asyncio.gather(harness.post(third), other.post(third))
        finally:
            await other.runner.cleanup()
            await other.app.close()
        assert sorted(body["status"] for _, body in both) == ["accepted", "duplicate"]
        async with harness.app.db.session() as db:
            rows = (await db.scalars(select(Outbox).where(Outbox.kind == "dossier_state"))).all()
        assert len(rows) == 2
    finally:
        await harness.runner.cleanup()
        await harness.app.close()
