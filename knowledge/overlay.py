"""The staff overlay: additions to the knowledge base that staff accepted in the console.

Unanswered questions turned into example questions, other names or FAQ
entries of a topic, and messages marked out of scope, live in one YAML file
in the data directory (never in the bundled base):

    topics:
      khai-sinh:
        examples: ["..."]
        aliases: ["..."]
        faq:
          - id: ...
            questions: ["..."]
            answer: ...
            source: {title: ..., url: ..., checked: 2026-11-20}
    out_of_scope: ["..."]

Each changed topic is the base topic with the additions appended, validated
by the same pydantic models as the bundled files (knowledge/schema.py), so an
overlay cannot hold what the base could not; any problem refuses the whole
overlay with `file: field: reason` lines, and the base in use stays.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from knowledge.loader import KnowledgeBase, KnowledgeError, _topic_adapter, format_errors
from knowledge.normalize import fold
from knowledge.out_of_scope import load_out_of_scope

FILE_NAME = "kb_overlay.yaml"
LISTS = ("examples", "aliases", "keywords")
TOPIC_FIELDS = (*LISTS, "faq")
HEADER = (
    "# Staff additions to the knowledge base, accepted in the staff console (/staff/improve).\n"
    "# Validated like the bundled topic files; `motcua kb check` checks it, `motcua kb show` shows it.\n"
)


@dataclass(frozen=True)
class Overlay:
    """What an overlay file says, parsed but not yet checked against a base."""

    topics: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    out_of_scope: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.topics and not self.out_of_scope

    def additions(self) -> int:
        return sum(len(v) for t in self.topics.values() for v in t.values()) + len(self.out_of_scope)

    def as_yaml(self) -> str:
        doc: dict[str, Any] = {}
        if self.topics:
            doc["topics"] = {tid: {k: v for k, v in t.items() if v} for tid, t in sorted(self.topics.items())}
        if self.out_of_scope:
            doc["out_of_scope"] = list(self.out_of_scope)
        body = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100) if doc else "{}\n"
        return HEADER + body


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def overlay_path(data_dir: Path) -> Path:
    return Path(data_dir) / FILE_NAME


def parse_overlay(text: str, where: Path | str) -> Overlay:
    """The overlay's structure (which topics, which lists); raises KnowledgeError on any problem."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise KnowledgeError(
            [f"{where}: not valid YAML{at}: {getattr(exc, 'problem', None) or exc}"]
        ) from None
    if doc is None:
        return Overlay()
    problems: list[str] = []
    if not isinstance(doc, dict):
        raise KnowledgeError([f"{where}: (file): expected a mapping with `topics` and/or `out_of_scope`"])
    for key in doc:
        if key not in ("topics", "out_of_scope"):
            problems.append(f"{where}: {key}: unknown field (check its spelling)")
    topics: dict[str, dict[str, list[Any]]] = {}
    raw_topics = doc.get("topics") or {}
    if not isinstance(raw_topics, dict):
        problems.append(f"{where}: topics: expected a mapping of topic id -> additions")
        raw_topics = {}
    for tid, additions in raw_topics.items():
        if not isinstance(additions, dict):
            problems.append(f"{where}: topics.{tid}: expected a mapping of {', '.join(TOPIC_FIELDS)}")
            continue
        kept: dict[str, list[Any]] = {}
        for name, values in additions.items():
            if name not in TOPIC_FIELDS:
                problems.append(
                    f"{where}: topics.{tid}.{name}: the overlay may add only {', '.join(TOPIC_FIELDS)}"
                )
            elif not isinstance(values, list):
                problems.append(f"{where}: topics.{tid}.{name}: expected a list")
            else:
                kept[str(name)] = values
        topics[str(tid)] = kept
    oos = doc.get("out_of_scope") or []
    if not isinstance(oos, list) or not all(isinstance(m, str) and m.strip() for m in oos):
        problems.append(f"{where}: out_of_scope: expected a list of non-empty messages")
        oos = []
    if problems:
        raise KnowledgeError(problems)
    return Overlay(topics=topics, out_of_scope=[m.strip() for m in oos])


def apply_overlay(kb: KnowledgeBase, overlay: Overlay, where: Path | str) -> KnowledgeBase:
    """The base with the overlay's additions, every changed topic validated as a topic file is.

    Raises KnowledgeError listing every problem; `kb` itself is never changed.
    """
    if overlay.empty:
        return kb
    problems: list[str] = []
    topics = dict(kb.topics)
    for tid, additions in overlay.topics.items():
        base = kb.get(tid)
        if base is None:
            problems.append(f"{where}: topics.{tid}: no topic has this id (see `motcua kb list`)")
            continue
        data = base.model_dump(mode="python", exclude_unset=False)
        for name, values in additions.items():
            if name in LISTS:
                known = {fold(str(x)) for x in data.get(name, [])}
                for i, value in enumerate(values):
                    if isinstance(value, str) and fold(value) in known:
                        problems.append(
                            f"{where}: topics.{tid}.{name}[{i}]: {value!r} is already in the topic"
                        )
            data[name] = [*data.get(name, []), *values]
        try:
            topics[tid] = _topic_adapter.validate_python(data)
        except ValidationError as exc:
            base_sizes = {name: len(getattr(base, name, [])) for name in additions}
            problems.extend(
                format_errors(Path(f"{where}: topics.{tid}"), [_shifted(e, base_sizes) for e in exc.errors()])
            )
    bundled = {fold(m) for kind in load_out_of_scope(kb.directory).values() for m in kind}
    seen: set[str] = set()
    for i, message in enumerate(overlay.out_of_scope):
        folded = fold(message)
        if folded in bundled or folded in seen:
            problems.append(f"{where}: out_of_scope[{i}]: {message!r} is already an out-of-scope message")
        seen.add(folded)
    if problems:
        raise KnowledgeError(problems)
    return dataclasses.replace(
        kb, topics=topics, extra_out_of_scope=tuple(overlay.out_of_scope), overlay=overlay
    )


def _shifted(error: ErrorDetails, base_sizes: dict[str, int]) -> ErrorDetails:
    """An error's place counted in the overlay's list, not in the merged one (examples[0], not [10])."""
    loc = list(error["loc"])
    for i, part in enumerate(loc[:-1]):
        if part in base_sizes and isinstance(loc[i + 1], int):
            loc[i + 1] = int(loc[i + 1]) - base_sizes[str(part)]
            break
    return {**error, "loc": tuple(loc)}


def read_overlay(path: Path) -> Overlay:
    """The overlay file at `path` (an absent file is an empty overlay)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Overlay()
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError([f"{path}: cannot read file: {exc}"]) from None
    return parse_overlay(text, path)


def with_overlay(kb: KnowledgeBase, path: Path | None) -> KnowledgeBase:
    return kb if path is None else apply_overlay(kb, read_overlay(path), path)
