"""A fake Zalo OA Open API (v3) and OAuth server for tests, on 127.0.0.1.

It behaves as ../shared/domain/zalo.md describes the real one:
- `POST /v3.0/oa/message/cs` wants the `access_token` header (-216 unknown
  token, -220 expired), answers HTTP 200 with `{"error": <code>, ...}` on
  failure, refuses users outside the 7-day interaction window (-230, or
  -232 when they never interacted), unfollowed users (-213), text over 2000
  characters or more than 5 buttons (-201), and can be told to rate-limit
  (-32).
- `POST /v3.0/oa/message/template` (ZBS Template Message by user id, the only
  way past the 7-day window): the body is exactly `user_id`, `template_id`,
  `template_data` (no `recipient` object, no `tracking_id`, unlike the phone
  channel), the template must be one registered here (approved), every
  parameter it declares must be given as a string within its length and no
  other; it is not bound to the window, but a user who unfollowed is -213.
  A body that is not that object is -201 (the OA API's parameter error); the
  template's own refusals use the codes of Zalo's ZNS error table
  (zalo.cloud/zns/guidelines/handle-error-code, read 1 December 2026): -109
  template id invalid (unknown or not approved), -111 template data empty, -112
  template data invalid (a parameter missing, extra, not a string, empty or too
  long); `fail_next_template` answers -100 ("unknown error, try again later").
- `POST /v4/oa/access_token` takes a form body and the App Secret Key in
  the `secret_key` header; refresh tokens are single-use (each refresh
  returns a new pair, reuse answers -14014), `expires_in` is a string.
- `push()` delivers webhook events signed like Zalo does:
  `X-ZEvent-Signature: mac=sha256(app_id + raw body + timestamp + OA secret key)`.
Codes the notes do not pin down (a wrong App Secret Key, a bad authorization
code) answer -14002/-14003 here; the adapter treats every token-endpoint
error the same way, so the exact number does not matter to it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

WINDOW = dt.timedelta(days=7)
ACCESS_LIFETIME = 90000  # seconds, what Zalo documents (25 h)


@dataclass
class Sent:
    user_id: str
    message: dict[str, Any]
    message_id: str

    @property
    def text(self) -> str:
        return str(self.message.get("text") or "")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        payload = (self.message.get("attachment") or {}).get("payload") or {}
        return list(payload.get("buttons") or [])

    @property
    def template_type(self) -> str | None:
        payload = (self.message.get("attachment") or {}).get("payload") or {}
        return payload.get("template_type")


@dataclass
class TemplateSent:
    user_id: str
    template_id: str
    data: dict[str, str]
    message_id: str


@dataclass
class FakeZaloOA:
    app_id: str = "4291763606161179100"
    app_secret: str = "app-secret-key"
    oa_secret_key: str = "oa-secret-key"
    oa_id: str = "579745863508352884"
    offset: dt.timedelta = dt.timedelta()
    access_tokens: dict[str, dt.datetime] = field(default_factory=dict)
    refresh_tokens: set[str] = field(default_factory=set)
    used_refresh_tokens: set[str] = field(default_factory=set)
    codes: dict[str, str] = field(default_factory=dict)  # authorization code -> code_verifier
    interactions: dict[str, dt.datetime] = field(default_factory=dict)
    unfollowed: set[str] = field(default_factory=set)
    sent: list[Sent] = field(default_factory=list)
    # approved templates: id -> {parameter: max length}
    templates: dict[str, dict[str, int]] = field(default_factory=dict)
    template_sent: list[TemplateSent] = field(default_factory=list)
    fail_next_template: int = 0  # answer -100 to that many template sends
    errors: list[dict[str, Any]] = field(default_factory=list)  # refused cs calls, for assertions
    token_requests: int = 0
    refresh_delay: float = 0.0
    rate_limit_next: int = 0
    url: str = ""
    _runner: web.AppRunner | None = None

    # ------------------------------------------------------------ clock and state
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += dt.timedelta(**delta)

    def issue_pair(self, lifetime: int = ACCESS_LIFETIME) -> tuple[str, str, int]:
        access = "AT-" + secrets.token_urlsafe(24)
        refresh = "RT-" + secrets.token_urlsafe(24)
        self.access_tokens[access] = self.now() + dt.timedelta(seconds=lifetime)
        self.refresh_tokens.add(refresh)
        return access, refresh, lifetime

    def expire_access_tokens(self) -> None:
        """Zalo revokes or expires every access token (e.g. mid-conversation)."""
        for token in self.access_tokens:
            self.access_tokens[token] = self.now() - dt.timedelta(seconds=1)

    def new_code(self, verifier: str) -> str:
        code = "CODE-" + secrets.token_urlsafe(12)
        self.codes[code] = verifier
        return code

    def texts_to(self, user: str) -> list[str]:
        return [s.text for s in self.sent if s.user_id == user]

    # ------------------------------------------------------------ server
    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self._cs)
        app.router.add_post("/v3.0/oa/message/template", self._template)
        app.router.add_post("/v4/oa/access_token", self._token)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _refuse(self, code: int, message: str, body: Any = None) -> web.Response:
        self.errors.append({"error": code, "message": message, "body": body})
        return web.json_response({"error": code, "message": message})

    async def _cs(self, request: web.Request) -> web.Response:
        token = request.headers.get("access_token", "")
        if token not in self.access_tokens:
            return self._refuse(-216, "Access token is invalid")
        if self.access_tokens[token] <= self.now():
            return self._refuse(-220, "Access token has expired")
        if self.rate_limit_next > 0:
            self.rate_limit_next -= 1
            return self._refuse(-32, "The request exceeds the rate limit")
        try:
            body = await request.json()
            user = str(body["recipient"]["user_id"])
            message = body["message"]
            assert isinstance(message, dict)
        except Exception:
            return self._refuse(-201, "Parameters are invalid")
        problem = _check_message(message)
        if problem:
            return self._refuse(-201, problem, body)
        if user in self.unfollowed:
            return self._refuse(-213, "User has not followed OA", body)
        last = self.interactions.get(user)
        if last is None:
            return self._refuse(-232, "User has not interacted with the OA", body)
        if self.now() - last > WINDOW:
            return self._refuse(-230, "User has not interacted with the OA in the past 7 days", body)
        message_id = secrets.token_hex(16)
        self.sent.append(Sent(user, message, message_id))
        return web.json_response(
            {
                "error": 0,
                "message": "Success",
                "data": {
                    "message_id": message_id,
                    "user_id": user,
                    "sent_time": str(int(self.now().timestamp() * 1000)),
                    "quota": {"quota_type": "reply", "remain": 0, "total": 0},
                },
            }
        )

    async def _template(self, request: web.Request) -> web.Response:
        token = request.headers.get("access_token", "")
        if token not in self.access_tokens:
            return self._refuse(-216, "Access token is invalid")
        if self.access_tokens[token] <= self.now():
            return self._refuse(-220, "Access token has expired")
        try:
            body = await request.json()
            assert isinstance(body, dict)
        except Exception:
            return self._refuse(-201, "Parameters are invalid")
        if not set(body) <= {"user_id", "template_id", "template_data"}:
            return self._refuse(-201, f"unexpected fields {sorted(body)}", body)
        user, template_id, data = body.get("user_id"), body.get("template_id"), body.get("template_data")
        if not isinstance(user, str) or not user:
            return self._refuse(-201, "user_id is required and must be a string", body)
        if self.fail_next_template > 0:
            self.fail_next_template -= 1
            return self._refuse(-100, "Unknown error", body)
        params = self.templates.get(template_id) if isinstance(template_id, str) else None
        if params is None:
            return self._refuse(-109, "Template ID invalid", body)
        if not data:
            return self._refuse(-111, "Template data empty", body)
        if not isinstance(data, dict) or set(data) != set(params):
            return self._refuse(-112, f"Template data invalid: give exactly {sorted(params)}", body)
        for name, limit in params.items():
            value = data[name]
            if not isinstance(value, str) or not 1 <= len(value) <= limit:
                return self._refuse(-112, f"Template data invalid: {name} must be 1-{limit} characters", body)
        if user in self.unfollowed:
            return self._refuse(-213, "User has not followed OA", body)
        message_id = secrets.token_hex(16)
        self.template_sent.append(TemplateSent(user, template_id, dict(data), message_id))
        return web.json_response(
            {
                "error": 0,
                "message": "Success",
                "data": {
                    "message_id": message_id,
                    "user_id": user,
                    "sent_time": str(int(self.now().timestamp() * 1000)),
                    "quota": {"quota_type": "purchase_quota", "remain": 4821},
                },
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        form = await request.post()
        if request.headers.get("secret_key") != self.app_secret or form.get("app_id") != self.app_id:
            return web.json_response({"error": -14002, "message": "Invalid app id or secret key"})
        grant = form.get("grant_type")
        if grant == "refresh_token":
            if self.refresh_delay:
                await asyncio.sleep(self.refresh_delay)
            old = str(form.get("refresh_token") or "")
            if old not in self.refresh_tokens:
                return web.json_response({"error": -14014, "message": "Invalid refresh token"})
            self.refresh_tokens.discard(old)  # single use
            self.used_refresh_tokens.add(old)
        elif grant == "authorization_code":
            code = str(form.get("code") or "")
            verifier = self.codes.pop(code, None)
            if verifier is None or verifier != form.get("code_verifier"):
                return web.json_response({"error": -14003, "message": "Invalid authorization code"})
        else:
            return web.json_response({"error": -14003, "message": "Invalid grant_type"})
        access, refresh, lifetime = self.issue_pair()
        return web.json_response(
            {"access_token": access, "refresh_token": refresh, "expires_in": str(lifetime)}
        )

    # ------------------------------------------------------------ webhooks
    def event(self, name: str, user: str, **extra: Any) -> dict[str, Any]:
        stamp = str(int(self.now().timestamp() * 1000))
        base: dict[str, Any] = {"app_id": self.app_id, "event_name": name, "timestamp": stamp}
        if name in ("follow", "unfollow"):
            base.update(oa_id=self.oa_id, follower={"id": user}, source="oa_profile", user_id_by_app=user)
        else:
            base.update(sender={"id": user}, recipient={"id": self.oa_id}, user_id_by_app=user)
        base.update(extra)
        return base

    def text_event(self, user: str, text: str, msg_id: str | None = None) -> dict[str, Any]:
        return self.event(
            "user_send_text", user, message={"msg_id": msg_id or secrets.token_hex(8), "text": text}
        )

    def image_event(self, user: str, url: str, text: str = "") -> dict[str, Any]:
        attachment = {"type": "image", "payload": {"url": url, "thumbnail": url}}
        message = {"msg_id": secrets.token_hex(8), "text": text, "attachments": [attachment]}
        return self.event("user_send_image", user, message=message)

    def location_event(self, user: str, lat: float, lon: float) -> dict[str, Any]:
        attachment = {
            "type": "location",
            "payload": {"coordinates": {"latitude": str(lat), "longitude": str(lon)}},
        }
        return self.event(
            "user_send_location", user, message={"msg_id": secrets.token_hex(8), "attachments": [attachment]}
        )

    def submit_info_event(self, user: str, name: str, phone: str) -> dict[str, Any]:
        return self.event(
            "user_submit_info",
            user,
            info={"name": name, "phone": phone, "address": "", "city": "", "district": ""},
        )

    def sign(self, raw: bytes, timestamp: str) -> str:
        digest = hashlib.sha256(
            self.app_id.encode() + raw + timestamp.encode() + self.oa_secret_key.encode()
        ).hexdigest()
        return f"mac={digest}"

    async def push(
        self, url: str, event: dict[str, Any], *, signature: str | None = "valid", raw: bytes | None = None
    ) -> int:
        """POST an event to the bot like Zalo does; returns the HTTP status the bot answered."""
        body = raw if raw is not None else json.dumps(event, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "valid":
            headers["X-ZEvent-Signature"] = self.sign(body, str(event.get("timestamp", "")))
        elif signature is not None:
            headers["X-ZEvent-Signature"] = signature
        name = str(event.get("event_name", ""))
        user = (event.get("sender") or event.get("follower") or {}).get("id")
        if user and (name.startswith("user_send_") or name in ("follow", "user_submit_info")):
            self.interactions[str(user)] = self.now()  # a user action opens the window
            if name == "follow":
                self.unfollowed.discard(str(user))
        if name == "unfollow" and user:
            self.unfollowed.add(str(user))
        async with aiohttp.ClientSession() as http:
            async with http.post(url, data=body, headers=headers) as resp:
                return resp.status


def _check_message(message: dict[str, Any]) -> str | None:
    text = message.get("text")
    attachment = message.get("attachment")
    if text is None and attachment is None:
        return "message needs text or attachment"
    if text is not None and (not isinstance(text, str) or not 1 <= len(text) <= 2000):
        return "text must be 1-2000 characters"
    if attachment is not None:
        payload = attachment.get("payload") or {}
        buttons = payload.get("buttons") or []
        if len(buttons) > 5:
            return "at most 5 buttons"
        for button in buttons:
            if not 1 <= len(button.get("title") or "") <= 100:
                return "button title must be 1-100 characters"
            kind = button.get("type")
            if kind in ("oa.query.hide", "oa.query.show"):
                if not isinstance(button.get("payload"), str) or not 1 <= len(button["payload"]) <= 1000:
                    return "query payload must be a string of 1-1000 characters"
            elif kind == "oa.open.url":
                if not str((button.get("payload") or {}).get("url", "")).startswith("http"):
                    return "open.url needs a url"
            else:
                return f"unknown button type {kind}"
        kind = payload.get("template_type")
        if kind not in (None, "media", "request_user_info"):
            return f"template_type {kind} not allowed in consultation messages"
        if kind is None and not buttons:
            return "template without buttons"
    return None
