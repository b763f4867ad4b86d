"""Dossier events from the one-stop system: validation, recording once, and the followers' notices.

The HTTP API (bot/dossier_api.py) and the file import (bot/dossier_import.py)
both pass raw fields through `validate` and store with `ingest`, so an event
means the same whichever way it came. A new state is queued to every follower in
the transaction that records it, one outbox row per follower with a dedupe key
of (event, follower): however often the event arrives and however many workers
receive it, each follower is told once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import texts
from handlers.context import Services
from handlers.dossier_states import accepted_values, parse_state
from handlers.dossier_view import Unfollow, details, local_time, next_step_buttons, state_label
from handlers.messages import Reply
from handlers.serialize import DOSSIER_TEMPLATE, replies_to_payload, with_template
from storage import dossiers as repo
from storage.models_dossiers import Dossier
from storage.outbox import KIND_DOSSIER_STATE, enqueue_notice

FIELDS = (
    "event_id",
    "dossier_code",
    "procedure_code",
    "procedure_name",
    "state",
    "time",
    "due_date",
    "note",
    "citizen_phone",
)
REQUIRED = FIELDS[:7]
MAX_LENGTH = {
    "event_id": 64,
    "dossier_code": 64,
    "procedure_code": 32,
    "procedure_name": 300,
    "state": 40,
    "time": 40,
    "due_date": 40,
    "note": 1000,
    "citizen_phone": 20,
}
_EVENT_ID = re.compile(r"[A-Za-z0-9._:\-]+")
_PROCEDURE_CODE = re.compile(r"[A-Za-z0-9._\-]+")
_PHONE = re.compile(r"(?:\+?84|0)\d{8,10}")


class EventError(ValueError):
    """An event that cannot be stored: every problem, each naming its field."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{field}: {reason}" for field, reason in problems))


# ----------------------------------------------------------------------------- codes
@lru_cache(maxsize=8)
def code_regex(pattern: str) -> re.Pattern[str]:
    """The configured pattern, found inside a sentence (not inside a longer token)."""
    return re.compile(rf"(?<![\w.\-])(?:{pattern})(?![\w\-])", re.IGNORECASE)


def find_code(text: str, pattern: str) -> str | None:
    """The first dossier code in `text`, canonical (upper case), or None."""
    found = code_regex(pattern).search(text or "")
    return found.group(0).upper() if found else None


# ----------------------------------------------------------------------------- validation
def _when(value: str, timezone: str, *, date_ok: bool) -> dt.datetime:
    text = value.strip()
    if date_ok and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        day = dt.date.fromisoformat(text)
        return dt.datetime.combine(day, dt.time(), ZoneInfo(timezone)).astimezone(dt.UTC)
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(timezone))  # staff write local time
    return parsed.astimezone(dt.UTC)


def phone_tail(value: str) -> str:
    digits = re.sub(r"[\s.\-()]", "", value)
    if not _PHONE.fullmatch(digits):
        raise ValueError("not a Vietnamese phone number")
    return digits[-4:]


def validate(
    raw: dict[str, Any], *, source: str, code_pattern: str, timezone: str, now: dt.datetime
) -> repo.EventFacts:
    """The event's facts, or EventError listing every field that is wrong and why."""
    problems: list[tuple[str, str]] = []
    values: dict[str, str] = {}
    for name in FIELDS:
        value = raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if name in REQUIRED:
                problems.append((name, "missing"))
            continue
        if not isinstance(value, str):
            problems.append((name, "must be a string"))
            continue
        value = value.strip()
        if len(value) > MAX_LENGTH[name]:
            problems.append((name, f"longer than {MAX_LENGTH[name]} characters"))
            continue
        values[name] = value
    unknown = sorted(set(raw) - set(FIELDS))
    problems += [(name, "unknown field") for name in unknown]
    state = parse_state(values["state"]) if "state" in values else None
    if "state" in values and state is None:
        problems.append(("state", f"unknown state {values['state']!r}; accepted: {accepted_values()}"))
    if "event_id" in values and not _EVENT_ID.fullmatch(values["event_id"]):
        problems.append(("event_id", "only letters, digits and . _ : - are allowed"))
    if "procedure_code" in values and not _PROCEDURE_CODE.fullmatch(values["procedure_code"]):
        problems.append(("procedure_code", "only letters, digits and . _ - are allowed"))
    code = values.get("dossier_code", "")
    if code and not code_regex(code_pattern).fullmatch(code):
        problems.append(("dossier_code", "does not match MOTCUA_DOSSIER_CODE_PATTERN"))
    at = due = None
    for name in ("time", "due_date"):
        if name in values:
            try:
                parsed = _when(values[name], timezone, date_ok=name == "due_date")
            except ValueError:
                problems.append((name, "not an ISO 8601 date/time (e.g. 2026-01-05T08:30:00+07:00)"))
                continue
            if name == "time":
                at = parsed
            else:
                due = parsed
    if at is not None and at > now + dt.timedelta(minutes=10):
        problems.append(("time", "in the future"))
    tail = None
    if "citizen_phone" in values:
        try:
            tail = phone_tail(values["citizen_phone"])
        except ValueError as exc:
            problems.append(("citizen_phone", str(exc)))
    if problems:
        raise EventError(problems)
    assert state is not None and at is not None
    return repo.EventFacts(
        event_id=values["event_id"],
        code=code.upper(),
        procedure_code=values["procedure_code"],
        procedure_name=values["procedure_name"],
        state=state.value,
        at=at,
        due_at=due,
        note=values.get("note"),
        phone_tail=tail,
        source=source,
    )


# ----------------------------------------------------------------------------- recording
@dataclass(frozen=True)
class Ingested:
    duplicate: bool
    notified: int = 0
    created: bool = False  # a dossier seen for the first time
    changed: bool = False  # the state (or note) citizens see moved


async def ingest(db: AsyncSession, services: Services, facts: repo.EventFacts, now: dt.datetime) -> Ingested:
    """Record the event (once) and queue the new state to every follower, in the caller's transaction."""
    recorded = await repo.record_event(db, facts, now)
    if recorded.duplicate:
        return Ingested(duplicate=True)
    if not recorded.changed or recorded.dossier is None or recorded.event_row is None:
        return Ingested(duplicate=False, created=recorded.created)
    dossier = recorded.dossier
    notified = 0
    for user, verified in await repo.followers(db, dossier.id):
        payload = notice_payload(services, dossier, verified=verified)
        await enqueue_notice(
            db,
            channel=user.channel,
            platform_id=user.platform_id,
            payload=payload,
            kind=KIND_DOSSIER_STATE,
            ref=dossier.code,
            dedupe_key=f"dsn:{recorded.event_row}:{user.id}",
            user_id=user.id,
            now=now,
        )
        notified += 1
    return Ingested(duplicate=False, notified=notified, created=recorded.created, changed=True)


def notice_payload(services: Services, d: Dossier, *, verified: bool) -> list[dict[str, Any]]:
    """A follower's notice: the new state; for a follower who passed the check, the details too."""
    tz = services.settings.timezone
    lines = [
        texts.DS_NOTICE_HEAD.format(code=d.code, state=state_label(d.state), at=local_time(d.state_at, tz))
    ]
    rows = []
    if verified:
        lines += details(d, tz)
        rows = next_step_buttons(services.knowledge.kb, services.router, d)
    lines.append(texts.DS_NOTICE_FOOT)
    rows.append([Unfollow(d.id).button(texts.DS_BTN_UNFOLLOW)])
    payload = replies_to_payload([Reply("\n".join(lines), buttons=rows)])
    hidden = texts.DS_TEMPLATE_HIDDEN
    values = {
        "code": d.code,
        "state": state_label(d.state),
        "procedure": d.procedure_name if verified else hidden,
        "due_date": local_time(d.due_at, tz, with_time=False) if verified and d.due_at else hidden,
        "note": (d.note or "-") if verified else hidden,
    }
    return with_template(payload, DOSSIER_TEMPLATE, values)
