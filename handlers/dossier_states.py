"""The states a dossier goes through on the national public service portal.

The nine states are the ones the National Public Service Portal and the provincial
one-stop systems show citizens; the one-stop system sends their codes (the enum
values) in `POST /api/v1/dossier-events` and in import files. The portal's own
Vietnamese names are accepted too (diacritics and case ignored), because staff
typing a spreadsheet write what they see on screen.
"""

from __future__ import annotations

from enum import StrEnum

from knowledge.normalize import fold


class DossierState(StrEnum):
    RECEIVED = "received"  # Đã tiếp nhận
    SUPPLEMENT_REQUESTED = "supplement_requested"  # Yêu cầu bổ sung
    PAYMENT_REQUESTED = "payment_requested"  # Yêu cầu thanh toán
    FINANCIAL_OBLIGATION = "financial_obligation"  # Thực hiện nghĩa vụ tài chính
    REJECTED = "rejected"  # Từ chối
    STOPPED = "stopped"  # Dừng xử lý
    WITHDRAWAL_REQUESTED = "withdrawal_requested"  # Yêu cầu rút
    PROCESSED = "processed"  # Đã xử lý xong
    RESULT_RETURNED = "result_returned"  # Đã trả kết quả


# The portal's names, exactly as it writes them (the citizen-facing wording is in texts).
PORTAL_NAMES: dict[DossierState, str] = {
    DossierState.RECEIVED: "Đã tiếp nhận",
    DossierState.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung",
    DossierState.PAYMENT_REQUESTED: "Yêu cầu thanh toán",
    DossierState.FINANCIAL_OBLIGATION: "Thực hiện nghĩa vụ tài chính",
    DossierState.REJECTED: "Từ chối",
    DossierState.STOPPED: "Dừng xử lý",
    DossierState.WITHDRAWAL_REQUESTED: "Yêu cầu rút",
    DossierState.PROCESSED: "Đã xử lý xong",
    DossierState.RESULT_RETURNED: "Đã trả kết quả",
}

# After these nothing more happens to the dossier: its followers and notes are purged later.
FINAL_STATES = frozenset({DossierState.REJECTED, DossierState.STOPPED, DossierState.RESULT_RETURNED})

_BY_FOLDED = {fold(name): state for state, name in PORTAL_NAMES.items()}


def parse_state(value: str) -> DossierState | None:
    """The state a code or a portal name stands for; None when it is neither."""
    text = value.strip()
    try:
        return DossierState(text.lower())
    except ValueError:
        return _BY_FOLDED.get(fold(text))


def accepted_values() -> str:
    """The codes, for error messages that must say what would have been accepted."""
    return ", ".join(s.value for s in DossierState)
