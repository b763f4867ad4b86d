"""Telegram's side of bot/channels/files.py: getFile, then the file URL, through the same bot.

A file id only works with the bot that received it, so the source is built on
the runner's Bot (same token, same Bot API server, same connection pool). The
file URL contains the bot token: it is never logged or shown; errors carry
only Telegram's description.
"""

from __future__ import annotations

from telegram import Bot
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.channels.files import MAX_FILE_BYTES, ChannelFile, FileUnavailable, as_image
from bot.channels.telegram.parsing import CHANNEL


class TelegramFiles:
    channel = CHANNEL

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def fetch(self, ref: str) -> ChannelFile:
        try:
            info = await self.bot.get_file(ref)
            if info.file_size is not None and info.file_size > MAX_FILE_BYTES:
                raise FileUnavailable("too big to download", lasting=True)
            content = bytes(await info.download_as_bytearray())
        except (BadRequest, Forbidden) as exc:  # unknown or foreign file id, file too big, gone
            raise FileUnavailable(exc.message, lasting=True) from None
        except (RetryAfter, InvalidToken, NetworkError) as exc:  # TimedOut is a NetworkError
            raise FileUnavailable(type(exc).__name__, lasting=False) from None
        except TelegramError as exc:
            raise FileUnavailable(type(exc).__name__, lasting=False) from None
        return as_image(content)
