"""The query side: a folded question -> weighted known terms.

Citizens misspell, run words together and write regional spellings; this is
where a question is brought onto the knowledge base's vocabulary (and the
vocabulary tables add synonyms, drop chat noise, spot other domains) before
any topic is scored.
"""

from __future__ import annotations

import functools
import itertools
import re

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.matcher_index import TopicIndex
from knowledge.matcher_params import (
    BIGRAM_NOISE_WEIGHT,
    BIGRAM_WEIGHT,
    CORRECTED_FACTOR,
    MAX_CORRECTED_LENGTH,
    NUMBER_WEIGHT,
    OUT_OF_DOMAIN_WEIGHT,
    STOPWORD_WEIGHT,
    SYNONYM_FACTOR,
    UNKNOWN_WEIGHT,
)
from knowledge.matcher_terms import QueryVocabulary

_NUMERIC_RE = re.compile(r"^\d+$")


_ONSET_SWAPS = (("ch", "tr"), ("tr", "ch"), ("s", "x"), ("x", "s"), ("gi", "d"), ("d", "gi"), ("r", "d"),
                ("d", "r"), ("gi", "r"), ("r", "gi"), ("l", "n"), ("n", "l"))  # fmt: skip
_FINAL_SWAPS = (("ng", "n"), ("n", "ng"), ("c", "t"), ("t", "c"))


@functools.lru_cache(maxsize=8192)
def _dialect_variants(word: str) -> tuple[str, ...]:
    out = []
    for a, b in _ONSET_SWAPS:
        if (
            word.startswith(a)
            and not (a == "n" and word.startswith(("ng", "nh")))
            and not (a == "g" or (a == "d" and word.startswith("gi")))
        ):
            out.append(b + word[len(a) :])
    for a, b in _FINAL_SWAPS:
        if (
            word.endswith(a)
            and not (a == "n" and word.endswith("ng"))
            and not (a == "c" and word.endswith("ch"))
        ):
            out.append(word[: -len(a)] + b)
    return tuple(out)


class QueryAnalyzer:
    """Turns folded question tokens into weighted term ids of one index; caches corrections."""

    def __init__(self, index: TopicIndex, vocabulary: QueryVocabulary) -> None:
        # plain attributes, not lookups through the index: this runs for every word
        self._uni = index.uni
        self._vocab = index.vocab
        self._idf_list = index.idf_list
        self._by_length = index.by_length
        self._term = index.term
        self._known = index.known
        self._idf_of = index.idf_of
        self._stopwords = vocabulary.stopwords
        self._english = vocabulary.english_stopwords
        self._ood = vocabulary.out_of_domain
        self._synonym_first = vocabulary.synonym_first
        self._drop_noise = vocabulary.drop_noise
        self._correction_cache: dict[str, str | None] = {}

    def correct(self, token: str, prev: str | None, nxt: str | None) -> list[str] | None:
        """A known word (or two) for an unknown token, or None."""
        key = f"{prev}|{token}|{nxt}"
        if key in self._correction_cache:
            cached = self._correction_cache[key]
            return cached.split() if cached else None
        result: list[str] | None = None
        if len(token) > MAX_CORRECTED_LENGTH:  # not a word; do not spend time on it
            return None
        # words typed together: "khaisinh" -> "khai sinh", "khaisinhchobe" ->
        # "khai sinh cho be", when every neighbouring two form a known pair
        result = self._split_joined(token)
        if result is None and len(token) >= 3 and not _NUMERIC_RE.match(token):
            max_dist = 1 if len(token) <= 7 else 2
            pool: list[str] = []
            for length in range(len(token) - max_dist, len(token) + max_dist + 1):
                pool.extend(self._by_length.get(length, ()))
            found = process.extract(token, pool, scorer=OSA.distance, score_cutoff=max_dist, limit=12)
            if found:
                best_dist = min(d for _, d, _ in found)

                def rank(word: str) -> tuple[int, float]:
                    context = 0
                    if prev and self._known(prev, word):
                        context += 1
                    if nxt and self._known(word, nxt):
                        context += 1
                    return (context, -(self._idf_of(word) or 99.0))

                best = [w for w, d, _ in found if d == best_dist]
                best.sort(key=rank, reverse=True)
                choice = best[0]
                # Vietnamese syllables have many real neighbours (thoát ~ thoại):
                # accept a correction only when it forms a known pair with a
                # neighbouring word, or for long tokens (not one syllable)
                if len(token) >= 8 or rank(choice)[0] > 0:
                    result = [choice]
        if len(self._correction_cache) > 50_000:
            self._correction_cache.clear()
        self._correction_cache[key] = " ".join(result) if result else None
        return result

    def _split_joined(self, token: str) -> list[str] | None:
        """Known words (two or more, of two letters or more) that spell token, each
        neighbouring two a pair the knowledge base knows; the fewest such words."""
        n = len(token)
        # states[end]: last word -> the shortest split of token[:end] ending with it
        states: list[dict[str, list[str]]] = [{} for _ in range(n + 1)]
        for end in range(2, n + 1):
            for start in range(max(0, end - 7), end - 1):
                piece = token[start:end]
                if piece not in self._vocab:
                    continue
                if start == 0:
                    candidates = [[piece]]
                else:
                    candidates = [
                        [*split, piece] for last, split in states[start].items() if self._known(last, piece)
                    ]
                for split in candidates:
                    known = states[end].get(piece)
                    if known is None or len(split) < len(known):
                        states[end][piece] = split
        splits = [split for split in states[n].values() if len(split) >= 2]
        return min(splits, key=len) if splits else None

    def _fix_dialect(self, tokens: list[str], factors: list[float]) -> None:
        """Known words spelt as another known word by a regional confusion
        (ch/tr, s/x, d/gi/r, l/n, final n/ng, c/t): "trữ ký" -> "chữ ký" when only
        the variant forms a pair the knowledge base knows. In place."""
        n = len(tokens)
        for i, tok in enumerate(tokens):
            if factors[i] == 0.0 or tok in self._stopwords:
                continue
            prev = tokens[i - 1] if i else None
            nxt = tokens[i + 1] if i + 1 < n else None
            if (prev and self._known(prev, tok)) or (nxt and self._known(tok, nxt)):
                continue
            for variant in _dialect_variants(tok):
                if variant in self._vocab and (
                    (prev and self._known(prev, variant)) or (nxt and self._known(variant, nxt))
                ):
                    tokens[i] = variant
                    factors[i] = min(factors[i], CORRECTED_FACTOR)
                    break

    def terms(self, folded_tokens: list[str]) -> tuple[dict[int, float], float, bool]:
        """Weighted known query terms (by term id), the mass of unknown words, out-of-domain seen."""
        folded_tokens = self._drop_noise(folded_tokens)
        tokens: list[str] = []
        factors: list[float] = []
        unknown_mass = 0.0
        for pos, tok in enumerate(folded_tokens):
            if tok in self._vocab or tok in self._stopwords or tok in self._english:
                tokens.append(tok)
                factors.append(1.0)
                continue
            prev = folded_tokens[pos - 1] if pos else None
            nxt = folded_tokens[pos + 1] if pos + 1 < len(folded_tokens) else None
            fixed = self.correct(tok, prev, nxt)
            if fixed:
                tokens.extend(fixed)
                factors.extend([CORRECTED_FACTOR] * len(fixed))
            else:
                tokens.append(tok)
                factors.append(0.0)
                if not _NUMERIC_RE.match(tok):
                    unknown_mass += UNKNOWN_WEIGHT
        self._fix_dialect(tokens, factors)
        # general synonyms add canonical words (only those not already there)
        present = set(tokens)
        added: list[str] = []
        joined = " " + " ".join(tokens) + " "
        for first in sorted(present & self._synonym_first.keys()):
            for phrase, right in self._synonym_first[first]:
                if phrase in joined and not set(right) <= present:
                    added.extend(right)
                    present.update(right)
        weights: dict[int, float] = {}
        ood = False
        idf = self._idf_list
        for tok, f in zip(tokens, factors, strict=True):
            if f == 0.0:
                continue
            i = self._uni.get(tok)
            if i is None:
                continue
            w = (
                idf[i]
                * f
                * (
                    STOPWORD_WEIGHT
                    if tok in self._stopwords or tok in self._english
                    else NUMBER_WEIGHT
                    if tok.isdigit()
                    else 1.0
                )
            )
            if weights.get(i, 0.0) < w:
                weights[i] = w
        # an out-of-domain pair as typed counts even when a typo correction changed one of its words
        # ("pháo hoa": "phao", unknown to the base, would be "corrected" to a known word)
        ood_seen = {
            f"{a}_{b}"
            for a, b in itertools.pairwise(folded_tokens)
            if f"{a}_{b}" in self._ood and self._term(a, b) is None
        }
        for a, b in itertools.pairwise(tokens):
            i = self._term(a, b)
            if i is not None:
                # a pair with chat noise on one side often straddles two phrases
                w = idf[i] * (
                    BIGRAM_WEIGHT
                    if a not in self._stopwords and b not in self._stopwords
                    else BIGRAM_NOISE_WEIGHT
                )
                if weights.get(i, 0.0) < w:
                    weights[i] = w
            elif f"{a}_{b}" in self._ood:
                ood_seen.add(f"{a}_{b}")
        if ood_seen:
            unknown_mass += OUT_OF_DOMAIN_WEIGHT * len(ood_seen)
            ood = True
        for tok in tokens:
            if tok in self._ood and tok not in self._uni:
                unknown_mass += OUT_OF_DOMAIN_WEIGHT
                ood = True
        extra = [self._term(x) for x in added]
        extra += [self._term(a, b) for a, b in itertools.pairwise(added)]
        for i in extra:
            if i is not None and i not in weights:
                weights[i] = idf[i] * SYNONYM_FACTOR
        return weights, unknown_mass, ood
