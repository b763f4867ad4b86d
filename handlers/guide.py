"""Step-by-step walkthroughs ("3 hướng dẫn", "5 biết"): one step per message.

A walkthrough is data (knowledge/data/*.yaml, or generated per procedure by
handlers/guide_tailored.py). A citizen's progress is a `GuideRun` row, so it
survives restarts and days of silence; the session only remembers which
question the bot is waiting for (a phone number, a comment). Buttons carry the
step they belong to (`g:n:<step>`), so pressing an old message's button can
never move someone two steps at once.

Actions (prefix "g", all ≤ 64 bytes):
  g:w:<walkthrough>  start      g:submit:<procedure>  start the tailored one
  g:n:<step> next/finish        g:b:<step> back       g:c:<step>:<i> choice
  g:s:<step> stuck              g:ok:<step> solved    g:h:<step> still stuck
  g:x stop   g:cont continue    g:r restart           g:l list    g:5 "5 biết"
  g:y / g:no "did it work?"     g:rt:<3|2|1> rating   g:sk skip comment
  g:cb ask for a call-back      g:cbn decline         g:cbd:<id> staff: called back
"""

from __future__ import annotations

import datetime as dt
import re

from handlers import texts
from handlers.context import Context
from handlers.guide_tailored import build as build_tailored
from handlers.guide_tailored import fold, procedure_of
from handlers.menu import format_hours, main_menu, menu_button
from handlers.messages import Button, Incoming, LinkButton, Reply
from handlers.router import Feature, HookPriority
from knowledge.loader import KnowledgeBase
from knowledge.matcher import detect_intent
from knowledge.schema import Guide, Locality, Procedure
from knowledge.walkthrough_schema import SKILLS, Step, Walkthrough
from storage import guides as repo
from storage.models_guides import ACTIVE, DETOUR, EXPIRED, FINISHED, STOPPED, GuideRun

FLOW = "guide"
_EXPIRED_MARK = "\x00expired:"  # marks the expiry note among _current's notes
GENERAL_SUBMIT_TOPIC = "nop-truc-tuyen"
MAX_COMMENT = 2000
CALL_MARGIN = dt.timedelta(minutes=30)
MAX_CALLBACKS_SHOWN = 10
RATINGS = {"3": "very_satisfied", "2": "satisfied", "1": "unsatisfied"}

# typed words that work like the buttons (compared after fold(): no diacritics, lower case)
_NEXT = {
    "xong", "xong roi", "da xong", "tiep", "tiep tuc", "tiep theo", "buoc tiep", "lam tiep", "roi",
    "ok", "oke", "okay", "duoc", "duoc roi", "next", "done",
}  # fmt: skip
_BACK = {"quay lai", "tro lai", "lui", "lui lai", "back", "buoc truoc"}
_STUCK = {
    "vuong", "bi vuong", "toi bi vuong", "khong duoc", "ko duoc", "k duoc", "loi", "bi loi", "ket",
    "bi ket", "giup", "giup toi", "khong lam duoc", "help",
}  # fmt: skip
_STOP = {"dung", "dung lai", "thoat", "huy", "stop", "khong lam nua", "thoi"}
_YES = {"co", "vang", "da", "u", "uh", "roi", "lam duoc", "da lam duoc", "duoc", "duoc roi", "ok", "co a"}
_NO = {"chua", "khong", "ko", "chua duoc", "chua lam duoc", "khong duoc", "that bai"}

_HOWTO = re.compile(
    r"\b(chi toi|chi cho|chi minh|chi em|huong dan|cach|lam sao|lam the nao|bay cho|bay toi)\b"
)
_ONLINE = re.compile(
    r"\b(online|onl|truc tuyen|qua mang|tren mang|dich vu cong|dichvucong|vneid|dien thoai|app|internet)\b"
)
_SUBMIT = re.compile(r"\bnop\b")
_PAYMENT = re.compile(r"\b(phi|le phi|tien|thanh toan|thue|phat)\b")
# words of a "show me how to submit online" request; what is left may name a procedure
_REQUEST_WORDS = {
    "chi", "toi", "cho", "minh", "em", "cach", "huong", "dan", "nop", "ho", "so", "online", "onl",
    "truc", "tuyen", "qua", "tren", "mang", "lam", "sao", "the", "nao", "de", "voi", "a", "giup",
    "dich", "vu", "cong", "dichvucong", "app", "vneid", "dien", "thoai", "internet", "bay", "thu", "tuc",
    "muon", "can", "o", "dau", "nhu", "ntn", "ad", "nhe", "oi", "bang", "",
}  # fmt: skip
_PHONE_CHARS = re.compile(r"[\s.\-()]")
_MOBILE = re.compile(r"^0[35789]\d{8}$")
_LANDLINE = re.compile(r"^02\d{9}$")


# ---------------------------------------------------------------- walkthrough lookup
def all_walkthroughs(kb: KnowledgeBase) -> list[Walkthrough]:
    """The YAML walkthroughs, in the order of the "5 biết" skills."""
    items = [w for g in kb.guides for w in g.walkthroughs]
    return sorted(items, key=lambda w: SKILLS.index(w.skill))


def find_walkthrough(kb: KnowledgeBase, wid: str) -> Walkthrough | None:
    pid = procedure_of(wid)
    if pid is not None:
        procedure = kb.get(pid)
        return build_tailored(kb, procedure) if isinstance(procedure, Procedure) else None
    for w in all_walkthroughs(kb):
        if w.id == wid:
            return w
    return None


def start_action(wid: str) -> str:
    pid = procedure_of(wid)
    return f"g:submit:{pid}" if pid else f"g:w:{wid}"


def _title(kb: KnowledgeBase, wid: str) -> str:
    w = find_walkthrough(kb, wid)
    return w.title if w else wid


def _skill_of(kb: KnowledgeBase, wid: str) -> str | None:
    w = find_walkthrough(kb, wid)
    return w.skill if w else None


def _label(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def normalize_phone(raw: str) -> str | None:
    """A Vietnamese phone number as 0xxxxxxxxx, or None when it is not one."""
    phone = _PHONE_CHARS.sub("", raw.strip())
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    elif phone.startswith("84") and len(phone) in (11, 12):
        phone = "0" + phone[2:]
    if _MOBILE.match(phone) or _LANDLINE.match(phone):
        return phone
    return None


def next_call_window(loc: Locality, now_local: dt.datetime) -> tuple[dt.datetime, bool]:
    """When an officer can call: (now, True) inside working hours, else (the next opening, False).

    The last half hour of a session counts as closed: promising a call "today" at
    16:55 would be a promise the office cannot keep.
    """
    wh = loc.working_hours
    windows = [wh.morning, *([wh.afternoon] if wh.afternoon else [])]
    holidays = set(loc.holidays)
    for offset in range(0, 40):
        day = (now_local + dt.timedelta(days=offset)).date()
        if day.isoweekday() not in wh.days or day in holidays:
            continue
        for start, end in windows:
            begin = dt.datetime.combine(day, start, tzinfo=now_local.tzinfo)
            finish = dt.datetime.combine(day, end, tzinfo=now_local.tzinfo)
            if begin <= now_local < finish - CALL_MARGIN:
                return now_local, True
            if begin > now_local:
                return begin, False
    return now_local, False  # a locality without any working day: say "as soon as possible"


# ---------------------------------------------------------------- rendering
def step_reply(ctx: Context, w: Walkthrough, run: GuideRun, note: str | None = None) -> Reply:
    """One step as one message, with the buttons that move the run; records a 'view' event."""
    step = w.step(run.step_id) or w.first
    k = len(run.history) + 1
    n = k + w.remaining(step.id)
    parts: list[str] = []
    if note:
        parts.append(note)
    if not run.history:
        parts.append(texts.GUIDE_WALKTHROUGH_HEAD.format(title=w.title))
        if w.summary:
            parts.append(w.summary)
    parts.append(texts.GUIDE_STEP_HEAD.format(k=k, n=n, title=step.title))
    parts.append(step.text)
    if step.tap:
        parts.append(texts.GUIDE_TAP.format(tap=step.tap))
    if step.screen:
        parts.append(texts.GUIDE_SCREEN.format(screen=step.screen))
    rows: list[list[Button]] = []
    if step.choices:
        rows += [[Button(_label(c.label), f"g:c:{step.id}:{i}")] for i, c in enumerate(step.choices)]
    elif step.is_end and not step.completes:
        rows.append([Button(texts.BTN_GUIDE_UNDERSTOOD, f"g:n:{step.id}")])
    else:
        label = texts.BTN_GUIDE_FINISH if step.is_end else texts.BTN_GUIDE_NEXT
        rows.append([Button(label, f"g:n:{step.id}")])
    nav = [Button(texts.BTN_GUIDE_BACK, f"g:b:{step.id}")] if run.history else []
    nav.append(Button(texts.BTN_GUIDE_STUCK, f"g:s:{step.id}"))
    rows.append(nav)
    if step.see:
        other = find_walkthrough(ctx.kb, step.see)
        if other is not None:
            rows.append(
                [Button(_label(texts.BTN_GUIDE_SEE.format(title=other.title)), start_action(other.id))]
            )
    rows.append([Button(texts.BTN_GUIDE_STOP, "g:x")])
    if not run.history and not step.choices:
        parts.append(texts.GUIDE_STEP_HINT)
    links = [LinkButton(texts.GUIDE_LINK_LABEL, step.link)] if step.link else []
    repo.record(ctx.db, run, "view", step_id=step.id, at=ctx.now())
    return Reply("\n".join(parts), buttons=rows, links=links)


def _list_rows(ctx: Context, run: GuideRun | None, walkthroughs: list[Walkthrough]) -> list[list[Button]]:
    rows: list[list[Button]] = []
    if run is not None:
        title = _title(ctx.kb, run.walkthrough_id)
        rows.append([Button(_label(texts.BTN_GUIDE_CONTINUE.format(title=title)), "g:cont")])
    rows += [[Button(_label(w.title), start_action(w.id))] for w in walkthroughs]
    return rows


def help_reply(ctx: Context, step_id: str | None) -> Reply:
    """Still stuck: the office's contact, a call-back offer, a way back to the step."""
    loc = ctx.kb.locality
    text = texts.GUIDE_HELP.format(
        office=loc.office_name, hotline=loc.hotline, address=loc.address, hours=format_hours(loc)
    )
    rows = [[Button(texts.BTN_GUIDE_CALLBACK, "g:cb")]]
    if step_id:
        rows.append([Button(texts.BTN_GUIDE_BACK_TO_STEP, f"g:ok:{step_id}")])
    rows.append(menu_button())
    return Reply(text, buttons=rows, links=[LinkButton(link.label, link.url) for link in loc.links])


# ---------------------------------------------------------------- run lifecycle
def _touch(ctx: Context, run: GuideRun) -> None:
    run.updated_at = ctx.now()


# Session memory says whether the user has an active run, so the text hook does not
# query guide_runs on every message of every user (it ran on each question).
ACTIVE_MEMORY = "guide_active"


def _close(ctx: Context, run: GuideRun, status: str, event: str, **detail: str) -> None:
    ctx.remember(ACTIVE_MEMORY, False)
    run.status = status
    run.updated_at = ctx.now()
    if status in (FINISHED, DETOUR):
        run.finished_at = ctx.now()
    repo.record(ctx.db, run, event, at=ctx.now(), **detail)


def _expire(ctx: Context, run: GuideRun) -> Reply:
    started = run.started_at.astimezone(ctx.local_now().tzinfo)
    _close(ctx, run, EXPIRED, "expire")
    if ctx.flow == FLOW:
        ctx.clear_flow()
    title = _title(ctx.kb, run.walkthrough_id)
    text = texts.GUIDE_EXPIRED.format(
        title=title, date=started.strftime("%d/%m/%Y"), days=ctx.settings.guide_expiry_days
    )
    rows = [
        [Button(_label(texts.BTN_GUIDE_START_AGAIN.format(title=title)), start_action(run.walkthrough_id))]
    ]
    return Reply(text, buttons=[*rows, menu_button()])


async def _current(ctx: Context) -> tuple[GuideRun | None, Walkthrough | None, list[str]]:
    """The active run with its walkthrough, after expiry and knowledge-edit checks.

    Returns notes to show first (the walkthrough was edited under the run, or it
    expired). When the run expired or its walkthrough is gone, the run is closed
    and None returned.
    """
    run = await repo.latest_active_run(ctx.db, ctx.user.id)
    if run is None:
        return None, None, []
    if ctx.now() - run.updated_at >= dt.timedelta(days=ctx.settings.guide_expiry_days):
        return None, None, [_EXPIRED_MARK + _expire(ctx, run).text]
    w = find_walkthrough(ctx.kb, run.walkthrough_id)
    if w is None:
        _close(ctx, run, STOPPED, "stop", reason="missing")
        return None, None, []
    known = {s.id for s in w.steps}
    if run.step_id not in known or any(h not in known for h in run.history):
        run.step_id = w.first.id
        run.history = []
        _touch(ctx, run)
        repo.record(ctx.db, run, "reset", at=ctx.now())
        return run, w, [texts.GUIDE_CHANGED.format(title=w.title)]
    return run, w, []


async def start(ctx: Context, w: Walkthrough, procedure_id: str | None = None) -> list[Reply]:
    """Begin a walkthrough (or continue it when it is the one already under way)."""
    replies: list[Reply] = []
    current, current_w, notes = await _current(ctx)
    if current is not None and current.walkthrough_id == w.id:
        ctx.set_flow(FLOW, run=current.id)
        head = Reply(texts.GUIDE_ALREADY_HERE, buttons=[[Button(texts.BTN_GUIDE_RESTART, "g:r")]])
        return [head, step_reply(ctx, current_w or w, current, note="\n".join(notes) or None)]
    if current is not None:
        title = current_w.title if current_w else current.walkthrough_id
        _close(ctx, current, STOPPED, "stop", reason="switched")
        replies.append(Reply(texts.GUIDE_SWITCHED.format(title=title)))
    now = ctx.now()
    run = GuideRun(
        user_id=ctx.user.id,
        walkthrough_id=w.id,
        skill=w.skill,
        procedure_id=procedure_id,
        status=ACTIVE,
        step_id=w.first.id,
        history=[],
        started_at=now,
        updated_at=now,
    )
    ctx.db.add(run)
    await ctx.db.flush()
    ctx.remember(ACTIVE_MEMORY, True)
    repo.record(ctx.db, run, "start", at=now)
    ctx.set_flow(FLOW, run=run.id)
    return [*replies, step_reply(ctx, w, run)]


async def _finish(ctx: Context, run: GuideRun, w: Walkthrough, step: Step) -> list[Reply]:
    if not step.completes:
        _close(ctx, run, DETOUR, "detour")
        ctx.clear_flow()
        rows: list[list[Button]] = []
        if step.see:
            other = find_walkthrough(ctx.kb, step.see)
            if other is not None:
                rows.append(
                    [Button(_label(texts.BTN_GUIDE_SEE.format(title=other.title)), start_action(other.id))]
                )
        rows += [[Button(texts.BTN_GUIDE_5BIET, "g:5")], menu_button()]
        return [Reply(texts.GUIDE_DETOUR_END.format(title=w.title), buttons=rows)]
    _close(ctx, run, FINISHED, "finish")
    ctx.set_flow(FLOW, wait="done", ref=run.id)
    rows = [[Button(texts.BTN_GUIDE_DONE_YES, "g:y")], [Button(texts.BTN_GUIDE_DONE_NO, "g:no")]]
    return [Reply(texts.GUIDE_FINISHED.format(title=w.title), buttons=rows)]


async def _move(ctx: Context, verb: str, step_arg: str, extra: str = "") -> list[Reply]:
    """next / back / choice / stuck / solved / still stuck on the active run."""
    run, w, notes = await _current(ctx)
    if run is None or w is None:
        return await _no_active(ctx, notes)
    ctx.set_flow(FLOW, run=run.id)
    note = "\n".join(notes) or None
    step = w.step(run.step_id) or w.first
    if notes or step_arg != step.id:
        return [step_reply(ctx, w, run, note=note or texts.GUIDE_OLD_BUTTON)]
    now = ctx.now()
    if verb == "n":
        if step.choices:
            return [step_reply(ctx, w, run, note=texts.GUIDE_CHOOSE_ONE)]
        if step.is_end:
            return await _finish(ctx, run, w, step)
        repo.record(ctx.db, run, "next", step_id=step.id, at=now)
        run.history = [*run.history, step.id]
        run.step_id = step.next or step.id
    elif verb == "b":
        if not run.history:
            return [step_reply(ctx, w, run, note=texts.GUIDE_FIRST_STEP)]
        repo.record(ctx.db, run, "back", step_id=step.id, at=now)
        run.step_id = run.history[-1]
        run.history = run.history[:-1]
    elif verb == "c":
        if not extra.isdigit() or int(extra) >= len(step.choices):
            return [step_reply(ctx, w, run, note=texts.GUIDE_OLD_BUTTON)]
        choice = step.choices[int(extra)]
        repo.record(ctx.db, run, "choice", step_id=step.id, at=now, label=choice.label)
        run.history = [*run.history, step.id]
        run.step_id = choice.next
    elif verb == "s":
        repo.record(ctx.db, run, "stuck", step_id=step.id, at=now)
        _touch(ctx, run)
        if not step.problems:
            return [Reply(texts.GUIDE_NO_PROBLEMS.format(step=step.title)), help_reply(ctx, step.id)]
        lines = [texts.GUIDE_PROBLEMS_HEADER.format(step=step.title)]
        lines += [
            texts.GUIDE_PROBLEM_LINE.format(n=i, title=p.title, fix=p.fix)
            for i, p in enumerate(step.problems, 1)
        ]
        lines.append(texts.GUIDE_PROBLEMS_FOOTER)
        rows = [
            [Button(texts.BTN_GUIDE_SOLVED, f"g:ok:{step.id}")],
            [Button(texts.BTN_GUIDE_STILL_STUCK, f"g:h:{step.id}")],
        ]
        return [Reply("\n\n".join(lines), buttons=rows)]
    elif verb == "ok":
        repo.record(ctx.db, run, "solved", step_id=step.id, at=now)
    elif verb == "h":
        repo.record(ctx.db, run, "help", step_id=step.id, at=now)
        _touch(ctx, run)
        return [help_reply(ctx, step.id)]
    _touch(ctx, run)
    return [step_reply(ctx, w, run)]


async def _no_active(ctx: Context, notes: list[str] | None = None) -> list[Reply]:
    """No walkthrough under way: say why (it expired, or ended) and offer the list."""
    if ctx.flow == FLOW:
        ctx.clear_flow()
    rows = [[Button(texts.BTN_GUIDE_ALL, "g:l")], menu_button()]
    expired = [n[len(_EXPIRED_MARK) :] for n in notes or [] if n.startswith(_EXPIRED_MARK)]
    return [Reply(expired[0] if expired else texts.GUIDE_NO_ACTIVE, buttons=rows)]


async def _resume(ctx: Context, restart: bool) -> list[Reply]:
    run, w, notes = await _current(ctx)
    if run is None or w is None:
        return await _no_active(ctx, notes)
    if restart:
        run.history = []
        run.step_id = w.first.id
    repo.record(ctx.db, run, "restart" if restart else "resume", at=ctx.now())
    _touch(ctx, run)
    ctx.set_flow(FLOW, run=run.id)
    return [step_reply(ctx, w, run, note="\n".join(notes) or None)]


async def _stop(ctx: Context) -> list[Reply]:
    run, w, notes = await _current(ctx)
    if run is None:
        return await _no_active(ctx, notes)
    _close(ctx, run, STOPPED, "stop", reason="user")
    ctx.clear_flow()
    title = w.title if w else run.walkthrough_id
    rows = [[Button(texts.BTN_GUIDE_ALL, "g:l")], menu_button()]
    return [Reply(texts.GUIDE_STOPPED.format(title=title), buttons=rows)]


async def _referenced_run(ctx: Context) -> GuideRun | None:
    """The run the last question was about (done? rating?), else the latest finished one."""
    ref = ctx.flow_data.get("ref") if ctx.flow == FLOW else None
    if isinstance(ref, int):
        run = await repo.get_run(ctx.db, ref, ctx.user.id)
        if run is not None:
            return run
    return await repo.latest_finished_run(ctx.db, ctx.user.id)


async def _done_answer(ctx: Context, yes: bool) -> list[Reply]:
    run = await _referenced_run(ctx)
    if run is None or run.status != FINISHED:
        ctx.clear_flow()
        return [main_menu(ctx, texts.GUIDE_NOTHING_TO_RATE)]
    run.outcome = "yes" if yes else "no"
    repo.record(ctx.db, run, "done_yes" if yes else "done_no", at=ctx.now())
    if yes:
        ctx.set_flow(FLOW, wait="rate", ref=run.id)
        rows = [[Button(label, f"g:rt:{key}")] for key, label in texts.GUIDE_RATINGS.items()]
        return [Reply(texts.GUIDE_RATE_ASK, buttons=rows)]
    ctx.set_flow(FLOW, ref=run.id)
    title = _title(ctx.kb, run.walkthrough_id)
    again = Reply(
        texts.GUIDE_TRY_AGAIN,
        buttons=[
            [
                Button(
                    _label(texts.BTN_GUIDE_START_AGAIN.format(title=title)), start_action(run.walkthrough_id)
                )
            ]
        ],
    )
    return [Reply(texts.GUIDE_NOT_DONE), help_reply(ctx, None), again]


async def _rate(ctx: Context, value: str) -> list[Reply]:
    run = await _referenced_run(ctx)
    if run is None or value not in RATINGS:
        ctx.clear_flow()
        return [main_menu(ctx, texts.GUIDE_NOTHING_TO_RATE)]
    run.rating = RATINGS[value]
    repo.record(ctx.db, run, "rate", at=ctx.now(), rating=run.rating)
    ctx.set_flow(FLOW, wait="comment", ref=run.id)
    return [Reply(texts.GUIDE_COMMENT_ASK, buttons=[[Button(texts.BTN_GUIDE_SKIP_COMMENT, "g:sk")]])]


async def _after_rating(ctx: Context, thanks: str) -> list[Reply]:
    ctx.clear_flow()
    text, rows = await _next_skill_offer(ctx)
    return [Reply(f"{thanks}\n{text}", buttons=[*rows, menu_button()])]


async def _next_skill_offer(ctx: Context) -> tuple[str, list[list[Button]]]:
    done = await repo.finished_skills(ctx.db, ctx.user.id)
    walkthroughs = all_walkthroughs(ctx.kb)
    for skill in SKILLS:
        if skill in done:
            continue
        options = [w for w in walkthroughs if w.skill == skill]
        if options:
            first = options[0]
            rows = [
                [Button(_label(texts.BTN_GUIDE_LEARN_NEXT.format(title=first.title)), start_action(first.id))]
            ]
            rows.append([Button(texts.BTN_GUIDE_5BIET, "g:5")])
            return texts.FIVE_NEXT.format(skill=texts.SKILL_NAMES[skill]), rows
    return texts.FIVE_ALL_DONE, [[Button(texts.BTN_GUIDE_5BIET, "g:5")]]


# ---------------------------------------------------------------- call-back requests
async def _ask_callback(ctx: Context) -> list[Reply]:
    run = await repo.latest_active_run(ctx.db, ctx.user.id) or await _referenced_run(ctx)
    data = {"wait": "phone"}
    if run is not None:
        data["ref"] = run.id
        repo.record(ctx.db, run, "callback_ask", at=ctx.now())
    ctx.set_flow(FLOW, **data)
    cancel = [[Button(texts.BTN_GUIDE_NO_CALLBACK, "g:cbn")]]
    return [
        Reply(texts.GUIDE_CALLBACK_ASK, request_contact=True),
        Reply(texts.GUIDE_CALLBACK_CANCEL_HINT, buttons=cancel),
    ]


async def _after_callback(ctx: Context, text: str) -> list[Reply]:
    active = await repo.latest_active_run(ctx.db, ctx.user.id)
    rows: list[list[Button]] = []
    if active is not None:
        ctx.set_flow(FLOW, run=active.id)
        rows.append([Button(texts.BTN_GUIDE_BACK_TO_STEP, f"g:ok:{active.step_id}")])
    else:
        ctx.clear_flow()
    return [Reply(text, buttons=[*rows, menu_button()])]


async def _on_phone(ctx: Context, msg: Incoming) -> list[Reply] | None:
    if msg.contact is not None:
        raw = msg.contact.phone
    elif msg.text is not None:
        raw = msg.text.strip()
        if sum(ch.isdigit() for ch in raw) < 6:
            # not a phone number: the citizen moved on; answer them as usual
            active = await repo.latest_active_run(ctx.db, ctx.user.id)
            if active is not None:
                ctx.set_flow(FLOW, run=active.id)
            else:
                ctx.clear_flow()
            return None
    else:
        return None
    phone = normalize_phone(raw)
    if phone is None:
        cancel = [[Button(texts.BTN_GUIDE_NO_CALLBACK, "g:cbn")]]
        return [Reply(texts.GUIDE_PHONE_INVALID.format(phone=raw[:20]), buttons=cancel)]
    run = None
    ref = ctx.flow_data.get("ref")
    if isinstance(ref, int):
        run = await repo.get_run(ctx.db, ref, ctx.user.id)
    loc = ctx.kb.locality
    when_local, open_now = next_call_window(loc, ctx.local_now())
    await repo.add_callback(
        ctx.db,
        user=ctx.user,
        run=run,
        walkthrough_id=run.walkthrough_id if run else "-",
        step_id=run.step_id if run else None,
        phone=phone,
        call_after=when_local.astimezone(dt.UTC),
        now=ctx.now(),
    )
    if run is not None:
        repo.record(ctx.db, run, "callback", at=ctx.now())
    if open_now:
        when = texts.GUIDE_CALLBACK_NOW
    else:
        when = texts.GUIDE_CALLBACK_LATER.format(
            time=when_local.strftime("%H:%M"),
            weekday=texts.HOURS_DAYS[when_local.isoweekday()],
            date=when_local.strftime("%d/%m/%Y"),
        )
    text = texts.GUIDE_CALLBACK_SAVED.format(
        phone=phone, office=loc.office_name, when=when, hotline=loc.hotline
    )
    return await _after_callback(ctx, text)


# ---------------------------------------------------------------- resume prompt and expiry
async def pending_notice(ctx: Context) -> Reply | None:
    """A "continue where you left off?" prompt, or the polite expiry notice, once per absence."""
    if ctx.memory(ACTIVE_MEMORY) is False:
        return None
    run = await repo.latest_active_run(ctx.db, ctx.user.id)
    if run is None:
        ctx.remember(ACTIVE_MEMORY, False)
        return None
    age = ctx.now() - run.updated_at
    if age >= dt.timedelta(days=ctx.settings.guide_expiry_days):
        return _expire(ctx, run)
    if age < dt.timedelta(hours=ctx.settings.guide_resume_after_hours):
        return None
    if run.prompted_at is not None and run.prompted_at >= run.updated_at:
        return None
    w = find_walkthrough(ctx.kb, run.walkthrough_id)
    if w is None:
        _close(ctx, run, STOPPED, "stop", reason="missing")
        return None
    step = w.step(run.step_id) or w.first
    k = len(run.history) + 1 if w.step(run.step_id) else 1
    run.prompted_at = ctx.now()
    repo.record(ctx.db, run, "prompt", at=ctx.now())
    if ctx.flow in (None, FLOW):
        ctx.set_flow(FLOW, run=run.id, prompted=True)
    text = texts.GUIDE_RESUME_PROMPT.format(title=w.title, k=k, n=k + w.remaining(step.id), step=step.title)
    rows = [
        [Button(texts.BTN_GUIDE_RESUME, "g:cont")],
        [Button(texts.BTN_GUIDE_RESTART, "g:r")],
        [Button(texts.BTN_GUIDE_NO_RESUME, "g:x")],
    ]
    return Reply(text, buttons=rows)


async def _answer_elsewhere(ctx: Context, msg: Incoming) -> list[Reply]:
    """Answer free text as the dispatcher would (other hooks, then the matcher), without us."""
    for hook in ctx.router.text_hooks:
        if hook is on_text:
            continue
        replies = await hook(ctx, msg)
        if replies is not None:
            return replies
    guide = await _guide_request(ctx, msg)
    if guide is not None:
        return guide
    return await ctx.router.intents["question"](ctx, msg)


async def _with_notice(ctx: Context, msg: Incoming, notice: Reply) -> list[Reply]:
    """Put the notice after the answer to what they wrote: nothing they said is dropped."""
    intent = detect_intent((msg.text or "")[:200])
    if intent == "greeting":
        return [Reply(f"{texts.GUIDE_RESUME_GREETING}\n{notice.text}", buttons=notice.buttons)]
    if intent is not None:
        return [notice]
    flow_before = (ctx.flow, ctx.flow_data)
    answer = await _answer_elsewhere(ctx, msg)
    if ctx.flow is None and flow_before[0] == FLOW:
        ctx.set_flow(FLOW, **flow_before[1])  # keep the prompt's typed yes/no working
    return [*answer, notice]


# ---------------------------------------------------------------- free text
def _word(text: str) -> str:
    return fold(text).strip(" .!?…,;:")


async def on_flow(ctx: Context, msg: Incoming) -> list[Reply] | None:
    """Typed replies while a walkthrough is under way: words that work like the buttons."""
    data = ctx.flow_data
    wait = data.get("wait")
    if wait == "phone":
        return await _on_phone(ctx, msg)
    if msg.photo is not None and not wait:
        # most likely a screenshot of an error: show the step's known problems and the way to a human
        run, w, _ = await _current(ctx)
        if run is not None and w is not None:
            return [Reply(texts.GUIDE_PHOTO_HINT), *await _move(ctx, "s", run.step_id)]
    if msg.text is None:
        return None
    word = _word(msg.text)
    if wait == "comment":
        if word in ("bo qua", "khong", "thoi", "khong co"):
            return await _after_rating(ctx, texts.GUIDE_THANKS_NO_COMMENT)
        run = await _referenced_run(ctx)
        if run is not None:
            run.comment = msg.text.strip()[:MAX_COMMENT]
            repo.record(ctx.db, run, "comment", at=ctx.now())
        return await _after_rating(ctx, texts.GUIDE_THANKS)
    if wait == "done":
        if word in _YES:
            return await _done_answer(ctx, True)
        if word in _NO:
            return await _done_answer(ctx, False)
    if wait == "rate":
        for key, label in texts.GUIDE_RATINGS.items():
            if word == fold(label):
                return await _rate(ctx, key)
    notice = await pending_notice(ctx)
    if notice is not None:
        return await _with_notice(ctx, msg, notice)
    if data.get("prompted"):
        if word in _YES or word in _NEXT:
            return await _resume(ctx, restart=False)
        if word in _NO or word in _STOP:
            return await _stop(ctx)
    run, w, _ = await _current(ctx)
    if run is None or w is None:
        ctx.clear_flow()
        return None
    step = w.step(run.step_id) or w.first
    if word in _STOP:
        return await _stop(ctx)
    if word in _BACK:
        return await _move(ctx, "b", step.id)
    if word in _STUCK:
        return await _move(ctx, "s", step.id)
    if step.choices:
        picked = [
            i for i, c in enumerate(step.choices) if word and (word in fold(c.label) or fold(c.label) in word)
        ]
        if len(picked) == 1:
            return await _move(ctx, "c", step.id, str(picked[0]))
    if word in _NEXT:
        return await _move(ctx, "n", step.id)
    return None


async def on_text(ctx: Context, msg: Incoming) -> list[Reply] | None:
    """Text hook: the resume prompt for users outside the flow, and "how do I submit online?"."""
    if msg.text is None:
        return None
    if ctx.flow != FLOW:
        notice = await pending_notice(ctx)
        if notice is not None:
            return await _with_notice(ctx, msg, notice)
    return await _guide_request(ctx, msg)


async def _guide_request(ctx: Context, msg: Incoming) -> list[Reply] | None:
    """ "chỉ tôi cách nộp hồ sơ online": the tailored walkthrough if a procedure is named, else the guide."""
    text = (msg.text or "")[:300]
    folded = fold(text)
    if not (_HOWTO.search(folded) and _ONLINE.search(folded) and _SUBMIT.search(folded)):
        return None
    if _PAYMENT.search(folded):
        return None  # "cách nộp lệ phí online" is about paying: the matcher finds that guide
    from handlers.answers import render_topic
    from storage.repos import log_question

    rest = " ".join(w for w in text.split() if fold(w).strip(".,;:!?") not in _REQUEST_WORDS)
    result = ctx.matcher.match(rest or text)
    best = result.best
    topic = ctx.kb.get(best.topic_id) if best is not None and result.decision == "answer" else None
    chosen = None
    replies: list[Reply] = []
    if isinstance(topic, Procedure) and topic.online.level != "none":
        w = build_tailored(ctx.kb, topic)
        if w is not None:
            chosen = topic.id
            replies = [
                Reply(texts.GUIDE_REQUEST_PROCEDURE.format(name=topic.name)),
                *await start(ctx, w, topic.id),
            ]
    elif isinstance(topic, Procedure):  # named, but it cannot be done online: say so, show it
        chosen = topic.id
        replies = [
            Reply(texts.GUIDE_REQUEST_NOT_ONLINE.format(name=topic.name)),
            *await render_topic(ctx, topic.id),
        ]
    elif (not rest.strip() or isinstance(topic, Guide)) and isinstance(
        ctx.kb.get(GENERAL_SUBMIT_TOPIC), Guide
    ):
        chosen = GENERAL_SUBMIT_TOPIC
        replies = await render_topic(ctx, GENERAL_SUBMIT_TOPIC)
    if chosen is None:
        return None
    await log_question(
        ctx.db,
        user=ctx.user,
        channel=msg.channel,
        text=text,
        normalized=result.normalized,
        decision="answer",
        topic_id=chosen,
        score=best.score if best else None,
        candidates=[{"id": c.topic_id, "score": round(c.score, 4)} for c in result.results[:5]],
    )
    return replies


# ---------------------------------------------------------------- entry points
async def cmd_list(ctx: Context, msg: Incoming) -> list[Reply]:
    """/huongdan (and the menu's "Hướng dẫn từng bước"): every walkthrough, by skill."""
    walkthroughs = all_walkthroughs(ctx.kb)
    run, _, _ = await _current(ctx)
    if not walkthroughs and run is None:
        from handlers.menu import contact_reply

        return [Reply(texts.GUIDE_NONE_AVAILABLE), contact_reply(ctx)]
    rows = _list_rows(ctx, run, walkthroughs)
    rows += [[Button(texts.BTN_GUIDE_5BIET, "g:5")], menu_button()]
    return [Reply(f"{texts.GUIDE_LIST_HEADER}\n{texts.GUIDE_LIST_SPECIFIC}", buttons=rows)]


async def cmd_five(ctx: Context, msg: Incoming) -> list[Reply]:
    """/5biet: the five skills with the user's own progress, and the next one to learn."""
    done = await repo.finished_skills(ctx.db, ctx.user.id)
    finished = await repo.finished_walkthroughs(ctx.db, ctx.user.id)
    run, w, _ = await _current(ctx)
    lines = [texts.FIVE_HEADER]
    for n, skill in enumerate(SKILLS, 1):
        name = texts.SKILL_NAMES[skill]
        if skill in done:
            lines.append(texts.FIVE_DONE.format(n=n, skill=name))
            titles = sorted(_title(ctx.kb, wid) for wid in finished if _skill_of(ctx.kb, wid) == skill)
            if titles:
                lines.append(texts.FIVE_FINISHED_LIST.format(titles="; ".join(titles)))
        elif run is not None and w is not None and run.skill == skill:
            k = len(run.history) + 1
            lines.append(texts.FIVE_ACTIVE.format(n=n, skill=name, k=k, m=k + w.remaining(run.step_id)))
        else:
            lines.append(texts.FIVE_TODO.format(n=n, skill=name))
    lines.append(texts.FIVE_COUNT.format(done=len(done & set(SKILLS))))
    rows: list[list[Button]] = []
    if run is not None and w is not None:
        rows.append([Button(_label(texts.BTN_GUIDE_CONTINUE.format(title=w.title)), "g:cont")])
    offer, offer_rows = await _next_skill_offer(ctx)
    lines.append(offer)
    rows += [r for r in offer_rows if r[0].action != "g:5"]
    rows += [[Button(texts.BTN_GUIDE_ALL, "g:l")], menu_button()]
    return [Reply("\n".join(lines), buttons=rows)]


async def render_guide(ctx: Context, topic_id: str) -> list[Reply]:
    """A guide topic (matched from a question): its intro and its walkthroughs as buttons."""
    topic = ctx.kb.get(topic_id)
    if not isinstance(topic, Guide):
        return [main_menu(ctx, texts.EXPIRED_BUTTON)]
    run, _, _ = await _current(ctx)
    lines = [texts.TOPIC_HEADER.format(name=topic.name), topic.intro]
    if topic.id == GENERAL_SUBMIT_TOPIC:
        lines.append(texts.GUIDE_LIST_SPECIFIC)
    if topic.walkthroughs:
        lines.append(texts.GUIDE_TOPIC_CHOOSE)
    rows = _list_rows(ctx, run, topic.walkthroughs)
    rows += [[Button(texts.BTN_GUIDE_ALL, "g:l")], menu_button()]
    return [Reply("\n".join(lines), buttons=rows)]


async def cmd_funnel(ctx: Context, msg: Incoming) -> list[Reply]:
    """Staff: per skill, how many citizens finished it and where most stop."""
    skills = await repo.funnel(ctx.db)
    pending = await repo.pending_callback_count(ctx.db)
    return [Reply(funnel_text(ctx.kb, skills, pending), buttons=[menu_button()])]


async def cmd_callbacks(ctx: Context, msg: Incoming) -> list[Reply]:
    """Staff: pending call-back requests, each with a button to mark it done."""
    from zoneinfo import ZoneInfo

    rows_db = await repo.pending_callbacks(ctx.db)
    if not rows_db:
        return [Reply(texts.CALLBACKS_NONE, buttons=[menu_button()])]
    tz = ZoneInfo(ctx.settings.timezone)
    lines = [texts.CALLBACKS_HEADER.format(count=len(rows_db))]
    buttons: list[list[Button]] = []
    for r in rows_db[:MAX_CALLBACKS_SHOWN]:
        where = _title(ctx.kb, r.walkthrough_id) if r.walkthrough_id != "-" else "-"
        lines.append(
            texts.CALLBACKS_LINE.format(
                id=r.id,
                phone=r.phone,
                name=r.name or "-",
                asked=r.created_at.astimezone(tz).strftime("%d/%m %H:%M"),
                where=where,
                step=r.step_id or "-",
            )
        )
        buttons.append([Button(texts.BTN_CALLBACK_DONE.format(id=r.id), f"g:cbd:{r.id}")])
    buttons.append(menu_button())
    return [Reply("\n".join(lines), buttons=buttons)]


async def _callback_done(ctx: Context, arg: str) -> list[Reply]:
    from storage.repos import audit

    if not ctx.is_staff:
        return [main_menu(ctx, texts.STAFF_ONLY.format(office=ctx.kb.locality.office_name))]
    row = await repo.mark_callback_done(ctx.db, int(arg), ctx.user_key) if arg.isdigit() else None
    if row is None:
        return [main_menu(ctx, texts.EXPIRED_BUTTON)]
    await audit(ctx.db, ctx.user_key, "guide_callback_done", target=str(row.id))
    return [Reply(texts.CALLBACK_MARKED.format(id=row.id)), *await cmd_callbacks(ctx, ctx.incoming)]


def funnel_text(kb: KnowledgeBase, skills: dict[str, repo.SkillFunnel], pending: int) -> str:
    lines = [texts.FUNNEL_HEADER]
    for skill in SKILLS:
        sf = skills.get(skill) or repo.SkillFunnel(skill)
        lines.append(
            texts.FUNNEL_SKILL.format(
                skill=texts.SKILL_NAMES[skill], started=sf.started, finished=sf.finished
            )
        )
        top = sf.top_stop()
        if top is None:
            lines.append(texts.FUNNEL_NO_STOP)
        else:
            wid, step_id, count = top
            w = find_walkthrough(kb, wid)
            step = w.step(step_id) if w else None
            lines.append(
                texts.FUNNEL_STOP.format(
                    walkthrough=w.title if w else wid, step=step.title if step else step_id, count=count
                )
            )
    lines.append(texts.FUNNEL_CALLBACKS.format(count=pending))
    return "\n".join(lines)


async def on_action(ctx: Context, msg: Incoming) -> list[Reply]:
    verb, arg, extra = msg.action_args(3)
    if verb == "w":
        w = find_walkthrough(ctx.kb, arg) if arg and not procedure_of(arg) else None
        if w is None:
            return [Reply(texts.GUIDE_UNKNOWN), *await cmd_list(ctx, msg)]
        return await start(ctx, w)
    if verb == "submit":
        procedure = ctx.kb.get(arg)
        w = build_tailored(ctx.kb, procedure) if isinstance(procedure, Procedure) else None
        if w is None:
            return [Reply(texts.GUIDE_UNKNOWN), *await cmd_list(ctx, msg)]
        return await start(ctx, w, procedure_id=arg)
    if verb in ("n", "b", "c", "s", "ok", "h"):
        return await _move(ctx, verb, arg, extra)
    handlers = {
        "x": _stop,
        "l": lambda c: cmd_list(c, msg),
        "5": lambda c: cmd_five(c, msg),
        "cb": _ask_callback,
    }
    if verb in handlers:
        return await handlers[verb](ctx)
    if verb in ("cont", "r"):
        return await _resume(ctx, restart=verb == "r")
    if verb in ("y", "no"):
        return await _done_answer(ctx, verb == "y")
    if verb == "rt":
        return await _rate(ctx, arg)
    if verb == "sk":
        return await _after_rating(ctx, texts.GUIDE_THANKS_NO_COMMENT)
    if verb == "cbd":
        return await _callback_done(ctx, arg)
    if verb == "cbn":
        run = await repo.latest_active_run(ctx.db, ctx.user.id)
        if run is not None:
            repo.record(ctx.db, run, "callback_no", at=ctx.now())
        return await _after_callback(ctx, texts.GUIDE_CALLBACK_DECLINED)
    return [main_menu(ctx, texts.EXPIRED_BUTTON)]


FEATURE = Feature.GUIDE


def register(router) -> None:
    router.legacy_action("g", on_action)
    router.command("huongdan", cmd_list, texts.CMD_HUONGDAN)
    router.command("5biet", cmd_five, texts.CMD_5BIET)
    router.command("thongkehuongdan", cmd_funnel, texts.CMD_GUIDE_FUNNEL, staff_only=True)
    router.command("goilai", cmd_callbacks, texts.CMD_GUIDE_CALLBACKS, staff_only=True)
    router.legacy_flow(FLOW, on_flow)
    router.topic("kind:guide", render_guide)
    router.text_hook("guide.resume_or_request", on_text, priority=HookPriority.RESUME)


__all__ = ["find_walkthrough", "funnel_text", "normalize_phone", "register", "start"]
