"""Knowledge base: catalogue coverage, validation messages, reload, CLI views."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from knowledge.loader import KnowledgeError, load_knowledge
from knowledge.schema import Procedure
from knowledge.service import KnowledgeService
from tests.conftest import FIXTURE_KB
from tests.test_cli import motcua

# A copy of the product's topic catalogue (shared/catalog/topics.tsv), so coverage is
# checked wherever the repository is; the drift test below compares it with the original.
CATALOG = Path(__file__).resolve().parent / "data" / "catalog_topics.tsv"
SHARED_CATALOG = Path(__file__).resolve().parents[2] / "shared" / "catalog" / "topics.tsv"


def catalogue() -> list[dict[str, str]]:
    with CATALOG.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_catalogue_copy_matches_the_shared_one() -> None:
    if not SHARED_CATALOG.exists():
        pytest.skip("shared/ is not beside this checkout")
    ids = lambda path: [r["id"] for r in csv.DictReader(path.open(encoding="utf-8"), delimiter="\t")]  # noqa: E731
    assert set(ids(SHARED_CATALOG)) <= set(ids(CATALOG)), "update tests/data/catalog_topics.tsv from shared/"


def test_every_catalogue_topic_is_in_the_bundled_base() -> None:
    kb = load_knowledge()
    rows = catalogue()
    missing = [r["id"] for r in rows if r["id"] not in kb.topics]
    assert not missing, f"catalogue topics without a file: {missing}"
    for row in rows:
        assert kb.topics[row["id"]].kind == row["kind"], row["id"]


def test_bundled_procedures_are_complete_and_current() -> None:
    kb = load_knowledge()
    for p in kb.procedures:
        assert len(p.examples) >= 5 and p.documents and p.legal_basis, p.id
        assert p.source.checked.year >= 2025, p.id
        text = json.dumps(p.model_dump(mode="json"), ensure_ascii=False).lower()
        # the district level was abolished on 1 July 2025
        for gone in ("ubnd huyện", "ubnd cấp huyện", "công an huyện"):
            assert gone not in text or "không còn" in text or "trước" in text, (p.id, gone)
    assert kb.locality.example is True


def test_schema_round_trip(tmp_path: Path) -> None:
    kb = load_knowledge(FIXTURE_KB)
    out = tmp_path / "kb"
    out.mkdir()
    import yaml

    for topic in kb.topics.values():
        (out / f"{topic.id}.yaml").write_text(
            yaml.safe_dump(topic.model_dump(mode="json", exclude_none=True), allow_unicode=True),
            encoding="utf-8",
        )
    shutil.copy(FIXTURE_KB / "locality.yaml", out / "locality.yaml")
    again = load_knowledge(out)
    assert again.topics == kb.topics


def broken_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    directory = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, directory)
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        ("khai-sinh.yaml", "amount: 0", "amount: miễn", "khai-sinh.yaml: fees[0].amount: not a number"),
        (
            "khai-sinh.yaml",
            "processing_time: Trong ngày\n",
            "",
            "khai-sinh.yaml: processing_time: required field",
        ),
        ("khai-sinh.yaml", "summary:", "sumary:", "khai-sinh.yaml: sumary: unknown field"),
        ("khai-sinh.yaml", "level: full", "level: maybe", "khai-sinh.yaml: online.level:"),
        ("khai-sinh.yaml", "id: khai-sinh", "id: khai-sinh-2", "does not match the file name"),
        ("khai-sinh.yaml", "group: Hộ tịch", "group: [Hộ tịch", "khai-sinh.yaml: not valid YAML (line"),
        ("khai-sinh.yaml", "checked: 2026-11-01", "checked: hôm qua", "khai-sinh.yaml: source.checked:"),
        ("tam-tru.yaml", "kind: procedure", "kind: recipe", "tam-tru.yaml: kind:"),
        ("locality.yaml", "hotline:", "hotlines:", "locality.yaml: hotlines: unknown field"),
    ],
)
def test_broken_files_name_file_field_and_reason(
    tmp_path: Path, name: str, old: str, new: str, expected: str
) -> None:
    directory = broken_copy(tmp_path, name, old, new)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(directory)
    assert any(expected in problem for problem in info.value.problems), info.value.problems


def test_too_few_examples_is_reported(tmp_path: Path) -> None:
    directory = broken_copy(tmp_path, "tam-tru.yaml", "  - tạm trú mất bao lâu\n", "")
    directory = directory  # four examples left
    path = directory / "tam-tru.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("  - tạm trú có mất phí không\n", ""), encoding="utf-8"
    )
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(directory)
    assert any("tam-tru.yaml: examples: " in p and "at least 5" in p for p in info.value.problems)


def test_reload_keeps_the_old_base_on_error(tmp_path: Path) -> None:
    directory = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, directory)
    service = KnowledgeService(directory)
    before = service.kb
    (directory / "khai-sinh.yaml").write_text("id: [broken", encoding="utf-8")
    ok, problems = service.reload()
    assert not ok and problems and "khai-sinh.yaml" in problems[0]
    assert service.kb is before and "khai-sinh" in service.kb.topics
    (directory / "khai-sinh.yaml").unlink()
    ok, _ = service.reload()
    assert ok and "khai-sinh" not in service.kb.topics
    assert (
        service.matcher.match("khai sinh").best is None
        or service.matcher.match("khai sinh").best.topic_id != "khai-sinh"
    )


def test_stale_topics_are_flagged() -> None:
    kb = load_knowledge(FIXTURE_KB)
    assert kb.stale(365, today=__import__("datetime").date(2026, 11, 28)) == ["tam-tru"]


def test_kb_cli_check_list_show_export(tmp_path: Path) -> None:
    env = {"MOTCUA_DATA_DIR": str(tmp_path), "MOTCUA_KNOWLEDGE_DIR": str(FIXTURE_KB)}
    check = motcua("kb", "check", "--max-age-days", "365", env=env)
    assert check.returncode == 0 and "ok: 3 topics" in check.stdout
    assert "warning: tam-tru" in check.stdout
    broken = broken_copy(tmp_path, "khai-sinh.yaml", "amount: 0", "amount: x")
    bad = motcua("kb", "check", str(broken), env=env)
    assert bad.returncode == 1 and "fees[0].amount: not a number" in bad.stderr
    listed = motcua("kb", "list", env=env)
    assert "khai-sinh\tprocedure\tHộ tịch\tĐăng ký khai sinh" in listed.stdout
    shown = motcua("kb", "show", "khai-sinh", env=env)
    assert "Giấy chứng sinh" in shown.stdout and "Luật Hộ tịch 2014" in shown.stdout
    assert motcua("kb", "show", "nope", env=env).returncode == 2
    exported = json.loads(motcua("kb", "export", "--json", env=env).stdout)
    assert {t["id"] for t in exported["topics"]} == {"khai-sinh", "tam-tru", "lien-he"}
    assert exported["topics"][0]["documents"] if exported["topics"][0]["kind"] == "procedure" else True


def test_fixture_topics_are_procedures() -> None:
    kb = load_knowledge(FIXTURE_KB)
    assert isinstance(kb.get("khai-sinh"), Procedure)


def _fold_words(text: str) -> frozenset[str]:
    import unicodedata

    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return frozenset(text.replace(",", " ").split())


def test_no_keyword_alias_or_example_belongs_to_two_topics() -> None:
    """A phrase listed under two topics makes the matcher guess between them."""
    kb = load_knowledge()
    owners: dict[tuple[str, frozenset[str]], set[str]] = {}
    for topic in kb.topics.values():
        for phrase in [*topic.keywords, *topic.aliases]:
            owners.setdefault(("phrase", _fold_words(phrase)), set()).add(topic.id)
        for example in topic.examples:
            owners.setdefault(("example", _fold_words(example)), set()).add(topic.id)
    shared = {" ".join(sorted(words)): sorted(ids) for (_, words), ids in owners.items() if len(ids) > 1}
    assert not shared, f"phrases shared by several topics: {shared}"


def test_parse_cache_skips_parsing_but_never_validation(tmp_path: Path) -> None:
    directory = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, directory)
    cache = tmp_path / "cache"
    first = load_knowledge(directory, cache_dir=cache)
    assert list(cache.glob("kb-parse-*.json"))
    again = load_knowledge(directory, cache_dir=cache)
    assert again.topics == first.topics  # dates and numbers survive the cache
    # an edited file is parsed again, and validated: the cache cannot hide an error
    path = directory / "khai-sinh.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("amount: 0", "amount: x"), encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(directory, cache_dir=cache)
    assert any("fees[0].amount: not a number" in p for p in info.value.problems)
    # a corrupt cache is ignored
    for f in cache.glob("kb-parse-*.json"):
        f.write_text("{not json", encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8").replace("amount: x", "amount: 0"), encoding="utf-8")
    assert load_knowledge(directory, cache_dir=cache).topics == first.topics
