"""The learned second opinion: a classifier trained at index build from the knowledge base.

The lexical matcher ranks well but cannot tell "a story that mentions a birth"
from "a question about birth registration", nor "tôi buồn quá" from a
procedure. A second, differently built opinion helps the decision: when both
agree the answer is safe; when the learned one says "not ours" the matcher's
weak best topic is not offered as an answer.

Two models, both over hashed features of the folded text (word 1–2-grams and
character 3–5-grams inside words, so typos and words typed together still
share most features):
- scope: logistic regression, in scope (any topic's texts) vs out of scope
  (the curated out_of_scope.yaml), so it scales to any number of topics;
- topic: multinomial naive Bayes over the topics, counted as a sparse matrix
  product and stored exactly as sparse per-feature deltas from a per-topic
  default (dense weights, as in sklearn's MultinomialNB, would need topics x
  2^18 floats: gigabytes at 2,000 procedures).
Training data are the knowledge base's own texts (names, aliases, keywords,
examples) with generated variants: question templates, a story before the
question, dropped words, typos. scikit-learn trains; only numpy runs per
question. The arrays are cached by a hash of everything they were trained
from, so a warm start reads one .npz file instead of training.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import logging
import random
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from knowledge.normalize import fold
from knowledge.out_of_scope import load_out_of_scope

if TYPE_CHECKING:
    from knowledge.loader import KnowledgeBase

log = logging.getLogger(__name__)

VERSION = "learned-4"  # part of the cache key: bump when features or training change
DIM = 1 << 18
# Naive Bayes leaves out features that occur in more than this share of the topics (and in
# more than PRUNE_MIN_TOPICS): common character n-grams ("thu", " ng") say little about which
# topic, yet at 2,000 topics their postings were most of the per-question work (~150,000 per
# question, half of all stored postings in 700 features). Small bases keep every feature.
PRUNE_SHARE = 0.1
PRUNE_MIN_TOPICS = 100
MAX_TEXTS_PER_TOPIC = 40  # large bases: the variants per topic are capped to keep training in seconds
NB_ALPHA = 0.05
SCOPE_C = 4.0
_TEMPLATES = (
    "{t}", "cho em hỏi {t}", "cho tôi hỏi {t} thế nào", "{t} cần giấy tờ gì", "{t} ở đâu",
    "{t} mất bao lâu", "muốn {t} thì làm sao", "{t} có mất phí không", "vậy {t} thì phải làm gì",
    "anh chị ơi {t} được không ạ", "{t} như thế nào vậy", "xin hỏi về {t}",
)  # fmt: skip
# neutral story openings, used for in-scope and out-of-scope messages alike, so
# that the story words teach neither class
_STORIES = (
    "nhà em ở xa", "tôi đi làm cả ngày không có thời gian", "hôm trước tôi có hỏi nhưng chưa rõ",
    "gia đình em ở quê", "mình mới chuyển đến đây", "bố mẹ tôi già rồi", "em hỏi mãi không ai trả lời",
    "chào anh chị", "tôi là người dân trong xã", "vợ chồng em đang bận", "con tôi năm nay mười tuổi",
    "tôi ở với ông bà", "em đang đi làm xa", "nhà mình có việc gấp",
)  # fmt: skip


@functools.lru_cache(maxsize=65536)
def _word_features(word: str) -> tuple[int, ...]:
    """Hashed features of one word: the word itself and its character 3–5-grams."""
    out = [zlib.crc32(b"w" + word.encode()) % DIM]
    padded = f" {word} "
    for n in (3, 4, 5):
        for i in range(len(padded) - n + 1):
            out.append(zlib.crc32(padded[i : i + n].encode()) % DIM)
    return tuple(out)


def features(folded: str) -> list[int]:
    """Hashed feature ids (with repeats) of a folded text."""
    words = folded.split()
    out: list[int] = []
    for w in words:
        out.extend(_word_features(w))
    for a, b in itertools.pairwise(words):
        out.append(zlib.crc32(f"b{a} {b}".encode()) % DIM)
    return out


def vectorize(
    question: str, context: str = "", context_weight: float = 0.45
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct feature ids and their l2-normalised weights (context weighed less)."""
    weights: dict[int, float] = dict.fromkeys(features(context), context_weight)
    for f in features(question):
        weights[f] = 1.0
    if not weights:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    # int32 (DIM is 2^18): the training rows of 2,000 topics were ~100 MB as int64
    ids = np.fromiter(weights.keys(), dtype=np.int32, count=len(weights))
    vals = np.fromiter(weights.values(), dtype=np.float32, count=len(weights))
    vals /= float(np.sqrt(np.dot(vals, vals)))
    return ids, vals


def _typo(rnd: random.Random, text: str) -> str:
    if len(text) < 6:
        return text
    i = rnd.randrange(1, len(text) - 1)
    return (
        text[:i] + text[i + 1 :] if rnd.random() < 0.5 else text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    )


def _variants(rnd: random.Random, text: str, n: int) -> list[str]:
    """`n` generated variants of one text (the folded text itself first)."""
    out = [fold(text)]
    words = text.split()
    for _ in range(n - 1):
        t = text
        r = rnd.random()
        if r < 0.25 and len(words) > 2:
            drop = rnd.randrange(len(words))
            t = " ".join(w for i, w in enumerate(words) if i != drop)
        elif r < 0.4:
            t = _typo(rnd, text)
        q = rnd.choice(_TEMPLATES).format(t=t)
        if rnd.random() < 0.35:
            q = f"{rnd.choice(_STORIES)}. {q}"
        out.append(fold(q))
    return out


def training_texts(kb: KnowledgeBase) -> tuple[dict[str, list[str]], list[str]]:
    """Per topic id its own texts; and the out-of-scope messages (all as written)."""
    topics: dict[str, list[str]] = {}
    for t in kb.topics.values():
        texts = [t.name, t.id.replace("-", " "), *t.aliases, *t.keywords, *t.examples]
        topics[t.id] = list(dict.fromkeys(x for x in texts if x and x.strip()))
    oos = [m for messages in load_out_of_scope(kb.directory).values() for m in messages]
    return topics, [*oos, *kb.extra_out_of_scope]


def digest_of(topics: dict[str, list[str]], oos: list[str]) -> str:
    h = hashlib.sha256(VERSION.encode())
    for tid in sorted(topics):
        h.update(("\x00" + tid + "\x01" + "\x02".join(topics[tid])).encode())
    h.update(("\x03" + "\x02".join(oos)).encode())
    return h.hexdigest()[:24]


@dataclass
class LearnedModel:
    """The trained arrays; `predict` is the per-question hot path (numpy only)."""

    ids: list[str]
    scope_w: np.ndarray  # (DIM,) float32: logistic regression, positive = in scope
    scope_b: float
    nb_prior: np.ndarray  # (C,) float32: log prior of each topic
    nb_default: np.ndarray  # (C,) float32: log probability of a feature the topic never had
    nb_start: np.ndarray  # (DIM+1,) int64: feature-major postings
    nb_topic: np.ndarray  # int32
    nb_delta: np.ndarray  # float32: log probability minus the topic's default
    nb_pruned: np.ndarray | None = None  # (DIM,) bool: features naive Bayes leaves out
    digest: str = ""

    def __post_init__(self) -> None:
        self.position: dict[str, int] = {t: i for i, t in enumerate(self.ids)}

    def predict(self, question: str, context: str = "") -> tuple[float, np.ndarray]:
        """P(in scope) and the topic posterior (over `ids`) of a folded question and its context."""
        fid, val = vectorize(question, context)
        n = len(self.ids)
        if not len(fid):
            return 0.0, np.full(n, 1.0 / max(n, 1), dtype=np.float32)
        z = float(np.dot(self.scope_w[fid], val)) + self.scope_b
        p_in = 1.0 / (1.0 + float(np.exp(-z)))
        if self.nb_pruned is not None:
            keep = ~self.nb_pruned[fid]
            fid, val = fid[keep], val[keep]
        starts, ends = self.nb_start[fid], self.nb_start[fid + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        logit = self.nb_prior + self.nb_default * float(val.sum())
        if total:
            offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)
            logit = logit + np.bincount(
                self.nb_topic[offsets], weights=self.nb_delta[offsets] * np.repeat(val, lengths), minlength=n
            )
        logit = logit - logit.max()
        post = np.exp(logit)
        return p_in, (post / post.sum()).astype(np.float32)

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp.npz")
        np.savez(
            tmp, ids=np.asarray(self.ids, dtype=str), scope_w=self.scope_w, scope_b=np.float32(self.scope_b),
            nb_prior=self.nb_prior, nb_default=self.nb_default, nb_start=self.nb_start,
            nb_topic=self.nb_topic, nb_delta=self.nb_delta,
            nb_pruned=np.packbits(self.nb_pruned if self.nb_pruned is not None else np.zeros(DIM, dtype=bool)),
        )  # fmt: skip
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, digest: str) -> LearnedModel:
        with np.load(path, allow_pickle=False) as z:
            return cls(
                ids=[str(x) for x in z["ids"]], scope_w=z["scope_w"], scope_b=float(z["scope_b"]),
                nb_prior=z["nb_prior"], nb_default=z["nb_default"], nb_start=z["nb_start"],
                nb_topic=z["nb_topic"], nb_delta=z["nb_delta"], digest=digest,
                nb_pruned=_pruned(np.unpackbits(z["nb_pruned"])[:DIM].astype(bool)),
            )  # fmt: skip


def _pruned(mask: np.ndarray) -> np.ndarray | None:
    return mask if mask.any() else None


def _matrix(rows: list[tuple[np.ndarray, np.ndarray]]) -> Any:
    from scipy.sparse import csr_matrix

    indptr = np.cumsum([0] + [len(i) for i, _ in rows])
    ind = np.concatenate([i for i, _ in rows]) if rows else np.zeros(0, dtype=np.int32)
    val = np.concatenate([v for _, v in rows]) if rows else np.zeros(0, dtype=np.float32)
    return csr_matrix((val, ind, indptr), shape=(len(rows), DIM))


def train(topics: dict[str, list[str]], oos: list[str], digest: str = "", seed: int = 13) -> LearnedModel:
    """Train both models from the texts (scikit-learn; a few seconds at 2,000 topics)."""
    from sklearn.linear_model import LogisticRegression

    rnd = random.Random(seed)
    ids = list(topics)
    per_topic = 4 if len(ids) <= 300 else 1
    variants: list[list[str]] = []  # per topic; texts first, vectors one topic at a time below
    for tid in ids:
        texts = topics[tid]
        if len(texts) > MAX_TEXTS_PER_TOPIC:
            texts = texts[:4] + rnd.sample(texts[4:], MAX_TEXTS_PER_TOPIC - 4)
        variants.append(
            [v for text in texts for v in _variants(rnd, text, per_topic + (2 if text == texts[0] else 0))]
        )
    n_rows = sum(len(v) for v in variants)
    out_rows = [vectorize(v) for m in oos for v in _variants(rnd, m, 4)]
    n_in = min(n_rows, max(6 * len(out_rows), 3000))
    pick = set(rnd.sample(range(n_rows), n_in))
    # Naive Bayes needs only each topic's summed feature weights, so the rows are vectorised
    # and summed one topic at a time and only the scope sample is kept: a matrix of every
    # row (as sklearn would build) was most of the training peak at 2,000 topics.
    scope_rows: list[tuple[np.ndarray, np.ndarray]] = []
    cls_parts: list[np.ndarray] = []
    feat_parts: list[np.ndarray] = []
    data_parts: list[np.ndarray] = []
    k = 0
    for c, texts in enumerate(variants):
        vecs = [vectorize(v) for v in texts]
        for j, vec in enumerate(vecs):
            if k + j in pick:
                scope_rows.append(vec)
        k += len(vecs)
        if not vecs:
            continue
        feats, inverse = np.unique(np.concatenate([f for f, _ in vecs]), return_inverse=True)
        sums = np.bincount(inverse, weights=np.concatenate([w for _, w in vecs]).astype(np.float64))
        cls_parts.append(np.full(len(feats), c, dtype=np.int32))
        feat_parts.append(feats.astype(np.int32))
        data_parts.append(sums)
    del variants
    ys = np.asarray([1] * len(scope_rows) + [0] * len(out_rows))
    lr = LogisticRegression(C=SCOPE_C, class_weight="balanced", max_iter=300, solver="liblinear")
    lr.fit(_matrix(scope_rows + out_rows), ys)
    del scope_rows, out_rows
    # naive Bayes as sparse deltas from each topic's unseen-feature log probability
    # (sklearn's MultinomialNB keeps dense topics x 2^18 counts: gigabytes at 2,000 topics)
    cls_idx = np.concatenate(cls_parts) if cls_parts else np.zeros(0, dtype=np.int32)
    feat_idx = np.concatenate(feat_parts) if feat_parts else np.zeros(0, dtype=np.int32)
    all_data = np.concatenate(data_parts) if data_parts else np.zeros(0)
    del cls_parts, feat_parts, data_parts
    totals = np.bincount(cls_idx, weights=all_data, minlength=len(ids)) + NB_ALPHA * DIM
    default = np.log(NB_ALPHA / totals)
    topic_df = np.bincount(feat_idx, minlength=DIM)
    pruned = topic_df > max(PRUNE_SHARE * len(ids), PRUNE_MIN_TOPICS)
    if pruned.any():
        kept = ~pruned[feat_idx]
        cls_idx, feat_idx, data = cls_idx[kept], feat_idx[kept], all_data[kept]
    else:
        data = all_data
    delta = np.log((data + NB_ALPHA) / totals[cls_idx]) - default[cls_idx]
    order = np.argsort(feat_idx, kind="stable")
    start = np.concatenate([[0], np.cumsum(np.bincount(feat_idx, minlength=DIM))]).astype(np.int64)
    return LearnedModel(
        ids=ids,
        scope_w=lr.coef_[0].astype(np.float32),
        scope_b=float(lr.intercept_[0]),
        nb_prior=np.full(len(ids), -np.log(len(ids)), dtype=np.float32),  # uniform: every topic as likely
        nb_default=default.astype(np.float32),
        nb_start=start,
        nb_topic=cls_idx[order].astype(np.int32),
        nb_delta=delta[order].astype(np.float32),
        nb_pruned=_pruned(pruned),
        digest=digest,
    )


_MEMO: dict[str, LearnedModel] = {}


def learned_model(kb: KnowledgeBase, cache_dir: Path | None = None) -> LearnedModel:
    """The model for this knowledge base: from memory, from the cache file, or trained now."""
    topics, oos = training_texts(kb)
    digest = digest_of(topics, oos)
    model = _MEMO.get(digest)
    if model is not None:
        return model
    path = Path(cache_dir) / f"matcher-learned-{digest}.npz" if cache_dir is not None else None
    if path is not None and path.is_file():
        try:
            model = LearnedModel.load(path, digest)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("learned matcher cache %s unreadable, retraining: %s", path, exc)
    if model is None:
        model = train(topics, oos, digest)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                for old in path.parent.glob("matcher-learned-*.npz"):
                    old.unlink(missing_ok=True)
                model.save(path)
            except OSError as exc:
                log.warning("learned matcher cache %s not written: %s", path, exc)
    if len(_MEMO) > 4:
        _MEMO.clear()
    _MEMO[digest] = model
    return model


__all__ = ["LearnedModel", "digest_of", "features", "learned_model", "train", "training_texts", "vectorize"]
