"""Actions whose buttons one feature shows and another feature answers.

A feature's private buttons are declared in its own module; the ones that
cross features (the menu button under every answer, the rating row, "gặp cán
bộ", "hướng dẫn nộp trực tuyến") live here, so a feature can show them
without importing the feature that handles them (and without the import
cycles that would make). The owning feature registers the handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from handlers.actions import Action

MenuItemName = Literal["home", "ask", "guides", "complaint", "contact", "subscribe"]
# t: a topic's card; a: a direct answer about an aspect ("<topic>.<aspect>");
# f: an FAQ entry ("<topic>.<faq id>"); h: a conversation with an officer
RatingKind = Literal["t", "a", "f", "h"]
Section = Literal["docs", "fees", "online", "legal", "tips", "more"]


@dataclass(frozen=True)
class MenuItem(Action, prefix="m"):
    """A main-menu entry (handled by handlers/menu.py)."""

    item: MenuItemName


@dataclass(frozen=True)
class ShowTopic(Action, prefix="t"):
    """A topic's card (handlers/answers.py)."""

    topic: str


@dataclass(frozen=True)
class ShowSection(Action, prefix="d"):
    """One section of a procedure: documents, fees… (handlers/answers.py)."""

    topic: str
    section: Section


@dataclass(frozen=True)
class ShowGroup(Action, prefix="gr"):
    """The procedures of one group, by the group's index in the base (handlers/answers.py)."""

    index: int


@dataclass(frozen=True)
class Rate(Action, prefix="r"):
    """«Có ích» / «Chưa có ích» under an answer or after a handoff (handlers/ratings.py)."""

    kind: RatingKind
    target: str
    useful: bool


@dataclass(frozen=True)
class StartHandoff(Action, prefix="ho:start"):
    """Ask for an officer (handlers/handoff.py)."""


@dataclass(frozen=True)
class SubmitGuide(Action, prefix="g:submit"):
    """The tailored «nộp trực tuyến» walkthrough of one procedure (handlers/guide.py)."""

    topic: str


@dataclass(frozen=True)
class CallbackDone(Action, prefix="g:cbd"):
    """Staff mark a call-back request as done (handlers/guide.py)."""

    request: int
