"""An announcement as each channel will deliver it, for the staff console's preview.

The outbox sender renders a queued message with the channel's own pure render
function; the preview calls the same functions on the same replies, so what
staff see (how the text is split, whether the photo goes) is what citizens get.
Nothing is sent: these functions only build the API bodies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.channels import zalo_bot, zalo_oa
from bot.channels.telegram import rendering as telegram
from handlers.messages import Reply


@dataclass(frozen=True)
class Bubble:
    """One message the citizen's app shows: a photo or a text."""

    kind: Literal["photo", "text"]
    text: str = ""
    photo: str | None = None


def bubbles(channel: str, replies: list[Reply]) -> list[Bubble]:
    """The messages `replies` become on `channel` (plain text on channels without a renderer)."""
    if channel == "telegram":
        return [
            Bubble("photo", photo=m.photo) if m.kind == "photo" else Bubble("text", m.text)
            for m in telegram.render(replies)
        ]
    if channel == "zalo_oa":
        out = []
        for message in zalo_oa.render(replies):
            if "text" in message:
                out.append(Bubble("text", str(message["text"])))
                continue
            for element in message.get("attachment", {}).get("payload", {}).get("elements", []):
                out.append(Bubble("photo", photo=str(element.get("url", ""))))
        return out
    if channel == "zalo_bot":
        return [
            Bubble("photo", photo=str(body["photo"]))
            if method == "sendPhoto"
            else Bubble("text", str(body["text"]))
            for method, body in zalo_bot.render(replies)
        ]
    out = []
    for reply in replies:
        if reply.photo:
            out.append(Bubble("photo", photo=reply.photo))
        out.append(Bubble("text", reply.text))
    return out
