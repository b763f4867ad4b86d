"""Finding the question inside a long message.

Citizens often tell a story first ("vợ em mới sinh bé tuần trước, ông bà bảo…")
and ask at the end ("vậy làm khai sinh ở đâu ạ?"). Scored as one bag of words,
the story's words dilute the question's, and the matcher hesitates. So a message
is split into sentences, the sentences that ask something (a question mark, or
a cue such as "cho tôi hỏi", "vậy", "thì phải", "có được không") are the
question, and the rest is context: the caller weighs the question above the
context but keeps both (the topic is often named only in the story).

Everything here works on the folded (diacritic-free, lower-case) form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.normalize import fold

# sentence ends; commas are not sentence ends ("vậy thì làm ở đâu, mất bao lâu")
_SPLIT_RE = re.compile(r"(?<=[.!?;:\n])\s+|\n+")
# cue phrases (folded) that open or carry a question; matched on word boundaries
_OPENING_CUES = (
    "cho toi hoi", "cho em hoi", "cho minh hoi", "cho chau hoi", "cho hoi", "xin hoi", "toi muon hoi",
    "em muon hoi", "hoi ve", "vay thi", "vay", "the thi", "nhu vay", "vay cho", "lam sao de",
    "toi muon", "em muon", "minh muon", "toi can", "em can", "minh can",
)  # fmt: skip
_ANY_CUES = (
    "thi phai", "co duoc khong", "duoc khong", "co phai", "phai khong", "dung khong", "the nao",
    "nhu the nao", "lam sao", "o dau", "bao lau", "bao nhieu", "can gi", "can nhung gi", "giay to gi",
    "thu tuc", "the nao", "ra sao", "khong a", "khi nao", "co can", "lam gi",
)  # fmt: skip
MIN_QUESTION_WORDS = 3  # a shorter message is its own question
CONTEXT_WEIGHT = 0.45  # how much the story counts beside the question (callers may use it)


@dataclass(frozen=True)
class SplitMessage:
    """A message as question and context, both folded; `question` is the whole message when short."""

    question: str
    context: str
    cue: str | None  # what marked the question: "?", a cue phrase, "last" (no cue), None (short)

    @property
    def has_context(self) -> bool:
        return bool(self.context)


def _contains(sentence: str, cue: str) -> bool:
    return f" {cue} " in f" {sentence} "


def _cue_of(raw: str, folded: str) -> str | None:
    if "?" in raw:
        return "?"
    for cue in _OPENING_CUES:
        if folded.startswith(cue + " "):
            return cue
    for cue in _ANY_CUES:
        if _contains(folded, cue):
            return cue
    return None


def split_question(text: str) -> SplitMessage:
    """The question sentences of a message (those with a cue, else the last) and the rest.

    Short messages (one sentence, or fewer than MIN_QUESTION_WORDS words) are
    returned whole as the question: there is no story to set aside.
    """
    raw_sentences = [s.strip() for s in _SPLIT_RE.split(text or "") if s and s.strip()]
    if len(raw_sentences) <= 1:
        # one sentence: a leading clause before "vậy"/"cho tôi hỏi" can still be a story
        folded = fold(text or "")
        for cue in ("cho toi hoi", "cho em hoi", "cho minh hoi", "vay thi", "vay"):
            pos = f" {folded} ".find(f" {cue} ")
            if pos > 0 and len(folded[:pos].split()) >= 6 and len(folded[pos:].split()) >= MIN_QUESTION_WORDS:
                return SplitMessage(folded[pos:].strip(), folded[:pos].strip(), cue)
        return SplitMessage(folded, "", None)
    folded_sentences = [fold(s) for s in raw_sentences]
    cues = [_cue_of(r, f) for r, f in zip(raw_sentences, folded_sentences, strict=True)]
    asked = [i for i, c in enumerate(cues) if c is not None]
    if not asked:
        asked, cue = [len(raw_sentences) - 1], "last"
    else:
        # the last asking sentence and any asking sentence right before it
        last = asked[-1]
        keep = [last]
        while keep[0] - 1 in asked:
            keep.insert(0, keep[0] - 1)
        asked, cue = keep, cues[last] or "last"  # asked sentences have a cue
    question = " ".join(folded_sentences[i] for i in asked)
    if len(question.split()) < MIN_QUESTION_WORDS and asked[0] > 0:
        asked.insert(0, asked[0] - 1)  # "vậy làm ở đâu?" needs the sentence before it
        question = " ".join(folded_sentences[i] for i in asked)
    context = " ".join(f for i, f in enumerate(folded_sentences) if i not in asked)
    return SplitMessage(question.strip(), context.strip(), cue)


__all__ = ["CONTEXT_WEIGHT", "SplitMessage", "split_question"]
