"""Staff identities: which channel identities may use staff functions, with a role.

Kept in a plain text file (one `channel:platform_id role [name]` per line) and
the MOTCUA_STAFF variable, so a commune's IT person can edit it by hand or with
`motcua staff add|remove|list`. With a database attached (`attach`), the file and
the variable only seed the staff_accounts table (storage/staff_accounts.py), which
admins also edit on the web console; the answers then come from a snapshot of that
table, reread every few seconds so every worker sees an edit made in another.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.db import Database

log = logging.getLogger(__name__)
REFRESH_SECONDS = 5.0  # how stale another worker's view of a web edit may be

ROLES = ("staff", "admin")


class StaffFileError(Exception):
    pass


@dataclass(frozen=True)
class StaffMember:
    key: str  # channel:platform_id
    role: str
    name: str = ""


def parse_key(key: str) -> str:
    channel, sep, platform_id = key.strip().partition(":")
    if not sep or not channel or not platform_id or " " in key.strip():
        raise StaffFileError(f"{key!r} is not an identity; write it as channel:id, e.g. telegram:123456789")
    return f"{channel}:{platform_id}"


def parse_inline(spec: str) -> list[StaffMember]:
    """MOTCUA_STAFF="telegram:1=admin,zalo_oa:2" (role defaults to staff)."""
    members = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key, _, role = part.partition("=")
        role = role or "staff"
        if role not in ROLES:
            raise StaffFileError(f"MOTCUA_STAFF: role {role!r} must be one of {', '.join(ROLES)}")
        members.append(StaffMember(parse_key(key), role))
    return members


def read_file(path: Path) -> list[StaffMember]:
    members: list[StaffMember] = []
    if not path.exists():
        return members
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(maxsplit=2)
        if len(parts) < 2 or parts[1] not in ROLES:
            raise StaffFileError(f"{path}:{n}: expected 'channel:id role [name]' with role staff or admin")
        try:
            key = parse_key(parts[0])
        except StaffFileError as exc:
            raise StaffFileError(f"{path}:{n}: {exc}") from None
        members.append(StaffMember(key, parts[1], parts[2] if len(parts) > 2 else ""))
    return members


def write_file(path: Path, members: list[StaffMember]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# motcua staff: channel:id role [name]   (role: staff or admin)"]
    lines += [f"{m.key} {m.role} {m.name}".rstrip() for m in members]
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)


class StaffDirectory:
    """Answers "is this user staff?" from the file (reread on change) and the inline list."""

    def __init__(self, path: Path | None, inline: str = "") -> None:
        self.path = path
        self._inline = parse_inline(inline)
        self._mtime: float | None = None
        self._from_file: list[StaffMember] = []
        self._by_key: dict[str, StaffMember] = {}
        self._db: Database | None = None
        self._from_db: dict[str, StaffMember] | None = None  # the table's snapshot once attached
        self._seeded_mtime: float | None = None
        self._loaded_at = 0.0
        self._refresh(force=True)

    async def attach(self, db: Database, *, strict: bool = True) -> None:
        """Answer from the staff_accounts table from now on, seeded with the file and the variable.

        Not `strict` (a command that does not migrate, on a database without the table yet):
        keep answering from the file and the variable.
        """
        self._db = db
        try:
            await self.refresh(force=True)
        except Exception as exc:
            if strict:
                raise
            self._db = None
            log.warning("staff accounts table unavailable (%s); using the staff file", type(exc).__name__)

    def invalidate(self) -> None:
        """This process changed the table: reread it on the next refresh."""
        self._loaded_at = 0.0

    async def refresh(self, *, force: bool = False) -> None:
        """Reseed if the file changed, and reread the table when the snapshot is old.

        Cheap when nothing changed (a stat and a clock read), so the dispatcher calls it
        on every message. A database error keeps the previous snapshot; the caller's own
        use of the database reports the outage.
        """
        if self._db is None:
            return
        from storage import staff_accounts

        self._refresh()
        reseed = force or self._mtime != self._seeded_mtime
        if not reseed and time.monotonic() - self._loaded_at < REFRESH_SECONDS:
            return
        try:
            async with self._db.session() as session:
                if reseed:
                    await staff_accounts.sync_seed(session, self._from_file, self._inline)
                    await session.commit()
                    self._seeded_mtime = self._mtime
                rows = await staff_accounts.all_accounts(session)
        except Exception as exc:  # driver errors vary; keep serving from the last snapshot
            if force:
                raise
            log.warning(
                "cannot reread the staff accounts (%s); using the last known list", type(exc).__name__
            )
            self._loaded_at = time.monotonic()  # retried (and logged) once per period, not per message
            return
        self._from_db = {a.key: StaffMember(a.key, a.role, a.name) for a in rows}
        self._loaded_at = time.monotonic()

    def _current(self) -> dict[str, StaffMember]:
        if self._from_db is not None:
            return self._from_db
        self._refresh()
        return self._by_key

    def _refresh(self, *, force: bool = False) -> None:
        """Reread the file if it changed; asked on every message, so cheap when it did not."""
        if self.path is not None:
            try:
                mtime: float | None = self.path.stat().st_mtime
            except FileNotFoundError:
                mtime = None
            if mtime != self._mtime or force:
                self._from_file = read_file(self.path) if mtime is not None else []
                self._mtime = mtime
                force = True
        if force:
            merged = {m.key: m for m in self._from_file}
            merged.update({m.key: m for m in self._inline})  # the inline list wins
            self._by_key = merged

    def members(self) -> list[StaffMember]:
        return list(self._current().values())

    def role_of(self, key: str) -> str | None:
        member = self._current().get(key)
        return member.role if member is not None else None

    def is_inline(self, key: str) -> bool:
        """Set by MOTCUA_STAFF: only the deployment's environment can change it."""
        return any(m.key == key for m in self._inline)

    def add(self, key: str, role: str, name: str = "") -> None:
        if self.path is None:
            raise StaffFileError("no staff file configured (MOTCUA_STAFF_FILE)")
        if role not in ROLES:
            raise StaffFileError(f"role must be one of {', '.join(ROLES)}")
        key = parse_key(key)
        members = [m for m in read_file(self.path) if m.key != key]
        members.append(StaffMember(key, role, name))
        write_file(self.path, members)

    def remove(self, key: str) -> bool:
        if self.path is None:
            raise StaffFileError("no staff file configured (MOTCUA_STAFF_FILE)")
        key = parse_key(key)
        members = read_file(self.path)
        kept = [m for m in members if m.key != key]
        write_file(self.path, kept)
        return len(kept) != len(members)
