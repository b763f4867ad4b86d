"""Load and validate a knowledge base directory, all or nothing.

A half-loaded knowledge base would answer some questions and silently miss
others, so any error in any file fails the whole load with every problem
listed as `file: field.path: reason`.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

import yaml
from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from knowledge.parse_cache import ParseCache
from knowledge.schema import Guide, Locality, Procedure, Service, Topic
from knowledge.walkthrough_schema import check_links

if TYPE_CHECKING:
    from knowledge.overlay import Overlay
    from knowledge.vocabulary import Vocabulary

BUNDLED_DIR = Path(__file__).resolve().parent / "data"
LOCALITY_FILE = "locality.yaml"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~10x faster
# Topic is an Annotated discriminated union: a form mypy cannot read as a type
_topic_adapter: TypeAdapter[Procedure | Guide | Service] = TypeAdapter(
    cast("type[Procedure | Guide | Service]", Topic)
)


class KnowledgeError(Exception):
    """The knowledge base cannot be used; `problems` lists each reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _bundled_vocabulary() -> Vocabulary:
    from knowledge.vocabulary import bundled_vocabulary  # it imports this module's helpers

    return bundled_vocabulary()


@dataclass(frozen=True)
class KnowledgeBase:
    """An immutable, validated knowledge base: topics by id, the locality, the matcher's vocabulary."""

    topics: dict[str, Procedure | Guide | Service]
    locality: Locality
    directory: Path
    loaded_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    vocabulary: Vocabulary = field(default_factory=_bundled_vocabulary)
    # from the staff overlay (knowledge/overlay.py): messages staff marked out of scope, and the
    # overlay itself (None: the base alone)
    extra_out_of_scope: tuple[str, ...] = ()
    overlay: Overlay | None = None

    def get(self, topic_id: str) -> Procedure | Guide | Service | None:
        return self.topics.get(topic_id)

    @property
    def procedures(self) -> list[Procedure]:
        return [t for t in self.topics.values() if isinstance(t, Procedure)]

    @property
    def guides(self) -> list[Guide]:
        return [t for t in self.topics.values() if isinstance(t, Guide)]

    def stale(self, max_age_days: int, today: dt.date | None = None) -> list[str]:
        """Topic ids whose source was last checked more than max_age_days ago."""
        today = today or dt.date.today()
        limit = today - dt.timedelta(days=max_age_days)
        return sorted(t.id for t in self.topics.values() if t.source.checked < limit)


def _format_error(path: Path, err: ValidationError) -> list[str]:
    return format_errors(path, err.errors())


def format_errors(path: Path, errors: Sequence[ErrorDetails]) -> list[str]:
    """`file: field.path: reason` lines for pydantic's errors (the staff overlay shifts their places)."""
    lines = []
    for e in errors:
        loc = [str(p) for p in e["loc"]]
        # drop the discriminator tag pydantic inserts for tagged unions
        if loc and loc[0] in ("procedure", "guide", "service"):
            loc = loc[1:]
        dotted = ""
        for part in loc:
            dotted += f"[{part}]" if part.isdigit() else (f".{part}" if dotted else part)
        msg = e["msg"]
        if e["type"] in ("int_parsing", "int_type", "float_parsing"):
            msg = "not a number"
        elif e["type"] == "missing":
            msg = "required field is missing"
        elif e["type"] == "extra_forbidden":
            msg = "unknown field (check its spelling)"
        elif e["type"] in ("union_tag_invalid", "union_tag_not_found"):
            dotted, msg = "kind", "must be one of procedure, guide, service"
        lines.append(f"{path}: {dotted or '(file)'}: {msg}")
    return lines


def _read_yaml(path: Path) -> tuple[object, list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [f"{path}: cannot read file: {exc}"]
    try:
        return yaml.load(text, Loader=_YAML_LOADER), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [f"{path}: not valid YAML{where}: {problem}"]


def load_locality(path: Path) -> Locality:
    data, problems = _read_yaml(path)
    if problems:
        raise KnowledgeError(problems)
    if not isinstance(data, dict):
        raise KnowledgeError([f"{path}: (file): expected a mapping of fields"])
    try:
        return Locality.model_validate(data)
    except ValidationError as exc:
        raise KnowledgeError(_format_error(path, exc)) from None


def load_knowledge(
    directory: Path | None = None, locality_file: Path | None = None, *, cache_dir: Path | None = None
) -> KnowledgeBase:
    """Load every topic file of `directory`; raise KnowledgeError listing all problems.

    With `cache_dir`, parsed files are cached there (see parse_cache): unchanged
    files are not parsed again, and files unchanged since they validated (same
    stamp, same schema) are taken from the validated snapshot.
    """
    directory = Path(directory or BUNDLED_DIR)
    if not directory.is_dir():
        raise KnowledgeError([f"{directory}: not a readable directory"])
    problems: list[str] = []
    topics: dict[str, Procedure | Guide | Service] = {}
    files = sorted(p for p in directory.glob("*.yaml") if p.name != LOCALITY_FILE)
    if not files:
        problems.append(f"{directory}: no topic files (*.yaml) found")
    cache = ParseCache(cache_dir, directory) if cache_dir is not None else None
    validated: dict[str, tuple[list[int] | None, Procedure | Guide | Service]] = {}
    for path in files:
        known = cache.snapshot.get(path) if cache is not None else None
        if known is not None and known[1].id == path.stem:  # unchanged since it validated
            topics[path.stem] = known[1]
            validated[path.name] = known
            continue
        cached = cache.get(path) if cache is not None else None
        data: object = None
        try:
            if cached is not None:
                topic = _topic_adapter.validate_json(cached)
            else:
                data, errs = _read_yaml(path)
                if errs:
                    problems.extend(errs)
                    continue
                if not isinstance(data, dict):
                    problems.append(f"{path}: (file): expected a mapping of fields")
                    continue
                topic = _topic_adapter.validate_python(data)
        except ValidationError as exc:
            problems.extend(_format_error(path, exc))
            continue
        if topic.id != path.stem:
            problems.append(f"{path}: id: {topic.id!r} does not match the file name {path.stem!r}")
            continue
        if cache is not None and cached is None:
            cache.put(path, data)
        topics[topic.id] = topic
        if cache is not None:
            validated[path.name] = (cache.stamp(path), topic)
    if cache is not None:
        cache.save({p.name for p in files})
        if not problems:
            cache.snapshot.save(validated)
    for t in topics.values():  # a related id that names no topic would silently offer nothing
        for i, r in enumerate(t.related):
            if r == t.id or r not in topics:
                why = "a topic is not related to itself" if r == t.id else "no topic has this id"
                problems.append(f"{directory / (t.id + '.yaml')}: related[{i}]: {r!r}: {why}")
    guides = [t for t in topics.values() if isinstance(t, Guide)]
    problems.extend(f"{directory}: {p}" for p in check_links(w for g in guides for w in g.walkthroughs))
    locality_path = Path(locality_file) if locality_file else directory / LOCALITY_FILE
    locality = None
    if not locality_path.is_file():
        problems.append(f"{locality_path}: locality file not found")
    else:
        try:
            locality = load_locality(locality_path)
        except KnowledgeError as exc:
            problems.extend(exc.problems)
    from knowledge.vocabulary import load_vocabulary  # it imports this module's helpers

    vocabulary: Vocabulary | None = None
    try:
        vocabulary = load_vocabulary(directory)
    except KnowledgeError as exc:
        problems.extend(exc.problems)
    if problems or locality is None or vocabulary is None:
        raise KnowledgeError(problems)
    return KnowledgeBase(topics=topics, locality=locality, directory=directory, vocabulary=vocabulary)


if __name__ == "__main__":  # quick validation while editing: python -m knowledge.loader [DIR]
    try:
        kb = load_knowledge(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    except KnowledgeError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        sys.exit(1)
    print(f"ok: {len(kb.topics)} topics")
