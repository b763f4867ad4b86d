"""Per-deployment rewording of the bot's sentences, without touching code.

A commune puts a YAML file of `handlers.texts` names (`texts.yaml` in the data
directory, or MOTCUA_TEXTS_FILE) with its own wording:

    WELCOME: "Xin chào anh/chị! Đây là trợ lý của {office}. …"
    CANNOT_USE_MEDIA:
      sticker: "Cảm ơn anh/chị! Tôi chỉ đọc được tin nhắn chữ."

The file is validated as a whole before anything changes: an unknown name or
a sentence whose {placeholders} differ from the original is refused with the
name and the reason, and the sentences in use stay. Handlers read sentences
as `texts.NAME` at call time, so replacing the attributes of the package
applies everywhere at start-up and on reload (SIGHUP). Dictionaries are
updated in place, so code holding a reference to one sees the new wording;
a sentence copied into a module-level constant at import (a flow's
`cancelled=` text) keeps the original until the next restart.
"""

from __future__ import annotations

import copy
import difflib
import string
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from handlers import texts

Sentence = str | dict[str, str]


def _snapshot() -> dict[str, Sentence]:
    return {
        name: copy.copy(value)
        for name, value in vars(texts).items()
        if name.isupper() and isinstance(value, str | dict)
    }


ORIGINALS: dict[str, Sentence] = _snapshot()  # the wording in the code, as imported
_live_dicts: dict[str, dict[str, str]] = {
    n: v for n, v in vars(texts).items() if n in ORIGINALS and isinstance(v, dict)
}


class OverlayError(Exception):
    """The overlay file is not valid; `problems` says where and why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def placeholders(text: str) -> set[str]:
    """The {names} a sentence is formatted with (raises ValueError on unbalanced braces)."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def _check_sentence(where: str, original: str, new: Any, problems: list[str]) -> str | None:
    if not isinstance(new, str) or not new.strip():
        problems.append(f"{where}: must be a non-empty sentence (text)")
        return None
    try:
        got = placeholders(new)
    except ValueError as exc:
        problems.append(f"{where}: broken braces ({exc}); write {{name}} exactly as in the original")
        return None
    want = placeholders(original)
    if got != want:
        missing = ", ".join("{" + p + "}" for p in sorted(want - got)) or "none"
        extra = ", ".join("{" + p + "}" for p in sorted(got - want)) or "none"
        problems.append(
            f"{where}: placeholders must match the original ({', '.join(sorted(want)) or 'none'}); "
            f"missing: {missing}; unknown: {extra}"
        )
        return None
    return new


def load_overlay(path: Path) -> dict[str, Sentence]:
    """Read and validate an overlay file; raise OverlayError with every problem found."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise OverlayError([f"{path}: cannot read it as YAML: {exc}"]) from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise OverlayError([f"{path}: must be a mapping of sentence names (e.g. WELCOME: ...) to sentences"])
    problems: list[str] = []
    result: dict[str, Sentence] = {}
    for name, value in doc.items():
        where = f"{path}: {name}"
        original = ORIGINALS.get(str(name))
        if original is None:
            close = difflib.get_close_matches(str(name), list(ORIGINALS), n=1)
            hint = f"; did you mean {close[0]}?" if close else "; see `motcua texts export`"
            problems.append(f"{where}: not a sentence of the bot{hint}")
            continue
        if isinstance(original, str):
            checked = _check_sentence(where, original, value, problems)
            if checked is not None:
                result[str(name)] = checked
            continue
        if not isinstance(value, dict):
            problems.append(f"{where}: must be a mapping of {', '.join(sorted(original))} to sentences")
            continue
        entries: dict[str, str] = {}
        for key, text in value.items():
            if key not in original:
                problems.append(f"{where}.{key}: unknown entry; known: {', '.join(sorted(original))}")
                continue
            checked = _check_sentence(f"{where}.{key}", original[key], text, problems)
            if checked is not None:
                entries[str(key)] = checked
        result[str(name)] = entries
    if problems:
        raise OverlayError(problems)
    return result


def apply_overlay(path: Path | None) -> int:
    """Make the sentences the code's wording plus the overlay at `path` (None: none).

    Validates first: on any problem raises OverlayError and changes nothing.
    Returns how many sentences the overlay rewords.
    """
    overlay = load_overlay(path) if path is not None else {}
    count = 0
    for name, original in ORIGINALS.items():
        new = overlay.get(name)
        if isinstance(original, dict):
            live = _live_dicts[name]
            live.clear()
            live.update(original)
            if isinstance(new, dict):
                live.update(new)
                count += len(new)
            setattr(texts, name, live)
        else:
            setattr(texts, name, new if isinstance(new, str) else original)
            count += isinstance(new, str)
    return count


def export_yaml() -> str:
    """Every sentence in use, as an overlay file to start from (grouped by feature module)."""
    chunks = [
        "# The bot's sentences. Copy the ones to reword into texts.yaml in the data directory,\n"
        "# keep every {placeholder}, then restart or run `motcua kb reload`.\n"
    ]
    modules = sorted((m for m in vars(texts).values() if isinstance(m, ModuleType)), key=lambda m: m.__name__)
    for module in modules:
        names = [n for n in vars(module) if n in ORIGINALS]
        if not names:
            continue
        current = {n: getattr(texts, n) for n in names}
        title = (module.__doc__ or module.__name__).strip().splitlines()[0]
        chunks.append(f"\n# ---- {module.__name__.rsplit('.', 1)[-1]}: {title}\n")
        chunks.append(yaml.safe_dump(current, allow_unicode=True, sort_keys=False, width=100))
    return "".join(chunks)
