"""Question -> ranked topics with a decision (simple first version).

Replaced by the full Vietnamese-aware matcher; the interface stays.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process

from knowledge.loader import KnowledgeBase

Decision = Literal["answer", "clarify", "fallback"]


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def normalize(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text.lower()).split())


@dataclass(frozen=True)
class Candidate:
    topic_id: str
    name: str
    score: float


@dataclass(frozen=True)
class MatchResult:
    query: str
    normalized: str
    decision: Decision
    results: list[Candidate]

    @property
    def best(self) -> Candidate | None:
        return self.results[0] if self.results else None


_INTENTS = {
    "greeting": ("xin chao", "chao", "hello", "hi", "alo", "chao ban"),
    "thanks": ("cam on", "cam on ban", "thank you", "thanks", "cam on nhieu"),
    "menu": ("menu", "bat dau lai", "quay lai", "trang chu"),
    "goodbye": ("tam biet", "bye"),
}


def detect_intent(text: str) -> str | None:
    folded = fold(text).strip(" .!?")
    for intent, phrases in _INTENTS.items():
        if folded in phrases:
            return intent
    return None


class Matcher:
    def __init__(self, kb: KnowledgeBase) -> None:
        self._choices: dict[str, str] = {}
        self._names: dict[str, str] = {}
        for t in kb.topics.values():
            self._names[t.id] = t.name
            self._choices[t.id] = fold(" ".join([t.name, *t.aliases, *t.keywords]))

    def match(self, text: str, limit: int = 5) -> MatchResult:
        q = fold(text[:2000])
        hits = process.extract(q, self._choices, scorer=fuzz.token_set_ratio, limit=limit) if q else []
        results = [Candidate(key, self._names[key], score / 100) for _, score, key in hits]
        decision: Decision = "fallback"
        if results and results[0].score >= 0.8:
            decision = "answer"
        elif results and results[0].score >= 0.6:
            decision = "clarify"
        return MatchResult(text, q, decision, results)
