"""Command groups of the `motcua` CLI; each module has add_commands(subparsers)."""

from bot.commands import chat, complaints, db, guides, kb, run, staff, zalo

COMMAND_MODULES = [chat, run, db, kb, staff, guides, zalo, complaints]
