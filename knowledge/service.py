"""The live knowledge base and its matcher, swappable at run time.

Staff reload the knowledge base without a restart; a reload that fails
validation must keep serving the old one, so the swap happens only after the
new base and its index are fully built. The staff overlay (knowledge/overlay.py)
is applied on top of the base; an overlay that does not validate is left out
at start-up (the base alone is served, and the problems are kept to show) and
refused on reload (the base in use stays).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from knowledge.loader import KnowledgeBase, KnowledgeError, load_knowledge
from knowledge.matcher import Matcher
from knowledge.overlay import with_overlay

log = logging.getLogger(__name__)
PREBUILD_TIMEOUT = 300.0  # seconds; a child slower than this is abandoned (the build runs here)


class KnowledgeService:
    def __init__(
        self,
        directory: Path | None = None,
        locality_file: Path | None = None,
        *,
        cache_dir: Path | None = None,
        overlay_file: Path | None = None,
    ) -> None:
        self.directory = directory
        self.locality_file = locality_file
        self.cache_dir = cache_dir
        self.overlay_file = overlay_file
        self.overlay_problems: list[str] = []
        self.overlay_version = 0  # the kb_stamps version this process last applied (bot/kb_sync.py)
        base = load_knowledge(directory, locality_file, cache_dir=cache_dir)
        try:
            kb = with_overlay(base, overlay_file)
        except KnowledgeError as exc:
            log.error(
                "the staff overlay is invalid, serving the base without it:\n%s", "\n".join(exc.problems)
            )
            self.overlay_problems = exc.problems
            kb = base
        self.base: KnowledgeBase = base  # without the overlay: what an overlay is validated against
        self.kb: KnowledgeBase = kb
        self.matcher: Matcher = Matcher(self.kb, cache_dir=cache_dir)

    def reload(self) -> tuple[bool, list[str]]:
        """Load again from disk; on any problem keep the current base and return why.

        With a cache directory the new matcher is first built in a child process, which leaves
        its index and retrained learned model in the cache; this process then only reads them.
        Training in a thread here held the interpreter lock against the event loop (worst
        stall ~100 ms, questions answered slower for the 15–25 s of a retrain); in a child it
        competes only for a CPU. Whatever goes wrong in the child, the build below still runs
        (from a colder cache) and reports the problems. Called on an event loop's own thread
        (a caller that did not move the reload off the loop), it builds here as before: waiting
        for a child there would hold the loop even longer than building.
        """
        if self.cache_dir is not None and not _on_event_loop():
            prebuild_elsewhere(self.directory, self.locality_file, self.cache_dir, self.overlay_file)
        try:
            base = load_knowledge(self.directory, self.locality_file, cache_dir=self.cache_dir)
            kb = with_overlay(base, self.overlay_file)
            matcher = Matcher(kb, cache_dir=self.cache_dir)
        except KnowledgeError as exc:
            log.warning("knowledge reload failed, keeping the old base: %s", exc.problems)
            return False, exc.problems
        self.base, self.kb, self.matcher = base, kb, matcher
        self.overlay_problems = []
        log.info("knowledge reloaded: %d topics", len(kb.topics))
        return True, []


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _prebuild(
    directory: Path | None, locality_file: Path | None, cache_dir: Path, overlay_file: Path | None
) -> bool:
    """In a child process: build the matcher of the base on disk, which fills `cache_dir`."""
    base = load_knowledge(directory, locality_file, cache_dir=cache_dir)
    Matcher(with_overlay(base, overlay_file), cache_dir=cache_dir)
    return True


def prebuild_elsewhere(
    directory: Path | None, locality_file: Path | None, cache_dir: Path, overlay_file: Path | None
) -> bool:
    """Fill the cache for the base on disk from a fresh ("spawn") child process; False if it failed
    (an invalid overlay, no memory for a second process…): the caller builds it itself then."""
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            return pool.submit(_prebuild, directory, locality_file, cache_dir, overlay_file).result(
                timeout=PREBUILD_TIMEOUT
            )
    except Exception as exc:  # the reload itself says what was wrong with the base
        log.info(
            "matcher not prebuilt in a child process (%s: %s); building it here", type(exc).__name__, exc
        )
        return False
