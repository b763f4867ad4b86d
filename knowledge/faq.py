"""Finding the FAQ entry a question asks, within a topic (or its close candidates).

A topic's FAQ entries are few (about ten, each with two to four phrasings), so
they are compared directly, word by word. Whole-string fuzzy ratios were tried
first and failed the way citizens write: "bà nội đi làm khai sinh cho cháu thay
bố mẹ được không" scored below a wrong entry because the shared words ("khai
sinh", "được không") are the topic's and the particles', not the question's.
So each word and word pair is weighed by how well it tells the topic's entries
apart (an inverse document frequency over the topic's own entries: "khai sinh"
is in all of them and weighs little, "ông bà" in one and weighs much), chat
particles weigh nothing, the topic's own words (its name, and words most of its
entries use) weigh a third, an aspect cue counts as one term ("mất phí", "lệ phí"
and "bao nhiêu tiền" alike), and a phrasing is scored by the cosine of the
weighted sets. A long message is compared by its question part (the matcher's
extraction) as well as whole.

An entry answers only when it clearly beats the topic's other entries, asks the
aspect the question asks (when it asks a concrete one), and does not ignore a
word of the question that points to another entry: a wrong FAQ answer is worse
than the general card or the aspect's own answer.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass

from knowledge.aspects import Aspect, bundled_detector, detect_aspect
from knowledge.normalize import fold
from knowledge.schema import FaqEntry, Procedure

# Calibrated on benchmarks/data/answers_labelled.tsv (python -m benchmarks.answer_bench): a flat
# region of right answers with at most one wrong FAQ answer, not the single best point.
ANSWER_SCORE = 0.45  # score (weighted cosine plus the aspect bonus) an entry needs to answer…
MARGIN = 0.08  # …and by how much it must beat the topic's next entry
LOW_SCORE_GAP = 0.2  # within the topic, a score this much lower answers when it leads by WIDE_MARGIN
WIDE_MARGIN = 0.12
ACROSS_SCORE = 0.75  # an entry of a topic the matcher only offered: needs to be near-verbatim
BARE_SCORE = 0.5  # a question of the topic's words and an aspect cue only needs a near match
ASPECT_BONUS = 0.08  # the entry asks the aspect the question asks
ASPECT_ENTRY_SCORE = 0.25  # among the entries asking the same aspect, the leader needs this much
OWN_SHARE = 0.4  # a word in this share of a topic's entries is the topic's own
TOPIC_WORD_FACTOR = 0.35  # a word of the topic's own tells its entries apart little

# Words that carry no question: particles, pronouns, politeness. Not the matcher's stop
# list, which drops "mẹ" (me), "đi", "ở": here "ở đâu" and "bố mẹ" are what is asked.
_PARTICLES = frozenset(
    "a ah ak a nhe nha nhi vay ha oi u uh ok oke alo da vang thi la ma co khong duoc "
    "cho toi em minh ban ad admin xin hoi giup voi nhe roi a cac nhung nay do kia "
    "thu tuc muon can lam".split()
)


_WORD = re.compile(r"[a-z0-9]+")
# Family words, one term besides themselves: "vợ xin cho chồng" asks what "mẹ xin cho con" asks.
# Only words whose folded form is not also a common other word ("còn", "đi", "chỉ", "ba" are).
_KIN = frozenset("bo me cha vo chong ong chau".split())


@dataclass(frozen=True)
class FaqHit:
    topic_id: str
    entry: FaqEntry
    score: float

    @property
    def key(self) -> str:
        """How ratings and the question log name the entry: `<topic>.<faq id>`."""
        return f"{self.topic_id}.{self.entry.id}"


@functools.lru_cache(maxsize=2048)
def _terms(folded: str) -> frozenset[str]:
    """Content words, adjacent word pairs (a pair keeps "tinh khac", "ong ba" whole) and the
    aspects cued: a cue phrase becomes one term ("@fee" for "mất phí", "bao nhiêu tiền" and
    "lệ phí" alike) and its words leave the word terms, since "mất" of "mất bao lâu" is not
    the "mất" of "mất phí"."""
    spans = bundled_detector().spans(folded)
    cued = {f"@{aspect.value}" for aspect, _, _ in spans}
    covered = bytearray(len(folded))  # 1 where a cue covers the character
    for _, start, end in spans:
        covered[start:end] = b"\x01" * (end - start)
    words: list[tuple[str, bool]] = []  # (word, inside a cue)
    for m in _WORD.finditer(folded):
        words.append((m.group(), all(covered[m.start() : m.end()])))
    if any(w in _KIN for w, _ in words):
        cued.add("@kin")
    unigrams = {w for w, inside in words if not inside and w not in _PARTICLES}
    pairs = {
        f"{a} {b}"
        for (a, ia), (b, ib) in itertools.pairwise(words)
        if not (ia and ib) and not (a in _PARTICLES and b in _PARTICLES)
    }
    return frozenset(unigrams | pairs | cued)


@dataclass(frozen=True)
class _Index:
    """One topic's entries as weighted term sets, built once per topic."""

    entries: tuple[FaqEntry, ...]
    variants: tuple[tuple[frozenset[str], ...], ...]
    aspects: tuple[frozenset[Aspect], ...]
    weights: dict[str, float]
    unseen: float
    own: frozenset[str]
    pinned: dict[str, int]  # a content word only one entry uses -> that entry

    norms: tuple[tuple[float, ...], ...]  # each phrasing's squared length

    def weight(self, term: str) -> float:
        known = self.weights.get(term)
        if known is not None:
            return known
        return self.unseen * (TOPIC_WORD_FACTOR if _is_own(term, self.own) else 1.0)

    def norm(self, terms: frozenset[str]) -> float:
        return sum(self.weight(t) ** 2 for t in terms)

    def cosine(self, query: frozenset[str], query_norm: float, variant: frozenset[str], norm: float) -> float:
        # shared terms are all known (they are in a phrasing), so no unseen-word lookups here
        shared = sum(self.weights[t] ** 2 for t in query & variant)
        if shared == 0.0:
            return 0.0
        return shared / math.sqrt(query_norm * norm)


def _entry_aspects(entry: FaqEntry) -> frozenset[Aspect]:
    """The aspects the entry's own phrasings ask (most phrasings of an entry ask the same one)."""
    found = Counter(a for q in entry.questions if (a := detect_aspect(q)) is not None)
    return frozenset(found)


_INDEXES: dict[int, tuple[Procedure, _Index]] = {}


def _index(topic: Procedure) -> _Index:
    """Built once per topic object (a reload brings new objects, so the cache is keyed by identity)."""
    cached = _INDEXES.get(id(topic))
    if cached is not None and cached[0] is topic:
        return cached[1]
    if len(_INDEXES) > 512:
        _INDEXES.clear()
    built = _build_index(topic)
    _INDEXES[id(topic)] = (topic, built)
    return built


# Aspects whose cue says plainly what is asked; "có được không" (eligibility) is any yes/no question.
_CONCRETE = frozenset(Aspect) - {Aspect.ELIGIBILITY}


def _content(index: _Index, terms: frozenset[str]) -> frozenset[str]:
    """The words that say more than the topic's own words and an aspect cue."""
    return frozenset(t for t in terms if " " not in t and not t.startswith("@") and not _is_own(t, index.own))


def _shares_content(index: _Index, entry: int, text: str, question: str | None) -> bool:
    """Whether the entry agrees with the words of the question that point to one entry only:
    "nghỉ việc bao lâu thì được rút" says "nghỉ việc", which only the entry on the required
    months off work uses, so the entry on "bao lâu có tiền" is not what is asked. Words no
    entry uses ("ở xã", "phải nộp") point nowhere and do not count."""
    asked = [_content(index, _terms(fold(text[:2000])))]
    if question:
        asked.append(_content(index, _terms(question)))
    pins = {index.pinned[t] for t in frozenset().union(*asked) if t in index.pinned}
    return not pins or entry in pins


def _topic_words(topic: Procedure, df: Counter[str], n: int) -> frozenset[str]:
    """The topic's own words: those of its name, and those most of its entries use ("sổ đỏ"
    in the entries of a topic officially named "Giấy chứng nhận…"). Not every word of its
    other names: those name sub-cases ("mất sổ đỏ") that tell entries apart."""
    named = {w for w in fold(topic.name).split()}
    common = {t for t, c in df.items() if " " not in t and c >= max(2, n * OWN_SHARE)}
    return frozenset(named | common)


def _is_own(term: str, own: frozenset[str]) -> bool:
    return all(w in own or w in _PARTICLES for w in term.split())


def _build_index(topic: Procedure) -> _Index:
    variants = tuple(tuple(_terms(fold(q)) for q in e.questions) for e in topic.faq)
    df: Counter[str] = Counter()
    for entry_variants in variants:
        df.update(frozenset().union(*entry_variants))
    n = max(len(variants), 1)
    own = _topic_words(topic, df, n)
    weights = {
        t: math.log(1.0 + n / c) * (TOPIC_WORD_FACTOR if _is_own(t, own) else 1.0) for t, c in df.items()
    }
    # a word no entry uses still counts against every entry, but less than a rare shared one
    unseen = 0.6 * math.log(1.0 + n)
    aspects = tuple(_entry_aspects(e) for e in topic.faq)
    pinned = {
        t: i
        for i, entry_variants in enumerate(variants)
        for t in frozenset().union(*entry_variants)
        if df[t] == 1 and " " not in t and not t.startswith("@") and not _is_own(t, own)
    }
    index = _Index(tuple(topic.faq), variants, aspects, weights, unseen, own, pinned, ())
    norms = tuple(tuple(index.norm(v) for v in entry_variants) for entry_variants in variants)
    return dataclasses.replace(index, norms=norms)


def ranked(topic: Procedure, text: str, question: str | None = None) -> list[FaqHit]:
    """The topic's entries by how well they match, best first."""
    if not topic.faq:
        return []
    index = _index(topic)
    asked = [fold(text[:2000])]
    if question and question != asked[0]:
        asked.append(question)
    queries = [(q, index.norm(q)) for q in (_terms(a) for a in asked)]
    aspect = detect_aspect(text)
    hits = []
    for entry, variants, norms, aspects in zip(
        index.entries, index.variants, index.norms, index.aspects, strict=True
    ):
        score = max(
            index.cosine(q, qn, v, vn) for v, vn in zip(variants, norms, strict=True) for q, qn in queries
        )
        if aspect is not None and aspect in aspects:
            score += ASPECT_BONUS
        hits.append(FaqHit(topic.id, entry, round(score, 4)))
    return sorted(hits, key=lambda h: h.score, reverse=True)


def best_entry(
    topic: Procedure, text: str, question: str | None = None, *, threshold: float = ANSWER_SCORE
) -> FaqHit | None:
    """The entry that answers `text`, or None when none clearly does."""
    hits = ranked(topic, text, question)
    if not hits:
        return None
    top = hits[0]
    margin = top.score - hits[1].score if len(hits) > 1 else top.score
    lenient = threshold <= ANSWER_SCORE  # never for the near-verbatim match across topics
    clear = (top.score >= threshold and margin >= MARGIN) or (
        lenient and top.score >= threshold - LOW_SCORE_GAP and margin >= WIDE_MARGIN
    )
    if not clear:
        return None
    index = _index(topic)
    asked = detect_aspect(text)
    at = topic.faq.index(top.entry)
    if asked in _CONCRETE and asked not in index.aspects[at]:
        return None  # the entry answers something else ("lệ phí" asked, "bao nhiêu tuổi" answered)
    bare = not _content(index, _terms(fold(text[:2000])))
    if bare and asked is None:
        return None  # "đăng ký nhận con nuôi": nothing specific is asked, the card answers it
    if asked in _CONCRETE and bare and top.score < max(threshold, BARE_SCORE):
        return None  # "đăng ký kết hôn ở đâu": the aspect's own answer, not one entry's special case
    if not _shares_content(index, at, text, question):
        return None
    return top


def best_for_aspect(topic: Procedure, text: str, question: str | None = None) -> FaqHit | None:
    """The entry asking the aspect the question asks, when the plain ranking was not clear enough.

    "thai sản bao lâu thì nhận được tiền" shares few words with the entry on when the money
    comes, but among the entries that ask "bao lâu" it clearly leads, and the entry says more
    than the processing time does. A question of the topic's words and the cue only ("đăng
    ký kết hôn ở đâu") gets the aspect's own answer: no entry's special case is meant.
    """
    asked = detect_aspect(text)
    if asked not in _CONCRETE or not topic.faq:
        return None
    index = _index(topic)
    if not _content(index, _terms(fold(text[:2000]))):
        return None
    same = [h for h in ranked(topic, text, question) if asked in index.aspects[topic.faq.index(h.entry)]]
    if not same or same[0].score < ASPECT_ENTRY_SCORE:
        return None
    if len(same) > 1 and same[0].score - same[1].score < MARGIN:
        return None
    at = topic.faq.index(same[0].entry)
    return same[0] if _shares_content(index, at, text, question) else None


__all__ = ["ACROSS_SCORE", "ANSWER_SCORE", "MARGIN", "FaqHit", "best_entry", "best_for_aspect", "ranked"]
