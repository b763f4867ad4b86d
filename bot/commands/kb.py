"""`motcua kb …`: check, list, show, export and reload the knowledge base."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import sys
from pathlib import Path

from bot.commands.common import Subcommands, load_settings
from knowledge.fee_rules import WARN_DAYS, expiring, local_today
from knowledge.loader import KnowledgeBase, KnowledgeError, load_knowledge
from knowledge.overlay import overlay_path, with_overlay

_TODAY_HELP = "YYYY-MM-DD: check or show as of that day (default: today in MOTCUA_TIMEZONE)"


def _today(args: argparse.Namespace, timezone: str) -> dt.date:
    """The day rules are judged on: the commune's today, or the one staff ask about."""
    return args.today or local_today(timezone)


def add_commands(sub: Subcommands) -> None:
    p = sub.add_parser("kb", help="check, list, show, export or reload the knowledge base")
    ksub = p.add_subparsers(dest="kb_command", metavar="ACTION", required=True)
    check = ksub.add_parser("check", help="validate a knowledge directory (exit 1 on errors)")
    check.add_argument("directory", nargs="?", type=Path, help="default: the configured or bundled one")
    check.add_argument("--max-age-days", type=int, default=None, help="warn on topics checked longer ago")
    check.add_argument("--today", type=dt.date.fromisoformat, default=None, help=_TODAY_HELP)
    check.set_defaults(func=_check)
    ls = ksub.add_parser("list", help="list topics")
    ls.set_defaults(func=_list)
    show = ksub.add_parser("show", help="show a topic as the bot sends it")
    show.add_argument("topic_id")
    show.add_argument("--today", type=dt.date.fromisoformat, default=None, help=_TODAY_HELP)
    show.set_defaults(func=_show)
    export = ksub.add_parser("export", help="export the whole knowledge base")
    export.add_argument("--json", action="store_true", required=True, help="as one JSON document")
    export.set_defaults(func=_export)
    unanswered = ksub.add_parser("unanswered", help="questions the bot could not answer confidently")
    unanswered.add_argument("--days", type=int, default=7)
    unanswered.add_argument("--limit", type=int, default=50)
    unanswered.set_defaults(func=_unanswered)
    reload = ksub.add_parser("reload", help="validate, then tell the running bot to reload (SIGHUP)")
    reload.set_defaults(func=_reload)


def _load(directory: Path | None = None) -> KnowledgeBase:
    """The configured base with the staff overlay of the data directory (a given directory: alone)."""
    from bot.cli import CliError

    settings = load_settings()
    try:
        kb = load_knowledge(
            directory or settings.knowledge_dir, None if directory else settings.locality_file
        )
        return kb if directory else with_overlay(kb, overlay_path(settings.data_dir))
    except KnowledgeError as exc:
        raise CliError("knowledge base is invalid:\n" + "\n".join(exc.problems)) from None


def _check(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        kb = load_knowledge(
            args.directory or settings.knowledge_dir, None if args.directory else settings.locality_file
        )
        if not args.directory:  # the deployment's base is served with the staff overlay
            kb = with_overlay(kb, overlay_path(settings.data_dir))
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found", file=sys.stderr)
        return 1
    max_age = args.max_age_days or settings.kb_max_age_days
    today = _today(args, settings.timezone)
    for topic_id in kb.stale(max_age, today=today):
        topic = kb.topics[topic_id]
        print(f"warning: {topic_id}: last checked {topic.source.checked}, more than {max_age} days ago")
    for e in expiring(kb.procedures, today, WARN_DAYS):
        print(
            f"warning: {e.topic_id}: fee {e.rule.name!r} ends on {e.rule.valid_until} ({e.days_left} days), "
            f"within {WARN_DAYS} days, and no rule follows it; re-check its source and add what applies next"
        )
    print(f"ok: {len(kb.topics)} topics in {kb.directory}")
    if kb.overlay is not None:
        print(f"ok: staff overlay {overlay_path(settings.data_dir)}: {kb.overlay.additions()} addition(s)")
    for folder in kb.vocabulary.sources[1:]:
        print(f"ok: vocabulary in {folder} extends the bundled one")
    return 0


def _list(args: argparse.Namespace) -> int:
    kb = _load()
    for t in kb.topics.values():
        print(f"{t.id}\t{t.kind}\t{t.group}\t{t.name}\t{t.source.checked}")
    return 0


def _show(args: argparse.Namespace) -> int:
    from bot.cli import CliError
    from handlers.topic_text import topic_full_text

    kb = _load()
    topic = kb.get(args.topic_id)
    if topic is None:
        raise CliError(f"no topic {args.topic_id!r}; see `motcua kb list`")
    settings = load_settings()
    print(topic_full_text(kb, topic, _today(args, settings.timezone)))
    added = kb.overlay.topics.get(topic.id) if kb.overlay is not None else None
    if added:
        print(f"\n— staff overlay ({overlay_path(settings.data_dir)}):")
        for name, values in added.items():
            for value in values:
                shown = (
                    value.get("questions", [""])[0] + " → " + value.get("answer", "")
                    if isinstance(value, dict)
                    else value
                )
                print(f"  {name}: {shown}")
    return 0


def _export(args: argparse.Namespace) -> int:
    kb = _load()
    doc = {
        "locality": kb.locality.model_dump(mode="json"),
        "topics": [t.model_dump(mode="json") for t in kb.topics.values()],
    }
    json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _reload(args: argparse.Namespace) -> int:
    from bot.cli import CliError
    from handlers.text_overlay import OverlayError, load_overlay

    _load()  # refuse to signal a reload that would fail
    settings = load_settings()
    if settings.texts_path is not None:
        try:
            load_overlay(settings.texts_path)
        except OverlayError as exc:
            raise CliError("the texts overlay is invalid:\n" + "\n".join(exc.problems)) from None
    pid_file = settings.data_dir / "motcua.pid"
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, signal.SIGHUP)
    except (OSError, ValueError):
        raise CliError(f"knowledge base is valid, but no running bot was found ({pid_file})") from None
    print(f"knowledge base is valid; asked the running bot (pid {pid}) to reload")
    return 0


async def _unanswered(args: argparse.Namespace) -> int:
    import datetime as dt

    from bot.commands.common import open_app
    from handlers.staff_tools import unanswered_questions

    async with open_app() as app, app.db.session() as db:
        since = dt.datetime.now(dt.UTC) - dt.timedelta(days=args.days)
        rows = await unanswered_questions(db, since, args.limit)
    for text, decision, count in rows:
        print(f"{count}\t{decision}\t{text}")
    if not rows:
        print(f"no unanswered questions in the last {args.days} days")
    return 0
