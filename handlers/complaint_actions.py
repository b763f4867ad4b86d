"""The complaint feature's buttons: the citizen's (prefix "pa") and the staff's (prefix "cs").

One module for both sides because the shared logic (handlers/feedback_core.py)
puts staff buttons under a new complaint's notice and rating buttons under a
staff answer. The packed forms are the ones earlier releases sent, so buttons
already in people's chats keep working; anything else (an unknown category,
a forged status, a missing code) is refused by the codec before a handler runs.
Complaint codes travel as `str` and are checked with `storage.complaints.parse_code`
by the handlers (a code-shaped string is still not proof the complaint exists).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from handlers.actions import Action

CategoryKey = Literal["thai-do", "ho-so", "ha-tang", "an-ninh", "khac"]
DraftPart = Literal["desc", "cat", "media", "phone"]
PhoneChoiceName = Literal["yes", "no", "keep"]
StaffStatus = Literal["received", "assigned", "answered", "closed"]

CATEGORY_KEYS: tuple[CategoryKey, ...] = ("thai-do", "ho-so", "ha-tang", "an-ninh", "khac")
STATUS_CHOICES: tuple[StaffStatus, ...] = ("received", "assigned", "answered", "closed")


# ---------------------------------------------------------------- the citizen's draft
@dataclass(frozen=True)
class PickCategory(Action, prefix="pa:cat"):
    category: CategoryKey


@dataclass(frozen=True)
class NextStep(Action, prefix="pa:next"):
    """«Tiếp tục» after photos and location."""


@dataclass(frozen=True)
class PhoneChoice(Action, prefix="pa:phone"):
    choice: PhoneChoiceName


@dataclass(frozen=True)
class EditDraft(Action, prefix="pa:edit"):
    """«Sửa» (no part: the list of parts) or one part to change."""

    part: DraftPart | None = None


@dataclass(frozen=True)
class SendDraft(Action, prefix="pa:send"):
    pass


@dataclass(frozen=True)
class CancelDraft(Action, prefix="pa:cancel"):
    pass


@dataclass(frozen=True)
class ResumeDraft(Action, prefix="pa:resume"):
    pass


@dataclass(frozen=True)
class NewDraft(Action, prefix="pa:new"):
    pass


# ---------------------------------------------------------------- the citizen's complaints
@dataclass(frozen=True)
class TrackComplaint(Action, prefix="pa:track"):
    code: str


@dataclass(frozen=True)
class MyComplaints(Action, prefix="pa:mine"):
    pass


@dataclass(frozen=True)
class RateComplaint(Action, prefix="pa:rate"):
    code: str
    satisfied: bool


@dataclass(frozen=True)
class ReopenWithoutReason(Action, prefix="pa:noreason"):
    code: str


# ---------------------------------------------------------------- staff
@dataclass(frozen=True)
class Inbox(Action, prefix="cs:inbox"):
    pass


@dataclass(frozen=True)
class OpenComplaint(Action, prefix="cs:open"):
    code: str


@dataclass(frozen=True)
class StartReply(Action, prefix="cs:reply"):
    code: str


@dataclass(frozen=True)
class StopReply(Action, prefix="cs:stop"):
    pass


@dataclass(frozen=True)
class AssignMenu(Action, prefix="cs:assign"):
    code: str


@dataclass(frozen=True)
class AssignTo(Action, prefix="cs:to"):
    """The button carries the staff identity itself (channel:platform id), so a change of the
    staff list between showing and pressing cannot assign the wrong person."""

    code: str
    channel: str
    platform_id: str

    @property
    def staff_key(self) -> str:
        return f"{self.channel}:{self.platform_id}"


@dataclass(frozen=True)
class StatusMenu(Action, prefix="cs:status"):
    code: str


@dataclass(frozen=True)
class SetStatus(Action, prefix="cs:set"):
    code: str
    status: StaffStatus


@dataclass(frozen=True)
class CloseComplaint(Action, prefix="cs:close"):
    code: str
