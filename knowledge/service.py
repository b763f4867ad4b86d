"""The live knowledge base and its matcher, swappable at run time.

Staff reload the knowledge base without a restart; a reload that fails
validation must keep serving the old one, so the swap happens only after the
new base and its index are fully built.
"""

from __future__ import annotations

import logging
from pathlib import Path

from knowledge.loader import KnowledgeBase, KnowledgeError, load_knowledge
from knowledge.matcher import Matcher

log = logging.getLogger(__name__)


class KnowledgeService:
    def __init__(
        self,
        directory: Path | None = None,
        locality_file: Path | None = None,
        *,
        cache_dir: Path | None = None,
    ) -> None:
        self.directory = directory
        self.locality_file = locality_file
        self.cache_dir = cache_dir
        self.kb: KnowledgeBase = load_knowledge(directory, locality_file, cache_dir=cache_dir)
        self.matcher: Matcher = Matcher(self.kb, cache_dir=cache_dir)

    def reload(self) -> tuple[bool, list[str]]:
        """Load again from disk; on any problem keep the current base and return why."""
        try:
            kb = load_knowledge(self.directory, self.locality_file, cache_dir=self.cache_dir)
            matcher = Matcher(kb, cache_dir=self.cache_dir)
        except KnowledgeError as exc:
            log.warning("knowledge reload failed, keeping the old base: %s", exc.problems)
            return False, exc.problems
        self.kb, self.matcher = kb, matcher
        log.info("knowledge reloaded: %d topics", len(kb.topics))
        return True, []
