"""`motcua run`: serve the configured channels until SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
from pathlib import Path

from aiohttp import web

from bot.app import App
from bot.commands.common import Subcommands, load_settings, open_app
from bot.runners import Runner, runner_factories

log = logging.getLogger("motcua.run")


def add_commands(sub: Subcommands) -> None:
    p = sub.add_parser("run", help="serve the configured channels (Telegram, Zalo) and workers")
    p.set_defaults(func=_run)


async def _run(args: argparse.Namespace) -> int:
    from bot.cli import CliError

    logging.getLogger().setLevel(load_settings().log_level.upper())
    async with open_app() as app:
        runners = [r for r in (f(app) for f in runner_factories()) if r is not None]
        if not any(r.is_channel for r in runners):
            raise CliError(
                "no channel is configured: set MOTCUA_TELEGRAM_TOKEN (Telegram), or the MOTCUA_ZALO_* "
                "variables (Zalo); `motcua chat` talks to the bot in the terminal without any"
            )
        return await serve(app, runners)


async def serve(app: App, runners: list[Runner]) -> int:
    """Start the HTTP server and runners; stop them in reverse order on SIGTERM/SIGINT."""
    settings = app.settings
    web_app = web.Application(client_max_size=1024 * 1024)

    async def health(_request: web.Request) -> web.Response:
        try:
            await app.db.ping()
        except Exception:
            return web.json_response({"status": "database unavailable"}, status=503)
        return web.json_response({"status": "ok", "topics": len(app.knowledge.kb.topics)})

    web_app.router.add_get("/healthz", health)
    for runner in runners:
        runner.add_routes(web_app)
    web_runner = web.AppRunner(web_app, access_log=None)
    await web_runner.setup()
    site = web.TCPSite(web_runner, settings.http_host, settings.http_port)
    await site.start()
    log.info("HTTP server on %s:%s", settings.http_host, settings.http_port)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGHUP, lambda: _reload(app))
    pid_file = write_pid_file(settings.data_dir / "motcua.pid")
    started = []
    try:
        for runner in runners:
            await runner.start()
            started.append(runner)
            log.info("started %s", runner.name)
        await stop.wait()
        log.info("stopping")
    finally:
        for runner in reversed(started):
            try:
                await runner.stop()
            except Exception:
                log.exception("error while stopping %s", runner.name)
        await web_runner.cleanup()
        remove_pid_file(pid_file)
    return 0


def write_pid_file(path: Path) -> Path | None:
    """The pid file is a convenience for `kill -HUP`; a read-only data directory must not stop serving."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(str(os.getpid()))
    except OSError as exc:
        log.warning("cannot write the pid file %s (%s); serving without it", path, exc)
        return None
    return path


def remove_pid_file(path: Path | None) -> None:
    """Best effort: the directory may have become read-only (or gone) while serving."""
    if path is None:
        return
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("cannot remove the pid file %s (%s)", path, exc)


def _reload(app: App) -> None:
    ok, problems = app.knowledge.reload()
    if not ok:
        log.error("knowledge reload failed, still serving the old base:\n%s", "\n".join(problems))
