"""Finding the FAQ entry a question asks, within a topic (or its close candidates).

A topic's FAQ entries are few (about ten, each with two to four phrasings), so
they are compared directly: rapidfuzz's token_sort_ratio on folded text, which
(unlike token_set_ratio) does not give a perfect score to a short question whose
words all appear in a long entry. A long message is compared by its question
part (the matcher's extraction) as well as whole. An entry answers only when it
clearly beats the topic's other entries: a wrong FAQ answer is worse than the
general card.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from rapidfuzz import fuzz

from knowledge.normalize import fold
from knowledge.schema import FaqEntry, Procedure

ANSWER_SCORE = 88.0  # token_sort_ratio (0–100) an entry needs to answer… (answer_bench: 0 wrong FAQ at 88)
MARGIN = 6.0  # …and by how much it must beat the topic's next entry
ACROSS_SCORE = 90.0  # an entry of a topic the matcher only offered: needs to be near-verbatim


@dataclass(frozen=True)
class FaqHit:
    topic_id: str
    entry: FaqEntry
    score: float

    @property
    def key(self) -> str:
        """How ratings and the question log name the entry: `<topic>.<faq id>`."""
        return f"{self.topic_id}.{self.entry.id}"


@functools.lru_cache(maxsize=8192)
def _folded(text: str) -> str:
    return fold(text)


def _score(entry: FaqEntry, asked: list[str]) -> float:
    return max(fuzz.token_sort_ratio(q, _folded(v)) for v in entry.questions for q in asked)


def ranked(topic: Procedure, text: str, question: str | None = None) -> list[FaqHit]:
    """The topic's entries by how well they match, best first."""
    asked = [fold(text[:2000])]
    if question and question != asked[0]:
        asked.append(question)
    hits = [FaqHit(topic.id, e, _score(e, asked)) for e in topic.faq]
    return sorted(hits, key=lambda h: h.score, reverse=True)


def best_entry(
    topic: Procedure, text: str, question: str | None = None, *, threshold: float = ANSWER_SCORE
) -> FaqHit | None:
    """The entry that answers `text`, or None when none clearly does."""
    hits = ranked(topic, text, question)
    if not hits or hits[0].score < threshold:
        return None
    if len(hits) > 1 and hits[0].score - hits[1].score < MARGIN:
        return None
    return hits[0]


__all__ = ["ACROSS_SCORE", "ANSWER_SCORE", "MARGIN", "FaqHit", "best_entry", "ranked"]
