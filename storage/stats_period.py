"""The period a statistic covers, in the commune's days, and its SQL day bucket.

Staff think in local days ("tháng 11"), the database stores UTC: a period is
[start, end) of local dates, turned into UTC bounds once. Day buckets use the
zone's UTC offset at the period's start on both databases (the same arithmetic
on SQLite and PostgreSQL, so the two give equal figures); Vietnam keeps one
offset all year, so this is exact there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Date, cast, func, literal
from sqlalchemy.sql.elements import ColumnElement

PeriodKind = Literal["week", "month", "quarter", "custom"]
MAX_DAYS = 370  # a custom period longer than a year is a typo, not a report


class PeriodError(ValueError):
    """A period that cannot be counted; the message says why (shown to staff)."""


@dataclass(frozen=True)
class Period:
    start: dt.date  # first local day, included
    end: dt.date  # first local day after the period
    tz: str = "Asia/Ho_Chi_Minh"

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise PeriodError(f"the period must end after it starts ({self.start} – {self.end})")
        if (self.end - self.start).days > MAX_DAYS:
            raise PeriodError(f"a period is at most {MAX_DAYS} days")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def start_utc(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), tzinfo=self.zone).astimezone(dt.UTC)

    @property
    def end_utc(self) -> dt.datetime:
        return dt.datetime.combine(self.end, dt.time(), tzinfo=self.zone).astimezone(dt.UTC)

    @property
    def offset_minutes(self) -> int:
        offset = dt.datetime.combine(self.start, dt.time(12), tzinfo=self.zone).utcoffset()
        return int(offset.total_seconds() // 60) if offset is not None else 0

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days)]

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.zone).date()

    def as_json(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "timezone": self.tz}


def week_of(day: dt.date, tz: str) -> Period:
    monday = day - dt.timedelta(days=day.weekday())
    return Period(monday, monday + dt.timedelta(days=7), tz)


def month_of(year: int, month: int, tz: str) -> Period:
    if not 1 <= month <= 12:
        raise PeriodError(f"month {month} is not between 1 and 12")
    start = dt.date(year, month, 1)
    end = dt.date(year + (month == 12), month % 12 + 1, 1)
    return Period(start, end, tz)


def quarter_of(day: dt.date, tz: str) -> Period:
    first = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first, 1)
    end = dt.date(day.year + (first == 10), (first + 2) % 12 + 1, 1)
    return Period(start, end, tz)


def parse_month(text: str, tz: str) -> Period:
    """`YYYY-MM`, as `motcua report monthly --month` takes it."""
    try:
        year, month = (int(part) for part in text.split("-"))
    except ValueError:
        raise PeriodError(f"{text!r} is not a month written YYYY-MM (e.g. 2026-11)") from None
    return month_of(year, month, tz)


def period_for(kind: str, today: dt.date, tz: str, start: str = "", end: str = "") -> Period:
    """The period staff picked: this week / month / quarter (containing `today`), or custom dates.

    A custom `end` is the last day included, as people write it ("01/11 – 30/11").
    """
    if kind == "week":
        return week_of(today, tz)
    if kind == "month":
        return month_of(today.year, today.month, tz)
    if kind == "quarter":
        return quarter_of(today, tz)
    if kind != "custom":
        raise PeriodError(f"unknown period {kind!r}")
    try:
        first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    except ValueError:
        raise PeriodError("dates must be written YYYY-MM-DD") from None
    return Period(first, last + dt.timedelta(days=1), tz)


def day_bucket(column: Any, period: Period, dialect: str) -> ColumnElement[Any]:
    """The local day of a UTC timestamp column, as SQL both databases compute alike."""
    minutes = period.offset_minutes
    if dialect == "sqlite":
        return func.date(column, f"{minutes:+d} minutes")
    return cast(func.timezone("UTC", column) + literal(dt.timedelta(minutes=minutes)), Date)


def as_date(value: object) -> dt.date:
    """A day bucket as returned by the driver (a date on PostgreSQL, text on SQLite)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
