"""The readiness probe's table: /readyz proves the database takes writes by writing here.

A row is inserted and rolled back on every probe, so the table stays empty. A
plain `SELECT 1` said "ok" while SQLite was read-only or full; an insert big
enough to need new pages fails exactly when a citizen's message would.
"""

from __future__ import annotations

from sqlalchemy import Integer, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class HealthProbe(Base):
    __tablename__ = "health_probes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
