"""Command groups of the `motcua` CLI; each module has add_commands(subparsers)."""

from bot.commands import broadcast, chat, complaints, db, guides, kb, match, privacy, run, staff, zalo

COMMAND_MODULES = [chat, run, db, kb, match, staff, guides, zalo, complaints, broadcast, privacy]
