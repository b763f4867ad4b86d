"""Warm starts: validated topics, the matcher's index and the catalogue index come from the cache."""

from __future__ import annotations

import gc
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

import knowledge.loader as loader
import knowledge.parse_cache as parse_cache
from knowledge.loader import KnowledgeError, load_knowledge
from knowledge.matcher import Matcher
from knowledge.matcher_index import TopicIndex, cached_index, index_digest
from knowledge.matcher_learned import DIM, LearnedModel
from knowledge.not_covered import not_covered_index
from knowledge.pickle_cache import load_or_build, read_pickle, write_pickle
from knowledge.schema import Source
from tests.conftest import FIXTURE_KB


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, directory)
    return directory


def _no_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> object:
        raise AssertionError("validated again")

    monkeypatch.setattr(loader._topic_adapter, "validate_json", fail)
    monkeypatch.setattr(loader._topic_adapter, "validate_python", fail)


def test_unchanged_files_come_from_the_validated_snapshot(
    kb_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first = load_knowledge(kb_dir, cache_dir=cache)
    assert list(cache.glob("kb-validated-*.pickle"))
    with monkeypatch.context() as m:
        _no_validation(m)
        assert load_knowledge(kb_dir, cache_dir=cache).topics == first.topics


def test_an_edited_file_is_validated_again(kb_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_knowledge(kb_dir, cache_dir=cache)
    path = kb_dir / "khai-sinh.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("amount: 0", "amount: x"), encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(kb_dir, cache_dir=cache)
    assert any("fees[0].amount: not a number" in p for p in info.value.problems)


def test_a_schema_change_or_a_corrupt_snapshot_means_validating(
    kb_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first = load_knowledge(kb_dir, cache_dir=cache)
    calls: list[int] = []
    real = loader._topic_adapter.validate_json

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(loader._topic_adapter, "validate_json", counting)
    monkeypatch.setattr(parse_cache, "_schema_hash", lambda: "another schema")
    assert load_knowledge(kb_dir, cache_dir=cache).topics == first.topics
    assert len(calls) == len(first.topics)
    for f in cache.glob("kb-validated-*.pickle"):
        f.write_bytes(b"not a pickle")
    calls.clear()
    assert load_knowledge(kb_dir, cache_dir=cache).topics == first.topics
    assert len(calls) == len(first.topics)


def test_matcher_index_is_cached_by_its_texts(kb_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    kb = load_knowledge(kb_dir)
    built = cached_index(kb, cache)
    assert [p.name for p in cache.glob("matcher-index-*.pickle")] == [
        f"matcher-index-{index_digest(kb)}.pickle"
    ]
    again = cached_index(kb, cache)
    assert again is not built and again.ids == built.ids and again.uni == built.uni
    assert np.array_equal(again.row_val, built.row_val)
    fresh = Matcher(kb, learned=False).lexical("khai sinh cho con")
    assert Matcher(kb, learned=False, cache_dir=cache).lexical("khai sinh cho con") == fresh
    path = kb_dir / "khai-sinh.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name:", "name: Mới", 1), encoding="utf-8")
    assert index_digest(load_knowledge(kb_dir)) != index_digest(kb)
    assert isinstance(cached_index(load_knowledge(kb_dir), cache), TopicIndex)
    assert len(list(cache.glob("matcher-index-*.pickle"))) == 1  # the old one is removed


def test_catalogue_index_is_cached(kb_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    kb = load_knowledge(kb_dir)
    first = not_covered_index(kb, cache)
    assert list(cache.glob("not-covered-*.pickle"))
    again = not_covered_index(kb, cache)
    assert [e.code for e in again.entries] == [e.code for e in first.entries]
    assert again.best("dang ky tau ca")[0] == first.best("dang ky tau ca")[0]


def test_pruned_features_do_not_count_for_naive_bayes() -> None:
    """A feature naive Bayes prunes (too common) leaves every topic's score unchanged."""
    start = np.zeros(DIM + 1, dtype=np.int64)
    model = LearnedModel(
        ids=["a", "b"],
        scope_w=np.zeros(DIM, dtype=np.float32),
        scope_b=0.0,
        nb_prior=np.zeros(2, dtype=np.float32),
        nb_default=np.asarray([-1.0, -5.0], dtype=np.float32),
        nb_start=start,
        nb_topic=np.zeros(0, dtype=np.int32),
        nb_delta=np.zeros(0, dtype=np.float32),
    )
    _, post = model.predict("khai sinh")
    assert post[0] > 0.99  # the default of unseen features decides
    model.nb_pruned = np.ones(DIM, dtype=bool)
    _, post = model.predict("khai sinh")
    assert np.allclose(post, [0.5, 0.5])  # every feature pruned: no evidence either way
    assert model.position == {"a": 0, "b": 1}


def test_the_snapshot_stores_each_distinct_source_once(kb_dir: Path, tmp_path: Path) -> None:
    """Fees and FAQ entries repeat their topic's source: a warm start reads one object per value."""
    cache = tmp_path / "cache"
    cold = load_knowledge(kb_dir, cache_dir=cache)
    topic = next(t for t in cold.topics.values() if getattr(t, "faq", None))
    assert topic.faq[0].source == topic.source and topic.faq[0].source is not topic.source
    warm = load_knowledge(kb_dir, cache_dir=cache)
    again = warm.topics[topic.id]
    assert again == topic
    assert again.faq[0].source is again.source  # one object for the equal values
    sources = {id(s) for t in warm.topics.values() for s in _sources(t)}
    assert len(sources) == len({s.model_dump_json() for t in warm.topics.values() for s in _sources(t)})


def _sources(topic: object) -> list[Source]:
    found = [topic.source]  # type: ignore[attr-defined]
    found += [f.source for f in getattr(topic, "fees", []) if f.source is not None]
    found += [e.source for e in getattr(topic, "faq", [])]
    return found


_COLLECTOR_SEEN: list[bool] = []


class _Probe:
    """Records whether the collector runs while it is unpickled."""

    def __setstate__(self, state: object) -> None:
        _COLLECTOR_SEEN.append(gc.isenabled())


def test_reading_a_cache_pauses_the_collector_and_restores_it(tmp_path: Path) -> None:
    path = tmp_path / "x.pickle"
    probe = _Probe()
    probe.__dict__["x"] = 1  # a state to restore, so __setstate__ is called
    write_pickle(path, [probe])
    _COLLECTOR_SEEN.clear()
    assert gc.isenabled()
    read_pickle(path)
    assert _COLLECTOR_SEEN == [False] and gc.isenabled()


def test_a_pickle_of_another_format_is_rebuilt(tmp_path: Path) -> None:
    (tmp_path / "thing-abc.pickle").write_bytes(pickle.dumps({"old": "format"}))
    built = load_or_build(tmp_path, "thing", "abc", lambda: {"new": 1}, lambda c: isinstance(c, dict))
    assert built == {"new": 1}
    assert read_pickle(tmp_path / "thing-abc.pickle") == {"new": 1}


def test_what_a_cache_read_counts_as_old_objects(tmp_path: Path) -> None:
    """Read objects go to the collector's oldest generation: no young passes over a whole base."""
    path = tmp_path / "x.pickle"
    write_pickle(path, [[i] for i in range(3000)])
    loaded = read_pickle(path)
    assert isinstance(loaded, list)
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(item) in oldest for item in loaded)
    assert not gc.get_freeze_count()  # nothing stays frozen
