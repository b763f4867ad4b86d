"""Does the bot answer what was asked? Aspect and FAQ choice on a labelled set of our own.

`benchmarks/data/answers_labelled.tsv` holds questions written for this
benchmark (never copied from public Q&A pages or shared/eval), each with the
topic it is about and what a good answer leads with: `aspect:<name>`,
`faq:<entry id>` or `general` (the card is the right answer). The bot's own
code path decides (`handlers.direct_answers.choose_direct` after the matcher),
and the figures print beside the baseline "always the general card", which is
what every answer was before aspects existed.

    python -m benchmarks.answer_bench [--show-misses]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from handlers.direct_answers import choose_direct
from knowledge.aspects import detect_aspect
from knowledge.loader import load_knowledge
from knowledge.matcher import Matcher
from knowledge.schema import Procedure

LABELLED = Path(__file__).resolve().parent / "data" / "answers_labelled.tsv"
TODAY = dt.date(2026, 12, 1)


@dataclass
class Row:
    question: str
    topic: str
    expect: str  # aspect:<name> | faq:<id> | general


def load_rows(path: Path = LABELLED) -> list[Row]:
    with path.open(encoding="utf-8") as f:
        return [Row(r["question"], r["topic"], r["expect"]) for r in csv.DictReader(f, delimiter="\t")]


def predicted(direct_kind: str | None, value: str | None) -> str:
    if direct_kind is None:
        return "general"
    return f"{direct_kind}:{value}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    kb = load_knowledge()
    matcher = Matcher(kb)
    rows = load_rows()
    topic_right = 0
    scored = right = 0
    faq_given = faq_wrong = 0
    aspect_rows = aspect_right = 0
    baseline_right = 0
    misses: list[str] = []
    for row in rows:
        result = matcher.match(row.question)
        best = result.best
        baseline_right += row.expect == "general"
        if result.decision != "answer" or best is None or best.topic_id != row.topic:
            misses.append(f"topic  {row.question!r}: {result.decision} {best.topic_id if best else None}")
            continue
        topic_right += 1
        topic = kb.get(row.topic)
        assert isinstance(topic, Procedure)
        question = result.explanation.question if result.explanation else None
        direct = choose_direct(topic, row.question, question, TODAY)
        if direct is None:
            got = "general"
        elif direct.faq_key is not None:
            got = f"faq:{direct.faq_key.partition('.')[2]}"
        elif (
            direct.rating[0] == "t"
        ):  # an aspect the base holds nothing for: said honestly, rated as the card
            got = f"aspect-unknown:{direct.aspect.value if direct.aspect else ''}"
        else:
            got = f"aspect:{direct.aspect.value if direct.aspect else ''}"
        scored += 1
        ok = got == row.expect or (
            got.startswith("aspect-unknown:") and row.expect == got.replace("-unknown", "")
        )
        if not ok and got.startswith("faq:") and row.expect.startswith("aspect:"):
            # an FAQ entry about the very aspect asked (its own phrasings ask it) answers it too:
            # the labels were written before most entries existed
            entry = next(e for e in topic.faq if e.id == got.partition(":")[2])
            asked = {a.value for q in entry.questions if (a := detect_aspect(q)) is not None}
            ok = row.expect.partition(":")[2] in asked
        right += ok
        if row.expect.startswith(("aspect:", "faq:")):
            aspect_rows += 1
            aspect_right += ok
        if got.startswith("faq:"):
            faq_given += 1
            faq_wrong += not ok
        if not ok:
            misses.append(f"answer {row.question!r}: expected {row.expect}, got {got}")
    n = len(rows)
    specific = sum(r.expect != "general" for r in rows)
    print(f"labelled questions: {n} ({specific} ask an aspect or an FAQ entry, {n - specific} general)")
    print(f"right topic answered by the matcher: {topic_right}/{n} = {topic_right / n:.3f}")
    print(f"right lead (of those): {right}/{scored} = {right / max(scored, 1):.3f}")
    print(
        f"aspect/FAQ right (specific questions with the right topic): {aspect_right}/{aspect_rows}"
        f" = {aspect_right / max(aspect_rows, 1):.3f}  (target >= 0.90)"
    )
    print(
        f"wrong FAQ answers: {faq_wrong}/{faq_given} given = {faq_wrong / max(scored, 1):.3f} of answers  (target <= 0.01)"
    )
    print(
        f"baseline 'always the general card': right lead {baseline_right}/{n} = {baseline_right / n:.3f}, aspect/FAQ right 0.000"
    )
    if args.show_misses:
        print("\n".join(misses))


if __name__ == "__main__":
    main()
