"""Small talk: is a message (mostly) a greeting, thanks, yes, no...?

Asked before the matcher, so a "cảm ơn" is answered politely instead of being
matched against procedures; the phrases are vocabulary (intents.yaml), the
rules for fillers around them are here.
"""

from __future__ import annotations

import functools

from knowledge.matcher_terms import words
from knowledge.normalize import fold
from knowledge.vocabulary import Vocabulary, bundled_vocabulary

INTENTS = ("greeting", "thanks", "menu", "restart", "goodbye", "human", "yes", "no")


@functools.lru_cache(maxsize=8)
def _compiled(vocabulary: Vocabulary) -> tuple[dict[str, str], frozenset[str]]:
    """Folded phrase -> intent (the first intent listing a phrase wins), and the fillers."""
    lookup: dict[str, str] = {}
    for intent, phrases in vocabulary.intent_phrases:
        for phrase in phrases:
            lookup.setdefault(" ".join(fold(phrase).split()), intent)
    return lookup, words(vocabulary.intent_fillers)


def detect_intent(text: str, vocabulary: Vocabulary | None = None) -> str | None:
    """A small-talk intent when the message is (mostly) just that, else None.

    Returns one of "greeting", "thanks", "menu", "restart", "goodbye", "human",
    "yes", "no". A question with a greeting in front ("chào ad, làm khai sinh
    ở đâu") is not small talk: it returns None and goes to the matcher.
    Without `vocabulary`, the bundled phrases are used (callers that have a
    Matcher can use `Matcher.detect_intent` for a deployment's phrases too).
    """
    lookup, filler = _compiled(bundled_vocabulary() if vocabulary is None else vocabulary)
    if not isinstance(text, str) or not text.strip() or len(text) > 200:
        return None
    tokens = fold(text).split()
    if not tokens or len(tokens) > 8:
        return None
    plain = " ".join(tokens)
    if plain in lookup:
        return lookup[plain]
    # drop fillers at both ends (ạ, nhé, ad ơi, bạn ơi...) and try again
    core = list(tokens)
    while core and core[-1] in filler and " ".join(core) not in lookup:
        core.pop()
    while core and core[0] in filler and " ".join(core) not in lookup:
        core.pop(0)
    if core and " ".join(core) in lookup:
        return lookup[" ".join(core)]
    # "dạ" / "vâng" in front of a yes/no
    if core and core[0] in ("da", "vang", "uh", "u") and len(core) > 1:
        rest = " ".join(core[1:])
        if rest in lookup:
            return lookup[rest]
    # a greeting or thanks followed by fillers only ("chào bạn nhé", "cảm ơn ad nhiều nha")
    for n in (3, 2, 1):
        head = " ".join(core[:n])
        if head in lookup and all(w in filler for w in core[n:]):
            return lookup[head]
    return None


__all__ = ["INTENTS", "detect_intent"]
