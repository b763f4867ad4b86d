"""`motcua run`: serve the configured channels until SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal

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
    pid_file = settings.data_dir / "motcua.pid"
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.write_text(str(os.getpid()))
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
        pid_file.unlink(missing_ok=True)
    return 0


def _reload(app: App) -> None:
    ok, problems = app.knowledge.reload()
    if not ok:
        log.error("knowledge reload failed, still serving the old base:\n%s", "\n".join(problems))
