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
