"""`motcua run` as deployed: real process, the Telegram fake, /metrics and JSON logs.

The same harness runs the wheel the Dockerfile installs (Docker itself cannot
run on CI's machine): built from this checkout, unpacked outside it, served
from another directory so nothing comes from the source tree by accident.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import FIXTURE_KB
from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
UID = 987654321  # a citizen's Telegram id: must appear in no log line and no metric
QUESTION = "làm giấy khai sinh cho con"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def metric(body: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format (0 when absent), labels in any order."""
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return 0.0


async def serve_and_talk(fake: FakeTelegram, tmp_path: Path, pythonpath: str, cwd: Path) -> tuple[str, str]:
    """Start `motcua run` with JSON logs, ask two questions, scrape /metrics, stop it; (metrics, stderr)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(
        PYTHONPATH=pythonpath,
        MOTCUA_DATA_DIR=str(tmp_path / "data"),
        MOTCUA_KNOWLEDGE_DIR=str(FIXTURE_KB),
        MOTCUA_TELEGRAM_TOKEN=fake.token,
        MOTCUA_TELEGRAM_API_URL=fake.api_url,
        MOTCUA_TELEGRAM_POLL_TIMEOUT="1",
        MOTCUA_HTTP_PORT=str(port),
        MOTCUA_LOG_FORMAT="json",
        MOTCUA_LOG_LEVEL="INFO",
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=cwd, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(200):
                try:
                    async with http.get(f"{base}/healthz") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                assert proc.returncode is None, "motcua run exited early"
                await asyncio.sleep(0.1)
            await fake.wait_for(lambda: fake.calls_of("getUpdates"), within=20)
            await fake.send_text(UID, "/start")
            await fake.wait_messages(UID, 1, within=10)
            await fake.send_text(UID, QUESTION)
            await fake.wait_messages(UID, 2, within=10)
            await asyncio.sleep(0.3)
            async with http.get(f"{base}/metrics") as r:
                assert r.status == 200
                body = await r.text()
            # the same server answers Open311 (bot/web/open311.py): categories need no key
            async with http.get(f"{base}/open311/v2/services.json") as r:
                assert r.status == 200 and len(await r.json()) >= 1
            async with http.get(f"{base}/open311/v2/requests.json") as r:
                assert r.status == 403  # reading needs a key unless MOTCUA_OPEN311_PUBLIC_READ
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    return body, err.decode()


def check_metrics_and_logs(body: str, stderr: str) -> None:
    assert metric(body, "motcua_updates_total", channel="telegram", outcome="ok") >= 2
    assert metric(body, "motcua_replies_total", channel="telegram") >= 2
    assert metric(body, "motcua_update_seconds_count", channel="telegram") >= 2
    assert metric(body, "motcua_matcher_decisions_total", decision="answer") >= 1
    assert metric(body, "motcua_kb_topics") > 0
    assert re.search(r'^motcua_kb_info\{version="[0-9a-f]{12}"\} 1\.0$', body, re.M)
    assert "motcua_broadcasts_in_progress 0.0" in body
    assert str(UID) not in body and "khai" not in body
    lines = [json.loads(line) for line in stderr.splitlines() if line.strip()]  # every line is JSON
    updates = [d for d in lines if d.get("event") == "update"]
    assert len(updates) >= 2
    assert {"channel", "latency_ms", "decision", "topic", "outcome"} <= set(updates[-1])
    assert any(d["decision"] == "answer" and d["topic"] for d in updates)
    assert str(UID) not in stderr and "khai sinh" not in stderr and "Người dùng" not in stderr


async def test_metrics_move_and_json_logs_hold_no_personal_data(fake: FakeTelegram, tmp_path: Path) -> None:
    body, stderr = await serve_and_talk(fake, tmp_path, str(ROOT), ROOT)
    check_metrics_and_logs(body, stderr)


@pytest.fixture
def wheel_site(tmp_path: Path) -> Path:
    """The wheel of this checkout, built as `pip install .` in the Dockerfile builds it, unpacked.

    Built from a copy of what the Dockerfile COPYs, so a file it forgets fails here, and
    setuptools' build/ directory never lands in the checkout.
    """
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("bot", "handlers", "knowledge", "storage"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = dist.glob("motcua-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for packaged in ("storage/alembic.ini", "storage/migrations/env.py", "knowledge/data/locality.yaml"):
        assert packaged in names
    data = {str(p.relative_to(ROOT)) for p in (ROOT / "knowledge" / "data").rglob("*") if p.is_file()}
    assert data - set(names) == set(), "data files the wheel leaves out (pyproject package-data)"
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    where = subprocess.run(
        [sys.executable, "-c", "import bot, storage; print(bot.__file__, storage.__file__)"],
        env={**os.environ, "PYTHONPATH": str(site)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert where.stdout.split() == [str(site / "bot" / "__init__.py"), str(site / "storage" / "__init__.py")]
    return site


async def test_the_wheel_the_dockerfile_installs_serves(
    fake: FakeTelegram, tmp_path: Path, wheel_site: Path
) -> None:
    body, stderr = await serve_and_talk(fake, tmp_path, str(wheel_site), tmp_path)
    check_metrics_and_logs(body, stderr)
