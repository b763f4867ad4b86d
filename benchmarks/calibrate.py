"""Grid search of the decision rules (knowledge/matcher_decide.Rules) on a utility.

    PYTHONPATH=. python benchmarks/calibrate.py [--kb DIR] [--dev FILE]

Utility per question: +1 a right answer or a right refusal, +0.25 a
clarification that offers the right topic, -4 a wrong answer (a confident wrong
answer is what ends government chatbots). Rows: the labelled dev set, the same
questions behind a story (long messages: the question comes last), and
tests/data/probe.tsv and probe_long.tsv (ours). Never the held-out sets: they must stay unseen.
The opinions of both matchers are computed once; the rules are replayed.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import random
from pathlib import Path

from benchmarks.matcher_bench import DEFAULT_DEV, ROOT, read_tsv
from knowledge.loader import load_knowledge
from knowledge.matcher import Matcher
from knowledge.matcher_decide import RULES, Rules, apply_rules, clarify_topics, opinions

# story openings for calibration only (not the training ones in matcher_learned)
STORIES = (
    "Dạ em chào anh chị, em ở thôn trên, hôm nay mới có thời gian nhắn hỏi.",
    "Tôi năm nay ngoài năm mươi tuổi, không rành máy móc lắm nên nhờ con nhắn giúp.",
    "Nhà em đông người, ai cũng bận nên giao cho em đi hỏi thủ tục.",
    "Hôm trước tôi lên ủy ban nhưng đông quá nên về.",
)
GRID = {
    "out_of_scope": [0.2, 0.3, 0.4],
    "agree_learned": [0.4, 0.5, 0.6],
    "agree_lexical": [0.2, 0.3],
    "veto": [0.02, 0.05],
    "catalogue": [0.6, 0.7],
    "contest": [0.3, 0.35, 0.4],
    "contest_gap": [0.1, 0.15, 0.2, 0.25],
    "contest_lexical": [0.75, 0.85, 0.9],
}
# a smaller grid for the rules added later (the others stay at their calibrated values):
# `--grid late`
LATE_GRID = {
    "out_of_scope": [0.2, 0.3, 0.4],
    "lexical_strong": [0.75, 0.85, 0.95],
    "veto": [0.02, 0.05],
    "related_gap": [0.0, 0.05, 0.1, 0.15],
    "related_learned": [1.0, 0.0, 0.2, 0.4],
}
PROBES = ("probe.tsv", "probe_long.tsv")  # our own chat-style and story-style questions


def utility(label: str, decision: str, offered: list[str]) -> float:
    if label == "none":
        return 1.0 if decision == "fallback" else -4.0 if decision == "answer" else 0.0
    if decision == "answer":
        return 1.0 if offered[:1] == [label] else -4.0
    if decision == "clarify":
        return 0.25 if label in offered else 0.0
    return 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kb", type=Path, default=None)
    ap.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    ap.add_argument("--grid", choices=("all", "late"), default="all")
    args = ap.parse_args()
    kb = load_knowledge(args.kb)
    m = Matcher(kb)
    rnd = random.Random(5)
    rows = [(lab, q) for lab, q in read_tsv(args.dev) if lab == "none" or lab in kb.topics]
    rows += [(lab, f"{rnd.choice(STORIES)} {q}") for lab, q in rows]
    for name in PROBES:
        probe = ROOT / "tests" / "data" / name
        if probe.exists():
            rows += [(lab, q) for lab, q in read_tsv(probe) if lab == "none" or lab in kb.topics]
    ops = [(lab, opinions(m, q)) for lab, q in rows]

    def score(rules: Rules) -> tuple[float, float]:
        total = wrong = 0.0
        for lab, op in ops:
            decision, _ = apply_rules(op, rules)
            offered = (
                clarify_topics(op, m.related) if decision == "clarify" else [t for t, _ in op.lexical[:1]]
            )
            u = utility(lab, decision, offered)
            total += u
            wrong += u < 0
        return total, wrong / len(ops)

    base = score(RULES)
    best = (base, RULES)
    grid = LATE_GRID if args.grid == "late" else GRID
    keys = list(grid)
    for values in itertools.product(*(grid[k] for k in keys)):
        rules = dataclasses.replace(RULES, **dict(zip(keys, values, strict=True)))
        s = score(rules)
        if (s[0], -s[1]) > (best[0][0], -best[0][1]):
            best = (s, rules)
    print(f"{len(ops)} rows; current rules: utility {base[0]:.2f}, wrong {base[1]:.3f}")
    print(f"best: utility {best[0][0]:.2f}, wrong {best[0][1]:.3f}: {best[1]}")


if __name__ == "__main__":
    main()
