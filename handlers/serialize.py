"""Replies to and from JSON, for the outbox: a queued message is rendered later
by the same channel adapter that renders live replies."""

from __future__ import annotations

from typing import Any

from handlers.messages import Button, LinkButton, Reply


def reply_to_dict(reply: Reply) -> dict[str, Any]:
    data: dict[str, Any] = {"text": reply.text}
    if reply.buttons:
        data["buttons"] = [[[b.label, b.action] for b in row] for row in reply.buttons]
    if reply.links:
        data["links"] = [[link.label, link.url] for link in reply.links]
    if reply.photo:
        data["photo"] = reply.photo
    return data


def reply_from_dict(data: dict[str, Any]) -> Reply:
    return Reply(
        text=data["text"],
        buttons=[[Button(label, action) for label, action in row] for row in data.get("buttons", [])],
        links=[LinkButton(label, url) for label, url in data.get("links", [])],
        photo=data.get("photo"),
    )


def replies_to_payload(replies: list[Reply]) -> list[dict[str, Any]]:
    return [reply_to_dict(r) for r in replies]


def replies_from_payload(payload: list[dict[str, Any]]) -> list[Reply]:
    return [reply_from_dict(d) for d in payload]


# A queued message may also say what a channel's approved template needs (Zalo's ZBS
# Template Message, the only way to reach someone outside the 7-day window): a purpose
# ("dossier_state", "complaint_answer") and its values, on the first reply. Renderers
# ignore it; the outbox worker reads it only when a normal send is refused.
TEMPLATE_KEY = "template"
DOSSIER_TEMPLATE = "dossier_state"  # values: code, state, procedure, due_date, note
COMPLAINT_TEMPLATE = "complaint_answer"  # values: code, answer, office


def with_template(
    payload: list[dict[str, Any]], purpose: str, values: dict[str, str]
) -> list[dict[str, Any]]:
    if not payload:
        return payload
    first = dict(payload[0])
    first[TEMPLATE_KEY] = {"purpose": purpose, "values": dict(values)}
    return [first, *payload[1:]]


def template_of(payload: list[dict[str, Any]]) -> tuple[str, dict[str, str]] | None:
    """(purpose, values) a row carries for a template send, or None."""
    if not payload or not isinstance(payload[0], dict):
        return None
    found = payload[0].get(TEMPLATE_KEY)
    if not isinstance(found, dict) or not isinstance(found.get("purpose"), str):
        return None
    values = found.get("values")
    if not isinstance(values, dict):
        return None
    return found["purpose"], {str(k): str(v) for k, v in values.items()}
