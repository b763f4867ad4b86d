"""A reload after staff accept an improvement: the new matcher is trained outside the serving process.

Training the learned matcher in a thread of the serving process held the
interpreter lock against the event loop for the 15–25 s of a retrain
(benchmarks/kb_reload_bench.py measures it); with a cache directory the reload
now has a child process build the matcher into the cache and only reads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from knowledge import matcher_learned
from knowledge import service as service_module
from knowledge.overlay import FILE_NAME
from knowledge.service import KnowledgeService
from tests.conftest import FIXTURE_KB

# written for these tests (never from shared/eval)
NEW_QUESTION = "tôi cần giấy xác nhận đang sống ở đây"


def _refuse_training(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the learned matcher was trained in the serving process")


def test_the_new_matcher_is_trained_in_a_child_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / FILE_NAME
    service = KnowledgeService(FIXTURE_KB, cache_dir=tmp_path / "cache", overlay_file=path)
    before = service.matcher
    path.write_text(f"topics:\n  tam-tru:\n    examples: ['{NEW_QUESTION}']\n", encoding="utf-8")
    monkeypatch.setattr(matcher_learned, "train", _refuse_training)
    assert service.reload() == (True, [])
    assert service.matcher is not before and service.matcher.learned is not None
    assert service.kb.topics["tam-tru"].examples[-1] == NEW_QUESTION
    best = service.matcher.match(NEW_QUESTION).best
    assert best is not None and best.topic_id == "tam-tru"


def test_without_the_child_the_reload_still_builds_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / FILE_NAME
    service = KnowledgeService(FIXTURE_KB, cache_dir=tmp_path / "cache", overlay_file=path)
    monkeypatch.setattr(service_module, "_prebuild", _refuse_training)  # the child fails
    path.write_text(f"topics:\n  tam-tru:\n    examples: ['{NEW_QUESTION}']\n", encoding="utf-8")
    assert service.reload() == (True, [])
    assert service.kb.topics["tam-tru"].examples[-1] == NEW_QUESTION
    path.write_text("topics:\n  khong-co:\n    examples: [a]\n", encoding="utf-8")
    ok, problems = service.reload()  # the child refuses it too; the reason comes from here
    assert not ok and "khong-co" in problems[0]
    assert service.kb.topics["tam-tru"].examples[-1] == NEW_QUESTION


async def test_a_reload_on_the_event_loop_builds_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A caller on the loop's thread would wait for the child there: it keeps the old way."""
    path = tmp_path / FILE_NAME
    service = KnowledgeService(FIXTURE_KB, cache_dir=tmp_path / "cache", overlay_file=path)
    monkeypatch.setattr(service_module, "prebuild_elsewhere", _refuse_training)
    path.write_text(f"topics:\n  tam-tru:\n    examples: ['{NEW_QUESTION}']\n", encoding="utf-8")
    assert service.reload() == (True, [])
    assert service.kb.topics["tam-tru"].examples[-1] == NEW_QUESTION
