"""The improvement loop: questions the bot could not answer (or answered to a 👎), grouped,
and what staff make of a group: an example, another name or an FAQ entry of a topic, a
message out of scope, or nothing.

Groups are built from the folded question text: identical texts count together,
then texts whose words nearly coincide (rapidfuzz token_sort_ratio) join the
group of the most frequent one. A group staff handled is remembered by digests of
its texts (storage.models_kb.KbReview), so it disappears from the page without
the database keeping a second copy of what citizens wrote.

An accepted change goes through one function, `decide`: the overlay is read
from its database stamp (the version every worker shares), changed, validated
against the base exactly as topic files are, and published as the next version;
the data directory's file is written after the commit, and every worker
reloads when it sees the new version (bot/kb_sync.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from rapidfuzz import fuzz, process
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from knowledge.loader import KnowledgeError
from knowledge.overlay import Overlay, apply_overlay, digest, parse_overlay, read_overlay
from knowledge.service import KnowledgeService
from storage import kb_stamp
from storage.models import QuestionLog
from storage.models_feedback import Rating
from storage.models_kb import KbReview
from storage.repos import audit

Action = Literal["example", "alias", "faq", "out_of_scope", "dismiss"]
ACTIONS: tuple[Action, ...] = ("example", "alias", "faq", "out_of_scope", "dismiss")
SIMILAR = 82  # token_sort_ratio from which two questions are "the same question"
MAX_TEXTS = 3000  # distinct texts considered (the most frequent first)
MAX_MEMBERS = 30  # texts a group carries to the page (and back as digests)
MAX_TEXT_CHARS = {"example": 300, "alias": 120, "out_of_scope": 300}


def text_digest(normalized: str) -> str:
    return hashlib.sha1(normalized.strip().encode("utf-8")).hexdigest()  # an identifier, not a secret


@dataclass
class Group:
    text: str  # the most frequent wording, as a citizen typed it
    count: int = 0
    reasons: Counter[str] = field(default_factory=Counter)  # fallback / clarify / down
    topics: Counter[str] = field(default_factory=Counter)  # what the matcher thought it was about
    members: list[tuple[str, int]] = field(default_factory=list)  # (text, count), most frequent first
    digests: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.digests[0]

    @property
    def topic_hint(self) -> str | None:
        return self.topics.most_common(1)[0][0] if self.topics else None


@dataclass
class _Text:
    normalized: str
    text: str
    count: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    topics: Counter[str] = field(default_factory=Counter)


async def _unanswered(db: AsyncSession, since: dt.datetime, texts: dict[str, _Text]) -> None:
    n = func.count().label("n")
    rows = await db.execute(
        select(
            QuestionLog.normalized, QuestionLog.decision, QuestionLog.topic_id, func.min(QuestionLog.text), n
        )
        .where(QuestionLog.decision.in_(("fallback", "clarify")), QuestionLog.at >= since)
        .group_by(QuestionLog.normalized, QuestionLog.decision, QuestionLog.topic_id)
        .order_by(n.desc())
        .limit(MAX_TEXTS)
    )
    for normalized, decision, topic, text, count in rows.all():
        t = texts.setdefault(normalized, _Text(normalized, text))
        t.count += int(count)
        t.reasons[str(decision)] += int(count)
        if topic:
            t.topics[str(topic)] += int(count)


async def _rated_down(db: AsyncSession, since: dt.datetime, texts: dict[str, _Text]) -> None:
    """The question each 👎 answered: the rater's latest question about that topic before it."""
    q = aliased(QuestionLog)
    same_topic = or_(
        and_(Rating.target_kind == "topic", q.topic_id == Rating.target_id),
        and_(Rating.target_kind.in_(("aspect", "faq")), Rating.target_id.like(q.topic_id.concat(".%"))),
    )
    latest = (
        select(func.max(q.id))
        .where(q.user_id == Rating.user_id, q.at <= Rating.at, q.decision == "answer", same_topic)
        .correlate(Rating)
        .scalar_subquery()
    )
    rows = await db.execute(
        select(QuestionLog.normalized, QuestionLog.text, QuestionLog.topic_id)
        .join(Rating, QuestionLog.id == latest)
        .where(
            Rating.value == 0,
            Rating.at >= since,
            Rating.user_id.is_not(None),
            Rating.target_kind.in_(("topic", "aspect", "faq")),
        )
        .limit(MAX_TEXTS)
    )
    for normalized, text, topic in rows.all():
        t = texts.setdefault(normalized, _Text(normalized, text))
        t.count += 1
        t.reasons["down"] += 1
        if topic:
            t.topics[str(topic)] += 1


async def reviewed(db: AsyncSession) -> set[str]:
    return set((await db.scalars(select(KbReview.digest))).all())


async def groups(db: AsyncSession, since: dt.datetime, *, limit: int = 50) -> list[Group]:
    """Unanswered and 👎-rated questions since `since` that staff have not handled, grouped."""
    texts: dict[str, _Text] = {}
    await _unanswered(db, since, texts)
    await _rated_down(db, since, texts)
    done = await reviewed(db)
    todo = sorted(
        (t for t in texts.values() if t.normalized.strip() and text_digest(t.normalized) not in done),
        key=lambda t: (-t.count, t.normalized),
    )
    found: list[Group] = []
    heads: list[str] = []
    for t in todo:
        hit = process.extractOne(t.normalized, heads, scorer=fuzz.token_sort_ratio, score_cutoff=SIMILAR)
        if hit is None:
            found.append(Group(text=t.text))
            heads.append(t.normalized)
            g = found[-1]
        else:
            g = found[hit[2]]
        g.count += t.count
        g.reasons.update(t.reasons)
        g.topics.update(t.topics)
        if len(g.members) < MAX_MEMBERS:
            g.members.append((t.text, t.count))
            g.digests.append(text_digest(t.normalized))
    found.sort(key=lambda g: (-g.count, g.text))
    return found[:limit]


# ---------------------------------------------------------------- staff decisions
@dataclass(frozen=True)
class Change:
    action: Action
    topic_id: str | None = None
    text: str = ""
    faq: dict[str, Any] | None = None  # id, questions, answer, legal_basis, source {title, url, checked}


class ImproveError(Exception):
    """The change cannot be made; `problems` says why (the base in use is unchanged)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def changed(overlay: Overlay, change: Change) -> Overlay:
    """The overlay with one change added (the input is left as it was)."""
    if change.action == "dismiss":
        return overlay
    if change.action == "out_of_scope":
        return replace(overlay, out_of_scope=[*overlay.out_of_scope, change.text.strip()])
    if not change.topic_id:
        raise ImproveError(["choose the topic to add it to"])
    topics = {tid: {k: list(v) for k, v in t.items()} for tid, t in overlay.topics.items()}
    entry = topics.setdefault(change.topic_id, {})
    if change.action == "faq":
        entry.setdefault("faq", []).append(dict(change.faq or {}))
    else:
        entry.setdefault("examples" if change.action == "example" else "aliases", []).append(
            change.text.strip()
        )
    return replace(overlay, topics=topics)


def _check_text(change: Change) -> None:
    limit = MAX_TEXT_CHARS.get(change.action)
    if limit is None:
        return
    text = change.text.strip()
    if not text:
        raise ImproveError(["the text is empty"])
    if len(text) > limit:
        raise ImproveError([f"the text is longer than {limit} characters"])


def write_file(path: Path, content: str) -> None:
    """Replace the overlay file in one step (a reader sees the old file or the new one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(content, encoding="utf-8")
    tmp.replace(path)


async def decide(
    db: AsyncSession,
    knowledge: KnowledgeService,
    overlay_file: Path,
    change: Change,
    digests: list[str],
    actor: str,
) -> int | None:
    """Apply one staff decision about a group; returns the overlay's new version (None: dismissed).

    Raises ImproveError (nothing stored) when the change would not validate. Commits.
    """
    if change.action not in ACTIONS:
        raise ImproveError([f"unknown action {change.action!r}"])
    _check_text(change)
    version: int | None = None
    if change.action != "dismiss":
        stamp = await kb_stamp.current(db)
        try:
            before = parse_overlay(stamp.content, overlay_file) if stamp else read_overlay(overlay_file)
            after = changed(before, change)
            apply_overlay(knowledge.base, after, overlay_file)  # validated as the base is; raises
        except KnowledgeError as exc:
            raise ImproveError(exc.problems) from None
        content = after.as_yaml()
        try:
            version = await kb_stamp.publish(
                db, content, digest(content), actor, after=stamp.version if stamp else 0
            )
        except kb_stamp.StampConflict:
            await db.rollback()
            raise ImproveError(
                ["another staff member changed the knowledge base just now; try again"]
            ) from None
    now = dt.datetime.now(dt.UTC)
    for d in dict.fromkeys(digests[:MAX_MEMBERS]):
        db.add(KbReview(digest=d, action=change.action, topic_id=change.topic_id, actor=actor, at=now))
    await audit(db, actor, f"kb.{change.action}", change.topic_id, version=version, texts=len(digests))
    await db.commit()
    if version is not None:
        write_file(overlay_file, content)
    return version
