"""The matcher's vocabulary tables, read from YAML so a deployment can extend them.

Stopwords, synonyms, out-of-domain words, chat noise phrases and small-talk
intent phrases are language data, not code: the bundled tables live in
`knowledge/data/vocabulary/*.yaml` (one file per table kind), and a deployment
whose knowledge directory has a `vocabulary/` folder of the same files adds its
entries to them. Extending, never replacing, keeps the tuning the bundled
tables were calibrated with; an entry that would silently change the meaning
of a bundled one (a synonym or intent phrase mapped elsewhere) is refused.

Files are validated like topic files, all or nothing, with every problem
reported as `file: field: reason`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from knowledge.normalize import fold

BUNDLED_VOCABULARY_DIR = Path(__file__).resolve().parent / "data" / "vocabulary"
VOCABULARY_FOLDER = "vocabulary"  # inside a knowledge directory

_WORD_RE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
_PLAIN_PHRASE_RE = re.compile(r"^[a-z0-9]+(?: [a-z0-9]+)*$")
_NOT_TEXT = "expected text; quote words YAML reads as something else ('no', 'yes', 'on', 'off', numbers)"


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("vocabulary_text", _NOT_TEXT)
    return value


def _word(value: object) -> str:
    """Words are compared with already folded question tokens, so they must be written folded."""
    text = _text(value)
    if not _WORD_RE.match(text):
        raise PydanticCustomError(
            "vocabulary_word",
            "expected one lower-case word without diacritics (dang, not đăng; pairs as thoi_tiet)",
        )
    return text


def _plain_phrase(value: object) -> str:
    text = _text(value)
    if not _PLAIN_PHRASE_RE.match(text):
        raise PydanticCustomError(
            "vocabulary_phrase",
            "expected lower-case words without diacritics, separated by single spaces",
        )
    return text


def _phrase(value: object) -> str:
    """Free text, folded on use like a question; it must keep at least one word."""
    text = _text(value)
    if not fold(text):
        raise PydanticCustomError("vocabulary_empty", "has no words")
    return text


Word = Annotated[str, BeforeValidator(_word)]
PlainPhrase = Annotated[str, BeforeValidator(_plain_phrase)]
Phrase = Annotated[str, BeforeValidator(_phrase)]


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StopwordsFile(_File):
    chat: list[Word] = []
    english: list[Word] = []


class SynonymsFile(_File):
    synonyms: dict[Phrase, Phrase] = {}


class OutOfDomainFile(_File):
    words: list[Word] = []


class NoisePhrasesFile(_File):
    phrases: list[PlainPhrase] = []


class IntentPhrases(_File):
    """One field per intent the handlers act on: an unknown intent would never be answered."""

    greeting: list[Phrase] = []
    thanks: list[Phrase] = []
    menu: list[Phrase] = []
    restart: list[Phrase] = []
    goodbye: list[Phrase] = []
    human: list[Phrase] = []
    yes: list[Phrase] = []
    no: list[Phrase] = []


class IntentsFile(_File):
    fillers: list[Word] = []
    phrases: IntentPhrases = IntentPhrases()


FILES: dict[str, type[_File]] = {
    "stopwords.yaml": StopwordsFile,
    "synonyms.yaml": SynonymsFile,
    "out_of_domain.yaml": OutOfDomainFile,
    "noise_phrases.yaml": NoisePhrasesFile,
    "intents.yaml": IntentsFile,
}


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """All tables, in file order (order matters: earlier synonyms and intents win ties).

    Immutable, and hashed by identity: compiled forms are cached per vocabulary
    object without hashing every table on every lookup.
    """

    stopwords: tuple[str, ...] = ()
    english_stopwords: tuple[str, ...] = ()
    synonyms: tuple[tuple[str, str], ...] = ()
    out_of_domain: tuple[str, ...] = ()
    noise_phrases: tuple[str, ...] = ()
    intent_fillers: tuple[str, ...] = ()
    intent_phrases: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (intent, phrases), file order
    sources: tuple[Path, ...] = ()  # folders read, bundled first: `motcua kb check` says which


def _key(phrase: str) -> str:
    return " ".join(fold(phrase).split())


def _extend(base: Vocabulary, name: str, data: _File, path: Path, problems: list[str]) -> Vocabulary:
    """base plus one file's entries; conflicts with base are reported, not applied."""
    if isinstance(data, StopwordsFile):
        return _replace(
            base,
            stopwords=base.stopwords + tuple(data.chat),
            english_stopwords=base.english_stopwords + tuple(data.english),
        )
    if isinstance(data, OutOfDomainFile):
        return _replace(base, out_of_domain=base.out_of_domain + tuple(data.words))
    if isinstance(data, NoisePhrasesFile):
        return _replace(base, noise_phrases=base.noise_phrases + tuple(data.phrases))
    if isinstance(data, SynonymsFile):
        known = {_key(left): right for left, right in base.synonyms}
        added: list[tuple[str, str]] = []
        for left, right in data.synonyms.items():
            old = known.get(_key(left))
            if old is not None and _key(old) != _key(right):
                problems.append(f"{path}: synonyms.{left}: already means {old!r}; extend, do not redefine")
                continue
            added.append((left, right))
        return _replace(base, synonyms=base.synonyms + tuple(added))
    assert isinstance(data, IntentsFile), name
    owner: dict[str, str] = {}
    for intent, phrases in base.intent_phrases:
        for p in phrases:
            owner.setdefault(_key(p), intent)
    merged = {intent: list(phrases) for intent, phrases in base.intent_phrases}
    for intent, phrases in data.phrases.model_dump().items():
        for i, p in enumerate(phrases):
            other = owner.get(_key(p))
            if other is not None and other != intent:
                problems.append(f"{path}: phrases.{intent}[{i}]: {p!r} is already a {other!r} phrase")
                continue
            merged.setdefault(intent, []).append(p)
    return _replace(
        base,
        intent_fillers=base.intent_fillers + tuple(data.fillers),
        intent_phrases=tuple((intent, tuple(phrases)) for intent, phrases in merged.items() if phrases),
    )


def _replace(base: Vocabulary, **changes: Any) -> Vocabulary:
    return Vocabulary(**{**base.__dict__, **changes})


def _non_text_keys(data: object, where: str = "") -> list[str]:
    """Mapping keys YAML turned into booleans or numbers (`no:`), which pydantic reports obscurely."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(key, str):
                found.append(f'{where or "(file)"}: key {key!r} is not text; quote it ("no":)')
            else:
                found += _non_text_keys(value, f"{where}.{key}" if where else key)
    return found


def _read(path: Path, model: type[_File]) -> tuple[_File | None, list[str]]:
    from knowledge.loader import _format_error, _read_yaml  # the loader imports this module

    data, problems = _read_yaml(path)
    if problems:
        return None, problems
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, [f"{path}: (file): expected a mapping of fields"]
    bad_keys = _non_text_keys(data)
    if bad_keys:
        return None, [f"{path}: {p}" for p in bad_keys]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, _format_error(path, exc)


def _load_folder(base: Vocabulary, folder: Path, problems: list[str], *, required: bool) -> Vocabulary:
    files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml")) if folder.is_dir() else []
    for path in files:
        if path.name not in FILES:
            problems.append(f"{path}: (file): unknown vocabulary file; expected one of {', '.join(FILES)}")
    for name, model in FILES.items():
        path = folder / name
        if not path.is_file():
            if required:
                problems.append(f"{path}: vocabulary file not found")
            continue
        data, errs = _read(path, model)
        problems += errs
        if data is not None:
            base = _extend(base, name, data, path, problems)
    return base


@functools.cache
def bundled_vocabulary() -> Vocabulary:
    """The tables shipped with the package, read once per process."""
    from knowledge.loader import KnowledgeError

    problems: list[str] = []
    vocabulary = _load_folder(
        Vocabulary(sources=(BUNDLED_VOCABULARY_DIR,)), BUNDLED_VOCABULARY_DIR, problems, required=True
    )
    if problems:
        raise KnowledgeError(problems)
    return vocabulary


def load_vocabulary(knowledge_dir: Path | None = None) -> Vocabulary:
    """The bundled tables extended by `knowledge_dir/vocabulary/`; KnowledgeError lists every problem."""
    from knowledge.loader import KnowledgeError

    base = bundled_vocabulary()
    if knowledge_dir is None:
        return base
    folder = Path(knowledge_dir) / VOCABULARY_FOLDER
    if not folder.is_dir() or folder.resolve() == BUNDLED_VOCABULARY_DIR:
        return base
    problems: list[str] = []
    vocabulary = _load_folder(
        _replace(base, sources=(*base.sources, folder)), folder, problems, required=False
    )
    if problems:
        raise KnowledgeError(problems)
    return vocabulary


__all__ = ["BUNDLED_VOCABULARY_DIR", "FILES", "Vocabulary", "bundled_vocabulary", "load_vocabulary"]
