"""`motcua texts …`: the bot's sentences, to reword per deployment (handlers/text_overlay.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.commands.common import Subcommands, load_settings


def add_commands(sub: Subcommands) -> None:
    p = sub.add_parser("texts", help="export or check the bot's sentences (the texts.yaml overlay)")
    tsub = p.add_subparsers(dest="texts_command", metavar="ACTION", required=True)
    export = tsub.add_parser("export", help="write every sentence in use as YAML, to start an overlay from")
    export.add_argument("file", nargs="?", type=Path, help="default: standard output")
    export.set_defaults(func=_export)
    check = tsub.add_parser("check", help="validate an overlay file (default: the configured one)")
    check.add_argument("file", nargs="?", type=Path)
    check.set_defaults(func=_check)


def _export(args: argparse.Namespace) -> int:
    from bot.cli import CliError
    from handlers.text_overlay import OverlayError, apply_overlay, export_yaml

    try:
        apply_overlay(load_settings().texts_path)  # export what the bot says now, overlay included
    except OverlayError as exc:
        raise CliError("the texts overlay is invalid:\n" + "\n".join(exc.problems)) from None
    doc = export_yaml()
    if args.file is None:
        sys.stdout.write(doc)
    else:
        args.file.write_text(doc, encoding="utf-8")
        print(f"wrote the bot's sentences to {args.file}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from bot.cli import CliError
    from handlers.text_overlay import OverlayError, load_overlay

    path = args.file or load_settings().texts_path
    if path is None:
        raise CliError("no overlay: put texts.yaml in MOTCUA_DATA_DIR or set MOTCUA_TEXTS_FILE")
    try:
        overlay = load_overlay(path)
    except OverlayError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found", file=sys.stderr)
        return 1
    print(f"ok: {path} rewords {len(overlay)} sentence(s)")
    return 0
