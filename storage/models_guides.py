"""Walkthrough progress, funnel events and call-back requests.

Progress lives in the database (not only in the session) so a user who comes
back days later, or after a restart, continues from the step they left; the
events give staff the "where do people stop" funnel per skill. Satisfaction
ratings of walkthroughs are kept on the run itself (the general ratings table
belongs to the feedback feature; the lead may unify them later).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, BigId, UTCDateTime, utcnow

# run.status values
ACTIVE = "active"  # in progress (or left mid-way, resumable)
FINISHED = "finished"  # reached a completing end step
DETOUR = "detour"  # reached an end that does not complete it (e.g. "get level 2 first")
STOPPED = "stopped"  # the citizen pressed stop, or started another walkthrough
EXPIRED = "expired"  # left unfinished longer than guide_expiry_days
RUN_STATUSES = (ACTIVE, FINISHED, DETOUR, STOPPED, EXPIRED)


class GuideRun(Base):
    """One citizen going through one walkthrough, from start to finish (or not)."""

    __tablename__ = "guide_runs"
    __table_args__ = (
        Index("ix_guide_runs_user_status", "user_id", "status"),
        Index("ix_guide_runs_walkthrough_status", "walkthrough_id", "status"),
        # runs started / finished in a period, read from the index alone (storage/stats.py)
        Index("ix_guide_runs_started_at", "started_at", "walkthrough_id", "status", "step_id"),
        Index("ix_guide_runs_finished_at", "finished_at", "rating", "walkthrough_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    walkthrough_id: Mapped[str] = mapped_column(String(64))
    skill: Mapped[str] = mapped_column(String(24))
    procedure_id: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default=ACTIVE)
    step_id: Mapped[str] = mapped_column(String(24))
    history: Mapped[list[str]] = mapped_column(JSON, default=list)  # steps before the current one
    outcome: Mapped[str | None] = mapped_column(String(8))  # "yes" / "no": "đã làm được chưa?"
    rating: Mapped[str | None] = mapped_column(String(16))  # very_satisfied / satisfied / unsatisfied
    comment: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    prompted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # last "continue?" prompt
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class GuideEvent(Base):
    """What a citizen did at a step (start, next, back, stuck, stop…): the funnel's raw data."""

    __tablename__ = "guide_events"
    __table_args__ = (Index("ix_guide_events_walkthrough_at", "walkthrough_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("guide_runs.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    walkthrough_id: Mapped[str] = mapped_column(String(64))
    skill: Mapped[str] = mapped_column(String(24))
    step_id: Mapped[str | None] = mapped_column(String(24))
    event: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class GuideCallback(Base):
    """A citizen still stuck asked an officer to call them back (with their consent)."""

    __tablename__ = "guide_callbacks"
    __table_args__ = (Index("ix_guide_callbacks_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("guide_runs.id", ondelete="SET NULL"))
    walkthrough_id: Mapped[str] = mapped_column(String(64))
    step_id: Mapped[str | None] = mapped_column(String(24))
    phone: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending / done
    consent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    call_after: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    done_by: Mapped[str | None] = mapped_column(String(96))
