"""A small commune's November 2026 with figures known by hand, for the statistics tests.

Times are written in local time (UTC+7) so the edges of the month are visible:
a question at 00:30 on 1 November counts, one at 23:30 on 31 October does not.
The locality's calendar has a (test) holiday on Wednesday 4 November, so
handling times and deadlines skip it. Every expected figure is in EXPECTED.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.feedback_core import due_at
from knowledge.loader import KnowledgeBase
from knowledge.schema import Locality
from storage.models import Outbox, QuestionLog, User
from storage.models_broadcast import Broadcast
from storage.models_feedback import Complaint, Rating
from storage.models_guides import GuideRun
from storage.stats_period import Period, month_of

TZ = "Asia/Ho_Chi_Minh"
LOCAL = dt.timezone(dt.timedelta(hours=7))
NOVEMBER: Period = month_of(2026, 11, TZ)
NOW = dt.datetime(2026, 12, 10, 3, 0, tzinfo=dt.UTC)
HOLIDAY = dt.date(2026, 11, 4)
AREA = "Thôn Một"
OTHER_AREA = "Thôn Hai"


def local(day: int, hour: int = 9, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=LOCAL).astimezone(dt.UTC)


def locality(base: Locality) -> Locality:
    return base.model_copy(update={"holidays": [HOLIDAY], "areas": [AREA, OTHER_AREA]})


def with_locality(kb: KnowledgeBase) -> KnowledgeBase:
    return dataclasses.replace(kb, locality=locality(kb.locality))


def _user(pid: str, area: str | None, subs: list[str], blocked: bool = False) -> User:
    return User(
        channel="telegram",
        platform_id=pid,
        subscriptions=subs,
        area=area,
        blocked=blocked,
        store_name=True,
        created_at=local(1, month=10),
        last_seen_at=local(1, month=10),
    )


def _q(
    user: User | None, at: dt.datetime, decision: str, topic: str | None = None, aspect: str | None = None
) -> QuestionLog:
    return QuestionLog(
        user_id=user.id if user else None,
        channel="telegram",
        text="câu hỏi",
        normalized="cau hoi",
        topic_id=topic,
        score=0.5,
        decision=decision,
        aspect=aspect,
        candidates=[],
        at=at,
    )


async def seed(db: AsyncSession, loc: Locality) -> dict[str, User]:
    a = _user("1", AREA, ["chung", "yte"])
    b = _user("2", None, ["chung"])
    c = _user("3", OTHER_AREA, [])
    d = _user("4", AREA, ["yte"], blocked=True)
    db.add_all([a, b, c, d])
    await db.flush()
    db.add_all(
        [
            # 1 November at 00:30 local is still November (17:30 UTC on 31 October)
            _q(a, local(1, 0, 30), "answer", "khai-sinh"),
            _q(a, local(2), "answer", "khai-sinh", "fee"),
            _q(b, local(2, 10), "answer", "khai-sinh", "fee"),
            _q(b, local(2, 11), "clarify"),
            _q(None, local(2, 12), "fallback"),  # a person who erased their data: no area
            _q(c, local(3), "answer", "ket-hon", "documents"),
            _q(c, local(3, 15), "answer", "ket-hon"),
            _q(a, local(30, 23, 59), "fallback"),
            # outside November
            _q(a, local(31, 23, 30, month=10), "answer", "khai-sinh"),
            _q(a, local(1, 0, 0, month=12), "answer", "khai-sinh"),
        ]
    )
    r = [
        Rating(user_id=a.id, target_kind="topic", target_id="khai-sinh", value=1, at=local(2)),
        Rating(user_id=b.id, target_kind="aspect", target_id="khai-sinh.fee", value=1, at=local(2, 10)),
        Rating(user_id=c.id, target_kind="topic", target_id="khai-sinh", value=0, at=local(3)),
        Rating(user_id=c.id, target_kind="faq", target_id="ket-hon.ho-so", value=0, at=local(3, 16)),
        Rating(user_id=a.id, target_kind="handoff", target_id="7", value=1, at=local(5)),
        Rating(user_id=a.id, target_kind="complaint", target_id="PA-2026-000001", value=1, at=local(6)),
        Rating(user_id=a.id, target_kind="topic", target_id="khai-sinh", value=0, at=local(15, month=10)),
    ]
    db.add_all(r)
    runs = [
        GuideRun(user_id=a.id, walkthrough_id="vneid", skill="apps", status="finished", step_id="s4",
                 history=["s1", "s2", "s3"], rating="satisfied", started_at=local(2), updated_at=local(2, 10),
                 finished_at=local(2, 10)),
        GuideRun(user_id=b.id, walkthrough_id="vneid", skill="apps", status="stopped", step_id="s2",
                 history=["s1"], started_at=local(3), updated_at=local(3)),
        GuideRun(user_id=c.id, walkthrough_id="vneid", skill="apps", status="active", step_id="s2",
                 history=["s1"], started_at=local(20), updated_at=local(20)),
        GuideRun(user_id=c.id, walkthrough_id="nop-online", skill="submit", status="finished", step_id="s9",
                 history=[], rating="unsatisfied", started_at=local(21), updated_at=local(21),
                 finished_at=local(21, 11)),
        GuideRun(user_id=a.id, walkthrough_id="vneid", skill="apps", status="finished", step_id="s4",
                 history=[], rating="very_satisfied", started_at=local(28, month=10), updated_at=local(28, month=10),
                 finished_at=local(28, month=10)),
    ]  # fmt: skip
    db.add_all(runs)

    def complaint(
        n: int, user: User, category: str, created: dt.datetime, days: int, **extra: Any
    ) -> Complaint:
        return Complaint(
            code=f"PA-2026-{n:06d}",
            year=2026,
            number=n,
            user_id=user.id,
            channel="telegram",
            platform_id=user.platform_id,
            category=category,
            description="phản ánh",
            photos=[],
            created_at=created,
            updated_at=created,
            due_at=due_at(created, days, loc, TZ),
            **extra,
        )

    db.add_all(
        [
            # due Fri 6/11 (3 working days, 4/11 a holiday); answered Thu 5/11: on time, 2 working days
            complaint(1, a, "ho-so", local(2), 3, status="answered", answered_at=local(5, 10)),
            # due Fri 6/11; answered Mon 9/11: late, 4 working days
            complaint(
                2, b, "ho-so", local(2, 14), 3, status="closed", answered_at=local(9), closed_at=local(10)
            ),
            # open, due Fri 13/11: overdue at the end of November
            complaint(3, c, "ha-tang", local(10), 3, status="assigned"),
            # arrived in October (due Fri 30/10), closed without an answer on Tue 3/11: late, 10 working days
            complaint(4, a, "ho-so", local(20, month=10), 8, status="closed", closed_at=local(3)),
            # due Wed 25/11, answered only in December: overdue at the end of November
            complaint(5, b, "khac", local(20), 3, status="answered", answered_at=local(3, month=12)),
        ]
    )
    b1 = Broadcast(created_by="cli:test", text="Lịch tiếp công dân tháng 11", audience={}, send_at=local(5),
                   status="done", total=4, created_at=local(5))  # fmt: skip
    b2 = Broadcast(created_by="cli:test", text="Thông báo cũ", audience={}, send_at=local(30, month=10),
                   status="done", total=1, created_at=local(30, month=10))  # fmt: skip
    db.add_all([b1, b2])
    await db.flush()
    for i, status in enumerate(["sent", "sent", "unreachable", "pending"]):
        db.add(Outbox(channel="telegram", platform_id=str(i), kind="broadcast", ref=str(b1.id), payload=[],
                      status=status, not_before=local(5), created_at=local(5), dedupe_key=f"{b1.id}:{i}"))  # fmt: skip
    db.add(Outbox(channel="telegram", platform_id="9", kind="broadcast", ref=str(b2.id), payload=[], status="sent",
                  not_before=local(30, month=10), created_at=local(30, month=10), dedupe_key=f"{b2.id}:9"))  # fmt: skip
    await db.commit()
    return {"a": a, "b": b, "c": c, "d": d}


# What November must show, worked out by hand from the rows above.
EXPECTED = {
    "questions": 8,
    "answered": 5,
    "clarified": 1,
    "refused": 2,
    "per_day": {
        dt.date(2026, 11, 1): (1, 0, 0),
        dt.date(2026, 11, 2): (2, 1, 1),
        dt.date(2026, 11, 3): (2, 0, 0),
        dt.date(2026, 11, 30): (0, 0, 1),
    },
    "top_topics": [("khai-sinh", 3), ("ket-hon", 2)],
    "top_aspects": [("fee", 2), ("documents", 1)],
    "topic_shares": {"khai-sinh": (2, 1), "ket-hon": (0, 1)},
    "walkthrough_shares": {"vneid": (1, 0), "nop-online": (0, 1)},
    "complaint_shares": {"ho-so": (1, 0)},
    "handoffs": (1, 0),
    "overall": (5, 3),
    "funnels": {"vneid": (3, 1, [("s2", 2)]), "nop-online": (1, 1, [])},
    "complaints": {  # received, resolved, on time, overdue, working days summed
        "ho-so": (2, 3, 1, 0, 16),
        "ha-tang": (1, 0, 0, 1, 0),
        "khac": (1, 0, 0, 1, 0),
    },
    "announcement": (4, 2, 1, 0, 1),  # recipients, delivered, blocked, failed, pending
    "subscribers": ({"chung": 2, "yte": 1}, {AREA: 1, "": 1}, 2),
}
