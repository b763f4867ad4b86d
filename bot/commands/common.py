"""What every command needs: settings and a built app, with errors as one line."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeAlias

from bot.app import App, StartupError, build_app
from bot.config import Settings

# What each command module adds its sub-commands to (`motcua <group> …`). A string: argparse's
# _SubParsersAction is generic only to type checkers, subscripting it fails at run time on 3.11.
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def load_settings() -> Settings:
    return Settings.from_env()


@asynccontextmanager
async def open_app(settings: Settings | None = None, *, migrate: bool = True) -> AsyncIterator[App]:
    from bot.cli import CliError

    try:
        app = await build_app(settings or load_settings(), migrate=migrate)
    except StartupError as exc:
        raise CliError(str(exc)) from None
    try:
        yield app
    finally:
        await app.close()
