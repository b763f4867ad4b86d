"""Which fee rule applies on a given day, and which rules need a staff member's eye.

Fees are the facts that go wrong most often: a temporary reduction ends, a
waiver for filing online starts. The bot must state the rule of *today* in the
commune's time zone and never one that has expired, so selection lives here,
in one place, for the answers, the walkthroughs and `motcua kb check|show`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from knowledge.schema import Fee, Procedure

NOTICE_DAYS = 30
"""A rule ending within this many days is stated with "đến hết ngày …"."""

WARN_DAYS = 45
"""`kb check` warns this long before a rule ends without a known successor."""


def local_today(timezone: str, now: dt.datetime | None = None) -> dt.date:
    """Today's date where the commune is: a rule ending "31/12" ends at midnight there, not in UTC."""
    now = now or dt.datetime.now(dt.UTC)
    return now.astimezone(ZoneInfo(timezone)).date()


def current_fees(fees: list[Fee], today: dt.date) -> list[Fee]:
    """The rules valid today, in file order (the order the commune wrote them in)."""
    return [f for f in fees if f.valid_on(today)]


def successor(fees: list[Fee], rule: Fee) -> Fee | None:
    """The rule for the same fee and conditions that starts the day after `rule` ends."""
    if rule.valid_until is None:
        return None
    nxt = rule.valid_until + dt.timedelta(days=1)
    return next((f for f in fees if f.key == rule.key and f.valid_from == nxt), None)


def ends_soon(rule: Fee, today: dt.date, days: int = NOTICE_DAYS) -> bool:
    """Whether a rule valid today ends within `days` days (the last day counts as valid)."""
    return rule.valid_until is not None and today <= rule.valid_until <= today + dt.timedelta(days=days)


def has_lapsed(fees: list[Fee], today: dt.date) -> bool:
    """True when a fee had rules but none applies today: the bot must not guess the amount."""
    names = {f.name.casefold() for f in fees}
    current = {f.name.casefold() for f in current_fees(fees, today)}
    return bool(names - current)


@dataclass(frozen=True)
class Expiry:
    """A rule that ends soon with nothing encoded after it: staff must re-check its source."""

    topic_id: str
    rule: Fee
    days_left: int


def expiring(procedures: list[Procedure], today: dt.date, days: int = WARN_DAYS) -> list[Expiry]:
    """Rules ending within `days` days with no successor rule starting the next day.

    A rule whose successor is already encoded (e.g. the full amount from the day a
    reduction ends) needs no warning: the bot will switch on time by itself.
    """
    found = []
    for p in procedures:
        for rule in p.fees:
            if rule.valid_until is None or successor(p.fees, rule) is not None:
                continue
            left = (rule.valid_until - today).days
            if 0 <= left <= days:
                found.append(Expiry(p.id, rule, left))
    return found


def timelines(fees: list[Fee]) -> list[list[Fee]]:
    """Rules grouped by fee and conditions, each group sorted by start date (open start first)."""
    groups: dict[tuple[str, tuple[str, bool, str]], list[Fee]] = {}
    for f in fees:
        groups.setdefault(f.key, []).append(f)
    return [sorted(g, key=lambda f: f.valid_from or dt.date.min) for g in groups.values()]
