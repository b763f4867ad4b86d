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
import itertools
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from knowledge.normalize import fold

if TYPE_CHECKING:
    from knowledge.loader import KnowledgeBase

BUNDLED_FILE = Path(__file__).resolve().parent / "data" / "scope" / "procedures.tsv"
COLUMNS = ("code", "levels", "field", "name", "search_name")
LEVELS = {"commune", "district", "province"}
# words of every procedure name or of every question: they say nothing about which procedure
_GENERIC = frozenset(
    "thu tuc cap giay dang ky doi voi cua va cho tai cac ve trong truong hop theo co quan lai "
    "de nghi xin lam muon hoi em toi minh anh chi o dau the nao can gi bao lau phai duoc khong "
    "nhu vay thi a nao sao nhung gi la mot viec".split()
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

    MIN_SCORE = 0.42  # below this, a name only shares a word or two with the question
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
        score = np.zeros(len(self.entries))
        shared = np.zeros(len(self.entries), dtype=np.int32)
        for t in q:
            p = self.postings[t]
            score[p] += self.idf[t] ** 2
            if " " not in t:
                shared[p] += 1
        score /= self.norm * qn
        i = int(np.argmax(score))
        s = float(score[i])
        if s < self.MIN_SCORE or shared[i] < self.MIN_SHARED:
            return None, s
        return self.entries[i], s


@functools.lru_cache(maxsize=4)
def _bundled() -> tuple[CatalogueEntry, ...]:
    return tuple(read_catalogue(BUNDLED_FILE))


def not_covered_index(kb: KnowledgeBase) -> NotCoveredIndex:
    """The catalogue (a deployment's scope/procedures.tsv replaces the bundled one) minus covered codes."""
    own = Path(kb.directory) / "scope" / BUNDLED_FILE.name
    entries = (
        list(read_catalogue(own)) if own.is_file() and own.resolve() != BUNDLED_FILE else list(_bundled())
    )
    covered = {getattr(t, "code", None) for t in kb.topics.values()} - {None}
    return _cached_index(tuple(e for e in entries if e.code not in covered))


@functools.lru_cache(maxsize=4)
def _cached_index(entries: tuple[CatalogueEntry, ...]) -> NotCoveredIndex:
    return NotCoveredIndex(list(entries))


__all__ = ["CatalogueEntry", "CatalogueError", "NotCoveredIndex", "not_covered_index", "read_catalogue"]
