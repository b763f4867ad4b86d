"""A cache of parsed YAML files, so a large knowledge base starts fast.

PyYAML builds every scalar in Python (about 1.5 ms per topic file even with
the C parser), which made 2,000 topics take seconds to load. The cache keeps
each topic file that parsed and validated as JSON text, keyed by the file's
size and modification time, in one JSON file per directory. Only parsing is
skipped: every topic is validated again from that JSON on every load (with
pydantic's JSON validator, which parses and validates in one pass), so a
cached file can never bypass the schema. Any problem with the cache
(unreadable, corrupt, not writable) just means parsing from YAML.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
FORMAT = 2


def to_json(data: Any) -> str:
    """JSON text of a parsed topic; dates become ISO strings, which validate the same."""

    def default(value: Any) -> str:
        if isinstance(value, dt.date | dt.datetime | dt.time):
            return value.isoformat()
        raise TypeError(f"cannot cache {type(value).__name__}")

    return json.dumps(data, default=default, ensure_ascii=False)


def _stamp(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


class ParseCache:
    """Parsed data of the YAML files of one directory."""

    def __init__(self, cache_dir: Path, directory: Path) -> None:
        digest = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:16]
        self.path = cache_dir / f"kb-parse-{digest}.json"
        self._entries: dict[str, dict[str, Any]] = {}
        self._dirty = False
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            if doc.get("format") == FORMAT:
                self._entries = doc["files"]
        except (OSError, ValueError, KeyError, TypeError):
            self._entries = {}

    def get(self, path: Path) -> str | None:
        """The cached JSON text of an unchanged file, or None."""
        entry = self._entries.get(path.name)
        if entry is not None and entry.get("stamp") == _stamp(path):
            return entry["json"]
        return None

    def put(self, path: Path, data: Any) -> None:
        """Cache a file's parsed data; call only once it has validated."""
        stamp = _stamp(path)
        if stamp is None:
            return
        try:
            text = to_json(data)
        except (TypeError, ValueError):
            return
        self._entries[path.name] = {"stamp": stamp, "json": text}
        self._dirty = True

    def save(self, keep: set[str]) -> None:
        """Write the cache (entries of files that still exist) if anything changed."""
        stale = set(self._entries) - keep
        if not self._dirty and not stale:
            return
        entries = {name: e for name, e in self._entries.items() if name in keep}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(
                json.dumps({"format": FORMAT, "files": entries}, ensure_ascii=False),
                encoding="utf-8",
            )
            os.replace(tmp, self.path)
        except OSError as exc:
            log.debug("knowledge parse cache not written: %s", exc)
