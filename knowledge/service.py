"""The live knowledge base and its matcher, swappable at run time.

Staff reload the knowledge base without a restart; a reload that fails
validation must keep serving the old one, so the swap happens only after the
new base and its index are fully built. The staff overlay (knowledge/overlay.py)
is applied on top of the base; an overlay that does not validate is left out
at start-up (the base alone is served, and the problems are kept to show) and
refused on reload (the base in use stays).
"""

from __future__ import annotations

import logging
from pathlib import Path

from knowledge.loader import KnowledgeBase, KnowledgeError, load_knowledge
from knowledge.matcher import Matcher
from knowledge.overlay import with_overlay

log = logging.getLogger(__name__)


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
        """Load again from disk; on any problem keep the current base and return why."""
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
