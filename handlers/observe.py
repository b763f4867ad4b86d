"""Observation hooks: what conversation code reports for metrics and logs.

Handlers must not import bot/ (nor prometheus): they call these functions,
which do nothing until the process registers listeners (bot/metrics.py does,
at start-up). What is reported is deliberately coarse (a channel, a decision,
a topic id, a status) so no personal data can reach a metric label or a log
line through this path.

Per update, the dispatcher opens a `tracking()` scope; code deeper in the
call (the matcher's answer) adds facts with `note()`, and the dispatcher
reports them once, with the latency, when the update is handled.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)

Listener = Callable[..., None]
_listeners: dict[str, list[Listener]] = {}
_facts: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("motcua_facts", default=None)

# The events conversation and delivery code emit, with the keyword arguments each carries.
EVENTS = {
    "update": "channel, seconds, outcome, decision, topic, replies",
    "decision": "decision",
    "complaint": "action ('opened' or 'closed')",
    "delivery": "channel, status, seconds",
    "rate_limited": "channel",
    "db_error": "where",
}


def listen(event: str, listener: Listener) -> None:
    """Register a listener (bot/ does this once per process)."""
    if event not in EVENTS:
        raise ValueError(f"unknown observation event {event!r}")
    _listeners.setdefault(event, []).append(listener)


def clear() -> None:
    """Forget every listener (tests that install their own)."""
    _listeners.clear()


def emit(event: str, **fields: Any) -> None:
    """Tell the listeners; a failing listener is logged and never breaks a conversation."""
    for listener in _listeners.get(event, ()):
        try:
            listener(**fields)
        except Exception:
            log.exception("observation listener for %s failed", event)


@contextmanager
def tracking() -> Iterator[dict[str, Any]]:
    """The facts of the update being handled, collected by `note`."""
    facts: dict[str, Any] = {}
    token = _facts.set(facts)
    try:
        yield facts
    finally:
        _facts.reset(token)


def note(**fields: Any) -> None:
    """Add facts to the current update (ignored outside a `tracking` scope)."""
    facts = _facts.get()
    if facts is not None:
        facts.update(fields)


def decision(value: str, topic: str | None) -> None:
    """The matcher decided (answer, clarify, fallback): counted, and noted on the update."""
    note(decision=value, topic=topic)
    emit("decision", decision=value)


def complaint(action: str) -> None:
    emit("complaint", action=action)
