"""The one reading of a typed phone number, used by every feature that asks for one.

Citizens type numbers as they see them: `0912 345 678`, `+84 912.345.678`,
`(0221) 3863 555`. A number is stored in one canonical form (0xxxxxxxxx) so
staff can call it and two spellings of one number compare equal.
"""

from __future__ import annotations

import re

# Vietnamese mobile numbers: 10 digits, 03/05/07/08/09; landlines 02x…, 11 digits.
_MOBILE = re.compile(r"^0[35789]\d{8}$")
_LANDLINE = re.compile(r"^02\d{9}$")
_TYPED = re.compile(r"\+?[\d\s.\-()]{9,20}")


def normalize_phone(raw: str) -> str | None:
    """A Vietnamese phone number as 0xxxxxxxxx, or None if the text is not one.

    Accepts +84 / 84 prefixes and spaces, dots, dashes or parentheses between
    digits; anything else in the text (letters, a second number) means it is
    not a phone number but a sentence, which the caller treats as such.
    """
    text = raw.strip()
    if not _TYPED.fullmatch(text):
        return None
    digits = re.sub(r"\D", "", text)
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if _MOBILE.match(digits) or _LANDLINE.match(digits):
        return digits
    return None


def mask_phone(phone: str) -> str:
    """A number shown back to its owner or in a group: enough to recognise, not to dial."""
    return phone[:3] + "****" + phone[-3:]
