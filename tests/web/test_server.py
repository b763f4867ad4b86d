"""How the console is served: mounted by `motcua run`'s server, alone by `motcua web`, its headers."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.commands.run import build_server
from bot.web.app import SECURITY_HEADERS
from handlers import texts
from storage import web_auth
from storage.models import utcnow
from storage.models_web import WebSession, WebSignInLink
from tests.conftest import FIXTURE_KB
from tests.web.conftest import STAFF

ROOT = Path(__file__).resolve().parents[2]


async def test_the_run_server_mounts_the_console_beside_health(web_bot) -> None:
    web_app, _ = build_server(web_bot, [])
    async with TestClient(TestServer(web_app)) as client:
        assert (await client.get("/healthz")).status == 200
        page = await client.get("/staff/signin")
        assert page.status == 200 and texts.WEB_SIGNIN_HOWTO in await page.text()
        typed = await client.get("/staff", allow_redirects=False)
        assert typed.status == 301 and typed.headers["Location"] == "/staff/"
        css = await client.get("/staff/static/staff.css")
        assert css.status == 200 and "font-family" in await css.text()


async def test_pages_carry_the_security_headers_and_are_not_cached(staff_client) -> None:
    client = await staff_client(role="staff")
    page = await client.get("/staff/")
    for name, value in SECURITY_HEADERS.items():
        assert page.headers[name] == value
    assert page.headers["Cache-Control"] == "no-store"
    assert "http" not in (await page.text()).split("<body>")[0].replace('href="/staff', "")  # no remote asset


async def test_an_unknown_page_says_so(staff_client) -> None:
    client = await staff_client(role="staff")
    page = await client.get("/staff/nowhere")
    assert page.status == 404 and texts.WEB_NOT_FOUND in await page.text()


async def test_old_links_and_sessions_go_when_new_ones_are_made(web_bot) -> None:
    now = utcnow()
    async with web_bot.db.session() as db:
        await web_auth.create_link(db, 1, now - dt.timedelta(days=2))
        await web_auth.create_session(db, 1, now - dt.timedelta(days=2), hours=1)
        await db.commit()
    async with web_bot.db.session() as db:
        await web_auth.create_link(db, 1, now)
        await web_auth.create_session(db, 1, now, hours=1)
        await db.commit()
        assert await db.scalar(select(func.count()).select_from(WebSignInLink)) == 1
        assert await db.scalar(select(func.count()).select_from(WebSession)) == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_motcua_web_serves_the_console_alone(tmp_path: Path) -> None:
    port = _free_port()
    (tmp_path / "staff.txt").write_text(f"{STAFF} staff\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(
        PYTHONPATH=str(ROOT),
        MOTCUA_DATA_DIR=str(tmp_path),
        MOTCUA_KNOWLEDGE_DIR=str(FIXTURE_KB),
        MOTCUA_HTTP_PORT=str(port),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "web"], env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True
    )
    try:
        body = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/staff/signin", timeout=2) as response:
                    body = response.read().decode()
                    break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.3)
        assert texts.WEB_SIGNIN_HOWTO in body
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
