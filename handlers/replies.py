"""The one vocabulary of short typed answers: yes, no, done, back, skip, cancel.

People answer a prompt the way they chat: «đc», «ko dc», «k», «ừ», «dạ vâng»,
«xong rồi ạ», «thôi». Every flow reads such answers here, so a word understood
at one prompt is understood at all of them. Words are compared after
`knowledge.normalize.fold` (no diacritics, chat abbreviations expanded:
«đc» → «duoc», «ko»/«k»/«hok» → «khong»), so tables list folded forms only.

A prompt says which words it accepts; nearby meanings are mapped onto them
(«rồi» at a yes/no prompt is yes, «không» at a skippable prompt is skip), and
anything longer or unknown is None: a sentence, which the flow may treat as a
question for the matcher rather than guess.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from knowledge.normalize import fold


class Word(StrEnum):
    YES = "yes"
    NO = "no"
    DONE = "done"  # next / finished / go on
    BACK = "back"
    SKIP = "skip"
    CANCEL = "cancel"


# Polite particles and fillers that never change the meaning of a short answer.
_PARTICLES = frozenset(
    {"a", "ah", "nhe", "nha", "nhen", "ne", "nhi", "day", "oi", "voi", "ban", "em", "anh", "chi"}
)
# Words that lead a polite answer: «dạ không», «vâng được», «ừ xong rồi».
_LEADERS = frozenset({"da", "vang", "u", "ua", "um"})

_PHRASES: dict[Word, frozenset[str]] = {
    Word.CANCEL: frozenset(
        {
            "huy",
            "huy bo",
            "huy di",
            "thoi",
            "thoi khong lam nua",
            "thoi khong can nua",
            "khong lam nua",
            "dung lai",
            "ngung lai",
            "ngung",
            "bo di",
            "cancel",
            "quit",
            "exit",
            "stop",
            "thoat",
            "thoat ra",
        }
    ),
    Word.BACK: frozenset(
        {"quay lai", "tro lai", "lui lai", "quay ve", "back", "lui", "buoc truoc", "quay lai buoc truoc"}
    ),
    Word.SKIP: frozenset({"bo qua", "skip", "khong co", "khong can", "de sau", "chua co"}),
    Word.DONE: frozenset(
        {
            "xong",
            "xong roi",
            "da xong",
            "lam xong roi",
            "tiep",
            "tiep tuc",
            "tiep theo",
            "tiep di",
            "next",
            "done",
            "het",
            "het roi",
            "roi",
            "da roi",
            "lam roi",
            "da lam roi",
            "lam tiep",
            "buoc tiep",
            "buoc tiep theo",
            "sang buoc tiep",
        }
    ),
    Word.YES: frozenset(
        {
            "co",
            "da",
            "vang",
            "u",
            "ua",
            "ukm",
            "uhm",
            "ok",
            "oki",
            "okie",
            "okela",
            "okay",
            "yes",
            "duoc",
            "duoc roi",
            "lam duoc",
            "lam duoc roi",
            "da lam duoc",
            "da duoc",
            "ok roi",
            "dong y",
            "dung roi",
            "chuan",
            "phai",
            "co a",
            "thanh cong",
        }
    ),
    Word.NO: frozenset(
        {
            "khong",
            "no",
            "chua",
            "chua duoc",
            "khong duoc",
            "khong phai",
            "sai",
            "that bai",
            "chua lam duoc",
            "khong lam duoc",
            "chua xong",
            "hong",
            "hong duoc",
            "khong thanh cong",
            "bi loi",
        }
    ),
}
_LOOKUP: dict[str, Word] = {phrase: word for word, phrases in _PHRASES.items() for phrase in phrases}
# «không được», «chưa làm được ạ», «hông xong»: a negator in a short answer made of answer words.
_NEGATORS = frozenset({"khong", "chua", "hong", "no"})
_ANSWER_WORDS = frozenset(
    {"duoc", "lam", "roi", "xong", "co", "phai", "dung", "thanh", "cong", "biet", "can", "nua"}
)
MAX_ANSWER_WORDS = 6  # a longer message is a sentence, not an answer to a prompt


def _core(text: str) -> list[str]:
    """The folded words of a short answer without the particles around it."""
    words = fold(text.replace("/", " ")).split()
    # only at the end: inside an answer the same syllables are words («phản ánh»)
    while len(words) > 1 and words[-1] in _PARTICLES:
        words.pop()
    if len(words) == 1 and words[0] in _PARTICLES - _LEADERS:
        words = []
    if len(words) > 1 and words[0] in _LEADERS:
        rest = words[1:]
        # «dạ» / «vâng» / «ừ» before another answer only makes it polite: «dạ không» is no.
        if " ".join(rest) in _LOOKUP or rest[0] in _NEGATORS:
            words = rest
    return words


def read_word(text: str) -> Word | None:
    """What a short typed answer means, with no prompt in mind; None for a sentence."""
    if not text or len(text) > 80:
        return None
    words = _core(text)
    if not words or len(words) > MAX_ANSWER_WORDS:
        return None
    phrase = " ".join(words)
    if phrase in _LOOKUP:
        return _LOOKUP[phrase]
    if words[0] in _NEGATORS and all(w in _ANSWER_WORDS or w in _NEGATORS for w in words[1:]):
        return Word.NO
    return None


# What a word may stand for when the prompt does not accept it as such.
_STANDS_FOR: dict[Word, tuple[Word, ...]] = {
    Word.DONE: (Word.YES,),  # «xong rồi» at «đã làm được chưa?»
    Word.YES: (Word.DONE,),  # «ok» at «gõ xong khi đã gửi hết ảnh»
    Word.NO: (Word.SKIP,),  # «không» at «anh/chị có ảnh không? (bỏ qua được)»
    Word.SKIP: (Word.NO, Word.DONE),  # «không cần» at a yes/no prompt; «bỏ qua» when done is the way on
}


def read_reply(text: str, accept: Collection[Word]) -> Word | None:
    """The word a prompt accepting `accept` hears in `text`, or None.

    CANCEL is returned whatever the prompt accepts: every flow cancels on it.
    """
    word = read_word(text)
    if word is None or word is Word.CANCEL or word in accept:
        return word
    for alternative in _STANDS_FOR.get(word, ()):
        if alternative in accept:
            return alternative
    return None


# What may follow a cancel word without changing it: «hủy phản ánh», «thôi không gửi nữa».
_CANCEL_TAILS = ("khong gui", "khong lam", "nay", "nua", "di", "luon")


def is_cancel(text: str, objects: Collection[str] = ()) -> bool:
    """A cancel word, alone or followed by what it cancels.

    `objects` are the folded names of the active flow («phan anh», «thong bao»):
    «hủy phản ánh» cancels a complaint draft, but «hủy đăng ký» is not a cancel
    word (it is the unsubscribe phrase) unless a flow names «dang ky» itself.
    """
    if read_word(text) is Word.CANCEL:
        return True
    if not objects or len(text) > 80:
        return False
    words = fold(text.replace("/", " ")).split()  # raw: «phản ánh» ends in a particle-like «anh»
    rest = " ".join(words)
    tails = (*objects, *_CANCEL_TAILS, *_PARTICLES)
    changed = True
    while changed:
        changed = False
        for tail in tails:  # objects first, and again from the first after each cut
            if rest.endswith(" " + tail):
                rest, changed = rest[: -len(tail) - 1], True
                break
    return rest != " ".join(words) and _LOOKUP.get(rest) is Word.CANCEL


__all__ = ["MAX_ANSWER_WORDS", "Word", "is_cancel", "read_reply", "read_word"]
