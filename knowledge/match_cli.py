"""`motcua match [--json] [--limit K] [QUESTION…]`: try the matcher from a shell.

Each argument is one question; with none, questions are read from stdin, one
per line (blank lines skipped). With --json, one JSON object per question:
{"query": …, "decision": …, "results": [{"id": …, "name": …, "score": …}],
"why": {"rule": …, "question": …, "lexical": {…}, "learned": {"p_in_scope": …, "top": […]},
"not_covered": {…} | null}}
best first. Without it, a readable table. The lead wires this into bot/cli.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

from knowledge.matcher import Matcher, MatchResult

if TYPE_CHECKING:
    from knowledge.loader import KnowledgeBase


def result_to_dict(result: MatchResult) -> dict[str, object]:
    return {
        "query": result.query,
        "decision": result.decision,
        "results": [{"id": c.topic_id, "name": c.name, "score": c.score} for c in result.results],
        # why it decided: the rule, both opinions' scores, the extracted question
        "why": result.explanation.to_dict() if result.explanation is not None else None,
    }


def _questions(args: list[str], stdin: TextIO | None) -> Iterable[str]:
    if args:
        yield from (a for a in args if a.strip())
        return
    if stdin is None:
        return
    for line in stdin:
        line = line.rstrip("\r\n")
        if line.strip():
            yield line


def _table(result: MatchResult) -> str:
    why = result.explanation
    rule = f"   rule: {why.rule}, P(in scope) {why.learned.get('p_in_scope')}" if why else ""
    lines = [f"{result.query}\n  -> {result.decision}   (normalized: {result.normalized}){rule}"]
    for rank, c in enumerate(result.results, 1):
        lines.append(f"  {rank}. {c.score:.3f}  {c.topic_id:24} {c.name}")
    if not result.results:
        lines.append("  (no candidate)")
    return "\n".join(lines)


def run_match(
    kb: KnowledgeBase,
    args: list[str],
    stdin: TextIO | None,
    stdout: TextIO,
    *,
    json_output: bool,
    limit: int,
) -> int:
    """Match each question and print the result; returns the exit code (0)."""
    matcher = Matcher(kb)
    limit = max(1, int(limit))
    for question in _questions(list(args), stdin):
        result = matcher.match(question, limit=limit)
        if json_output:
            stdout.write(json.dumps(result_to_dict(result), ensure_ascii=False) + "\n")
        else:
            stdout.write(_table(result) + "\n\n")
    stdout.flush()
    return 0


__all__ = ["result_to_dict", "run_match"]
