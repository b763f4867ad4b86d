"""Files citizens sent (complaint photos), fetched back through the channel they came from.

A stored photo is only a reference: a Telegram file id (usable through the
same bot's getFile, then its file URL) or the image URL a Zalo event carried.
Runners register a FileSource per channel on the App (`app.file_sources`), as
they register their senders, so the staff console can show a photo without
knowing any channel: it asks the source of the complaint's channel and gets
bytes that are known to be an image, or FileUnavailable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import aiohttp

MAX_FILE_BYTES = 20 * 1024 * 1024  # what Telegram lets bots download; Zalo photos are far smaller

# magic bytes -> content type; anything else is refused, so a staff-only route never serves
# a script or a page that merely claims to be a photo
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


class FileUnavailable(Exception):
    """The channel cannot give this file now; `lasting` when asking again will not help."""

    def __init__(self, detail: str, *, lasting: bool) -> None:
        super().__init__(detail)
        self.lasting = lasting


@dataclass(frozen=True)
class ChannelFile:
    content: bytes
    content_type: str


class FileSource(Protocol):
    """Gives back a file a user of one channel sent, by the reference stored for it."""

    channel: str

    async def fetch(self, ref: str) -> ChannelFile: ...


def image_type(content: bytes) -> str | None:
    """The image content type the bytes really are (JPEG, PNG, GIF, WebP), or None."""
    for magic, kind in _SIGNATURES:
        if content.startswith(magic):
            return kind
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def as_image(content: bytes) -> ChannelFile:
    kind = image_type(content)
    if kind is None:
        raise FileUnavailable("the file is not an image", lasting=True)
    return ChannelFile(content, kind)


def source_for(sources: dict[str, FileSource], channel: str | None, ref: str) -> FileSource | None:
    """The source for a stored photo reference, or None.

    After the retention purge a closed complaint forgets who sent it (its
    channel too) but keeps its photos a while longer; a Telegram file id still
    says where it came from. A URL without a channel is not fetched: it may be
    one an Open311 client gave (media_url), and the server must not request
    addresses an outside system chose.
    """
    if channel:
        return sources.get(channel)
    if ref.startswith(("https://", "http://")):
        return None
    return sources.get("telegram")


class UrlFiles:
    """Zalo (OA and Bot Platform): the event carried the image's URL; download it.

    Only http(s), bounded in size and time. The URL came in a signed webhook
    event from Zalo, but is still read as untrusted: the body must be an image.
    """

    def __init__(
        self, channel: str, http: Callable[[], aiohttp.ClientSession], *, timeout: float = 15.0
    ) -> None:
        self.channel = channel
        self.http = http
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def fetch(self, ref: str) -> ChannelFile:
        if not ref.startswith(("https://", "http://")):
            raise FileUnavailable("not a URL", lasting=True)
        try:
            async with self.http().get(ref, timeout=self.timeout, allow_redirects=True) as resp:
                if resp.status in (403, 404, 410):
                    raise FileUnavailable(f"HTTP {resp.status}", lasting=True)
                if resp.status != 200:
                    raise FileUnavailable(f"HTTP {resp.status}", lasting=False)
                if (resp.content_length or 0) > MAX_FILE_BYTES:
                    raise FileUnavailable("too big", lasting=True)
                content = await resp.content.read(MAX_FILE_BYTES + 1)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise FileUnavailable(type(exc).__name__, lasting=False) from None
        if len(content) > MAX_FILE_BYTES:
            raise FileUnavailable("too big", lasting=True)
        return as_image(content)
