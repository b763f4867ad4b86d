"""Official procedures this office has no guide for yet: recognised, answered honestly.

About a fifth of real questions are about procedures outside the knowledge base
(tax, a company, a school…). "Sorry, I did not understand" is wrong for them:
the bot did understand, it just has no guide. The catalogue of the national
portal's commune- and province-level procedures (knowledge/data/scope/
procedures.tsv: code, levels, field, official name, the name to search on
dichvucong.gov.vn) is indexed here, so such a question gets the exact name to
search for and the office's contact, and is still logged as unanswered.

The index is a small tf-idf over the folded syllables and syllable pairs of
the official names; procedures the knowledge base covers (same code) are left out.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from knowledge.normalize import fold
from knowledge.pickle_cache import load_or_build

if TYPE_CHECKING:
    from knowledge.loader import KnowledgeBase

FORMAT = 1  # part of the index cache key: bump when the index's terms or fields change
BUNDLED_FILE = Path(__file__).resolve().parent / "data" / "scope" / "procedures.tsv"
COLUMNS = ("code", "levels", "field", "name", "search_name")
LEVELS = {"commune", "district", "province"}
# words of every procedure name or of every question: they say nothing about which procedure
_GENERIC = frozenset(
    "thu tuc cap giay dang ky doi voi cua va cho tai cac ve trong truong hop theo co quan lai "
    "de nghi xin lam muon hoi em toi minh anh chi o dau the nao can gi bao lau phai duoc khong "
    "nhu vay thi a nao sao nhung gi la mot viec uy ban nhan dan xa phuong huyen tinh".split()
)


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    levels: tuple[str, ...]
    field: str
    name: str
    search_name: str


class CatalogueError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def read_catalogue(path: Path = BUNDLED_FILE) -> list[CatalogueEntry]:
    """Entries of a catalogue file; raises CatalogueError listing every bad line."""
    problems: list[str] = []
    out: list[CatalogueEntry] = []
    codes: set[str] = set()
    header_seen = False
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if not header_seen:
            header_seen = True
            if tuple(cols) != COLUMNS:
                problems.append(f"{path}:{n}: header must be {'|'.join(COLUMNS)}")
            continue
        if len(cols) != len(COLUMNS) or not all(c.strip() for c in cols):
            problems.append(f"{path}:{n}: expected {len(COLUMNS)} non-empty tab-separated columns")
            continue
        code, levels, fld, name, search = (c.strip() for c in cols)
        lv = tuple(levels.split(","))
        if not set(lv) <= LEVELS:
            problems.append(f"{path}:{n}: levels: {levels!r} (expected {', '.join(sorted(LEVELS))})")
        elif code in codes:
            problems.append(f"{path}:{n}: code: duplicate {code!r}")
        else:
            codes.add(code)
            out.append(CatalogueEntry(code, lv, fld, name, search))
    if problems:
        raise CatalogueError(problems)
    return out


def _terms(folded: str) -> list[str]:
    words = [w for w in folded.split() if w not in _GENERIC and not w.isdigit()]
    return words + [
        f"{a} {b}" for a, b in itertools.pairwise(folded.split()) if a not in _GENERIC or b not in _GENERIC
    ]


class NotCoveredIndex:
    """Cosine of idf-weighted terms between a question and each official name."""

    MIN_SCORE = 0.3  # below this, a name only shares a word or two with the question
    MIN_SHARED = 2  # distinct informative terms in common

    def __init__(self, entries: list[CatalogueEntry]) -> None:
        self.entries = entries
        docs = [set(_terms(fold(e.name))) for e in entries]
        df: dict[str, int] = defaultdict(int)
        for d in docs:
            for t in d:
                df[t] += 1
        n = max(len(entries), 1)
        self.idf = {t: math.log1p(n / c) for t, c in df.items()}
        post: dict[str, list[int]] = defaultdict(list)
        for i, d in enumerate(docs):
            for t in d:
                post[t].append(i)
        self.postings = {t: np.asarray(v, dtype=np.int32) for t, v in post.items()}
        self.norm = np.asarray(
            [math.sqrt(sum(self.idf[t] ** 2 for t in d)) or 1.0 for d in docs], dtype=np.float64
        )

    def best(self, folded_question: str) -> tuple[CatalogueEntry | None, float]:
        """The closest official name and its score in [0, 1] (None when nothing is close)."""
        if not self.entries:
            return None, 0.0
        q = [t for t in dict.fromkeys(_terms(folded_question)) if t in self.idf]
        if not q:
            return None, 0.0
        qn = math.sqrt(sum(self.idf[t] ** 2 for t in _terms(folded_question) if t in self.idf)) or 1.0
        n = len(self.entries)
        posts = [self.postings[t] for t in q]
        lengths = [len(p) for p in posts]
        idx = np.concatenate(posts)
        idf = np.repeat(np.asarray([self.idf[t] for t in q]), lengths)
        single = np.repeat(np.asarray([" " not in t for t in q], dtype=np.float64), lengths)
        score = np.bincount(idx, weights=idf * idf, minlength=n) / (self.norm * qn)
        cover = np.bincount(idx, weights=idf, minlength=n)
        shared = np.bincount(idx, weights=single, minlength=n)
        # chosen by cosine and by the share of the question it explains: a long official
        # name that has the question's distinctive word ("hoàn thuế") beats a short one without
        i = int(np.argmax(score + cover / sum(self.idf[t] for t in q)))
        s = float(score[i])
        if s < self.MIN_SCORE or shared[i] < self.MIN_SHARED:
            return None, s
        return self.entries[i], s

    def explained(
        self, folded_question: str, entry: CatalogueEntry, rival: frozenset[str]
    ) -> tuple[float, float]:
        """Shares of the question's informative idf mass explained by `entry` and by `rival` terms.

        Why: a knowledge-base topic can mention a word of an uncovered procedure
        ("thuế thu nhập cá nhân" in a land topic) and then outscore it lexically; what
        tells them apart is which one explains the question's distinctive words
        ("hoàn thuế", "quyết toán"). `rival` is the best topic's term set (`terms_of`).
        """
        q = [t for t in dict.fromkeys(_terms(folded_question)) if t in self.idf]
        total = sum(self.idf[t] for t in q)
        if not total:
            return 0.0, 0.0
        own = set(_terms(fold(entry.name)))
        return (
            sum(self.idf[t] for t in q if t in own) / total,
            sum(self.idf[t] for t in q if t in rival) / total,
        )


def terms_of(texts: list[str]) -> frozenset[str]:
    """The catalogue-style terms of a knowledge-base topic's texts (for `explained`)."""
    return frozenset(t for text in texts for t in _terms(fold(text)))


@functools.lru_cache(maxsize=4)
def _bundled() -> tuple[CatalogueEntry, ...]:
    return tuple(read_catalogue(BUNDLED_FILE))


def not_covered_index(kb: KnowledgeBase, cache_dir: Path | None = None) -> NotCoveredIndex:
    """The catalogue (a deployment's scope/procedures.tsv replaces the bundled one) minus covered codes.

    With `cache_dir` the built index is kept there as a pickle keyed by the entries' hash
    (folding 1,600 official names took about 0.3 s of every start).
    """
    own = Path(kb.directory) / "scope" / BUNDLED_FILE.name
    entries = (
        list(read_catalogue(own)) if own.is_file() and own.resolve() != BUNDLED_FILE else list(_bundled())
    )
    covered = {getattr(t, "code", None) for t in kb.topics.values()} - {None}
    kept = tuple(e for e in entries if e.code not in covered)
    if cache_dir is None:
        return _cached_index(kept)
    digest = hashlib.sha256(repr((FORMAT, kept)).encode()).hexdigest()[:24]
    return load_or_build(
        cache_dir,
        "not-covered",
        digest,
        lambda: _cached_index(kept),
        lambda cached: isinstance(cached, NotCoveredIndex),
    )


@functools.lru_cache(maxsize=4)
def _cached_index(entries: tuple[CatalogueEntry, ...]) -> NotCoveredIndex:
    return NotCoveredIndex(list(entries))


__all__ = [
    "CatalogueEntry",
    "CatalogueError",
    "NotCoveredIndex",
    "not_covered_index",
    "read_catalogue",
    "terms_of",
]
