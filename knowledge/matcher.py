"""Question matcher: free text -> ranked topics with a decision.

How it works (all on the diacritic-free `fold` form, pure Python + rapidfuzz):

1. Every topic is indexed from everything the knowledge base says about it:
   name, aliases, keywords and examples (each a "row"), plus summary and group
   (weaker). Terms are syllables and adjacent syllable pairs (bigrams).
2. A question is normalized (abbreviations expanded), capped in length,
   unknown words are corrected against the vocabulary (typos, words typed
   together), and a small table of general synonyms adds canonical terms
   (passport -> hộ chiếu, sổ đỏ -> giấy chứng nhận quyền sử dụng đất, English).
3. Two scores per topic, both in [0, 1]:
   - coverage: the share of the question's idf mass that the topic explains
     (a word the topic has in its name counts fully, in an example less);
     words no topic knows count against every topic, chat noise barely counts.
   - row similarity: the best tf-idf cosine between the question and one row
     (name, alias, keyword or example), so the most specific topic wins.
   score = COVERAGE_WEIGHT * coverage + (1 - COVERAGE_WEIGHT) * row similarity.
4. Decision: `answer` when the best score is high and clearly ahead of the
   second; `fallback` when even the best is weak (or the question is about
   something the office does not do: weather, lottery...); `clarify` between.

A confidently wrong answer is the worst outcome, so thresholds favour clarify.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from knowledge.intents import detect_intent
from knowledge.matcher_decide import Explanation, decide_match, related_topics
from knowledge.matcher_index import TopicIndex, weighted_postings
from knowledge.matcher_learned import LearnedModel, learned_model
from knowledge.matcher_params import (
    CANDIDATES,
    COVERAGE_WEIGHT,
    DEFAULT_ANSWER_THRESHOLD,
    DEFAULT_CLARIFY_THRESHOLD,
    DEFAULT_MARGIN,
    LONE_WORD_ROW,
    MAX_CHARS,
    MAX_WORDS,
    OOD_MARGIN,
    UNCOVERED_MAX,
    UNCOVERED_SCORE,
    UNKNOWN_NORM,
)
from knowledge.matcher_query import QueryAnalyzer
from knowledge.matcher_terms import compile_vocabulary, iy
from knowledge.normalize import fold, strip_diacritics
from knowledge.not_covered import CatalogueEntry, NotCoveredIndex, not_covered_index

if TYPE_CHECKING:
    from knowledge.loader import KnowledgeBase
    from knowledge.vocabulary import Vocabulary

Decision = Literal["answer", "clarify", "fallback"]


@dataclass(frozen=True)
class Candidate:
    topic_id: str
    name: str
    score: float  # in [0, 1]


@dataclass(frozen=True)
class MatchResult:
    query: str
    normalized: str
    decision: Decision
    results: list[Candidate] = field(default_factory=list)  # best first
    # why: which rule decided, both opinions' scores (None for the lexical matcher alone)
    explanation: Explanation | None = None
    # a known official procedure this office has no guide for (decision is then "fallback")
    not_covered: CatalogueEntry | None = None

    @property
    def best(self) -> Candidate | None:
        return self.results[0] if self.results else None


class Matcher:
    """Ranks the topics of a knowledge base for a question; builds its index once."""

    def __init__(
        self,
        kb: KnowledgeBase,
        *,
        vocabulary: Vocabulary | None = None,
        answer_threshold: float | None = None,
        clarify_threshold: float | None = None,
        margin: float | None = None,
        cache_dir: Path | None = None,
        learned: bool = True,
    ) -> None:
        """`vocabulary` defaults to the knowledge base's own (bundled plus its directory's).

        `cache_dir` keeps the learned second opinion's arrays between starts (trained
        when missing); `learned=False` leaves the lexical matcher alone (calibration).
        Explicit thresholds are the lexical matcher's: passing one means "decide by
        these", so the learned opinion and its calibrated rules are left out.
        """
        if answer_threshold is not None or clarify_threshold is not None or margin is not None:
            learned = False
        self.answer_threshold = DEFAULT_ANSWER_THRESHOLD if answer_threshold is None else answer_threshold
        self.clarify_threshold = DEFAULT_CLARIFY_THRESHOLD if clarify_threshold is None else clarify_threshold
        self.margin = DEFAULT_MARGIN if margin is None else margin
        self.vocabulary: Vocabulary = kb.vocabulary if vocabulary is None else vocabulary
        words = compile_vocabulary(self.vocabulary)
        self._stopwords = words.stopwords
        self._english = words.english_stopwords
        index = self.topic_index = TopicIndex(kb)
        self._analyzer = QueryAnalyzer(index, words)
        # the index's arrays under short names: match() reads them for every question
        self._ids = index.ids
        self._names = index.names
        self._index = index.index
        self._n = index.n
        self._v = index.v
        self._idf_list = index.idf_list
        self._min_idf = index.min_idf
        self._min_evidence = index.min_evidence
        self._cov_start = index.cov_start
        self._cov_topic = index.cov_topic
        self._cov_w = index.cov_w
        self._row_start = index.row_start
        self._row_text = index.row_text
        self._row_val = index.row_val
        self._n_texts = index.n_texts
        self._text_start = index.text_start
        self.kb = kb
        self._learned: LearnedModel | None = learned_model(kb, cache_dir) if learned and self._n else None
        self._learned_index = (
            np.asarray([index.index.get(t, -1) for t in self._learned.ids]) if self._learned else None
        )
        self.related: dict[str, tuple[str, ...]] = related_topics(kb)
        self.catalogue: NotCoveredIndex = not_covered_index(kb)

    @property
    def learned(self) -> LearnedModel | None:
        return self._learned

    def detect_intent(self, text: str) -> str | None:
        """Small talk with this matcher's vocabulary (a deployment's intent phrases included)."""
        return detect_intent(text, self.vocabulary)

    def _query_terms(self, folded_tokens: list[str]) -> tuple[dict[int, float], float, bool]:
        """Weighted known query terms (by term id), the mass of unknown words, out-of-domain seen."""
        return self._analyzer.terms(folded_tokens)

    def match(self, text: str, limit: int = 5) -> MatchResult:
        """Rank the topics and decide: both opinions, combined by the rules of matcher_decide."""
        if self._learned is None:
            return self.lexical(text, limit)
        return decide_match(self, text, limit)

    def lexical(self, text: str, limit: int = 5) -> MatchResult:
        """The first opinion alone: today's lexical ranking and its own threshold decision."""
        query = text if isinstance(text, str) else str(text or "")
        folded = fold(query[:MAX_CHARS])
        tokens = folded.split()[:MAX_WORDS]
        normalized = " ".join(tokens)
        tokens = iy(tokens)
        if not tokens or not self._ids:
            return MatchResult(query=query, normalized=normalized, decision="fallback", results=[])
        weights, unknown_mass, ood = self._query_terms(tokens)
        idf = self._idf_list
        # very common terms (in most topics) say little; leave them out entirely
        weights = {i: w for i, w in weights.items() if idf[i] >= self._min_idf}
        total = sum(weights.values()) + unknown_mass
        if total <= 0 or not weights:
            return MatchResult(query=query, normalized=normalized, decision="fallback", results=[])
        qnorm = math.sqrt(sum(w * w for w in weights.values()) + (unknown_mass * UNKNOWN_NORM) ** 2) or 1.0
        covered = weighted_postings(weights, self._cov_start, self._cov_topic, self._cov_w, self._n, 1.0)
        if covered is None:
            covered = np.zeros(self._n, dtype=np.float32)
        best_row = self._row_similarity(covered, weights, qnorm)
        np.minimum(best_row, 1.0, out=best_row)
        score = COVERAGE_WEIGHT * (covered / total) + (1.0 - COVERAGE_WEIGHT) * best_row
        np.clip(score, 0.0, 1.0, out=score)
        k = min(max(limit, 4), self._n)
        top = np.argpartition(-score, k - 1)[:k] if k < self._n else np.arange(self._n)
        ranked = sorted(
            ((float(score[t]), int(t)) for t in top), key=lambda item: (-item[0], self._ids[item[1]])
        )
        results = [Candidate(self._ids[t], self._names[t], round(s, 4)) for s, t in ranked if s > 0]
        decision = self._decide(results)
        if results and float(covered[self._index[results[0].topic_id]]) < self._min_evidence:
            # only chat noise or one weak word matched: nothing to go on
            decision = "fallback"
        if (
            decision == "answer"
            and results[0].score < UNCOVERED_SCORE
            and self._uncovered(self._index[results[0].topic_id], weights) >= UNCOVERED_MAX
        ):
            # the best topic leaves strong words of the question unexplained
            # ("chế độ thai sản" is not "chế độ tử tuất"): offer, do not assert
            decision = "clarify"
        if (
            decision == "answer"
            and len({t for t in tokens if t not in self._stopwords and t not in self._english}) <= 1
            and float(best_row[self._index[results[0].topic_id]]) < LONE_WORD_ROW
        ):
            # one informative word ("thoát", "huỷ") that the topic only has inside
            # longer phrases: too little to assert a topic
            decision = "clarify"
        if ood and decision != "fallback" and results[0].score < self.answer_threshold + OOD_MARGIN:
            # weather, lottery...: not ours unless the office topic is really strong
            decision = "fallback"
        if decision == "clarify":
            best = results[0].score
            keep = [c for c in results[:4] if c.score >= max(self.clarify_threshold * 0.8, best * 0.6)]
            results = keep if len(keep) >= 2 else results[:2]
        return MatchResult(query=query, normalized=normalized, decision=decision, results=results[:limit])

    def _row_similarity(self, covered: np.ndarray, weights: dict[int, float], qnorm: float) -> np.ndarray:
        """Best row cosine per topic, for the CANDIDATES topics with the best coverage."""
        n = self._n
        best_row = np.zeros(n, dtype=np.float32)
        k = min(CANDIDATES, n)
        cand = np.argpartition(-covered, k - 1)[:k] if k < n else np.arange(n)
        cand = cand[covered[cand] > 0]
        if not len(cand):
            return best_row
        sums = weighted_postings(
            weights, self._row_start, self._row_text, self._row_val, self._n_texts, qnorm
        )
        if sums is None:
            return best_row
        # texts are stored topic by topic and every topic has at least its name
        per_topic = np.maximum.reduceat(sums, self._text_start)
        best_row[cand] = per_topic[cand]
        return best_row

    def _uncovered(self, topic: int, weights: dict[int, float]) -> float:
        """Query weight of single words (not pairs) that the topic does not have."""
        missing = 0.0
        cs = self._cov_start
        for i, w in weights.items():
            if i >= self._v or w < 1.0:  # pairs, and weak words, do not count
                continue
            a, b = cs[i], cs[i + 1]
            j = a + int(np.searchsorted(self._cov_topic[a:b], topic))
            if j >= b or self._cov_topic[j] != topic:
                missing += w
        return missing

    def _decide(self, results: list[Candidate]) -> Decision:
        if not results or results[0].score < self.clarify_threshold:
            return "fallback"
        s1 = results[0].score
        s2 = results[1].score if len(results) > 1 else 0.0
        if s1 >= self.answer_threshold and s1 - s2 >= self.margin:
            return "answer"
        return "clarify"


__all__ = [
    "OOD_MARGIN",
    "Candidate",
    "Decision",
    "MatchResult",
    "Matcher",
    "detect_intent",
    "fold",
    "strip_diacritics",
]
