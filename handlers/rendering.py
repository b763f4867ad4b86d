"""Channel-neutral rendering helpers shared by the adapters.

Splitting long text and numbering buttons are the same problem on every
text-only or size-limited channel, so they live here once.
"""

from __future__ import annotations

import dataclasses

from handlers import texts
from handlers.messages import Button, Reply


def split_text(text: str, limit: int) -> list[str]:
    """Split on paragraph, then line, then word boundaries so each part fits `limit` characters."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for piece in text.split("\n\n"):
        for chunk in _fit(piece, limit):
            candidate = f"{current}\n\n{chunk}" if current else chunk
            if len(candidate) <= limit:
                current = candidate
            else:
                parts.append(current)
                current = chunk
    if current:
        parts.append(current)
    return [p for p in parts if p.strip()] or [text[:limit]]


def _fit(piece: str, limit: int) -> list[str]:
    """A paragraph longer than the limit is cut on lines, then words, then hard."""
    if len(piece) <= limit:
        return [piece]
    out: list[str] = []
    current = ""
    for unit, sep in _units(piece, limit):
        candidate = f"{current}{sep}{unit}" if current else unit
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                out.append(current)
            current = unit
    if current:
        out.append(current)
    return out


def _units(piece: str, limit: int) -> list[tuple[str, str]]:
    """(unit, separator before it) pairs: lines, and the words of lines longer than the limit.

    The first word of an over-long line keeps the line break before it; joining it with a
    space ran two lines together («• Loại: … • Nội dung: …» on one line on Zalo).
    """
    units: list[tuple[str, str]] = []
    for line in piece.split("\n"):
        if len(line) <= limit:
            units.append((line, "\n"))
            continue
        sep = "\n"
        for word in line.split(" "):
            while len(word) > limit:
                units.append((word[:limit], sep))
                word, sep = word[limit:], " "
            units.append((word, sep))
            sep = " "
    return units


def numbered_actions(replies: list[Reply]) -> list[str]:
    """The actions in the order a numbered list shows them (across all replies)."""
    return [b.action for r in replies for b in r.flat_buttons]


def render_numbered(reply: Reply, start: int = 1) -> str:
    """Text of a reply with its buttons as a numbered list and links spelled out."""
    lines = [reply.text]
    buttons: list[Button] = reply.flat_buttons
    if buttons:
        lines.append("")
        lines += [f"{start + i}. {b.label}" for i, b in enumerate(buttons)]
        lines.append(texts.CONSOLE_CHOOSE)
    for link in reply.links:
        lines.append(texts.CONSOLE_LINK.format(label=link.label, url=link.url))
    return "\n".join(lines)


def render_numbered_batch(replies: list[Reply]) -> list[str]:
    """Render a batch; numbering continues across replies to match numbered_actions."""
    out, n = [], 1
    for reply in replies:
        out.append(render_numbered(reply, n))
        n += len(reply.flat_buttons)
    return out


def inline_documents(replies: list[Reply]) -> list[Reply]:
    """For channels that cannot send files: a document's content follows its reply as text.

    Only text documents (JSON) are ever attached; what the person asked for
    still reaches them, said plainly as text, rather than silently dropped.
    """
    out: list[Reply] = []
    for reply in replies:
        if reply.document is None:
            out.append(reply)
            continue
        out.append(dataclasses.replace(reply, document=None))
        content = reply.document.content.decode("utf-8", errors="replace")
        out.append(Reply(texts.DOCUMENT_AS_TEXT.format(filename=reply.document.filename) + "\n\n" + content))
    return out
