"""A fake Zalo Bot Platform API for tests, on 127.0.0.1.

Shapes follow ../shared/domain/zalo.md section A: `POST /bot<token>/<method>`
with JSON; `{"ok": true, "result": ...}` or `{"ok": false, "error_code",
"description"}`; an unknown token is 401; getUpdates returns ONE update or,
after `timeout` seconds without one, error 408, and refuses to work while a
webhook is set; sendMessage takes 1-2000 characters; setWebhook needs an
8-256 character secret, which `push()` echoes in X-Bot-Api-Secret-Token.
The fake can also rate-limit (429) or fail with an HTTP 500.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web


@dataclass
class FakeZaloBot:
    token: str = "1459232241454765289:fake-secret-abc"
    updates: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    sent: list[dict[str, Any]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    webhook_url: str = ""
    webhook_secret: str = ""
    rate_limit_next: int = 0
    server_error_next: int = 0
    url: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._method)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    @property
    def api_url(self) -> str:
        """What MOTCUA_ZALO_BOT_API_URL points at (the token is appended)."""
        return f"{self.url}/bot"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def texts_to(self, chat_id: str) -> list[str]:
        return [m["text"] for m in self.sent if m["chat_id"] == chat_id and "text" in m]

    @staticmethod
    def _fail(code: int, description: str, status: int = 200) -> web.Response:
        return web.json_response({"ok": False, "error_code": code, "description": description}, status=status)

    @staticmethod
    def _ok(result: Any = None) -> web.Response:
        body: dict[str, Any] = {"ok": True}
        if result is not None:
            body["result"] = result
        return web.json_response(body)

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._fail(401, "Unauthorized")
        method = request.match_info["method"]
        self.calls.append(method)
        try:
            body = await request.json() if request.can_read_body else {}
        except ValueError:
            return self._fail(400, "Bad Request: body is not JSON")
        if not isinstance(body, dict):
            return self._fail(400, "Bad Request")
        if method == "getMe":
            return self._ok(
                {"id": self.token.split(":")[0], "account_name": "bot.test", "account_type": "BASIC"}
            )
        if method == "getUpdates":
            if self.webhook_url:
                return self._fail(400, "Bad Request: webhook is active, call deleteWebhook first")
            try:
                wait = float(body.get("timeout", "30"))
            except ValueError:
                return self._fail(400, "Bad Request: timeout")
            try:
                update = await asyncio.wait_for(self.updates.get(), timeout=wait)
            except TimeoutError:
                return self._fail(408, "Request timeout")
            return self._ok(update)
        if method == "setWebhook":
            url, secret = str(body.get("url") or ""), str(body.get("secret_token") or "")
            if not url or not 8 <= len(secret) <= 256:
                return self._fail(400, "Bad Request: url and secret_token (8-256 chars) are required")
            self.webhook_url, self.webhook_secret = url, secret
            return self._ok({"url": url, "updated_at": int(time.time() * 1000)})
        if method == "deleteWebhook":
            self.webhook_url = ""
            return self._ok({"url": "", "updated_at": int(time.time() * 1000)})
        if method == "getWebhookInfo":
            return self._ok({"url": self.webhook_url, "updated_at": int(time.time() * 1000)})
        if method in ("sendMessage", "sendPhoto", "sendSticker", "sendChatAction"):
            if self.server_error_next > 0:
                self.server_error_next -= 1
                return web.Response(status=500, text="Internal Server Error")
            if self.rate_limit_next > 0:
                self.rate_limit_next -= 1
                return self._fail(429, "Too Many Requests: quota exceeded", status=429)
            if not body.get("chat_id"):
                return self._fail(400, "Bad Request: chat_id is required")
            if method == "sendMessage":
                text = body.get("text")
                if not isinstance(text, str) or not 1 <= len(text) <= 2000:
                    return self._fail(400, "Bad Request: text must be 1-2000 characters")
            if method == "sendPhoto" and not str(body.get("photo") or "").startswith("http"):
                return self._fail(400, "Bad Request: photo must be a URL")
            if method == "sendChatAction":
                return self._ok()
            self.sent.append({"method": method, **body})
            return self._ok({"message_id": secrets.token_hex(10), "date": int(time.time() * 1000)})
        return self._fail(404, "Not Found: method")

    # ------------------------------------------------------------ updates
    @staticmethod
    def update(
        chat_id: str, text: str | None = None, *, event: str | None = None, **message: Any
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": secrets.token_hex(10),
            "date": int(time.time() * 1000),
            "chat": {"id": chat_id, "chat_type": "PRIVATE"},
            "from": {"id": chat_id, "display_name": "Nguyễn Văn A", "is_bot": False},
        }
        if text is not None:
            body["text"] = text
        body.update(message)
        name = event or ("message.text.received" if text is not None else "message.image.received")
        return {"event_name": name, "message": body}

    async def push(self, update: dict[str, Any], *, secret: str | None = "valid") -> int:
        """Deliver an update to the registered webhook, wrapped in the {ok, result} envelope."""
        headers = {"Content-Type": "application/json"}
        if secret == "valid":
            headers["X-Bot-Api-Secret-Token"] = self.webhook_secret
        elif secret is not None:
            headers["X-Bot-Api-Secret-Token"] = secret
        body = json.dumps({"ok": True, "result": update}, ensure_ascii=False).encode()
        async with aiohttp.ClientSession() as http:
            async with http.post(self.webhook_url, data=body, headers=headers) as resp:
                return resp.status
