"""`motcua broadcast send|list|status|cancel` and `motcua outbox work|status`.

The CLI path of the staff broadcast: same audience rules, same citizen text,
same transaction (broadcast + deliveries + audit) as /thongbao in chat. The
actor in the audit log is `cli:<login name>`.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import getpass
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.commands.common import Subcommands, load_settings, open_app
from handlers import broadcast_core as core
from handlers import texts
from handlers.broadcast_core import BroadcastError, audience_label, citizen_replies, in_range, parse_send_time
from storage import outbox as ob
from storage.models import Outbox


def add_commands(sub: Subcommands) -> None:
    p = sub.add_parser("broadcast", help="send announcements to subscribed citizens; follow and cancel them")
    bsub = p.add_subparsers(dest="broadcast_command", metavar="ACTION", required=True)
    send = bsub.add_parser(
        "send", help="queue an announcement (shows a preview and the number of recipients)"
    )
    src = send.add_mutually_exclusive_group(required=True)
    src.add_argument("--file", type=Path, help="UTF-8 text file with the announcement")
    src.add_argument("--text", help="the announcement text")
    send.add_argument("--topic", choices=ob.TOPIC_KEYS, help="only subscribers of this topic")
    send.add_argument(
        "--area", help="only subscribers of this village / residential group (from locality.yaml)"
    )
    send.add_argument("--channel", help="only subscribers on this channel (telegram, zalo_oa, zalo_bot)")
    send.add_argument("--photo", help="a photo URL (or Telegram file_id) sent with the text")
    send.add_argument("--at", help="send time, local: 'YYYY-MM-DD HH:MM', 'dd/mm HH:MM' or 'HH:MM' (today)")
    send.add_argument("--yes", action="store_true", help="queue without asking for confirmation")
    send.add_argument("--dry-run", action="store_true", help="show the preview only")
    send.set_defaults(func=_send)
    ls = bsub.add_parser("list", help="recent broadcasts")
    ls.add_argument("--limit", type=int, default=20)
    ls.set_defaults(func=_list)
    st = bsub.add_parser("status", help="progress of one broadcast")
    st.add_argument("id", type=int)
    st.set_defaults(func=_status)
    cancel = bsub.add_parser("cancel", help="stop the remaining deliveries of a broadcast")
    cancel.add_argument("id", type=int)
    cancel.set_defaults(func=_cancel)

    o = sub.add_parser("outbox", help="outbound message delivery (the outbox)")
    osub = o.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)
    work = osub.add_parser("work", help="run a sender worker for one channel (also part of `motcua run`)")
    work.add_argument("--channel", required=True, choices=("telegram", "zalo_oa", "zalo_bot"))
    work.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    work.set_defaults(func=_work)
    ost = osub.add_parser("status", help="outbox rows per channel and state")
    ost.set_defaults(func=_outbox_status)


def parse_at(raw: str, tz: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """The --at value as UTC; raises CliError with the accepted forms."""
    from bot.cli import CliError

    local_now = now.astimezone(tz)
    try:
        value = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        when = parse_send_time(raw, local_now)
    else:
        value = value.replace(tzinfo=tz) if value.tzinfo is None else value
        when = value.astimezone(dt.UTC) if in_range(value, now) else None
    if when is None:
        raise CliError(
            f"--at {raw!r}: use a local time within the next year as 'YYYY-MM-DD HH:MM', "
            f"'dd/mm HH:MM' or 'HH:MM' ({tz.key})"
        )
    return when


async def _send(args: argparse.Namespace) -> int:
    from bot.cli import CliError

    if args.file is not None:
        try:
            text = args.file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"cannot read {args.file}: {exc}") from None
    else:
        text = (args.text or "").strip()
    if not text:
        raise CliError("the announcement is empty")
    settings = load_settings()
    tz = ZoneInfo(settings.timezone)
    now = dt.datetime.now(dt.UTC)
    send_at = parse_at(args.at, tz, now) if args.at else now
    async with open_app(settings) as app:
        loc = app.knowledge.kb.locality
        if args.area and args.area not in loc.areas:
            known = ", ".join(loc.areas) or "(none configured)"
            raise CliError(f"--area {args.area!r} is not an area of locality.yaml; known areas: {known}")
        limit = core.text_limit(loc.office_name, photo=bool(args.photo))
        if len(text) > limit:
            raise CliError(
                f"the announcement is {len(text)} characters; the limit is {limit} without its header"
            )
        replies = citizen_replies(loc.office_name, text, args.photo)
        audience = ob.Audience(topic=args.topic, area=args.area, channel=args.channel)
        async with app.db.session() as db:
            counts = await ob.count_recipients(db, audience)
        print("--- preview (what citizens receive) ---")
        if args.photo:
            print(f"[photo: {args.photo}]")
        print(replies[0].text)
        print("---")
        detail = ", ".join(f"{ch}: {n}" for ch, n in sorted(counts.items())) or "none"
        print(f"audience: {audience_label(audience)}; recipients: {sum(counts.values())} ({detail})")
        print(f"send at: {send_at.astimezone(tz):%Y-%m-%d %H:%M} ({tz.key})")
        if not counts:
            raise CliError("nobody would receive this announcement; nothing queued")
        if args.dry_run:
            return 0
        if not args.yes:
            if not sys.stdin.isatty():
                raise CliError("add --yes to queue without a terminal to confirm in")
            answer = await asyncio.to_thread(input, "Queue this broadcast? [y/N] ")
            if answer.strip().lower() not in ("y", "yes", "c", "co"):
                print("nothing queued")
                return 1
        actor = f"cli:{getpass.getuser()}"
        async with app.db.session() as db:
            try:
                b = await core.queue(
                    db,
                    actor=actor,
                    office=loc.office_name,
                    text=text,
                    photo=args.photo,
                    audience=audience,
                    send_at=send_at,
                    now=dt.datetime.now(dt.UTC),
                )
            except BroadcastError:
                raise CliError("nobody would receive this announcement any more; nothing queued") from None
            await db.commit()
        print(
            f"queued broadcast {b.id} to {b.total} recipients; follow it with: motcua broadcast status {b.id}"
        )
    return 0


async def _list(args: argparse.Namespace) -> int:
    settings = load_settings()
    tz = ZoneInfo(settings.timezone)
    async with open_app(settings) as app, app.db.session() as db:
        rows = await ob.list_broadcasts(db, args.limit)
        if not rows:
            print("no broadcasts yet")
        for b in rows:
            snippet = " ".join(b.text.split())[:60]
            print(
                f"{b.id}\t{b.status}\t{b.total}\t{b.send_at.astimezone(tz):%Y-%m-%d %H:%M}\t"
                f"{b.created_by}\t{audience_label(ob.Audience.from_dict(b.audience))}\t{snippet}"
            )
    return 0


async def _status(args: argparse.Namespace) -> int:
    from bot.cli import CliError
    from bot.outbox_sender import format_duration, progress_bar

    settings = load_settings()
    tz = ZoneInfo(settings.timezone)
    async with open_app(settings) as app, app.db.session() as db:
        p = await ob.progress(db, args.id)
        if p is None:
            raise CliError(f"there is no broadcast {args.id}; see: motcua broadcast list")
        b = p.broadcast
        print(f"broadcast {b.id}: {b.status} ({texts.BC_STATUS.get(b.status, b.status)})")
        print(
            f"by {b.created_by} at {b.created_at.astimezone(tz):%Y-%m-%d %H:%M}; audience: {audience_label(ob.Audience.from_dict(b.audience))}"
        )
        print(f"send at {b.send_at.astimezone(tz):%Y-%m-%d %H:%M}")
        print(f"{progress_bar(p.done, p.total, 40)}  {p.done}/{p.total} done")
        for state in (
            "sent",
            "unreachable",
            "skipped",
            "failed",
            "cancelled",
            "pending",
            "sending",
            "waiting",
        ):
            if p.counts[state]:
                print(f"  {state:<12}{p.counts[state]}")
        if b.started_at:
            end = b.finished_at or dt.datetime.now(dt.UTC)
            print(f"duration: {format_duration((end - b.started_at).total_seconds())}")
    return 0


async def _cancel(args: argparse.Namespace) -> int:
    from bot.cli import CliError

    actor = f"cli:{getpass.getuser()}"
    async with open_app() as app, app.db.session() as db:
        try:
            n = await core.cancel(db, args.id, actor, dt.datetime.now(dt.UTC))
        except BroadcastError:
            raise CliError(
                f"broadcast {args.id} does not exist or is already finished or cancelled"
            ) from None
        await db.commit()
    print(f"cancelled broadcast {args.id}: {n} deliveries will not be sent")
    return 0


async def _work(args: argparse.Namespace) -> int:
    import logging

    from bot.outbox_sender import work

    settings = load_settings()
    logging.getLogger().setLevel(settings.log_level.upper())
    stats = await work(settings, args.channel, once=args.once)
    print(
        f"sent={stats.sent} rate_limited={stats.rate_limited} unreachable={stats.unreachable} "
        f"skipped={stats.skipped} failed={stats.failed} retried={stats.retried}"
    )
    return 0


async def _outbox_status(args: argparse.Namespace) -> int:
    async with open_app() as app, app.db.session() as db:
        rows = (
            await db.execute(
                select(Outbox.channel, Outbox.status, func.count()).group_by(Outbox.channel, Outbox.status)
            )
        ).all()
    if not rows:
        print("the outbox is empty")
    for channel, status, n in sorted(rows):
        print(f"{channel}\t{status}\t{n}")
    return 0
