"""The decision: the lexical matcher and the learned second opinion, combined by rules.

Why rules and not one score: the two opinions fail differently. The lexical
matcher ranks well but its score shrinks on long, chatty messages (it then
hesitates) and it has no notion of "not ours". The learned model knows what
the office does not do, and agrees with the matcher on most right answers. So:
agreement answers; "not ours" refuses unless the matcher is very sure; a
disagreement asks. The thresholds (`Rules`) were calibrated with
benchmarks/calibrate.py on a utility: +1 right answer or right refusal, +0.25
a clarification that offers the right topic, −4 a wrong answer.

Every decision carries an `Explanation` (which rule, both opinions' scores),
printed by `motcua match --json`, so staff can see why a question failed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from knowledge.matcher_question import split_question

if TYPE_CHECKING:
    from knowledge.loader import KnowledgeBase
    from knowledge.matcher import Candidate, Matcher, MatchResult
    from knowledge.not_covered import CatalogueEntry

QUESTION_WEIGHT = 0.7  # the extracted question's lexical score, beside the whole message's


@dataclass(frozen=True)
class Rules:
    """Calibrated thresholds of the decision rules (see benchmarks/calibrate.py)."""

    out_of_scope: float = 0.2  # P(in scope) below this: not ours…
    lexical_strong: float = 0.75  # …unless the lexical score is at least this
    agree_learned: float = 0.4  # both opinions agree: the learned posterior needed to answer
    agree_lexical: float = 0.2  # … and the lexical score needed
    veto: float = 0.02  # the lexical matcher answers but the learned gives its topic less: ask
    rescue_in: float = 0.9  # the lexical matcher found nothing, the learned one is sure: ask
    rescue_learned: float = 0.85
    catalogue: float = 0.7  # an official procedure we do not cover matches this well…
    catalogue_lexical: float = 0.6  # …and the knowledge base's best is below this: say so
    catalogue_attach: float = 0.42  # a fallback names a catalogue procedure this close
    contest: float = 0.3  # a catalogue name this close that explains more of the question…
    contest_gap: float = 0.1  # …by this share of its informative mass than the best topic…
    contest_lexical: float = 0.75  # …wins unless the topic's lexical score is at least this
    related_gap: float = 0.0  # a related topic this close behind the lexical best: ask between them
    related_learned: float = 0.0  # the learned opinion prefers a related topic by this much: ask
    # an agreement both opinions are lukewarm about (learned below weak_learned and lexical below
    # weak_lexical) asks instead: "đăng ký ghe thuyền lần đầu" is not "sổ đỏ lần đầu"
    weak_learned: float = 0.6
    weak_lexical: float = 0.5
    # an answer without the lexical matcher's own confidence (agree-learned-confident, lexical):
    # a catalogue name explaining at least as much of the question (by this gap) says "not covered"
    weak_contest_gap: float = 0.05


RULES = Rules()


@dataclass(frozen=True)
class Opinions:
    """Everything the rules look at, computed once per question (calibration replays the rules)."""

    question: str
    cue: str | None
    lexical: list[tuple[str, float]]  # combined lexical scores, best first
    lexical_decision: str
    p_in: float
    learned: list[tuple[str, float]]  # learned posterior, best first (top 5)
    learned_of_lexical_top: float
    not_covered: CatalogueEntry | None = None
    not_covered_score: float = 0.0
    catalogue_explains: float = 0.0  # share of the question's informative mass the catalogue name has
    topic_explains: float = 0.0  # … and the lexical best topic has
    related_gap: float = 1.0  # lexical best minus the best related topic's score (1.0: none ranked)
    related_learned: float = -1.0  # learned top's posterior minus the lexical best's, when related


@dataclass(frozen=True)
class Explanation:
    rule: str
    question: str
    cue: str | None
    lexical: dict[str, Any] = field(default_factory=dict)
    learned: dict[str, Any] = field(default_factory=dict)
    not_covered: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def related_topics(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """Topic id -> related topic ids, symmetric (declaring one side is enough)."""
    out: dict[str, set[str]] = {}
    for t in kb.topics.values():
        for r in getattr(t, "related", None) or ():
            if r in kb.topics and r != t.id:
                out.setdefault(t.id, set()).add(r)
                out.setdefault(r, set()).add(t.id)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def opinions(m: Matcher, text: str) -> Opinions:
    split = split_question(text)
    full = m.lexical(text, limit=8)
    scores: dict[str, float] = {c.topic_id: c.score for c in full.results}
    decisions = {full.decision}
    if split.has_context:
        q = m.lexical(split.question, limit=8)
        decisions.add(q.decision)
        for c in q.results:
            s_full = scores.get(c.topic_id, 0.0)
            scores[c.topic_id] = max(s_full, QUESTION_WEIGHT * c.score + (1 - QUESTION_WEIGHT) * s_full)
    lexical = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    lex_decision = "answer" if "answer" in decisions else "clarify" if "clarify" in decisions else "fallback"
    model = m.learned
    assert model is not None
    p_in, post = model.predict(split.question, split.context)
    k = min(5, len(post))
    part = np.argpartition(-post, k - 1)[:k] if k < len(post) else np.arange(len(post))
    top = part[np.argsort(-post[part], kind="stable")]
    learned = [(model.ids[int(i)], float(post[i])) for i in top]
    of_top = 0.0
    if lexical:
        j = model.position.get(lexical[0][0])
        of_top = float(post[j]) if j is not None else 0.0
    rel_gap, rel_learned = 1.0, -1.0
    if lexical:
        rel = m.related.get(lexical[0][0], ())
        behind = [s for t, s in lexical[1:] if t in rel]
        if behind:
            rel_gap = lexical[0][1] - behind[0]
        if learned and learned[0][0] in rel:
            rel_learned = learned[0][1] - of_top
    entry, cat_score = m.catalogue.best(split.question)
    cat_x = top_x = 0.0
    if entry is not None and lexical:
        cat_x, top_x = m.catalogue.explained(split.question, entry, m.topic_terms(lexical[0][0]))
    return Opinions(
        split.question,
        split.cue,
        lexical,
        lex_decision,
        p_in,
        learned,
        of_top,
        entry,
        cat_score,
        cat_x,
        top_x,
        rel_gap,
        rel_learned,
    )


def apply_rules(op: Opinions, rules: Rules = RULES) -> tuple[str, str]:
    """(decision, rule name) for one question's opinions."""
    if not op.lexical:
        return "fallback", "nothing-known"
    lex_top, s1 = op.lexical[0]
    l_top, l_p = op.learned[0] if op.learned else ("", 0.0)
    agree = lex_top == l_top
    explains_more = (
        op.not_covered is not None
        and op.not_covered_score >= rules.contest
        and op.catalogue_explains - op.topic_explains >= rules.contest_gap
    )
    if op.lexical_decision == "fallback":
        if op.p_in >= rules.rescue_in and l_p >= rules.rescue_learned and agree:
            return "clarify", "learned-rescue"
        if explains_more:  # another office's procedure the catalogue names: say which
            return "fallback", "not-covered-explains-more"
        return "fallback", "lexical-fallback"
    if (
        op.not_covered is not None
        and op.not_covered_score >= rules.catalogue
        and s1 < rules.catalogue_lexical
    ):
        return "fallback", "known-not-covered"
    if explains_more and s1 < rules.contest_lexical:
        return "fallback", "not-covered-explains-more"
    if op.p_in < rules.out_of_scope and s1 < rules.lexical_strong:
        return "fallback", "out-of-scope"
    if op.related_gap < rules.related_gap or op.related_learned > rules.related_learned:
        # a close call between related topics (khiếu nại / phản ánh) is the user's to make:
        # clarify_topics then offers only the related ones
        return "clarify", "related-close-call"
    if agree and op.lexical_decision == "answer":
        return "answer", "both-agree"
    weak = (
        op.not_covered is not None
        and op.not_covered_score >= rules.contest
        and op.catalogue_explains - op.topic_explains >= rules.weak_contest_gap
    )
    if agree and l_p >= rules.agree_learned and s1 >= rules.agree_lexical and len(op.question.split()) > 1:
        # (one word is too little to assert a topic the lexical matcher doubts: "cưới")
        if weak:
            return "fallback", "not-covered-explains-as-much"
        if l_p < rules.weak_learned and s1 < rules.weak_lexical:
            return "clarify", "agreement-too-weak"
        return "answer", "agree-learned-confident"
    if op.lexical_decision == "answer":
        if op.learned_of_lexical_top < rules.veto:
            return "clarify", "learned-disagrees"
        if weak and not agree:
            return "fallback", "not-covered-explains-as-much"
        return "answer", "lexical"
    return "clarify", "close-call"


def clarify_topics(op: Opinions, related: dict[str, tuple[str, ...]], limit: int = 4) -> list[str]:
    """Topics to offer: a close call between related topics offers only them (never unrelated ones)."""
    lex_ids = [t for t, _ in op.lexical]
    top = lex_ids[0]
    rel = related.get(top, ())
    rivals = lex_ids[1:3] + [t for t, _ in op.learned[:1]]
    if rel and any(r in rel for r in rivals):
        ranked = sorted(rel, key=lambda r: lex_ids.index(r) if r in lex_ids else 99)
        return [top, *ranked][:limit]
    out = [top]
    best = op.lexical[0][1]
    for t, s in op.lexical[1:4]:
        if s >= best * 0.6:
            out.append(t)
    learned_top = op.learned[0][0] if op.learned else None
    if learned_top and learned_top not in out:
        out.append(learned_top)
    if len(out) < 2 and len(lex_ids) > 1:
        out.append(lex_ids[1])
    return out[:limit]


def decide_match(m: Matcher, text: str, limit: int = 5) -> MatchResult:
    """The full decision for one question (what `Matcher.match` returns)."""
    from knowledge.matcher import Candidate, MatchResult
    from knowledge.normalize import fold

    query = text if isinstance(text, str) else str(text or "")
    normalized = " ".join(fold(query[:4000]).split()[:500])
    if not normalized:
        return MatchResult(query=query, normalized=normalized, decision="fallback", results=[])
    op = opinions(m, query)
    decision, rule = apply_rules(op)
    lex = dict(op.lexical)
    names = m.names_by_id
    if decision == "clarify":
        ids = clarify_topics(op, m.related)
    else:
        ids = [t for t, _ in op.lexical[:limit]]
    results: list[Candidate] = [Candidate(t, names[t], round(lex.get(t, 0.0), 4)) for t in ids if t in names]
    not_covered = None
    if (
        decision == "fallback"
        and op.not_covered is not None
        and rule != "nothing-known"
        and (rule.startswith(("known-", "not-covered")) or op.not_covered_score >= RULES.catalogue_attach)
    ):
        not_covered = op.not_covered
        if not rule.startswith(("known-", "not-covered")):
            rule += "+not-covered"
    explanation = Explanation(
        rule=rule,
        question=op.question,
        cue=op.cue,
        lexical={
            "decision": op.lexical_decision,
            "top": [{"id": t, "score": round(s, 4)} for t, s in op.lexical[:3]],
        },
        learned={
            "p_in_scope": round(op.p_in, 4),
            "top": [{"id": t, "p": round(p, 4)} for t, p in op.learned[:3]],
        },
        not_covered=(
            {
                "code": op.not_covered.code,
                "name": op.not_covered.name,
                "score": round(op.not_covered_score, 4),
                "explains": round(op.catalogue_explains, 4),
                "topic_explains": round(op.topic_explains, 4),
            }
            if op.not_covered is not None
            else None
        ),
    )
    return MatchResult(
        query=query,
        normalized=normalized,
        decision=decision,  # type: ignore[arg-type]
        results=results[:limit],
        explanation=explanation,
        not_covered=not_covered,
    )


__all__ = [
    "RULES",
    "Explanation",
    "Opinions",
    "Rules",
    "apply_rules",
    "decide_match",
    "opinions",
    "related_topics",
]
