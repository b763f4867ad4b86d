"""The fake Bot API's files: getFile and the file download URL, as strict as Telegram.

- getFile knows only file ids the fake handed out (photos users sent, or files
  added with `add_file`); anything else is Telegram's 400 "invalid file_id";
  files over 20 MB are refused ("file is too big"), as bots cannot download them.
- The download URL is /file/bot<token>/<file_path>; a path works only after a
  getFile returned it, for one hour (Telegram guarantees at least that), and only
  with the bot's token. Anything else is 404, as on api.telegram.org.
"""

from __future__ import annotations

import itertools
import struct
import time
import zlib
from typing import Any

from aiohttp import web

MAX_DOWNLOAD = 20 * 1024 * 1024
LINK_SECONDS = 3600.0


def tiny_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid PNG of one colour (for photos users "send" and staff pages show)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


class FileStore:
    """Mixed into FakeTelegram: `files` by file id, issued download paths, downloads made."""

    token: str

    def init_files(self) -> None:
        self.files: dict[str, bytes] = {}
        self.file_unique: dict[str, str] = {}
        self.downloads: list[str] = []  # file ids downloaded, in order
        self._file_paths: dict[str, tuple[str, float]] = {}  # path -> (file id, issued at)
        self._path_numbers = itertools.count(1)
        self.clock = time.monotonic

    def add_file(self, file_id: str, content: bytes, unique_id: str | None = None) -> None:
        self.files[file_id] = content
        self.file_unique[file_id] = unique_id or f"u-{file_id}"

    def add_file_routes(self, app: web.Application) -> None:
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)

    async def _m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        from tests.fake_telegram import bad

        file_id = params["file_id"]
        content = self.files.get(file_id)
        if content is None:
            raise bad("invalid file_id")
        if len(content) > MAX_DOWNLOAD:
            raise bad("file is too big")
        path = f"photos/file_{next(self._path_numbers)}.jpg"
        self._file_paths[path] = (file_id, self.clock())
        return {
            "file_id": file_id,
            "file_unique_id": self.file_unique[file_id],
            "file_size": len(content),
            "file_path": path,
        }

    async def _download(self, request: web.Request) -> web.Response:
        issued = self._file_paths.get(request.match_info["path"])
        if (
            request.match_info["token"] != self.token
            or issued is None
            or self.clock() - issued[1] > LINK_SECONDS
        ):
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        self.downloads.append(issued[0])
        return web.Response(body=self.files[issued[0]], content_type="application/octet-stream")
