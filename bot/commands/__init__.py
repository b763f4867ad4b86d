"""Command groups of the `motcua` CLI; each module has add_commands(subparsers)."""

from bot.commands import (
    backup,
    broadcast,
    chat,
    complaints,
    config,
    db,
    guides,
    kb,
    match,
    open311,
    privacy,
    run,
    staff,
    texts,
    zalo,
)

COMMAND_MODULES = [
    chat,
    run,
    config,
    db,
    backup,
    kb,
    texts,
    match,
    staff,
    guides,
    zalo,
    complaints,
    broadcast,
    privacy,
    open311,
]
