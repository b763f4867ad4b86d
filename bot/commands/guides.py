"""`motcua guides …`: the step-by-step walkthroughs, their funnel and call-back requests.

Staff see per skill ("5 biết") how many citizens started and finished, and the
step where most people stop; officers working the phone list the pending
call-back requests and mark them done.
"""

from __future__ import annotations

import argparse
import datetime as dt

from bot.commands.common import Subcommands, open_app


def add_commands(sub: Subcommands) -> None:
    p = sub.add_parser("guides", help="step-by-step walkthroughs: list, funnel, call-back requests")
    gsub = p.add_subparsers(dest="guides_command", metavar="ACTION", required=True)
    ls = gsub.add_parser("list", help="list the walkthroughs (and how many procedures have a tailored one)")
    ls.set_defaults(func=_list)
    fn = gsub.add_parser("funnel", help="per skill: started, finished, the step where most stop")
    fn.add_argument("--days", type=int, default=None, help="only runs started in the last N days")
    fn.add_argument("--walkthrough", default=None, help="show every step of one walkthrough (its id)")
    fn.set_defaults(func=_funnel)
    cb = gsub.add_parser("callbacks", help="call-back requests of citizens who were stuck")
    cb.add_argument("--all", action="store_true", help="include the ones already done")
    cb.set_defaults(func=_callbacks)
    done = gsub.add_parser("done", help="mark a call-back request as done")
    done.add_argument("id", type=int)
    done.add_argument("--by", default="cli", help="who called back (recorded in the audit log)")
    done.set_defaults(func=_done)


async def _list(args: argparse.Namespace) -> int:
    from handlers.guide import all_walkthroughs
    from handlers.guide_tailored import build

    async with open_app(migrate=False) as app:
        kb = app.knowledge.kb
        for w in all_walkthroughs(kb):
            print(f"{w.id}\t{w.skill}\t{len(w.steps)} steps\t{w.title}")
        tailored = [p.id for p in kb.procedures if build(kb, p) is not None]
        print(f"(+ {len(tailored)} tailored «nộp trực tuyến» walkthroughs: nop:<procedure-id>)")
    return 0


async def _funnel(args: argparse.Namespace) -> int:
    from bot.cli import CliError
    from handlers.guide import find_walkthrough, funnel_text
    from storage.guides import funnel, pending_callback_count

    if args.days is not None and args.days < 1:
        raise CliError("--days must be at least 1")
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=args.days) if args.days else None
    async with open_app() as app:
        kb = app.knowledge.kb
        async with app.db.session() as db:
            skills = await funnel(db, since)
            pending = await pending_callback_count(db)
        if args.walkthrough is None:
            print(funnel_text(kb, skills, pending))
            return 0
        w = find_walkthrough(kb, args.walkthrough)
        found = next(
            (
                sf.walkthroughs[args.walkthrough]
                for sf in skills.values()
                if args.walkthrough in sf.walkthroughs
            ),
            None,
        )
        if w is None and found is None:
            raise CliError(f"no walkthrough {args.walkthrough!r}; see `motcua guides list`")
        title = w.title if w else args.walkthrough
        if found is None:
            print(f"{title}: nobody has started it yet")
            return 0
        print(f"{title}: {found.started} started, {found.finished} finished ({found.runs} runs)")
        print("step\treached\tstopped here\ttitle")
        step_ids = [s.id for s in w.steps] if w else sorted(found.reached)
        for step_id in step_ids:
            step = w.step(step_id) if w else None
            print(
                f"{step_id}\t{found.reached.get(step_id, 0)}\t{found.stopped_at.get(step_id, 0)}\t{step.title if step else ''}"
            )
    return 0


async def _callbacks(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from storage.guides import pending_callbacks

    async with open_app() as app:
        tz = ZoneInfo(app.settings.timezone)
        async with app.db.session() as db:
            rows = await pending_callbacks(db, include_done=args.all)
        if not rows:
            print("no call-back requests" if args.all else "no pending call-back requests")
        for r in rows:
            created = r.created_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")
            after = r.call_after.astimezone(tz).strftime("%d/%m/%Y %H:%M")
            print(
                f"#{r.id}\t{r.status}\t{r.phone}\t{r.name or '-'}\tasked {created}\tcall from {after}"
                f"\t{r.walkthrough_id}/{r.step_id or '-'}"
            )
    return 0


async def _done(args: argparse.Namespace) -> int:
    from bot.cli import CliError
    from storage.guides import mark_callback_done
    from storage.repos import audit

    async with open_app() as app:
        async with app.db.session() as db:
            row = await mark_callback_done(db, args.id, args.by)
            if row is None:
                raise CliError(f"no call-back request #{args.id}; see `motcua guides callbacks --all`")
            await audit(db, args.by, "guide_callback_done", target=str(args.id))
            await db.commit()
    print(f"call-back request #{args.id} marked done")
    return 0
