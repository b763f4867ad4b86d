"""One on-disk cache for indexes that are slow to build and cheap to unpickle.

The matcher's index and the not-covered catalogue both take a noticeable part of
every start to build; each is kept as a pickle named by a digest of what it was
built from, so a changed base never reads a stale file. Pickles are written only
by this application into its own cache directory, atomically (a crash leaves the
old file or none), and a cache that cannot be read or written is rebuilt, never fatal.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


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
        with path.open("rb") as f:
            cached = pickle.load(f)
        if valid(cached):
            return cached
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    built = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(f"{prefix}-*.pickle"):
            old.unlink(missing_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            pickle.dump(built, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError) as exc:
        log.debug("%s cache not written: %s", prefix, exc)
    return built
