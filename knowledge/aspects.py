"""What a question asks about a procedure: its fee, documents, office, time…

People ask one thing ("khai sinh có mất phí không ạ") and deserve that thing
first, not the general card with the answer one tap away. The cue phrases are
data (`knowledge/data/answers/aspects.yaml`, validated on load) so staff can
add the ways their citizens ask; the detection is a whole-word search on the
folded question, the cue that ends last winning because a long message puts
its question at the end (at the same end, the longer cue: «giá trị bao lâu» over «bao lâu»).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from knowledge.normalize import fold

ASPECTS_FILE = Path(__file__).resolve().parent / "data" / "answers" / "aspects.yaml"
_FOLDED_PHRASE = re.compile(r"^[a-z0-9]+(?: [a-z0-9]+)*$")


class Aspect(StrEnum):
    FEE = "fee"
    DOCUMENTS = "documents"
    WHERE = "where"
    TIME = "time"
    WHO = "who"  # who may do it, on someone's behalf
    ONLINE = "online"
    DEADLINE = "deadline"  # the deadline and the penalty for lateness
    VALIDITY = "validity"
    FORMS = "forms"
    RESULT = "result"  # how the result is delivered
    ELIGIBILITY = "eligibility"


class AspectsFile(BaseModel):
    """One list of folded cue phrases per aspect; unknown aspects are refused."""

    model_config = ConfigDict(extra="forbid")

    fee: list[str] = []
    documents: list[str] = []
    where: list[str] = []
    time: list[str] = []
    who: list[str] = []
    online: list[str] = []
    deadline: list[str] = []
    validity: list[str] = []
    forms: list[str] = []
    result: list[str] = []
    eligibility: list[str] = []
    # cues of any yes/no question ("có được không"): they count only when no other cue is there
    weak: list[str] = []
    # phrases that hide a cue cutting into them: "làm hộ" is not in "làm hồ sơ" (both fold to
    # "lam ho"), "chỗ nào" of "khác nhau chỗ nào" asks no place; a cue containing one whole
    # ("hồ sơ gồm") still counts
    ignore: list[str] = []

    @field_validator("*")
    @classmethod
    def _folded(cls, phrases: list[str]) -> list[str]:
        bad = [p for p in phrases if not isinstance(p, str) or not _FOLDED_PHRASE.match(p)]
        if bad:
            raise ValueError(f"cue phrases must be lower case without diacritics, e.g. 'le phi': {bad}")
        return phrases


class AspectsError(ValueError):
    """The cue file is broken: the message says file, field and reason."""


@dataclass(frozen=True)
class AspectMatch:
    aspect: Aspect
    cue: str
    end: int  # where the cue ends in the folded question (later cues win)


class AspectDetector:
    def __init__(
        self, cues: dict[Aspect, list[str]], weak: frozenset[str] = frozenset(), ignore: tuple[str, ...] = ()
    ) -> None:
        self._weak = weak
        self._ignore = [re.compile(rf"(?<![a-z0-9]){re.escape(p)}(?![a-z0-9])") for p in ignore]
        self._patterns = [
            (aspect, phrase, re.compile(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])"))
            for aspect, phrases in cues.items()
            for phrase in phrases
        ]
        self._order = {aspect: i for i, aspect in enumerate(Aspect)}

    def spans(self, folded: str) -> list[tuple[Aspect, int, int]]:
        """Every cue in an already folded text, as (aspect, start, end): FAQ matching reads the
        cues as synonyms ("mất phí", "bao nhiêu tiền" and "lệ phí" all ask the fee)."""
        hidden = [(m.start(), m.end()) for pattern in self._ignore for m in pattern.finditer(folded)]
        return [
            (aspect, m.start(), m.end())
            for aspect, _, pattern in self._patterns
            for m in pattern.finditer(folded)
            if not _cuts_into(m.start(), m.end(), hidden)
        ]

    def detect(self, text: str) -> AspectMatch | None:
        """The aspect a question asks about, or None for a general question."""
        folded = fold(text[:2000])
        hidden = [(m.start(), m.end()) for pattern in self._ignore for m in pattern.finditer(folded)]
        best: AspectMatch | None = None
        for aspect, phrase, pattern in self._patterns:
            for m in pattern.finditer(folded):
                if _cuts_into(m.start(), m.end(), hidden):
                    continue
                found = AspectMatch(aspect, phrase, m.end())
                # a strong cue beats a weak one; then the cue ending last wins; at the same end
                # the longer, more specific one
                if best is None or self._rank(found) > self._rank(best):
                    best = found
        return best

    def _rank(self, found: AspectMatch) -> tuple[bool, int, int, int]:
        return (found.cue not in self._weak, found.end, len(found.cue), -self._order[found.aspect])


def _cuts_into(start: int, end: int, hidden: list[tuple[int, int]]) -> bool:
    """Whether a cue at start:end overlaps an ignored phrase without containing it whole."""
    return any(
        start < h_end and h_start < end and not (start <= h_start and h_end <= end)
        for h_start, h_end in hidden
    )


def load_aspects(path: Path = ASPECTS_FILE) -> AspectDetector:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        data = AspectsFile.model_validate(raw)
    except ValidationError as exc:
        problems = [f"{path.name}: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise AspectsError("\n".join(problems)) from None
    except (OSError, yaml.YAMLError) as exc:
        raise AspectsError(f"{path.name}: {exc}") from None
    aspects = {
        Aspect(name): getattr(data, name)
        for name in AspectsFile.model_fields
        if name not in ("weak", "ignore")
    }
    unknown = [w for w in data.weak if not any(w in cues for cues in aspects.values())]
    if unknown:
        raise AspectsError(f"{path.name}: weak: not a cue of any aspect: {unknown}")
    return AspectDetector(aspects, frozenset(data.weak), tuple(data.ignore))


@functools.cache
def bundled_detector() -> AspectDetector:
    return load_aspects()


@functools.lru_cache(maxsize=2048)
def detect_aspect(text: str) -> Aspect | None:
    """Cached: one reply asks it several times of the same text (FAQ choice, aspect answer)."""
    found = bundled_detector().detect(text)
    return found.aspect if found else None


__all__ = ["Aspect", "AspectDetector", "AspectsError", "bundled_detector", "detect_aspect", "load_aspects"]
