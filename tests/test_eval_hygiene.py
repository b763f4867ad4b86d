"""The dev set measures the matcher only if its questions are not in the knowledge base."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from knowledge.loader import load_knowledge
from knowledge.normalize import fold

DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.tsv"


def _faq_questions(topic: object) -> list[str]:
    return [q for entry in getattr(topic, "faq", []) for q in entry.questions]


def test_no_dev_question_is_copied_into_the_knowledge_base() -> None:
    if not DEV.exists():
        pytest.skip("shared/eval/dev.tsv is not beside this checkout")
    with DEV.open(encoding="utf-8") as f:
        dev = {fold(r["question"]).strip(" ?.!") for r in csv.DictReader(f, delimiter="\t")}
    kb = load_knowledge()
    copied = [
        f"{t.id}: {phrase}"
        for t in kb.topics.values()
        for phrase in [*t.examples, *t.aliases, *t.keywords, *_faq_questions(t)]
        if fold(phrase).strip(" ?.!") in dev
    ]
    assert not copied, f"dev questions copied into the knowledge base: {copied}"
