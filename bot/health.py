"""`/healthz` (the process is alive) and `/readyz` (it can serve citizens now).

An orchestrator restarts what is not alive and routes around what is not
ready, so the two must differ: a database outage makes the bot not ready (it
can only apologise) but restarting it would not help. Both answer within
about two seconds whatever the database does: `/healthz` never touches it,
and `/readyz` gives the database one write within a fixed budget
(`Database.check_writable`). The old `/healthz` ran `SELECT 1` on the shared
pool: it said "ok" while SQLite was read-only or full and hung past 10 s
while PostgreSQL was stalled by a lock.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import web

from storage.error_log import ErrorLog, describe

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger("motcua.health")
READY_BUDGET = 1.5  # seconds the database may take to accept the probe's write


def runner_ready(runner: Any) -> bool:
    """A runner's own readiness (e.g. Telegram reachable) where it reports one, else "started"."""
    return bool(getattr(runner, "ready", True))


class Health:
    """The two endpoints over the app and the runners `serve` started."""

    def __init__(self, app: App, runners: Sequence[Any]) -> None:
        self.app = app
        self.runners = runners
        self.started: set[str] = set()
        self.errors = ErrorLog(log, level=logging.WARNING)

    def add_routes(self, web_app: web.Application) -> None:
        web_app.router.add_get("/healthz", self.healthz)
        web_app.router.add_get("/readyz", self.readyz)

    async def healthz(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "alive", "topics": len(self.app.knowledge.kb.topics)})

    async def readyz(self, _request: web.Request) -> web.Response:
        problems = [
            f"{r.name}: not ready" if r.name in self.started else f"{r.name}: not started"
            for r in self.runners
            if r.name not in self.started or not runner_ready(r)
        ]
        try:
            await self.app.db.check_writable(READY_BUDGET)
        except TimeoutError:
            problems.append(f"database: no write within {READY_BUDGET:.1f} s")
            self.errors.failed("readiness: database", TimeoutError("no write within the budget"))
        except Exception as exc:
            problems.append(f"database: {type(exc).__name__}: {describe(exc, 120)}")
            self.errors.failed("readiness: database", exc)
        else:
            self.errors.succeeded("readiness: database")
        if problems:
            return web.json_response({"status": "not ready", "problems": problems}, status=503)
        return web.json_response({"status": "ready"})
