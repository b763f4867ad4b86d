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

import functools
import itertools
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.normalize import FOLDED_EXPANSIONS, PAIR_LAST_WORDS, chunk_tokens, fold, strip_diacritics

if TYPE_CHECKING:
    from knowledge.loader import KnowledgeBase

Decision = Literal["answer", "clarify", "fallback"]

MAX_CHARS = 4000  # a question longer than this is cut before normalization
MAX_WORDS = 500  # and to this many words after it
MAX_CORRECTED_LENGTH = 24  # longer tokens are never typo-corrected

# Field weights: how much a term counts for a topic, by where the topic has it.
FIELD_WEIGHTS = {"name": 1.0, "alias": 1.0, "keyword": 0.9, "example": 0.75, "summary": 0.45, "group": 0.4}
ROW_FIELDS = ("name", "alias", "keyword", "example")
# Row similarity counts rows by field too (an example is a weaker witness).
ROW_WEIGHTS = {"name": 1.0, "alias": 1.0, "keyword": 0.95, "example": 0.9}

COVERAGE_WEIGHT = 0.55
BIGRAM_WEIGHT = 0.8  # bigram weight relative to its idf
BIGRAM_NOISE_WEIGHT = 0.15  # a bigram with a stopword on one side
NUMBER_WEIGHT = 0.5  # a bare number
UNKNOWN_WEIGHT = 1.6  # weight of a word that no topic knows (typo, other domain)
STOPWORD_WEIGHT = 0.08  # chat noise, pronouns, particles
OOD_MARGIN = 0.2  # an out-of-domain word needs this much above the answer threshold
CORRECTED_FACTOR = 0.85  # a typo-corrected word counts a little less
OUT_OF_DOMAIN_WEIGHT = 6.0  # a word that names another domain (weather, lottery)
SYNONYM_FACTOR = 0.5  # canonical words added by the synonym table
UNKNOWN_NORM = 0.5  # how much unknown mass enlarges the query norm (row similarity)
UNCOVERED_MAX = 4.5  # unexplained single-word weight that stops a middling answer (two rare words)
LONE_WORD_ROW = 0.9  # a one-word question is answered only if a row is about that word alone
UNCOVERED_SCORE = 0.7  # ... unless the best score is at least this
MIN_EVIDENCE = 0.8  # idf mass the best topic must explain (about one informative word)
CANDIDATES = 20  # topics (best by coverage) whose rows are compared
MIN_IDF = 0.3  # terms in nearly every topic are left out

DEFAULT_ANSWER_THRESHOLD = 0.56
DEFAULT_CLARIFY_THRESHOLD = 0.29
DEFAULT_MARGIN = 0.06


# i/y spelling variants of one syllable (kí/ký, lí/lý, mĩ/mỹ, qui/quy): after a
# consonant onset, a lone final "y" is matched as "i" (diacritic-free tokens).
_ONSETS = "b c ch d g gh h k kh l m n ng ngh nh p ph qu r s t th tr v x".split()
_IY = {onset + "y": onset + "i" for onset in _ONSETS}


def _iy(words: list[str]) -> list[str]:
    return [_IY.get(w, w) for w in words]


def _words(text: str) -> frozenset[str]:
    """A word list in the matcher's token form (pairs written a_b)."""
    return frozenset("_".join(_iy(w.split("_"))) for w in text.split())


# Chat noise: greetings, pronouns, particles, politeness (diacritic-free).
# Folded forms are ambiguous (can = cần/căn, the = thế/thẻ, hoi = hỏi/hội,
# cua = của/cửa, chu = chú/chữ, con = child): only clear particles belong here.
STOPWORDS = _words(
    """
    a ad admin ah ak alo an and are at e ban biet bot cac cam chao chi cho co da dc dear di do does duoc em
    for get gi giup ha hay hello hey hi hoac how i in is khi khong la lam len luon ma me minh my nao nay
    neu nha nhe nhi nhieu nhu nhung o of oi ok oke on or phai please ra roi sao should thanks thi to toi
    u uh um va vang vao vay ve vi voi what when where with xin xuong
    """
)
# English function words: a question in English should not be penalised for them.
ENGLISH_STOPWORDS = _words(
    """
    about after any apply be been new one before but by could did do does doing done from get getting give go going
    got had has have having he her here him his how i if into it its just know let like make me much my need
    needed needs next now of off on or our out please required s should so some take than that the their them
    then there these they this those to too up us want wants was we were what which who why will with would
    you your
    """
)

# General synonyms and paraphrases (diacritic-free, whole-word phrases). When a
# question contains the left side, the right side is added to it. These are
# domain vocabulary, not answers to particular questions.
SYNONYMS: dict[str, str] = {
    # English
    "birth": "khai sinh",
    "born": "khai sinh",
    "baby": "khai sinh",
    "death": "khai tu",
    "died": "khai tu",
    "marriage": "ket hon",
    "marry": "ket hon",
    "married": "ket hon",
    "wedding": "ket hon",
    "single status": "xac nhan tinh trang hon nhan",
    "id card": "can cuoc",
    "identity card": "can cuoc",
    "citizen id": "can cuoc",
    "passport": "ho chieu",
    "driving licence": "giay phep lai xe",
    "driving license": "giay phep lai xe",
    "driver license": "giay phep lai xe",
    "driver s license": "giay phep lai xe",
    "permanent residence": "thuong tru",
    "temporary residence": "tam tru",
    "residence": "cu tru",
    "criminal record": "ly lich tu phap",
    "health insurance": "bao hiem y te",
    "social insurance": "bao hiem xa hoi",
    "unemployment": "tro cap that nghiep",
    "building permit": "giay phep xay dung",
    "construction permit": "giay phep xay dung",
    "land": "dat",
    "house": "nha",
    "business": "kinh doanh",
    "household business": "ho kinh doanh",
    "complaint": "phan anh kien nghi",
    "complain": "phan anh",
    "feedback": "phan anh",
    "opening hours": "gio lam viec",
    "office hours": "gio lam viec",
    "working hours": "gio lam viec",
    "phone number": "so dien thoai",
    "address": "dia chi",
    "office": "uy ban",
    "commune": "xa",
    "certified copy": "chung thuc ban sao",
    "copy": "ban sao",
    "signature": "chung thuc chu ky",
    "contract": "hop dong",
    "vehicle": "dang ky xe",
    "motorbike": "xe may",
    "car": "o to",
    "pay": "thanh toan",
    "payment": "thanh toan",
    "fee": "le phi",
    "fees": "le phi",
    "online": "truc tuyen",
    "apply online": "nop ho so truc tuyen",
    "status": "tinh trang ho so",
    "military service": "nghia vu quan su",
    "poor household": "ho ngheo",
    "guardian": "giam ho",
    "guardianship": "giam ho",
    "register": "dang ky",
    "registration": "dang ky",
    "certificate": "giay chung nhan",
    "app": "ung dung",
    "install": "cai dat",
    "pension": "tro cap",
    "disability": "nguoi khuyet tat",
    "elderly": "nguoi cao tuoi",
    "inheritance": "thua ke",
    "documents": "giay to",
    "papers": "giay to",
    "cost": "le phi",
    "how long": "thoi gian",
    "lost": "cap lai",
    "replace": "cap lai",
    "renew": "cap doi gia han",
    "newborn": "khai sinh",
    "child": "tre em",
    "children": "tre em",
    "kid": "tre em",
    "card": "the",
    # colloquial Vietnamese
    "bang lai": "giay phep lai xe",
    "chung tu": "khai tu",
    "giay chung tu": "khai tu",
    "bao tu": "khai tu",
    "qua doi": "khai tu",
    "tu tran": "khai tu",
    "chet": "khai tu",
    "mat roi": "khai tu",
    "so do": "giay chung nhan quyen su dung dat",
    "bia do": "giay chung nhan quyen su dung dat",
    "so hong": "giay chung nhan quyen su dung dat",
    "ho khau": "thuong tru",
    "nhap khau": "thuong tru",
    "chuyen khau": "thuong tru",
    "cat khau": "thuong tru",
    "cong chung": "chung thuc",
    "sao y": "chung thuc ban sao",
    "lay nhau": "ket hon",
    "cuoi vo": "ket hon",
    "cuoi chong": "ket hon",
    "lay vo": "ket hon",
    "lay chong": "ket hon",
    "cuoi nhau": "ket hon",
    "doc than": "tinh trang hon nhan",
    "de con": "khai sinh",
    "sinh con": "khai sinh",
    "em be": "khai sinh",
    "moi sinh": "khai sinh",
    "vua sinh": "khai sinh",
    "moi de": "khai sinh",
    "so sinh": "khai sinh",
    "can cuoc cong dan": "can cuoc",
    "chung minh nhan dan": "can cuoc",
    "chung minh thu": "can cuoc",
    "dinh danh dien tu": "vneid",
    "tai khoan dinh danh": "vneid",
    "bien so": "dang ky xe",
    "bam bien": "dang ky xe",
    "xe may": "dang ky xe",
    "o to": "dang ky xe",
    "giay phep kinh doanh": "ho kinh doanh",
    "mo quan": "ho kinh doanh",
    "mo tiem": "ho kinh doanh",
    "buon ban": "ho kinh doanh",
    "xay nha": "giay phep xay dung",
    "sua nha": "giay phep xay dung",
    "nghi viec": "that nghiep",
    "thoi viec": "that nghiep",
    "mat viec": "that nghiep",
    "rut so bao hiem": "bao hiem xa hoi mot lan",
    "rut bao hiem": "bao hiem xa hoi mot lan",
    "di bo doi": "nghia vu quan su",
    "nhap ngu": "nghia vu quan su",
    "khong tien an": "ly lich tu phap",
    "tien an tien su": "ly lich tu phap",
    "khieu nai": "phan anh kien nghi",
    "to cao": "phan anh kien nghi",
    "gop y": "phan anh kien nghi",
    "hong": "phan anh",
    "xuong cap": "phan anh",
    "ngap": "phan anh",
    "o nhiem": "phan anh",
    "may gio": "gio lam viec",
    "thu bay": "gio lam viec",
    "chu nhat": "gio lam viec",
    "tiep dan": "tiep cong dan",
    # asking where a submitted dossier stands
    "xong chua": "tinh trang ho so",
    "den dau roi": "tinh trang ho so",
    "co ket qua chua": "tinh trang ho so",
    "bao gio co ket qua": "tinh trang ho so",
    # apps
    "cai app": "cai dat ung dung",
    "tai app": "cai dat ung dung",
    "cai duoc": "cai dat ung dung",
    "cai dat": "cai dat ung dung",
    "doi thoai": "tiep cong dan",
    "nha ngheo": "ho ngheo",
    "nguoi gia": "nguoi cao tuoi",
}

# Words that name another domain: a question about these falls back unless the
# knowledge base itself knows the word.
OUT_OF_DOMAIN = _words(
    """
    am_nhac bai_hat bitcoin boi_toan bong_da ca_si chung_khoan co_phieu cong_thuc crypto du_bao facebook
    football game gia_vang gold iphone khach_san lai_suat lazada lottery mon_an movie nau_an nguoi_yeu
    phim recipe samsung shopee song stock thoi_tiet tiktok tinh_yeu tro_choi tu_vi ty_gia vay_tien
    weather world_cup xem_boi xo_so
    """
)

_NUMERIC_RE = re.compile(r"^\d+$")


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

    @property
    def best(self) -> Candidate | None:
        return self.results[0] if self.results else None


# Chat phrases that say nothing about the topic (diacritic-free), removed
# before weighting: openings, politeness, "how" question words.
NOISE_PHRASES = (
    "chao buoi sang", "chao buoi chieu", "chao buoi toi", "xin chao", "cho em hoi", "cho e hoi",
    "cho minh hoi", "cho toi hoi", "cho chau hoi", "cho hoi", "em xin hoi", "xin hoi", "em hoi",
    "admin oi", "em cam on", "cam on nhieu", "xin cam on", "nhu the nao", "lam the nao", "the nao",
    "lam sao", "ra sao",
)  # fmt: skip
_NOISE = sorted((tuple(_iy(p.split())) for p in NOISE_PHRASES), key=len, reverse=True)
_NOISE_FIRST = {p[0] for p in _NOISE}


def _drop_noise(tokens: list[str]) -> list[str]:
    if _NOISE_FIRST.isdisjoint(tokens):
        return tokens
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i] in _NOISE_FIRST:
            for phrase in _NOISE:
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


def _synonym_table() -> list[tuple[tuple[str, ...], list[str]]]:
    table = []
    for left, right in SYNONYMS.items():
        table.append((tuple(_iy(fold(left).split())), _iy(fold(right).split())))
    # longest first so "giay chung tu" wins over "chung tu"
    table.sort(key=lambda item: -len(item[0]))
    return table


_SYNONYMS = _synonym_table()
# first word -> [(" left phrase ", right words)], longest phrases first
_SYNONYM_FIRST: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
for _left, _right in _SYNONYMS:
    if _left:
        _SYNONYM_FIRST[_left[0]].append((" " + " ".join(_left) + " ", _right))


def _unique(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


_TEXT_SEPARATOR = "\ue000"  # a private-use character: a chunk no knowledge base text contains


class Matcher:
    """Ranks the topics of a knowledge base for a question; builds its index once."""

    def __init__(
        self,
        kb: KnowledgeBase,
        *,
        answer_threshold: float | None = None,
        clarify_threshold: float | None = None,
        margin: float | None = None,
    ) -> None:
        self.answer_threshold = DEFAULT_ANSWER_THRESHOLD if answer_threshold is None else answer_threshold
        self.clarify_threshold = DEFAULT_CLARIFY_THRESHOLD if clarify_threshold is None else clarify_threshold
        self.margin = DEFAULT_MARGIN if margin is None else margin
        self._ids: list[str] = []
        self._names: list[str] = []
        uni: dict[str, int] = {}
        texts: list[str] = []
        text_topic: list[int] = []
        text_weight: list[float] = []  # field weight (coverage)
        text_row: list[float] = []  # row weight, 0 for texts that are not rows
        text_start: list[int] = []  # first text of each topic
        for topic in kb.topics.values():
            t = len(self._ids)
            self._ids.append(topic.id)
            self._names.append(topic.name)
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
            words = [_IY.get(w, w) for w in words]
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
            ids = [intern(_IY.get(w, w)) for w in fold(texts[x]).split()]
            tok_parts.append(np.asarray(ids, dtype=np.int64))
            txt_parts.append(np.full(len(ids), x, dtype=np.int64))
        tok = np.concatenate(tok_parts)
        txt = np.concatenate(txt_parts)
        del tok_parts, txt_parts, cids, occ_text
        text_topic_len = len(texts)
        del texts
        n = len(self._ids)
        self._index = {tid: t for t, tid in enumerate(self._ids)}
        self._n = n
        v = len(uni)
        # bigrams: adjacent tokens of one text; ids after the unigrams
        same = txt[1:] == txt[:-1] if len(txt) else np.zeros(0, dtype=bool)
        big_keys = tok[:-1][same] * v + tok[1:][same] if len(txt) else np.zeros(0, dtype=np.int64)
        uniq_big, big_inv = _unique(big_keys)
        self._uni = uni
        self._v = v
        self._big = dict(zip(uniq_big.tolist(), range(v, v + len(uniq_big)), strict=True))
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
        self._idf = idf
        # tiny bases (a handful of topics) have small idf values throughout
        self._min_idf = MIN_IDF if n >= 10 else 0.0
        max_idf = float(idf.max()) if len(idf) else 1.0
        self._min_evidence = MIN_EVIDENCE * min(1.0, max_idf / 3.0)
        self._idf_list = idf.tolist()
        order = np.argsort(tt_term, kind="stable")
        self._cov_topic = tt_topic[order].astype(np.int32)
        self._cov_w = tt_w[order].astype(np.float32)
        self._cov_start = np.concatenate([[0], np.cumsum(np.bincount(tt_term, minlength=n_terms))]).tolist()
        del tt_key, tt_w, tt_topic, tt_term, order
        # rows (name, aliases, keywords, examples): tf-idf vectors, one per text
        is_row = t_row[term_text] > 0
        rkey, _ = _unique(term_text[is_row] * n_terms + term[is_row])
        r_text = rkey // n_terms
        r_term = rkey % n_terms
        del rkey, is_row, term, term_text
        norm = np.sqrt(np.bincount(r_text, weights=idf[r_term] ** 2, minlength=text_topic_len))
        scale = np.divide(t_row, norm, out=np.zeros_like(t_row), where=norm > 0)
        r_val = idf[r_term] * scale[r_text]
        # term-major (an inverted index): a query reads only the postings of its own terms
        order = np.argsort(r_term, kind="stable")
        self._row_text = r_text[order].astype(np.int32)
        self._row_val = r_val[order].astype(np.float32)
        self._row_start = np.concatenate([[0], np.cumsum(np.bincount(r_term, minlength=n_terms))]).tolist()
        del order
        self._n_terms = n_terms
        self._n_texts = len(text_topic)
        self._text_start = np.asarray(text_start, dtype=np.int64)
        self._vocab = set(uni)
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for word in uni:
            self._by_length[len(word)].append(word)
        self._correction_cache: dict[str, str | None] = {}

    # ----------------------------------------------------------------- query

    def _term(self, a: str, b: str | None = None) -> int | None:
        """Id of a unigram, or of the bigram (a, b); None when unknown."""
        i = self._uni.get(a)
        if b is None or i is None:
            return i
        j = self._uni.get(b)
        return None if j is None else self._big.get(i * self._v + j)

    def _known(self, a: str, b: str) -> bool:
        return self._term(a, b) is not None

    def _idf_of(self, word: str) -> float | None:
        i = self._uni.get(word)
        return None if i is None else self._idf_list[i]

    def _correct(self, token: str, prev: str | None, nxt: str | None) -> list[str] | None:
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
            if factors[i] == 0.0 or tok in STOPWORDS:
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

    def _query_terms(self, folded_tokens: list[str]) -> tuple[dict[int, float], float, bool]:
        """Weighted known query terms (by term id), the mass of unknown words, out-of-domain seen."""
        folded_tokens = _drop_noise(folded_tokens)
        tokens: list[str] = []
        factors: list[float] = []
        unknown_mass = 0.0
        for i, tok in enumerate(folded_tokens):
            if tok in self._vocab or tok in STOPWORDS or tok in ENGLISH_STOPWORDS:
                tokens.append(tok)
                factors.append(1.0)
                continue
            prev = folded_tokens[i - 1] if i else None
            nxt = folded_tokens[i + 1] if i + 1 < len(folded_tokens) else None
            fixed = self._correct(tok, prev, nxt)
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
        for first in sorted(present & _SYNONYM_FIRST.keys()):
            for phrase, right in _SYNONYM_FIRST[first]:
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
                    if tok in STOPWORDS or tok in ENGLISH_STOPWORDS
                    else NUMBER_WEIGHT
                    if tok.isdigit()
                    else 1.0
                )
            )
            if weights.get(i, 0.0) < w:
                weights[i] = w
        for a, b in itertools.pairwise(tokens):
            i = self._term(a, b)
            if i is not None:
                # a pair with chat noise on one side often straddles two phrases
                w = idf[i] * (
                    BIGRAM_WEIGHT if a not in STOPWORDS and b not in STOPWORDS else BIGRAM_NOISE_WEIGHT
                )
                if weights.get(i, 0.0) < w:
                    weights[i] = w
            elif f"{a}_{b}" in OUT_OF_DOMAIN:
                unknown_mass += OUT_OF_DOMAIN_WEIGHT
                ood = True
        for tok in tokens:
            if tok in OUT_OF_DOMAIN and tok not in self._uni:
                unknown_mass += OUT_OF_DOMAIN_WEIGHT
                ood = True
        extra = [self._term(x) for x in added]
        extra += [self._term(a, b) for a, b in itertools.pairwise(added)]
        for i in extra:
            if i is not None and i not in weights:
                weights[i] = idf[i] * SYNONYM_FACTOR
        return weights, unknown_mass, ood

    def match(self, text: str, limit: int = 5) -> MatchResult:
        query = text if isinstance(text, str) else str(text or "")
        folded = fold(query[:MAX_CHARS])
        tokens = folded.split()[:MAX_WORDS]
        normalized = " ".join(tokens)
        tokens = _iy(tokens)
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
        covered = _weighted_postings(weights, self._cov_start, self._cov_topic, self._cov_w, self._n, 1.0)
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
            and len({t for t in tokens if t not in STOPWORDS and t not in ENGLISH_STOPWORDS}) <= 1
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
        sums = _weighted_postings(
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


def _weighted_postings(
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


# ---------------------------------------------------------------- intents

_FILLER = _words(
    """
    a ad admin ah ak anh ban bot chi cho da em ha hen lam luon minh muon nha nhe nhen nhi nhieu oi ok
    qua roi the toi vay voi xin
    """
)
_INTENT_PHRASES: dict[str, tuple[str, ...]] = {
    "greeting": (
        "xin chao",
        "chao",
        "hello",
        "hi",
        "hey",
        "alo",
        "alo alo",
        "chao buoi sang",
        "chao buoi chieu",
        "chao buoi toi",
        "good morning",
        "hi there",
        "xin chao quy vi",
        "chao ca nha",
    ),
    "thanks": (
        "cam on",
        "cam on nhieu",
        "xin cam on",
        "thank you",
        "thank",
        "cam on ban",
        "cam on da giup",
        "da cam on",
        "ok cam on",
        "cam on rat nhieu",
        "thanks a lot",
        "thank you so much",
    ),
    "menu": (
        "menu",
        "danh muc",
        "muc luc",
        "chuc nang",
        "tro giup",
        "help",
        "huong dan su dung",
        "xem menu",
        "mo menu",
        "danh sach",
        "bot lam duoc gi",
        "ban lam duoc gi",
        "co nhung gi",
        "cac dich vu",
        "danh sach dich vu",
        "tuy chon",
        "options",
        "trang chu",
    ),
    # "thoát", "huỷ", "quay lại" are left to the active flow (it may decline them)
    "restart": (
        "bat dau lai",
        "lam lai tu dau",
        "restart",
        "reset",
        "quay lai tu dau",
        "bat dau lai tu dau",
        "start over",
        "lam lai tu dau nhe",
    ),
    "goodbye": (
        "tam biet",
        "bye",
        "bye bye",
        "goodbye",
        "bai",
        "bai bai",
        "hen gap lai",
        "chao tam biet",
        "tam biet nhe",
        "see you",
    ),
    "human": (
        "gap can bo",
        "gap nguoi",
        "gap nguoi that",
        "noi chuyen voi can bo",
        "noi chuyen voi nguoi",
        "noi chuyen voi nguoi that",
        "can bo",
        "nhan vien",
        "tu van vien",
        "tong dai vien",
        "gap nhan vien",
        "ket noi can bo",
        "lien he can bo",
        "human",
        "agent",
        "talk to a human",
        "nguoi that",
        "gap truc tiep can bo",
        "muon gap can bo",
        "can gap can bo",
        "gap admin",
        "chuyen can bo",
        "ho tro truc tiep",
    ),
    "yes": (
        "co",
        "da",  # "dạ" alone: a polite yes
        "u",
        "dung",
        "dung roi",
        "vang",
        "ok",
        "yes",
        "dong y",
        "chinh xac",
        "phai",
        "phai roi",
        "chuan",
        "chuan roi",
        "duoc",
        "yep",
        "yeah",
        "co a",
        "dung vay",
        "um",
        "uh",
        "uk",
        "roger",
        "vang a",
        "da vang",
        "da dung",
        "da co",
        "da phai",
        "dung the",
        "y",
    ),
    "no": (
        "khong",
        "khong phai",
        "sai",
        "sai roi",
        "no",
        "khong dung",
        "chua",
        "chua dung",
        "khong co",
        "nope",
        "khong a",
        "da khong",
        "khong can",
        "thoi",
        "khong phai a",
        "da khong phai",
        "n",
    ),
}
_INTENT_LOOKUP: dict[str, str] = {}
for _intent, _phrases in _INTENT_PHRASES.items():
    for _p in _phrases:
        _INTENT_LOOKUP.setdefault(" ".join(fold(_p).split()), _intent)


def detect_intent(text: str) -> str | None:
    """A small-talk intent when the message is (mostly) just that, else None.

    Returns one of "greeting", "thanks", "menu", "restart", "goodbye", "human",
    "yes", "no". A question with a greeting in front ("chào ad, làm khai sinh
    ở đâu") is not small talk: it returns None and goes to the matcher.
    """
    if not isinstance(text, str) or not text.strip() or len(text) > 200:
        return None
    tokens = fold(text).split()
    if not tokens or len(tokens) > 8:
        return None
    plain = " ".join(tokens)
    if plain in _INTENT_LOOKUP:
        return _INTENT_LOOKUP[plain]
    # drop fillers at both ends (ạ, nhé, ad ơi, bạn ơi...) and try again
    core = list(tokens)
    while core and core[-1] in _FILLER and " ".join(core) not in _INTENT_LOOKUP:
        core.pop()
    while core and core[0] in _FILLER and " ".join(core) not in _INTENT_LOOKUP:
        core.pop(0)
    if core and " ".join(core) in _INTENT_LOOKUP:
        return _INTENT_LOOKUP[" ".join(core)]
    # "dạ" / "vâng" in front of a yes/no
    if core and core[0] in ("da", "vang", "uh", "u") and len(core) > 1:
        rest = " ".join(core[1:])
        if rest in _INTENT_LOOKUP:
            return _INTENT_LOOKUP[rest]
    # a greeting or thanks followed by fillers only ("chào bạn nhé", "cảm ơn ad nhiều nha")
    for n in (3, 2, 1):
        head = " ".join(core[:n])
        if head in _INTENT_LOOKUP and all(w in _FILLER for w in core[n:]):
            return _INTENT_LOOKUP[head]
    return None


__all__ = ["Candidate", "MatchResult", "Matcher", "detect_intent", "strip_diacritics"]
