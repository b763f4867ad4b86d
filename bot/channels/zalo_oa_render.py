"""Replies as Zalo OA `message` objects: hidden-query buttons, links, photos, the info card.

At most 5 buttons are used (`oa.query.hide`, whose press comes back as the text
`#a:<action>`); longer menus become a numbered list; text over 2000 characters
is split on paragraphs.
"""

from __future__ import annotations

from typing import Any

from bot.channels.zalo_common import clip, is_http_url
from bot.channels.zalo_oa_api import ACTION_PREFIX
from handlers import texts
from handlers.messages import Reply
from handlers.rendering import inline_documents, render_numbered, split_text

MAX_TEXT = 2000
MAX_BUTTONS = 5
MAX_BUTTON_TITLE = 100


def _query_button(label: str, action: str) -> dict[str, Any]:
    return {
        "title": clip(label, MAX_BUTTON_TITLE),
        "type": "oa.query.hide",
        "payload": ACTION_PREFIX + action,
    }


def render(replies: list[Reply], info_image_url: str = "") -> list[dict[str, Any]]:
    """The `message` objects to send for these replies, in order.

    Up to 5 buttons become oa.query.hide buttons; more become a numbered
    list whose numbers continue across the batch, matching what the
    dispatcher maps typed numbers to. Links fill the remaining button slots
    as oa.open.url, or are written out. The OA sends no JSON files: a
    document is written out as text.
    """
    replies = inline_documents(replies)
    out: list[dict[str, Any]] = []
    number = 1
    for reply in replies:
        buttons = reply.flat_buttons
        if is_http_url(reply.photo):
            out.append(
                {
                    "attachment": {
                        "type": "template",
                        "payload": {
                            "template_type": "media",
                            "elements": [{"media_type": "image", "url": reply.photo}],
                        },
                    }
                }
            )
        attached: list[dict[str, Any]] = []
        text = reply.text
        if len(buttons) <= MAX_BUTTONS:
            attached = [_query_button(b.label, b.action) for b in buttons]
            room = MAX_BUTTONS - len(attached)
            for link in reply.links[:room]:
                attached.append(
                    {
                        "title": clip(link.label, MAX_BUTTON_TITLE),
                        "type": "oa.open.url",
                        "payload": {"url": link.url},
                    }
                )
            spelled = [texts.CONSOLE_LINK.format(label=lk.label, url=lk.url) for lk in reply.links[room:]]
            if spelled:
                text = "\n".join([text, *spelled])
        else:
            text = render_numbered(reply, number)
        number += len(buttons)
        chunks = split_text(text, MAX_TEXT) if text.strip() else []
        if not chunks and attached:
            chunks = [texts.ZALO_CHOOSE]
        for i, chunk in enumerate(chunks):
            message: dict[str, Any] = {"text": chunk}
            if attached and i == len(chunks) - 1:
                message["attachment"] = {"type": "template", "payload": {"buttons": attached}}
            out.append(message)
        if reply.request_contact:
            element: dict[str, Any] = {"title": texts.ZALO_INFO_TITLE, "subtitle": texts.ZALO_INFO_SUBTITLE}
            if info_image_url:
                element["image_url"] = info_image_url
            out.append(
                {
                    "attachment": {
                        "type": "template",
                        "payload": {"template_type": "request_user_info", "elements": [element]},
                    }
                }
            )
    return out
