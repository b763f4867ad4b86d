"""One on-disk cache for indexes and snapshots that are slow to build and cheap to unpickle.

The matcher's index, the not-covered catalogue and the validated topics each
take a noticeable part of every start to build; each is kept as a pickle named
by a digest of what it was built from, so a changed base never reads a stale
file. Pickles are written only by this application into its own cache
directory, atomically (a crash leaves the old file or none), and a cache that
cannot be read or written is rebuilt, never fatal.

Reading is what every warm start pays, so two things keep it cheap:
- the cyclic garbage collector is paused while a pickle is read: unpickling
  creates tens of thousands of objects and none is garbage, yet each thousand
  allocations triggered a collection that walked the growing heap (reading the
  validated topics of 2,000 procedures took 0.71 s CPU with it, 0.33 s without);
- what was read then counts as old objects (the collector's oldest generation,
  see `_as_old`), so the collector does not walk it again as young objects once
  re-enabled (that pass alone was about 150 ms CPU at 2,000 procedures);
- equal value objects (`shared` types, e.g. a topic's `Source`, which its fees
  and FAQ entries repeat) are written once and referenced: 24,960 `Source`
  objects were 157 distinct values at 2,000 procedures.
"""

from __future__ import annotations

import gc
import io
import logging
import os
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TypeVar, cast

log = logging.getLogger(__name__)

T = TypeVar("T")
MAGIC = "motcua-pickle/2"  # the first record of every file this module writes


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block (the previous state is restored)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _SharingPickler(pickle.Pickler):
    """Writes each distinct value of the `shared` types once; later equal ones become references."""

    def __init__(self, file: IO[bytes], shared: tuple[type, ...]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.shared = shared
        self.table: list[object] = []
        self._seen: dict[bytes, int] = {}

    def persistent_id(self, obj: object) -> int | None:
        if type(obj) not in self.shared:
            return None
        # equal pickles mean equal values (all fields, types included)
        key = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        at = self._seen.get(key)
        if at is None:
            at = self._seen[key] = len(self.table)
            self.table.append(obj)
        return at


class _SharingUnpickler(pickle.Unpickler):
    def __init__(self, file: IO[bytes], table: list[object]) -> None:
        super().__init__(file)
        self.table = table

    def persistent_load(self, pid: object) -> object:
        if not isinstance(pid, int) or not 0 <= pid < len(self.table):
            raise pickle.UnpicklingError(f"unknown shared object {pid!r}")
        return self.table[pid]


def write_pickle(path: Path, obj: object, shared: tuple[type, ...] = ()) -> None:
    """Write `obj` atomically; equal objects of the `shared` types are stored once (see above)."""
    body = io.BytesIO()
    table: list[object] = []
    if shared:
        pickler = _SharingPickler(body, shared)
        pickler.dump(obj)
        table = pickler.table
    else:  # no per-object Python call when nothing is shared (the matcher's index)
        pickle.Pickler(body, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as f:
        pickle.dump((MAGIC, table), f, protocol=pickle.HIGHEST_PROTOCOL)
        f.write(body.getbuffer())
    os.replace(tmp, path)


def read_pickle(path: Path) -> object:
    """What `write_pickle` wrote; raises pickle.UnpicklingError for any other file."""
    with path.open("rb") as f, gc_paused():
        head = pickle.load(f)  # written by this application into its own cache directory
        if not (isinstance(head, tuple) and len(head) == 2 and head[0] == MAGIC):
            raise pickle.UnpicklingError(f"{path}: not written by write_pickle")
        loaded = _SharingUnpickler(f, list(head[1])).load()
        _as_old()
        return loaded


def _as_old() -> None:
    """Count what was just read as old objects: the collector's oldest generation, not its youngest.

    Re-enabled after a read, the collector would otherwise start with a young generation of
    every object read and walk them again in the middle one: about 150 ms CPU at 2,000
    procedures, for objects that live as long as the knowledge base. freeze() then
    unfreeze() moves every tracked object into the oldest generation (nothing is left
    frozen: an object that later becomes cyclic garbage is collected by the next full
    collection, as any old object is). Nothing else in the application freezes objects.
    """
    gc.freeze()
    gc.unfreeze()


# what a damaged, truncated or foreign cache file raises while it is read
READ_ERRORS = (
    OSError,
    pickle.UnpicklingError,
    EOFError,
    AttributeError,
    ImportError,
    IndexError,
    KeyError,
    TypeError,
    ValueError,
)


def load_or_build(
    cache_dir: Path,
    prefix: str,
    digest: str,
    build: Callable[[], T],
    valid: Callable[[object], bool],
) -> T:
    """The object pickled at `<cache_dir>/<prefix>-<digest>.pickle` if `valid`, else `build()` kept there.

    Older files of the same prefix are removed when a new one is written, so the
    directory holds one file per kind whatever the number of knowledge-base edits.
    """
    path = Path(cache_dir) / f"{prefix}-{digest}.pickle"
    try:
        cached = read_pickle(path)
        if valid(cached):
            return cast(T, cached)  # `valid` checked its type
    except READ_ERRORS:
        pass
    built = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(f"{prefix}-*.pickle"):
            old.unlink(missing_ok=True)
        write_pickle(path, built)
    except (OSError, pickle.PicklingError) as exc:
        log.debug("%s cache not written: %s", prefix, exc)
    return built
