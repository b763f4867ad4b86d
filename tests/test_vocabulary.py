"""Matcher vocabulary files: validation messages, and a deployment extending the bundled tables."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge.intents import detect_intent
from knowledge.loader import KnowledgeError, load_knowledge
from knowledge.matcher import Matcher
from knowledge.vocabulary import BUNDLED_VOCABULARY_DIR, FILES, bundled_vocabulary, load_vocabulary
from tests.conftest import FIXTURE_KB
from tests.test_cli import motcua


def deployment(tmp_path: Path, files: dict[str, str]) -> Path:
    """A copy of the fixture knowledge base with its own vocabulary/ folder."""
    kb_dir = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, kb_dir)
    (kb_dir / "vocabulary").mkdir()
    for name, text in files.items():
        (kb_dir / "vocabulary" / name).write_text(text, encoding="utf-8")
    return kb_dir


def problems_of(kb_dir: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as exc:
        load_knowledge(kb_dir)
    return exc.value.problems


def test_bundled_vocabulary_has_every_table() -> None:
    vocabulary = bundled_vocabulary()
    assert sorted(p.name for p in BUNDLED_VOCABULARY_DIR.glob("*.yaml")) == sorted(FILES)
    assert vocabulary.stopwords and vocabulary.english_stopwords and vocabulary.synonyms
    assert vocabulary.out_of_domain and vocabulary.noise_phrases and vocabulary.intent_fillers
    assert {intent for intent, _ in vocabulary.intent_phrases} >= {"greeting", "thanks", "yes", "no"}
    assert vocabulary.sources == (BUNDLED_VOCABULARY_DIR,)


def test_the_bundled_directory_is_not_read_twice() -> None:
    assert load_knowledge().vocabulary is bundled_vocabulary()
    assert load_knowledge(FIXTURE_KB).vocabulary is bundled_vocabulary()  # no vocabulary/ folder


@pytest.mark.parametrize(
    ("name", "text", "field", "reason"),
    [
        ("synonyms.yaml", "synonym:\n  homestay: tam tru\n", "synonym", "unknown field"),
        ("synonyms.yaml", "synonyms:\n  homestay: 12\n", "synonyms.homestay", "expected text"),
        ("synonyms.yaml", "synonyms:\n  homestay: '?!'\n", "synonyms.homestay", "has no words"),
        ("stopwords.yaml", "chat: [nhé]\n", "chat[0]", "without diacritics"),
        ("stopwords.yaml", "english: [on]\n", "english[0]", "quote words"),
        ("noise_phrases.yaml", "phrases: ['cho  em hoi']\n", "phrases[0]", "single spaces"),
        ("out_of_domain.yaml", "words: thoi_tiet\n", "words", "valid list"),
        ("intents.yaml", "phrases:\n  greting: [kinh chao]\n", "phrases.greting", "unknown field"),
        ("intents.yaml", "phrases:\n  no: [khong nhe]\n", "phrases", "key False is not text"),
    ],
)
def test_a_broken_vocabulary_file_names_file_field_and_reason(
    tmp_path: Path, name: str, text: str, field: str, reason: str
) -> None:
    kb_dir = deployment(tmp_path, {name: text})
    problems = problems_of(kb_dir)
    path = kb_dir / "vocabulary" / name
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}: {field}: "), problems
    assert reason in problems[0]


def test_broken_yaml_and_unknown_files_are_reported_together(tmp_path: Path) -> None:
    kb_dir = deployment(tmp_path, {"synonyms.yaml": "synonyms: [\n", "synonym.yaml": "synonyms: {}\n"})
    problems = problems_of(kb_dir)
    assert any(p.startswith(f"{kb_dir / 'vocabulary' / 'synonyms.yaml'}: not valid YAML") for p in problems)
    assert any("synonym.yaml: (file): unknown vocabulary file" in p for p in problems)


def test_a_deployment_may_not_redefine_a_bundled_entry(tmp_path: Path) -> None:
    kb_dir = deployment(
        tmp_path,
        {"synonyms.yaml": "synonyms:\n  passport: visa\n", "intents.yaml": "phrases:\n  menu: [cam on]\n"},
    )
    problems = problems_of(kb_dir)
    assert any("synonyms.yaml: synonyms.passport: already means 'ho chieu'" in p for p in problems)
    assert any("intents.yaml: phrases.menu[0]: 'cam on' is already a 'thanks' phrase" in p for p in problems)


def test_a_deployment_synonym_makes_a_question_match(tmp_path: Path) -> None:
    question = "khai homestay ở đâu"
    before = Matcher(load_knowledge(FIXTURE_KB)).match(question)
    assert before.decision != "answer"
    kb_dir = deployment(tmp_path, {"synonyms.yaml": "synonyms:\n  homestay: đăng ký tạm trú\n"})
    kb = load_knowledge(kb_dir)
    result = Matcher(kb).match(question)
    assert result.decision == "answer" and result.best is not None and result.best.topic_id == "tam-tru"
    # extended, not replaced: a bundled synonym still works beside the new one
    assert dict(kb.vocabulary.synonyms)["passport"] == "ho chieu"
    assert kb.vocabulary.sources == (BUNDLED_VOCABULARY_DIR, kb_dir / "vocabulary")


def test_deployment_words_and_intents_extend_the_bundled_ones(tmp_path: Path) -> None:
    kb_dir = deployment(
        tmp_path,
        {
            "stopwords.yaml": "chat: [bac]\n",
            "intents.yaml": "fillers: [bac]\nphrases:\n  greeting: [kính chào]\n",
        },
    )
    vocabulary = load_vocabulary(kb_dir)
    assert len(vocabulary.stopwords) == len(bundled_vocabulary().stopwords) + 1
    matcher = Matcher(load_knowledge(kb_dir))
    assert matcher.detect_intent("kính chào bác") == "greeting"
    assert matcher.detect_intent("cảm ơn") == "thanks"  # bundled phrases stay
    assert detect_intent("kính chào bác") is None  # the bundled vocabulary alone does not know it


def test_kb_check_validates_the_vocabulary(tmp_path: Path) -> None:
    good = deployment(tmp_path / "good", {"synonyms.yaml": "synonyms:\n  homestay: tam tru\n"})
    env = {"MOTCUA_DATA_DIR": str(tmp_path)}
    check = motcua("kb", "check", str(good), env=env)
    assert check.returncode == 0, check.stderr
    assert f"ok: vocabulary in {good / 'vocabulary'} extends the bundled one" in check.stdout
    bad = deployment(tmp_path / "bad", {"stopwords.yaml": "chat: [nhé]\n"})
    check = motcua("kb", "check", str(bad), env=env)
    assert check.returncode == 1
    assert f"{bad / 'vocabulary' / 'stopwords.yaml'}: chat[0]: expected one lower-case word" in check.stderr
