"""The optional admin password (argon2id): for an admin who cannot use the chat at that moment.

Only admins may have one; a staff member always signs in with the link from /web,
which needs no secret to remember. A check against an unknown account still
spends the hashing time, so the answer's delay does not tell which accounts exist.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 200

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("motcua: no such account, same time spent")


class PasswordError(ValueError):
    pass


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordError(f"the password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordError(f"the password must have at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def verify(stored: str | None, password: str) -> bool:
    """Whether `password` matches `stored`; None (no password set) never matches."""
    try:
        return _hasher.verify(stored or _DUMMY, password[:MAX_LENGTH]) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
