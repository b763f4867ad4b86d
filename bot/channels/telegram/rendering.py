"""Reply -> Bot API calls: HTML text split at Telegram's limit, inline and contact keyboards.

Pure functions over Reply data: the same rendering serves live answers and the
outbox, so a queued message looks exactly like a live one.
"""

from __future__ import annotations

import dataclasses
import html
import re
from dataclasses import dataclass
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from handlers import texts
from handlers.messages import Document, Reply
from handlers.rendering import split_text

MAX_TEXT = 4096  # sendMessage text, counted in UTF-16 code units after entity parsing
MAX_ROW = 8  # buttons per inline keyboard row
MAX_BUTTONS = 100  # buttons per inline keyboard
_URL = re.compile(r"^(https?|tg)://\S+$", re.I)


@dataclass
class OutMessage:
    """One Bot API call that renders (part of) a reply."""

    kind: str  # "text", "edit", "photo" or "document"
    text: str = ""  # plain text (the fallback after a 400)
    markup: Any = None  # InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None
    photo: str | None = None
    document: Document | None = None
    edit_message_id: int | None = None
    removes_keyboard: bool = False
    follow_markup: InlineKeyboardMarkup | None = None  # put on the message by an edit once it is sent

    @property
    def html(self) -> str:
        return html.escape(self.text, quote=False)

    def describe(self, chat_id: int | str) -> str:
        markup = self.markup.to_dict() if self.markup is not None else None
        return f"{self.kind} chat={chat_id} text={self.html[:300]!r} markup={markup}"


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji can be 2)."""
    return len(text.encode("utf-16-le")) // 2


def split_for_telegram(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split on paragraphs (then lines, words) so every part fits Telegram's limit."""
    size = limit
    while True:
        parts = split_text(text, size)
        if all(utf16_len(p) <= limit for p in parts) or size <= 64:
            return parts
        size = size * 3 // 4


def inline_keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Buttons as inline keyboard rows (at most 8 per row, 100 in all), then link buttons."""
    rows: list[list[InlineKeyboardButton]] = []
    count = 0
    for row in reply.buttons:
        for start in range(0, len(row), MAX_ROW):
            chunk = row[start : start + MAX_ROW][: MAX_BUTTONS - count]
            if chunk:
                rows.append([InlineKeyboardButton(b.label[:200], callback_data=b.action) for b in chunk])
                count += len(chunk)
    for link in reply.links:
        if count < MAX_BUTTONS and _URL.match(link.url):
            rows.append([InlineKeyboardButton(link.label[:200], url=link.url)])
            count += 1
    return InlineKeyboardMarkup(rows) if rows else None


def _unusable_links(reply: Reply) -> str:
    """Links Telegram would refuse as buttons are spelled out in the text instead."""
    bad = [link for link in reply.links if not _URL.match(link.url)]
    if not bad:
        return ""
    return "\n\n" + "\n".join(f"{link.label}: {link.url}" for link in bad)


def _documents_after_text(replies: list[Reply]) -> list[Reply]:
    """Each document as its own item right after the text of the reply that carries it."""
    out: list[Reply] = []
    for reply in replies:
        if reply.document is None:
            out.append(reply)
        else:
            out += [dataclasses.replace(reply, document=None), Reply("", document=reply.document)]
    return out


def render(
    replies: list[Reply], *, edit_message_id: int | None = None, remove_keyboard: bool = False
) -> list[OutMessage]:
    """Replies as Bot API calls: text split to fit, keyboard on the last part.

    The first reply with `edit=True` edits the pressed message when it fits in
    one message; everything else is sent as new messages. A pending contact
    keyboard is removed by the first message that carries no inline keyboard;
    when every message has one, the first is sent with the removal and gets its
    inline keyboard by an edit right after (a message carries one keyboard).
    A reply's document (sendDocument) follows its text.
    """
    out: list[OutMessage] = []
    for reply in _documents_after_text(replies):
        if reply.document is not None:
            out.append(OutMessage("document", document=reply.document))
            continue
        if reply.photo:
            out.append(OutMessage("photo", photo=reply.photo))
        body = reply.text + _unusable_links(reply)
        markup: Any = inline_keyboard(reply)
        if not body.strip():
            if markup is None and not reply.request_contact:
                continue
            body = texts.TG_CHOOSE
        parts = split_for_telegram(body)
        if reply.request_contact:
            keyboard = ReplyKeyboardMarkup(
                [[KeyboardButton(texts.TG_SHARE_PHONE, request_contact=True)]],
                one_time_keyboard=True,
                resize_keyboard=True,
            )
            out += [OutMessage("text", p) for p in parts[:-1]]
            out.append(OutMessage("text", parts[-1], keyboard))
            if markup is not None:  # one message carries one keyboard: buttons follow
                out.append(OutMessage("text", texts.TG_CHOOSE, markup))
            remove_keyboard = False
            continue
        use_edit = edit_message_id is not None and reply.edit and len(parts) == 1 and not reply.photo
        if use_edit:
            out.append(OutMessage("edit", parts[0], markup, edit_message_id=edit_message_id))
            edit_message_id = None
            continue
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            msg = OutMessage("text", part, markup if last else None)
            if remove_keyboard and msg.markup is None:
                msg.markup = ReplyKeyboardRemove()
                msg.removes_keyboard = True
                remove_keyboard = False
            out.append(msg)
    if remove_keyboard:
        for msg in out:
            if msg.kind == "text" and isinstance(msg.markup, InlineKeyboardMarkup):
                msg.follow_markup, msg.markup = msg.markup, ReplyKeyboardRemove()
                msg.removes_keyboard = True
                break
    return out


def markup_json(markup: Any) -> dict[str, Any]:
    """The reply_markup as the Bot API's JSON; inline keyboards (nearly every reply) directly.

    PTB's generic to_dict walks every attribute of every button; ours have text
    and one of callback_data or url.
    """
    if isinstance(markup, InlineKeyboardMarkup):
        rows = []
        for row in markup.inline_keyboard:
            out = []
            for b in row:
                button: dict[str, Any] = {"text": b.text}
                if b.callback_data is not None:
                    button["callback_data"] = b.callback_data
                if b.url is not None:
                    button["url"] = b.url
                if len(button) == 1 or b.api_kwargs or _other_button_fields(b):
                    button = b.to_dict()  # a kind of button we do not build ourselves
                out.append(button)
            rows.append(out)
        return {"inline_keyboard": rows}
    return markup.to_dict()


def _other_button_fields(b: InlineKeyboardButton) -> bool:
    return any(
        getattr(b, name, None) is not None
        for name in ("web_app", "login_url", "switch_inline_query", "copy_text", "pay", "callback_game")
    )
