"""Staff identities: which channel identities may use staff functions, with a role.

Kept in a plain text file (one `channel:platform_id role [name]` per line) and
the MOTCUA_STAFF variable, so a commune's IT person can edit it by hand or with
`motcua staff add|remove|list`; the bot rereads the file when it changes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

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
        self._refresh(force=True)

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
        self._refresh()
        return list(self._by_key.values())

    def role_of(self, key: str) -> str | None:
        self._refresh()
        member = self._by_key.get(key)
        return member.role if member is not None else None

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
