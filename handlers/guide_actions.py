"""The walkthroughs' buttons, each a typed codec (prefix "g", all ≤ 64 bytes).

The packed forms are the ones earlier releases sent, so buttons of old
messages keep working; forged or malformed data (a step id with a ':', a
non-numeric choice) is refused by the codec before any handler runs. Buttons
carry the step they belong to, so pressing an old message's button can never
move someone two steps at once. The tailored walkthrough's start button
(`g:submit:<procedure>`) and the staff's «đã gọi» (`g:cbd:<id>`) cross
features and live in handlers/buttons.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from handlers.actions import Action

RatingValue = Literal["3", "2", "1"]


@dataclass(frozen=True)
class StartWalkthrough(Action, prefix="g:w"):
    """Start (or re-show) a YAML walkthrough; tailored ones start with buttons.SubmitGuide."""

    walkthrough: str


@dataclass(frozen=True)
class NextStep(Action, prefix="g:n"):
    """«Xong, sang bước tiếp» / «Tôi đã làm xong» on the step `step`."""

    step: str


@dataclass(frozen=True)
class BackStep(Action, prefix="g:b"):
    step: str


@dataclass(frozen=True)
class ChooseOption(Action, prefix="g:c"):
    """One of the step's choices, by its index."""

    step: str
    index: int


@dataclass(frozen=True)
class Stuck(Action, prefix="g:s"):
    """«Tôi bị vướng»: the step's known problems."""

    step: str


@dataclass(frozen=True)
class Solved(Action, prefix="g:ok"):
    """«Đã ổn, làm tiếp» after the problems (also «quay lại bước đang làm»)."""

    step: str


@dataclass(frozen=True)
class StillStuck(Action, prefix="g:h"):
    """«Vẫn chưa được»: the office's contact and the call-back offer."""

    step: str


@dataclass(frozen=True)
class StopGuide(Action, prefix="g:x"):
    pass


@dataclass(frozen=True)
class ContinueGuide(Action, prefix="g:cont"):
    pass


@dataclass(frozen=True)
class RestartGuide(Action, prefix="g:r"):
    pass


@dataclass(frozen=True)
class ListGuides(Action, prefix="g:l"):
    pass


@dataclass(frozen=True)
class FiveSkills(Action, prefix="g:5"):
    pass


@dataclass(frozen=True)
class DoneYes(Action, prefix="g:y"):
    """«Đã làm được» at the end of a walkthrough."""


@dataclass(frozen=True)
class DoneNo(Action, prefix="g:no"):
    """«Chưa làm được» at the end of a walkthrough."""


@dataclass(frozen=True)
class RateGuide(Action, prefix="g:rt"):
    value: RatingValue


@dataclass(frozen=True)
class SkipComment(Action, prefix="g:sk"):
    pass


@dataclass(frozen=True)
class AskCallback(Action, prefix="g:cb"):
    """«Nhờ cán bộ gọi lại»: ask for a phone number."""


@dataclass(frozen=True)
class DeclineCallback(Action, prefix="g:cbn"):
    """«Không, cảm ơn» at the phone prompt."""


__all__ = [
    "AskCallback",
    "BackStep",
    "ChooseOption",
    "ContinueGuide",
    "DeclineCallback",
    "DoneNo",
    "DoneYes",
    "FiveSkills",
    "ListGuides",
    "NextStep",
    "RateGuide",
    "RatingValue",
    "RestartGuide",
    "SkipComment",
    "Solved",
    "StartWalkthrough",
    "StillStuck",
    "StopGuide",
    "Stuck",
]
