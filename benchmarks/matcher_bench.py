"""Benchmark of the question matcher against two baselines, on one knowledge base.

    PYTHONPATH=. python benchmarks/matcher_bench.py [--kb DIR] [--dev FILE] [--heldout FILE]
                                                    [--synthetic 2000] [--errors]

Prints, for the labelled dev set and the held-out set:
- top-1: decision `answer` and the right topic (in-scope rows);
- top-3: the right topic among the first three results (in-scope rows);
- ranked-1st: the right topic first, whatever the decision (ranking quality);
- clarify / fallback rates of in-scope rows; out-of-scope rows that fall back;
- wrong: confident answers with the wrong topic (or any answer to an
  out-of-scope row), as a share of all rows.
Baselines, computed in the same run from the same knowledge base over
diacritic-free topic texts (name, aliases, keywords, examples):
- rapidfuzz WRatio with process.extractOne (answer when the score >= 80);
- BM25 (k1 = 1.2, b = 0.75) over syllables (answer when the top score > 0).
Then latency per query with the bundled base and a synthetic base of N
procedures (perturbed copies of the real ones with new ids), startup (YAML
load + index) and the memory the matcher's index adds (tracemalloc).
"""

from __future__ import annotations

import argparse
import gc
import math
import pickle
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from knowledge.loader import KnowledgeBase, load_knowledge
from knowledge.matcher import Matcher
from knowledge.matcher_learned import _MEMO as _LEARNED_MEMO
from knowledge.normalize import fold
from knowledge.parse_cache import SHARED as SNAPSHOT_SHARED
from knowledge.pickle_cache import read_pickle, write_pickle

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEV = ROOT.parent.parent / "shared" / "eval" / "dev.tsv"
if not DEFAULT_DEV.exists():
    DEFAULT_DEV = Path("/work/shared/eval/dev.tsv")
DEFAULT_HELDOUT = ROOT / "tests" / "data" / "heldout.tsv"
DEFAULT_LONG = ROOT / "tests" / "data" / "heldout_long.tsv"
DEFAULT_UNCOVERED = ROOT / "tests" / "data" / "uncovered_heldout.tsv"

# (decision, ranked topic ids)
Ranker = Callable[[str], tuple[str, list[str]]]


def read_tsv(path: Path) -> list[tuple[str, str]]:
    rows = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if i == 0 and line.startswith("id\t"):
            continue
        if not line.strip():
            continue
        label, _, question = line.partition("\t")
        rows.append((label.strip(), question.strip()))
    return rows


def topic_texts(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """(topic id, folded text) for every name, alias, keyword and example."""
    out = []
    for t in kb.topics.values():
        for text in [t.name, *t.aliases, *t.keywords, *t.examples]:
            folded = fold(text)
            if folded:
                out.append((t.id, folded))
    return out


def wratio_ranker(kb: KnowledgeBase, cutoff: float = 80.0) -> Ranker:
    texts = topic_texts(kb)
    choices = [text for _, text in texts]
    owners = [tid for tid, _ in texts]

    def rank(question: str) -> tuple[str, list[str]]:
        q = fold(question)
        best = process.extractOne(q, choices, scorer=fuzz.WRatio)
        if best is None:
            return "fallback", []
        # top 3 topics for the top-3 figure (extract more rows, keep distinct topics)
        ranked: list[str] = []
        for _, _, idx in process.extract(q, choices, scorer=fuzz.WRatio, limit=30):
            if owners[idx] not in ranked:
                ranked.append(owners[idx])
        top = owners[best[2]]
        ranked = [top] + [r for r in ranked if r != top]
        return ("answer" if best[1] >= cutoff else "fallback"), ranked

    return rank


class BM25:
    """Plain BM25 over whitespace tokens, one document per topic."""

    def __init__(self, docs: dict[str, list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.ids = list(docs)
        self.tf = [Counter(docs[i]) for i in self.ids]
        self.len = [len(docs[i]) for i in self.ids]
        self.avg = (sum(self.len) / len(self.len)) if self.len else 1.0
        df: Counter[str] = Counter()
        for tf in self.tf:
            df.update(tf.keys())
        n = len(self.ids)
        self.idf = {w: math.log(1 + (n - d + 0.5) / (d + 0.5)) for w, d in df.items()}
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, tf in enumerate(self.tf):
            for w in tf:
                self.postings[w].append(i)

    def scores(self, query: list[str]) -> dict[int, float]:
        acc: dict[int, float] = defaultdict(float)
        for w in set(query):
            idf = self.idf.get(w)
            if idf is None:
                continue
            for i in self.postings[w]:
                f = self.tf[i][w]
                acc[i] += (
                    idf * f * (self.k1 + 1) / (f + self.k1 * (1 - self.b + self.b * self.len[i] / self.avg))
                )
        return acc


def bm25_ranker(kb: KnowledgeBase) -> Ranker:
    docs: dict[str, list[str]] = defaultdict(list)
    for tid, text in topic_texts(kb):
        docs[tid].extend(text.split())
    index = BM25(docs)

    def rank(question: str) -> tuple[str, list[str]]:
        scores = index.scores(fold(question).split())
        ranked = sorted(scores, key=lambda i: -scores[i])
        if not ranked:
            return "fallback", []
        return "answer", [index.ids[i] for i in ranked[:5]]

    return rank


def matcher_ranker(matcher: Matcher) -> Ranker:
    def rank(question: str) -> tuple[str, list[str]]:
        r = matcher.match(question)
        return r.decision, [c.topic_id for c in r.results]

    return rank


def evaluate(
    rows: list[tuple[str, str]], ranker: Ranker, errors: list[str] | None = None
) -> dict[str, float]:
    n = len(rows)
    ins = [(label, q) for label, q in rows if label != "none"]
    oos = [(label, q) for label, q in rows if label == "none"]
    top1 = rank1 = top3 = clarify = fallback_in = wrong = oos_fallback = 0
    for label, q in ins:
        decision, ranked = ranker(q)
        if decision == "answer" and ranked and ranked[0] == label:
            top1 += 1
        elif decision == "answer":
            wrong += 1
            if errors is not None:
                errors.append(f"WRONG   {label:22} -> {ranked[:3]}  {q}")
        elif errors is not None:
            errors.append(f"{decision.upper():7} {label:22} -> {ranked[:3]}  {q}")
        if label in ranked[:3]:
            top3 += 1
        if ranked[:1] == [label]:
            rank1 += 1
        clarify += decision == "clarify"
        fallback_in += decision == "fallback"
    for _, q in oos:
        decision, ranked = ranker(q)
        if decision == "fallback":
            oos_fallback += 1
        else:
            if decision == "answer":
                wrong += 1
            if errors is not None:
                errors.append(f"OOS {decision:7} none -> {ranked[:3]}  {q}")
    return {
        "rows": n,
        "in_scope": len(ins),
        "top1": top1 / len(ins) if ins else 0.0,
        "top3": top3 / len(ins) if ins else 0.0,
        "rank1": rank1 / len(ins) if ins else 0.0,
        "clarify": clarify / len(ins) if ins else 0.0,
        "fallback_in": fallback_in / len(ins) if ins else 0.0,
        "oos_fallback": oos_fallback / len(oos) if oos else float("nan"),
        "wrong": wrong / n if n else 0.0,
    }


def fmt(name: str, m: dict[str, float]) -> str:
    return (
        f"  {name:18} top1 {m['top1']:.3f}  top3 {m['top3']:.3f}  ranked-1st {m['rank1']:.3f}  "
        f"clarify {m['clarify']:.3f}  "
        f"fallback(in) {m['fallback_in']:.3f}  oos->fallback {m['oos_fallback']:.3f}  wrong {m['wrong']:.3f}"
    )


def evaluate_uncovered(
    rows: list[tuple[str, str]], matcher: Matcher | None, ranker: Ranker, errors: list[str] | None = None
) -> dict[str, float]:
    """Questions about official procedures the base does not cover (label: the catalogue field).

    not-covered: the honest "no guide here, search this name" reply; right field:
    that reply names a procedure of the labelled field; refused: any fallback;
    wrong: a confident answer with one of the base's topics.
    """
    nc = field_ok = refused = wrong = clarify = 0
    for label, q in rows:
        if matcher is not None:
            r = matcher.match(q)
            decision, ranked, entry = r.decision, [c.topic_id for c in r.results], r.not_covered
        else:
            (decision, ranked), entry = ranker(q), None
        refused += decision == "fallback"
        clarify += decision == "clarify"
        wrong += decision == "answer"
        if entry is not None:
            nc += 1
            field_ok += entry.field == label
        if errors is not None and (decision != "fallback" or entry is None or entry.field != label):
            got = f"{entry.field}: {entry.name[:60]}" if entry is not None else ranked[:2]
            errors.append(f"{decision:8} {label[:24]:24} -> {got}  {q[:90]}")
    n = max(len(rows), 1)
    return {
        "not_covered": nc / n,
        "field": field_ok / n,
        "refused": refused / n,
        "clarify": clarify / n,
        "wrong": wrong / n,
    }


# ------------------------------------------------------------ synthetic base


def synthetic_kb(kb: KnowledgeBase, size: int, seed: int = 7) -> KnowledgeBase:
    """`size` procedures: perturbed copies of the real procedures, with new ids."""
    rnd = random.Random(seed)
    originals = kb.procedures or list(kb.topics.values())
    vocab = sorted({w for _, text in topic_texts(kb) for w in text.split()})
    topics = {}

    def perturb(text: str) -> str:
        words = text.split()
        if len(words) > 2 and rnd.random() < 0.5:
            i = rnd.randrange(len(words))
            words[i] = rnd.choice(vocab)
        if rnd.random() < 0.3:
            words.append(rnd.choice(vocab))
        return " ".join(words)

    for k in range(size):
        base = originals[k % len(originals)]
        new_id = f"{base.id}-s{k}"[:40]
        update = {
            "id": new_id,
            "name": perturb(base.name) + f" {rnd.choice(vocab)}",
            "aliases": [perturb(a) for a in base.aliases],
            "keywords": [perturb(x) for x in base.keywords],
            "examples": [perturb(e) for e in base.examples],
            "related": [],  # the copies' ids differ (an unknown related id fails the load)
        }
        topics[new_id] = base.model_copy(update=update)
    return KnowledgeBase(topics=topics, locality=kb.locality, directory=kb.directory)


def latency(
    ranker_fn: Callable[[str], object], questions: list[str], repeat: int = 3
) -> tuple[float, float, float]:
    """Mean and p95 wall milliseconds per query, and mean CPU milliseconds (process time).

    The CPU figure is the fairer "one core" number on a shared, loaded machine.
    """
    times = []
    c0 = time.process_time()
    for _ in range(repeat):
        for q in questions:
            t0 = time.perf_counter()
            ranker_fn(q)
            times.append((time.perf_counter() - t0) * 1000)
    cpu = (time.process_time() - c0) * 1000 / max(1, len(times))
    times.sort()
    return statistics.fmean(times), times[max(0, int(len(times) * 0.95) - 1)], cpu


def snapshot_before_after(kb: KnowledgeBase, tmp: Path, repeat: int = 3) -> str:
    """Reading the validated topics as a warm start does, beside the way it was read before
    (one plain pickle, collector running, every fee's and FAQ entry's source its own object).

    Both from topics validated from YAML (distinct objects), in the same run; best of `repeat`.
    """
    tmp.mkdir(parents=True, exist_ok=True)
    plain, shared = tmp / "plain.pickle", tmp / "shared.pickle"
    plain.write_bytes(pickle.dumps(kb.topics, protocol=pickle.HIGHEST_PROTOCOL))
    write_pickle(shared, kb.topics, shared=SNAPSHOT_SHARED)

    def best(read: Callable[[], object]) -> float:
        times = []
        for _ in range(repeat):
            gc.collect()
            c0 = time.process_time()
            read()
            times.append(time.process_time() - c0)
        return min(times) * 1000

    def read_plain() -> object:
        with plain.open("rb") as f:
            return pickle.load(f)

    before, after = best(read_plain), best(lambda: read_pickle(shared))
    mb = 2**20
    return (
        f"  validated-topics snapshot read at {len(kb.topics)}: {after:.0f} ms CPU, "
        f"{shared.stat().st_size / mb:.1f} MB (shared values, collector paused); "
        f"as before: {before:.0f} ms CPU, {plain.stat().st_size / mb:.1f} MB (plain pickle) = x{before / after:.2f}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kb", type=Path, default=None, help="knowledge base directory (default: bundled)")
    ap.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    ap.add_argument("--heldout", type=Path, default=DEFAULT_HELDOUT)
    ap.add_argument("--long", type=Path, default=DEFAULT_LONG, help="long real-style held-out questions")
    ap.add_argument("--uncovered", type=Path, default=DEFAULT_UNCOVERED, help="procedures not covered")
    ap.add_argument("--synthetic", type=int, default=2000)
    ap.add_argument("--errors", action="store_true", help="list the dev questions the matcher misses")
    ap.add_argument(
        "--heldout-errors",
        action="store_true",
        help="list held-out misses too (only after tuning is over: never tune on them)",
    )
    ap.add_argument("--no-perf", action="store_true", help="skip latency, startup and memory")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    kb = load_knowledge(args.kb)
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    matcher = Matcher(kb)
    t_index = time.perf_counter() - t0
    print(f"knowledge base: {len(kb.topics)} topics from {kb.directory}")
    print(f"startup (bundled): load {t_load * 1000:.0f} ms + index {t_index * 1000:.1f} ms")

    rankers = {
        "matcher": matcher_ranker(matcher),
        "rapidfuzz WRatio": wratio_ranker(kb),
        "BM25": bm25_ranker(kb),
    }
    sets = [
        (name, path)
        for name, path in (("dev", args.dev), ("held-out", args.heldout), ("held-out long", args.long))
        if path.exists()
    ]
    all_questions: list[str] = []
    for set_name, path in sets:
        rows = read_tsv(path)
        known = [(label, q) for label, q in rows if label == "none" or label in kb.topics]
        skipped = len(rows) - len(known)
        all_questions += [q for _, q in rows]
        print(
            f"\n{set_name}: {path} ({len(known)} rows"
            + (f"; {skipped} rows skipped: their topic is not in this base" if skipped else "")
            + ")"
        )
        results = {}
        errors: list[str] = []
        for name, ranker in rankers.items():
            show = args.heldout_errors if set_name.startswith("held-out") else args.errors
            results[name] = evaluate(known, ranker, errors if (show and name == "matcher") else None)
            print(fmt(name, results[name]))
        m = results["matcher"]
        for base in ("rapidfuzz WRatio", "BM25"):
            b = results[base]
            ratio = m["top1"] / b["top1"] if b["top1"] else float("inf")
            print(f"  matcher vs {base}: top1 x{ratio:.2f}, wrong {m['wrong']:.3f} vs {b['wrong']:.3f}")
        for line in errors:
            print("    " + line)

    if args.uncovered.exists():
        rows = read_tsv(args.uncovered)
        all_questions += [q for _, q in rows]
        print(f"\nnot covered (held-out): {args.uncovered} ({len(rows)} rows)")
        for name, ranker in rankers.items():
            errs: list[str] | None = [] if (args.heldout_errors and name == "matcher") else None
            u = evaluate_uncovered(rows, matcher if name == "matcher" else None, ranker, errs)
            print(
                f"  {name:18} not-covered reply {u['not_covered']:.3f}  right field {u['field']:.3f}  "
                f"refused {u['refused']:.3f}  clarify {u['clarify']:.3f}  wrong {u['wrong']:.3f}"
            )
            for line in errs or []:
                print("    " + line)

    if args.no_perf or not all_questions:
        return 0
    print("\nlatency per query (wall mean / wall p95 / CPU mean, ms):")
    for name, fn in (
        ("matcher", matcher.match),
        ("rapidfuzz WRatio", rankers["rapidfuzz WRatio"]),
        ("BM25", rankers["BM25"]),
    ):
        mean, p95, cpu = latency(fn, all_questions)
        print(f"  bundled {len(kb.topics):5} topics  {name:18} {mean:.3f} / {p95:.3f} / {cpu:.3f}")
    big = synthetic_kb(kb, args.synthetic)
    with tempfile.TemporaryDirectory() as tmp:
        for t in big.topics.values():
            data = t.model_dump(mode="json", exclude_none=True)
            (Path(tmp) / f"{t.id}.yaml").write_text(
                yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
            )
        (Path(tmp) / "locality.yaml").write_text(
            (kb.directory / "locality.yaml").read_text(encoding="utf-8"), encoding="utf-8"
        )
        cache_dir = Path(tmp) / "cache"
        t0 = time.perf_counter()
        cold = load_knowledge(Path(tmp), cache_dir=cache_dir)  # first start: parses YAML, fills the cache
        t_big_cold = time.perf_counter() - t0
        t0, c0 = time.perf_counter(), time.process_time()
        big_loaded = load_knowledge(Path(tmp), cache_dir=cache_dir)  # every later start
        t_big_load, c_big_load = time.perf_counter() - t0, time.process_time() - c0
        snapshot_read = snapshot_before_after(cold, Path(tmp) / "compare")
        del cold
    learned_cache = Path(tempfile.mkdtemp(prefix="motcua-bench-cache-"))
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    big_matcher = Matcher(big_loaded, cache_dir=learned_cache)  # first start: trains the learned opinion
    t_big_train = time.perf_counter() - t0
    after, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    _LEARNED_MEMO.clear()  # a new process: the learned arrays come from the cache file
    t0, c0 = time.perf_counter(), time.process_time()
    Matcher(big_loaded, cache_dir=learned_cache)
    t_big_index_plain, c_big_index = time.perf_counter() - t0, time.process_time() - c0
    print(f"  first start at {len(big_loaded.topics)} (index + training): {t_big_train * 1000:.0f} ms")
    print(f"  synthetic {len(big_loaded.topics)} procedures:")
    big_rankers = {
        "matcher": big_matcher.match,
        "rapidfuzz WRatio": wratio_ranker(big_loaded),
        "BM25": bm25_ranker(big_loaded),
    }
    lat = {}
    sample = all_questions[::4]  # the baselines are slow at this size
    for name, fn in big_rankers.items():
        lat[name] = latency(
            fn, all_questions if name == "matcher" else sample, repeat=2 if name == "matcher" else 1
        )
        print(
            f"  synthetic {len(big_loaded.topics):5} topics  {name:18} "
            f"{lat[name][0]:.3f} / {lat[name][1]:.3f} / {lat[name][2]:.3f}"
        )
    for base in ("rapidfuzz WRatio", "BM25"):
        print(
            f"  matcher / {base} latency at {len(big_loaded.topics)}: x{lat['matcher'][2] / lat[base][2]:.3f} (CPU)"
        )
    print(
        f"startup at {len(big_loaded.topics)}: load {t_big_load * 1000:.0f} ms wall, "
        f"{c_big_load * 1000:.0f} ms CPU (parse cache warm; "
        f"first start {t_big_cold * 1000:.0f} ms) + "
        f"index {t_big_index_plain * 1000:.0f} ms wall, {c_big_index * 1000:.0f} ms CPU (matcher) = "
        f"{(t_big_load + t_big_index_plain) * 1000:.0f} ms wall, {(c_big_load + c_big_index) * 1000:.0f} ms CPU"
    )
    print(snapshot_read)
    print(
        f"memory the index adds at {len(big_loaded.topics)}: {(after - before) / 2**20:.1f} MB retained, "
        f"{(peak - before) / 2**20:.1f} MB peak while building (tracemalloc)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
