"""The channel-neutral message types every handler speaks.

Adapters translate platform updates into `Incoming` and render `Reply` lists
back; handlers never see a platform object, so the same conversation runs on
Telegram, Zalo and the console, and tests drive it without any channel.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

ChannelName = Literal["console", "telegram", "zalo_oa", "zalo_bot", "test"]
MAX_ACTION_BYTES = 64  # Telegram's callback_data limit; the tightest of all channels


_SURROGATE = re.compile("[\ud800-\udfff]")
_TEXT_FIELDS = ("channel", "platform_id", "display_name", "text", "action", "other", "message_id")


def clean_text(value: str) -> str:
    """`value` storable on every database: NUL removed, lone surrogates made U+FFFD.

    PostgreSQL refuses U+0000 in text (a name with it made every message of that user
    fail) and neither database's driver can encode a surrogate; both arrive in names and
    texts from the platforms' JSON (\\u0000, \\udc80).
    """
    if "\x00" in value:
        value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = _SURROGATE.sub("\ufffd", value)
    return value


def _clean_fields(obj: Any) -> dict[str, Any]:
    """The string fields of a frozen dataclass that `clean_text` changes, cleaned."""
    changed: dict[str, Any] = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, str):
            cleaned = clean_text(value)
            if cleaned != value:
                changed[f.name] = cleaned
    return changed


def user_key(channel: str, platform_id: str) -> str:
    """The one identity string of a user: channel plus the platform's id."""
    return f"{channel}:{platform_id}"


def log_id(key: str) -> str:
    """What log lines say instead of a channel identity (personal data): a short stable hash.

    The same person gets the same tag in every line, so a problem can be followed,
    but the log names nobody.
    """
    return "u-" + hashlib.sha256(key.encode()).hexdigest()[:10]


@dataclass(frozen=True)
class Button:
    """A button whose press comes back as `Incoming.action`."""

    label: str
    action: str

    def __post_init__(self) -> None:
        size = len(self.action.encode("utf-8"))
        if not self.action.isascii() or size > MAX_ACTION_BYTES or size == 0:
            raise ValueError(f"action must be 1-{MAX_ACTION_BYTES} ASCII bytes: {self.action!r}")


@dataclass(frozen=True)
class LinkButton:
    """A button that opens a URL (rendered as text plus link where unsupported)."""

    label: str
    url: str


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Photo:
    """A platform reference to a photo (file_id on Telegram, URL on Zalo)."""

    ref: str
    size: int | None = None


@dataclass(frozen=True)
class Contact:
    """A phone number the user chose to share (Telegram contact, Zalo user info)."""

    phone: str
    name: str | None = None


@dataclass(frozen=True)
class Incoming:
    """One thing a user did: exactly one of text, action, location, photo, contact.

    `kind` is "other" for things the bot cannot use (stickers, voice…) so the
    handlers can still answer politely instead of staying silent.
    """

    channel: str
    platform_id: str
    display_name: str | None = None
    text: str | None = None
    action: str | None = None
    location: Location | None = None
    photo: Photo | None = None
    contact: Contact | None = None
    other: str | None = None  # e.g. "sticker", "voice", "follow", "unfollow"
    message_id: str | None = None
    # The group chat's id when sent in a group: everyone there reads the answer, so nothing
    # personal may be in it (unless it is the staff's own group, MOTCUA_STAFF_CHAT).
    group: str | None = None

    def __post_init__(self) -> None:
        given = [
            x
            for x in (self.text, self.action, self.location, self.photo, self.contact, self.other)
            if x is not None
        ]
        if len(given) != 1:
            raise ValueError("Incoming needs exactly one of text, action, location, photo, contact, other")
        for name in _TEXT_FIELDS:  # a platform's JSON can hold anything; PTB does not check types
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise TypeError(f"Incoming.{name} must be text, not {type(value).__name__}")
        # The one boundary every channel crosses: whatever a platform sends, nothing past here
        # carries a character the databases cannot store.
        for name, value in _clean_fields(self).items():
            object.__setattr__(self, name, value)
        for name in ("photo", "contact"):
            value = getattr(self, name)
            if value is not None and (changed := _clean_fields(value)):
                object.__setattr__(self, name, replace(value, **changed))

    @property
    def user_key(self) -> str:
        return user_key(self.channel, self.platform_id)

    def in_public_group(self, staff_chat: str) -> bool:
        """Sent in a group other than the staff's own: answer nothing personal."""
        return self.group is not None and user_key(self.channel, self.group) != staff_chat

    def action_args(self, count: int) -> list[str]:
        """The `count` fields after the prefix of `prefix:a:b…`, "" where missing.

        Buttons from old messages or forged callbacks may carry fewer fields;
        handlers then see empty strings instead of an IndexError.
        """
        parts = (self.action or "").split(":")[1:]
        return (parts + [""] * count)[:count]


@dataclass(frozen=True)
class Document:
    """A file sent with a reply, e.g. a person's data as JSON (handlers/privacy_export.py).

    Never serialised into the outbox (handlers/serialize.py drops it): it is
    made for the person who asked, at the moment they ask.
    """

    filename: str
    content: bytes
    mime_type: str = "application/json"


@dataclass(frozen=True)
class Reply:
    """What the bot says: plain text (adapters escape it), optional buttons.

    `buttons` are rows; `links` open URLs; `request_contact` asks the platform
    for the user's phone where it can (Telegram's contact button).
    `edit` hints that this reply replaces the message whose button was pressed.
    """

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    links: list[LinkButton] = field(default_factory=list)
    request_contact: bool = False
    photo: str | None = None
    edit: bool = False
    document: Document | None = None  # sent after the text; inlined as text where files cannot go

    @property
    def flat_buttons(self) -> list[Button]:
        return [b for row in self.buttons for b in row]
