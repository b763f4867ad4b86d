"""The vocabulary in the matcher's token form, compiled once per vocabulary.

Questions and the index meet in one token form (folded, i/y unified, pairs
written a_b); the YAML tables are written for people, so they are turned into
that form here, once, rather than on every question.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass

from knowledge.normalize import fold
from knowledge.vocabulary import Vocabulary

# i/y spelling variants of one syllable (kí/ký, lí/lý, mĩ/mỹ, qui/quy): after a
# consonant onset, a lone final "y" is matched as "i" (diacritic-free tokens).
_ONSETS = "b c ch d g gh h k kh l m n ng ngh nh p ph qu r s t th tr v x".split()
IY = {onset + "y": onset + "i" for onset in _ONSETS}


def iy(words: list[str]) -> list[str]:
    return [IY.get(w, w) for w in words]


def words(entries: tuple[str, ...]) -> frozenset[str]:
    """A word list in the matcher's token form (pairs written a_b)."""
    return frozenset("_".join(iy(w.split("_"))) for w in entries)


@dataclass(frozen=True)
class QueryVocabulary:
    """What the query side looks words up in; built by `compile_vocabulary`."""

    stopwords: frozenset[str]
    english_stopwords: frozenset[str]
    out_of_domain: frozenset[str]
    # first word -> [(" left phrase ", right words)], longest phrases first
    synonym_first: dict[str, list[tuple[str, list[str]]]]
    noise: list[tuple[str, ...]]  # longest first
    noise_first: frozenset[str]

    def drop_noise(self, tokens: list[str]) -> list[str]:
        """tokens without the chat phrases (longest phrase first at each position)."""
        if self.noise_first.isdisjoint(tokens):
            return tokens
        out: list[str] = []
        i = 0
        while i < len(tokens):
            if tokens[i] in self.noise_first:
                for phrase in self.noise:
                    if tuple(tokens[i : i + len(phrase)]) == phrase:
                        i += len(phrase)
                        break
                else:
                    out.append(tokens[i])
                    i += 1
            else:
                out.append(tokens[i])
                i += 1
        return out


@functools.lru_cache(maxsize=8)
def compile_vocabulary(vocabulary: Vocabulary) -> QueryVocabulary:
    """Cached: every Matcher built on one vocabulary (reloads, benchmarks) shares the tables."""
    table = [(tuple(iy(fold(left).split())), iy(fold(right).split())) for left, right in vocabulary.synonyms]
    # longest first so "giay chung tu" wins over "chung tu"
    table.sort(key=lambda item: -len(item[0]))
    synonym_first: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for left, right in table:
        if left:
            synonym_first[left[0]].append((" " + " ".join(left) + " ", right))
    noise = sorted((tuple(iy(p.split())) for p in vocabulary.noise_phrases), key=len, reverse=True)
    return QueryVocabulary(
        stopwords=words(vocabulary.stopwords),
        english_stopwords=words(vocabulary.english_stopwords),
        out_of_domain=words(vocabulary.out_of_domain),
        synonym_first=dict(synonym_first),
        noise=noise,
        noise_first=frozenset(p[0] for p in noise),
    )
