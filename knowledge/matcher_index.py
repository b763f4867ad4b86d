"""The topic index: every knowledge base text as weighted terms, built once.

Building is the expensive part of a Matcher (a reload of a large knowledge base
rebuilds it), so it is vectorised with numpy and kept apart from the per-question
code; the arrays are laid out term-major (inverted lists) so that a question
reads only the postings of its own terms.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from knowledge.matcher_params import FIELD_WEIGHTS, MIN_EVIDENCE, MIN_IDF, ROW_WEIGHTS
from knowledge.matcher_terms import IY
from knowledge.normalize import FOLDED_EXPANSIONS, PAIR_LAST_WORDS, chunk_tokens, fold
from knowledge.pickle_cache import load_or_build

if TYPE_CHECKING:
    from knowledge.loader import KnowledgeBase

log = logging.getLogger(__name__)
_TEXT_SEPARATOR = "\ue000"  # a private-use character: a chunk no knowledge base text contains


def unique(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique values and the inverse index (sort-based: numpy's hash path is slow here)."""
    if not len(keys):
        return keys, np.zeros(0, dtype=np.int64)
    order = np.argsort(keys)
    sorted_keys = keys[order]
    first = np.empty(len(keys), dtype=bool)
    first[0] = True
    first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    group = np.cumsum(first) - 1
    inverse = np.empty(len(keys), dtype=np.int64)
    inverse[order] = group
    return sorted_keys[first], inverse


def weighted_postings(
    weights: dict[int, float], start: list[int], ids: np.ndarray, vals: np.ndarray, size: int, norm: float
) -> np.ndarray | None:
    """Sum over query terms of weight x posting value, per id (one bincount, not one add per term)."""
    id_parts: list[np.ndarray] = []
    val_parts: list[np.ndarray] = []
    scale: list[float] = []
    lengths: list[int] = []
    for i, w in weights.items():
        a, b = start[i], start[i + 1]
        if b > a:
            id_parts.append(ids[a:b])
            val_parts.append(vals[a:b])
            scale.append(w / norm)
            lengths.append(b - a)
    if not id_parts:
        return None
    factors = np.repeat(np.asarray(scale, dtype=np.float32), lengths)
    summed = np.bincount(
        np.concatenate(id_parts), weights=np.concatenate(val_parts) * factors, minlength=size
    )
    return summed.astype(np.float32)


class TopicIndex:
    """Terms (syllables and syllable pairs) of every topic, with their field weights and idf."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.ids: list[str] = []
        self.names: list[str] = []
        uni: dict[str, int] = {}
        texts: list[str] = []
        text_topic: list[int] = []
        text_weight: list[float] = []  # field weight (coverage)
        text_row: list[float] = []  # row weight, 0 for texts that are not rows
        text_start: list[int] = []  # first text of each topic
        for topic in kb.topics.values():
            t = len(self.ids)
            self.ids.append(topic.id)
            self.names.append(topic.name)
            text_start.append(len(texts))
            fields: list[tuple[str, list[str]]] = [
                ("name", [topic.name]),
                ("alias", [topic.id.replace("-", " "), *topic.aliases]),
                ("keyword", topic.keywords),
                ("example", topic.examples),
                ("summary", [topic.summary]),
                ("group", [topic.group]),
            ]
            for kind, values in fields:
                texts += values
                text_topic += [t] * len(values)
                text_weight += [FIELD_WEIGHTS[kind]] * len(values)
                text_row += [ROW_WEIGHTS.get(kind, 0.0)] * len(values)
        # Term ids chunk by chunk, vectorised: every distinct chunk is folded once;
        # a text with an abbreviation goes through fold() as a whole.
        # one split of all texts joined by a separator chunk (no per-text calls)
        flat_all = f" {_TEXT_SEPARATOR} ".join(texts).split() if texts else []
        chunk_index: dict[str, int] = {c: i for i, c in enumerate(dict.fromkeys(flat_all))}
        sep_id = chunk_index.get(_TEXT_SEPARATOR, -1)

        def intern(word: str) -> int:
            i = uni.get(word)
            if i is None:
                i = uni[word] = len(uni)
            return i

        chunk_terms: list[int] = []
        chunk_len = np.zeros(len(chunk_index), dtype=np.int64)
        abbreviated = np.zeros(len(chunk_index), dtype=bool)
        for chunk, c in chunk_index.items():
            if c == sep_id:
                continue
            plain = chunk_tokens(chunk)[1]
            if PAIR_LAST_WORDS.intersection(plain):  # "dang ki": needs the whole text
                abbreviated[c] = True
                continue
            words: list[str] = []
            for w in plain:  # one-word abbreviations do not depend on their neighbours
                exp = FOLDED_EXPANSIONS.get(w)
                words += exp if exp is not None else [w]
            words = [IY.get(w, w) for w in words]
            chunk_len[c] = len(words)
            chunk_terms += [intern(w) for w in words]
        chunk_off = np.cumsum(chunk_len) - chunk_len
        cids = np.fromiter(map(chunk_index.__getitem__, flat_all), dtype=np.int64, count=len(flat_all))
        del flat_all, chunk_index
        is_sep = cids == sep_id
        occ_text = np.cumsum(is_sep)[~is_sep]
        cids = cids[~is_sep]
        slow = np.zeros(len(texts), dtype=bool)
        slow[occ_text[abbreviated[cids]]] = True
        keep = ~slow[occ_text]
        cids, occ_text = cids[keep], occ_text[keep]
        lens = chunk_len[cids]
        total = int(lens.sum())
        terms_arr = np.asarray(chunk_terms, dtype=np.int64)
        tok_parts = [
            terms_arr[np.repeat(chunk_off[cids] - (np.cumsum(lens) - lens), lens) + np.arange(total)]
        ]
        txt_parts = [np.repeat(occ_text, lens)]
        for x in np.flatnonzero(slow).tolist():
            ids = [intern(IY.get(w, w)) for w in fold(texts[x]).split()]
            tok_parts.append(np.asarray(ids, dtype=np.int64))
            txt_parts.append(np.full(len(ids), x, dtype=np.int64))
        tok = np.concatenate(tok_parts)
        txt = np.concatenate(txt_parts)
        del tok_parts, txt_parts, cids, occ_text
        text_topic_len = len(texts)
        del texts
        n = len(self.ids)
        self.index = {tid: t for t, tid in enumerate(self.ids)}
        self.n = n
        v = len(uni)
        # bigrams: adjacent tokens of one text; ids after the unigrams
        same = txt[1:] == txt[:-1] if len(txt) else np.zeros(0, dtype=bool)
        big_keys = tok[:-1][same] * v + tok[1:][same] if len(txt) else np.zeros(0, dtype=np.int64)
        uniq_big, big_inv = unique(big_keys)
        self.uni = uni
        self.v = v
        self.big = dict(zip(uniq_big.tolist(), range(v, v + len(uniq_big)), strict=True))
        n_terms = v + len(uniq_big)
        term = np.concatenate([tok, v + big_inv.reshape(-1)])
        term_text = np.concatenate([txt, txt[:-1][same] if len(txt) else txt])
        del tok, txt, same, big_keys, big_inv, uniq_big  # keep the build's peak memory low
        t_topic = np.asarray(text_topic, dtype=np.int64)
        t_weight = np.asarray(text_weight, dtype=np.float64)
        t_row = np.asarray(text_row, dtype=np.float64)
        # topic x term: the best field weight
        ent_topic = t_topic[term_text]
        ent_w = t_weight[term_text]
        key = ent_topic * n_terms + term
        order = np.lexsort((ent_w, key))
        key_sorted = key[order]
        last = np.ones(len(key_sorted), dtype=bool)
        if len(key_sorted) > 1:
            last[:-1] = key_sorted[1:] != key_sorted[:-1]
        tt_key = key_sorted[last]
        tt_w = ent_w[order][last]
        del ent_topic, ent_w, key, order, key_sorted, last
        tt_topic = tt_key // n_terms
        tt_term = tt_key % n_terms
        # soft document frequency: a term only in summaries counts less than one in names
        df = np.bincount(tt_term, weights=tt_w, minlength=n_terms)
        idf = np.log1p((n - df + 0.5) / (df + 0.5))
        self.idf = idf
        # tiny bases (a handful of topics) have small idf values throughout
        self.min_idf = MIN_IDF if n >= 10 else 0.0
        max_idf = float(idf.max()) if len(idf) else 1.0
        self.min_evidence = MIN_EVIDENCE * min(1.0, max_idf / 3.0)
        self.idf_list = idf.tolist()
        order = np.argsort(tt_term, kind="stable")
        self.cov_topic = tt_topic[order].astype(np.int32)
        self.cov_w = tt_w[order].astype(np.float32)
        self.cov_start = np.concatenate([[0], np.cumsum(np.bincount(tt_term, minlength=n_terms))]).tolist()
        del tt_key, tt_w, tt_topic, tt_term, order
        # rows (name, aliases, keywords, examples): tf-idf vectors, one per text
        is_row = t_row[term_text] > 0
        rkey, _ = unique(term_text[is_row] * n_terms + term[is_row])
        r_text = rkey // n_terms
        r_term = rkey % n_terms
        del rkey, is_row, term, term_text
        norm = np.sqrt(np.bincount(r_text, weights=idf[r_term] ** 2, minlength=text_topic_len))
        scale = np.divide(t_row, norm, out=np.zeros_like(t_row), where=norm > 0)
        r_val = idf[r_term] * scale[r_text]
        # term-major (an inverted index): a query reads only the postings of its own terms
        order = np.argsort(r_term, kind="stable")
        self.row_text = r_text[order].astype(np.int32)
        self.row_val = r_val[order].astype(np.float32)
        self.row_start = np.concatenate([[0], np.cumsum(np.bincount(r_term, minlength=n_terms))]).tolist()
        del order
        self.n_terms = n_terms
        self.n_texts = len(text_topic)
        self.text_start = np.asarray(text_start, dtype=np.int64)
        self.vocab = set(uni)
        self.by_length: dict[int, list[str]] = defaultdict(list)
        for word in uni:
            self.by_length[len(word)].append(word)

    def term(self, a: str, b: str | None = None) -> int | None:
        """Id of a unigram, or of the bigram (a, b); None when unknown."""
        i = self.uni.get(a)
        if b is None or i is None:
            return i
        j = self.uni.get(b)
        return None if j is None else self.big.get(i * self.v + j)

    def known(self, a: str, b: str) -> bool:
        return self.term(a, b) is not None

    def idf_of(self, word: str) -> float | None:
        i = self.uni.get(word)
        return None if i is None else self.idf_list[i]


def _source_hash() -> bytes:
    """The modules that shape the index: a change to any of them rebuilds it."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in ("matcher_index.py", "matcher_terms.py", "matcher_params.py", "normalize.py"):
        try:
            h.update((here / name).read_bytes())
        except OSError:
            h.update(name.encode())
    return h.digest()


def index_digest(kb: KnowledgeBase) -> str:
    """Hash of every text the index is built from (and of the code that builds it)."""
    h = hashlib.sha256(_source_hash())
    for t in kb.topics.values():
        parts = [t.id, t.name, *t.aliases, *t.keywords, *t.examples, t.summary, t.group]
        h.update(("\x00" + "\x01".join(parts)).encode())
    return h.hexdigest()[:24]


def cached_index(kb: KnowledgeBase, cache_dir: Path | None) -> TopicIndex:
    """The index from `cache_dir` when its texts are unchanged, else built (and kept there).

    Building takes about 0.4 s CPU at 2,000 procedures, most of a warm start; the
    pickle is written by this application into its own cache directory.
    """
    if cache_dir is None:
        return TopicIndex(kb)
    return load_or_build(
        cache_dir,
        "matcher-index",
        index_digest(kb),
        lambda: TopicIndex(kb),
        lambda cached: isinstance(cached, TopicIndex) and cached.ids == list(kb.topics),
    )
