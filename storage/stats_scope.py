"""Which rows a statistic counts: everyone, one area, or every area side by side.

The dashboard counts everyone or one area (`Scope(area)`); the monthly
workbook needs every area at once, and counting each area with its own
queries cost eight passes over the same rows. `Scope(by_area=True)` instead
adds the area as a grouping column to each query, so one pass files every row
under its area and the workbook's sheets cost what one dashboard costs.

Whose area a row is filed under:
- questions, ratings, walkthroughs, subscribers: the citizen's subscription
  area (`users.area`; "" when they chose none or erased their data);
- complaints and ratings of complaint handling: the area staff recorded on the
  complaint (`complaints.area`, where the problem is), falling back to the
  citizen's area while staff have not set it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.models import User
from storage.models_feedback import Complaint

ALL = "*"  # the key of figures counted over everyone (also question_daily's area for everyone)


def in_area(column: Any, area: str | None) -> list[ColumnElement[bool]]:
    """Rows of citizens of an area (None: everyone; "": those who chose none, or whose identity
    was erased, as the daily counts file them)."""
    if area is None:
        return []
    if area == "":
        chose_none = select(User.id).where(or_(User.area.is_(None), User.area == ""))
        return [or_(column.is_(None), column.in_(chose_none))]
    return [column.in_(select(User.id).where(User.area == area))]


def citizen_area(user_id: Any) -> ColumnElement[Any]:
    """The subscription area of the citizen `user_id` points at ("" for none or no citizen)."""
    chosen = select(User.area).where(User.id == user_id).correlate_except(User).scalar_subquery()
    return func.coalesce(chosen, "")


def complaint_area(user_id: Any) -> ColumnElement[Any]:
    """Where a complaint is: the area staff set on it, else its citizen's (`user_id`) area."""
    return func.coalesce(func.nullif(Complaint.area, ""), citizen_area(user_id))


@dataclass(frozen=True)
class Scope:
    area: str | None = None  # with by_area=False: None everyone, "" no area chosen, else one area
    by_area: bool = False

    def columns(self, area: ColumnElement[Any]) -> list[ColumnElement[Any]]:
        """The grouping column to select (and group by) first: the area, when counting by area."""
        return [area.label("area")] if self.by_area else []

    def citizens(self, user_id: Any) -> list[ColumnElement[bool]]:
        """The filter of rows filed under their citizen's area."""
        return [] if self.by_area else in_area(user_id, self.area)

    def complaints(self, user_id: Any) -> list[ColumnElement[bool]]:
        """The filter of complaint rows (and ratings of them) filed under the complaint's area."""
        if self.by_area or self.area is None:
            return []
        return [complaint_area(user_id) == self.area]

    def split(self, row: Sequence[Any]) -> tuple[str, tuple[Any, ...]]:
        """(area key, the rest of the row) of a row selected with `columns` first."""
        if self.by_area:
            return str(row[0]), tuple(row[1:])
        return ALL, tuple(row)


async def fetch(db: AsyncSession, statement: Select[Any]) -> Sequence[Row[Any]]:
    """Every row of a statistics query, read without holding up the event loop.

    The SQLite driver runs statements on the loop's thread (storage/sqlite_driver.py: right
    for the bot's microsecond statements); a statistics query can scan a month of questions
    (~1 s for the first daily counts, ~0.1 s for the dashboard's), so on SQLite it is streamed,
    which runs it on aiosqlite's worker thread (measured: a 1.3 s stall of the loop became
    ~20 ms). PostgreSQL's driver awaits the server anyway.
    """
    if db.get_bind().dialect.name == "sqlite":
        return await (await db.stream(statement)).all()
    return (await db.execute(statement)).all()
