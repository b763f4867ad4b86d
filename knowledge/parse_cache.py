"""A cache of parsed YAML files, so a large knowledge base starts fast.

PyYAML builds every scalar in Python (about 1.5 ms per topic file even with
the C parser), which made 2,000 topics take seconds to load. The cache keeps
each topic file that parsed and validated as JSON text, keyed by the file's
size and modification time, in one JSON file per directory. Only parsing is
skipped: every topic is validated again from that JSON on every load (with
pydantic's JSON validator, which parses and validates in one pass), so a
cached file can never bypass the schema. Any problem with the cache
(unreadable, corrupt, not writable) just means parsing from YAML.

Validating 2,000 topics from JSON still took 1.5 s of every warm start, so the
topics that validated are also kept as one pickle (`ValidatedSnapshot`), keyed
by the same stamps and by a hash of the schema's source: a file whose stamp
and schema are unchanged is the very object that validated last time, and is
taken from the snapshot without validating again. A changed file, a changed
schema or a missing snapshot goes through JSON (or YAML) and validation as
before. The snapshot is written by this process only, in its own cache directory.

Reading the snapshot is most of a warm start (2,000 procedures with about nine
FAQ entries each are some 60,000 pydantic objects), so it goes through
pickle_cache: no garbage collection while it is read, and the value objects
topics repeat (`Source`, `Agency`) stored once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import pickle
from pathlib import Path
from typing import Any

from knowledge.pickle_cache import READ_ERRORS, read_pickle, write_pickle
from knowledge.schema import Agency, Source

log = logging.getLogger(__name__)
FORMAT = 3  # 3: the snapshot is written by pickle_cache.write_pickle
# value objects many topics repeat: the snapshot stores each distinct one once
SHARED = (Source, Agency)


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


def _schema_hash() -> str:
    """Hash of the schema modules' source: a schema change invalidates every snapshot."""
    h = hashlib.sha256(str(FORMAT).encode())
    here = Path(__file__).resolve().parent
    for name in ("schema.py", "walkthrough_schema.py"):
        try:
            h.update((here / name).read_bytes())
        except OSError:
            h.update(name.encode())
    return h.hexdigest()[:24]


class ValidatedSnapshot:
    """Topics that validated, with their files' stamps (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.schema = _schema_hash()
        self._entries: dict[str, tuple[list[int], Any]] = {}
        try:
            doc = read_pickle(path)  # written by this application into its own cache directory
            if isinstance(doc, dict) and doc.get("schema") == self.schema:
                self._entries = doc["files"]
        except READ_ERRORS:
            self._entries = {}

    def get(self, path: Path) -> tuple[list[int], Any] | None:
        """(stamp, topic) of a file unchanged since it validated (one stat: the caller keeps the stamp)."""
        entry = self._entries.get(path.name)
        if entry is not None and entry[0] == _stamp(path):
            return entry
        return None

    def save(self, topics: dict[str, tuple[list[int] | None, Any]]) -> None:
        """Write the snapshot when it differs from the one read (same names, stamps)."""
        files = {name: (stamp, t) for name, (stamp, t) in topics.items() if stamp is not None}
        if {n: e[0] for n, e in files.items()} == {n: e[0] for n, e in self._entries.items()}:
            return
        try:
            write_pickle(self.path, {"schema": self.schema, "files": files}, shared=SHARED)
        except (OSError, pickle.PicklingError) as exc:
            log.debug("knowledge snapshot not written: %s", exc)


class ParseCache:
    """Parsed data of the YAML files of one directory (and its validated snapshot)."""

    def __init__(self, cache_dir: Path, directory: Path) -> None:
        digest = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:16]
        self.path = cache_dir / f"kb-parse-{digest}.json"
        self.snapshot = ValidatedSnapshot(cache_dir / f"kb-validated-{digest}.pickle")
        self._loaded: dict[str, dict[str, Any]] | None = None
        self._dirty = False

    @property
    def _entries(self) -> dict[str, dict[str, Any]]:
        """The JSON entries, read on first need (a warm start from the snapshot never needs them)."""
        if self._loaded is None:
            self._loaded = {}
            try:
                doc = json.loads(self.path.read_text(encoding="utf-8"))
                if doc.get("format") == FORMAT:
                    self._loaded = doc["files"]
            except (OSError, ValueError, KeyError, TypeError):
                self._loaded = {}
        return self._loaded

    def stamp(self, path: Path) -> list[int] | None:
        return _stamp(path)

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
        if self._loaded is None:  # nothing was read, so nothing changed
            return
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
