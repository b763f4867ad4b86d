"""What every command needs: settings and a built app, with errors as one line."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from bot.app import App, StartupError, build_app
from bot.config import Settings

if TYPE_CHECKING:
    # What each command module adds its sub-commands to (`motcua <group> …`); generic only
    # in the type stubs, so the alias exists for the type checker alone.
    Subcommands = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    Subcommands = argparse._SubParsersAction


_warned: set[str] = set()


def load_settings() -> Settings:
    """Settings from the environment and .env; unknown MOTCUA_* names are warned about once."""
    import sys

    from bot.config_sources import load, unknown_warning

    loaded = load()
    for name, close in loaded.unknown:
        if name not in _warned:
            _warned.add(name)
            print(unknown_warning(name, close), file=sys.stderr)
    return loaded.settings


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
