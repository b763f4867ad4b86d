"""The curated out-of-scope messages (knowledge/data/scope/out_of_scope.yaml), validated.

They train the learned second opinion's out-of-scope class: without examples
of what the office does not do, a classifier trained only on procedures maps
"tôi buồn quá" or "số taxi" to the nearest procedure. The file lives with the
knowledge base so staff can add a kind of message the bot wrongly answered.
"""

from __future__ import annotations

from pathlib import Path

import yaml

BUNDLED_FILE = Path(__file__).resolve().parent / "data" / "scope" / "out_of_scope.yaml"
FILE_NAME = "out_of_scope.yaml"
MIN_KINDS = 15  # fewer kinds teaches the class too narrow a notion of "not ours"


class OutOfScopeError(ValueError):
    """Problems in an out-of-scope file, one `file: field: reason` line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def read_out_of_scope(path: Path) -> dict[str, list[str]]:
    """Kind -> messages of one file; raises OutOfScopeError listing every problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise OutOfScopeError([f"{path}: (file): {exc}"]) from exc
    problems: list[str] = []
    if not isinstance(data, dict) or set(data) != {"kinds"} or not isinstance(data["kinds"], dict):
        raise OutOfScopeError([f"{path}: (file): expected one field `kinds`, a mapping of kind -> messages"])
    out: dict[str, list[str]] = {}
    seen: set[str] = set()
    for kind, messages in data["kinds"].items():
        if not isinstance(kind, str) or not kind.replace("_", "").isalnum():
            problems.append(f"{path}: kinds: {kind!r}: a kind is a word (letters, digits, _)")
            continue
        if not isinstance(messages, list) or not messages:
            problems.append(f"{path}: kinds.{kind}: expected a non-empty list of messages")
            continue
        kept = []
        for i, m in enumerate(messages):
            if not isinstance(m, str) or not m.strip():
                problems.append(f"{path}: kinds.{kind}[{i}]: expected a non-empty text")
            elif m.strip().lower() in seen:
                problems.append(f"{path}: kinds.{kind}[{i}]: duplicate message {m!r}")
            else:
                seen.add(m.strip().lower())
                kept.append(m.strip())
        out[kind] = kept
    if problems:
        raise OutOfScopeError(problems)
    return out


def load_out_of_scope(directory: Path | None = None) -> dict[str, list[str]]:
    """The bundled messages plus those of `directory`/scope/out_of_scope.yaml (a deployment's), by kind."""
    kinds = read_out_of_scope(BUNDLED_FILE)
    if len(kinds) < MIN_KINDS:
        raise OutOfScopeError([f"{BUNDLED_FILE}: kinds: {len(kinds)} kinds, at least {MIN_KINDS} expected"])
    extra = Path(directory) / "scope" / FILE_NAME if directory is not None else None
    if extra is not None and extra.is_file() and extra.resolve() != BUNDLED_FILE:
        for kind, messages in read_out_of_scope(extra).items():
            kinds.setdefault(kind, []).extend(m for m in messages if m not in kinds.get(kind, []))
    return kinds


__all__ = ["MIN_KINDS", "OutOfScopeError", "load_out_of_scope", "read_out_of_scope"]
