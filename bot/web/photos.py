"""A citizen's photo served to signed-in staff, fetched through its channel's file API.

Complaints and conversations with an officer both keep photo references
(a Telegram file id, a Zalo URL), never the bytes. The console fetches them
through the `FileSource` the channel's runner registered on the App, so the
web layer never talks to a channel and never links to the platform's URL;
the answer is private to this browser and never cached.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.channels.files import FileUnavailable, source_for
from bot.web.keys import APP_KEY
from handlers import texts

log = logging.getLogger("motcua.web")


async def channel_photo(request: web.Request, channel: str | None, file_ref: str, what: str) -> web.Response:
    """The photo's bytes, or a plain-text 410 (gone for good) / 503 (try later); `what` names it in logs."""
    source = source_for(request.app[APP_KEY].file_sources, channel, file_ref)
    if source is None and not channel:  # a URL nobody's channel vouches for (see source_for)
        return _no_photo(texts.WEB_CX_PHOTO_GONE, 410)
    if source is None:  # that channel's runner is not running in this process (e.g. `motcua web` alone)
        log.info("photo of a %s: no file source for channel %s", what, channel)
        return _no_photo(texts.WEB_CX_PHOTO_LATER, 503)
    try:
        got = await source.fetch(file_ref)
    except FileUnavailable as exc:
        log.info("photo of a %s unavailable on %s: %s", what, source.channel, exc)
        if exc.lasting:
            return _no_photo(texts.WEB_CX_PHOTO_GONE, 410)
        return _no_photo(texts.WEB_CX_PHOTO_LATER, 503)
    return web.Response(
        body=got.content,
        content_type=got.content_type,
        headers={"Cache-Control": "private, no-store", "Content-Disposition": "inline"},
    )


def _no_photo(message: str, status: int) -> web.Response:
    return web.Response(text=message, status=status, headers={"Cache-Control": "no-store"})
