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
from bot.config import Settings
from bot.dossier_api import DossierApi
from bot.health import Health
from bot.metrics import add_route as add_metrics_route
from bot.metrics import install as install_metrics
from bot.runners import Runner, runner_factories
from bot.web.open311 import Open311Api

log = logging.getLogger("motcua.run")


NO_CHANNEL = (
    "no channel is configured: set MOTCUA_TELEGRAM_TOKEN (Telegram), or the MOTCUA_ZALO_* "
    "variables (Zalo); `motcua chat` talks to the bot in the terminal without any"
)


def add_commands(sub: Subcommands) -> None:
    from bot.config_sources import help_epilog

    p = sub.add_parser(
        "run",
        help="serve the configured channels (Telegram, Zalo) and workers",
        description="Serve the configured channels and outbox workers until SIGTERM; "
        "the HTTP server answers /healthz, /metrics and the Open311 API (/open311/v2/).",
        epilog=help_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(func=_run)


def configured_channels(settings: Settings) -> list[str]:
    """The channels whose settings are present, known before anything is opened or migrated."""
    present = {
        "telegram": settings.telegram_token,
        "zalo_oa": settings.zalo_oa_app_id,
        "zalo_bot": settings.zalo_bot_token,
    }
    return [name for name, value in present.items() if value]


async def _run(args: argparse.Namespace) -> int:
    from bot.cli import CliError
    from bot.logs import configure

    settings = load_settings()
    configure(args.log_level or settings.log_level, settings.log_format)  # the flag wins
    if not configured_channels(settings):
        raise CliError(NO_CHANNEL)  # before the database is touched, let alone migrated
    async with open_app(settings) as app:
        runners = [r for r in (f(app) for f in runner_factories()) if r is not None]
        if not any(r.is_channel for r in runners):
            raise CliError(NO_CHANNEL)
        return await serve(app, runners)


def build_server(app: App, runners: list[Runner]) -> tuple[web.Application, Health]:
    """The HTTP server's application: health, metrics, the runners' webhooks, the staff console.

    Shared by `serve` and the browser tests, so what they test is mounted as `motcua run` mounts it.
    """
    from bot.web.app import MAX_BODY, mount

    # the body limit is the whole server's: the staff console's photo uploads set it
    web_app = web.Application(client_max_size=MAX_BODY)
    health = Health(app, runners)
    health.add_routes(web_app)
    DossierApi(app).add_routes(web_app)
    add_metrics_route(web_app, app, install_metrics(app))
    Open311Api(app).add_routes(web_app)
    for runner in runners:
        runner.add_routes(web_app)
    mount(web_app, app)
    return web_app, health


async def serve(app: App, runners: list[Runner]) -> int:
    """Start the HTTP server and runners; stop them in reverse order on SIGTERM/SIGINT."""
    settings = app.settings
    web_app, health = build_server(app, runners)
    web_runner = web.AppRunner(web_app, access_log=None)
    await web_runner.setup()
    site = web.TCPSite(web_runner, settings.http_host, settings.http_port)
    await site.start()
    log.info(
        "HTTP server on %s:%s (staff console: %s/staff/)",
        settings.http_host,
        settings.http_port,
        settings.public_url,
    )

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    reloads: set[asyncio.Task[None]] = set()  # held so a running reload is not garbage-collected

    def on_sighup() -> None:
        task = asyncio.create_task(_reload(app))
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    loop.add_signal_handler(signal.SIGHUP, on_sighup)
    pid_file = write_pid_file(settings.data_dir / "motcua.pid")
    started = []
    try:
        for runner in runners:
            await runner.start()
            started.append(runner)
            health.started.add(runner.name)
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


async def _reload(app: App) -> None:
    """SIGHUP: reread the base and the sentences. The rebuild (seconds, a retrain) runs off the
    event loop, so citizens keep being answered by the old base meanwhile."""
    ok, problems = await asyncio.to_thread(app.knowledge.reload)
    if not ok:
        log.error("knowledge reload failed, still serving the old base:\n%s", "\n".join(problems))
    reload_texts(app.settings)


def reload_texts(settings: Settings) -> None:
    """SIGHUP also re-reads the sentence overlay; a broken one keeps the sentences in use."""
    from handlers.text_overlay import OverlayError, apply_overlay

    try:
        count = apply_overlay(settings.texts_path)
    except OverlayError as exc:
        log.error("texts overlay reload failed, keeping the sentences in use:\n%s", "\n".join(exc.problems))
    else:
        log.info("texts overlay: %d sentence(s) reworded", count)
