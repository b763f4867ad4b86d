"""Grid search of the decision thresholds on the labelled dev set.

    PYTHONPATH=. python benchmarks/calibrate.py [--kb DIR] [--dev FILE]

Prints the best (answer threshold, margin, clarify threshold) by top-1 with
wrong answers <= 2 % of rows and out-of-scope fallback >= 90 %, and the s1/s2
of every dev row that is not answered right. Use the dev set only: the
held-out set must stay unseen.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from benchmarks.matcher_bench import DEFAULT_DEV, read_tsv
from knowledge.loader import load_knowledge
from knowledge.matcher import OOD_MARGIN, Matcher


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kb", type=Path, default=None)
    ap.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    args = ap.parse_args()
    kb = load_knowledge(args.kb)
    m = Matcher(kb, answer_threshold=0.0, clarify_threshold=0.0, margin=0.0)
    rows = [(label, q) for label, q in read_tsv(args.dev) if label == "none" or label in kb.topics]
    data = []
    for label, q in rows:
        r = m.match(q, limit=5)
        ids = [c.topic_id for c in r.results]
        s1 = r.results[0].score if r.results else 0.0
        s2 = r.results[1].score if len(r.results) > 1 else 0.0
        # a forced fallback (nothing known, too little evidence) stays a fallback; an
        # out-of-domain word forces one below answer + OOD_MARGIN (checked per setting)
        ood = bool(r.normalized) and m._query_terms(r.normalized.split())[2]
        data.append((label, ids[0] if ids else None, s1, s2, r.decision == "fallback", ood, q))
    n = len(data)
    n_oos = sum(1 for d in data if d[0] == "none")
    n_in = n - n_oos
    best = None
    per_margin: dict[float, tuple] = {}
    grid_a = [x / 100 for x in range(30, 80, 2)]
    grid_m = [x / 100 for x in range(0, 30, 2)]
    grid_c = [x / 100 for x in range(15, 50, 2)]
    for a, mg, c in itertools.product(grid_a, grid_m, grid_c):
        if c > a:
            continue
        top1 = wrong = oos_fb = 0
        for label, top, s1, s2, forced, ood, _ in data:
            if forced or s1 < c or (ood and s1 < a + OOD_MARGIN):
                decision = "fallback"
            elif s1 >= a and s1 - s2 >= mg:
                decision = "answer"
            else:
                decision = "clarify"
            if label == "none":
                oos_fb += decision == "fallback"
                wrong += decision == "answer"
            elif decision == "answer":
                if top == label:
                    top1 += 1
                else:
                    wrong += 1
        if wrong / n > 0.02 or (n_oos and oos_fb / n_oos < 0.9):
            continue
        key = (top1, -wrong, oos_fb, mg, a)
        if best is None or key > best[0]:
            best = (key, a, mg, c)
        if mg not in per_margin or key > per_margin[mg][0]:
            per_margin[mg] = (key, a, c)
    if best is None:
        print("no setting meets the constraints")
    else:
        (top1, negw, oos_fb, _, _), a, mg, c = best
        print(
            f"best: answer>={a:.2f} margin>={mg:.2f} clarify>={c:.2f}: top1 {top1 / n_in:.3f} "
            f"wrong {-negw / n:.3f} oos->fallback {oos_fb / max(n_oos, 1):.3f}"
        )
    for mg, ((top1, negw, _oos, _, _), a, c) in sorted(per_margin.items()):
        print(
            f"  margin {mg:.2f}: answer>={a:.2f} clarify>={c:.2f} top1 {top1 / n_in:.3f} wrong {-negw / n:.3f}"
        )
    for label, top, s1, s2, forced, ood, q in sorted(data, key=lambda d: d[2] - d[3]):
        if label != top:
            print(
                f"  {'FORCED ' if forced else ''}{'OOD ' if ood else ''}{label:22} top {top!s:22} s1 {s1:.3f} s2 {s2:.3f}  {q}"
            )


if __name__ == "__main__":
    main()
