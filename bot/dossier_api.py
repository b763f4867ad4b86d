"""`POST /api/v1/dossier-events`: the one-stop system tells motcua what happened to a dossier.

Authentication is a shared secret (MOTCUA_DOSSIER_API_SECRET): the sender puts
`X-Motcua-Timestamp: <unix seconds>` and
`X-Motcua-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>`.
The timestamp is inside the signed bytes, so a captured request cannot be replayed
later with a fresh timestamp; outside MOTCUA_DOSSIER_API_MAX_SKEW_SECONDS it is
refused, and within it the event id makes a replay a harmless duplicate. The
comparison is constant-time. Log lines name the event id and the outcome, never
the dossier code, note or phone. The contract is docs/dossiers.md and
docs/dossiers.openapi.yaml (tests/test_dossier_openapi.py holds them to this file).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy.exc import IntegrityError

from bot.channels import webhook_json
from handlers.dossier_events import EventError, ingest, validate

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger("motcua.dossiers")

PATH = "/api/v1/dossier-events"
SIGNATURE_HEADER = "X-Motcua-Signature"
TIMESTAMP_HEADER = "X-Motcua-Timestamp"
MAX_BODY_BYTES = 16 * 1024  # one event: a note of 1000 characters fits many times over


def signature(secret: str, timestamp: str, raw: bytes) -> str:
    """The header value a sender computes (also what tests and docs/dossiers.md use)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _problem(status: int, error: str, **extra: Any) -> web.Response:
    return web.json_response({"status": "refused", "error": error, **extra}, status=status)


class DossierApi:
    """The endpoint over one app; routes are added only when a secret is configured."""

    def __init__(self, app: App, *, clock: Callable[[], float] = time.time) -> None:
        self.app = app
        self.clock = clock

    def add_routes(self, web_app: web.Application) -> None:
        if not self.app.settings.dossier_api_secret:
            return
        web_app.router.add_post(PATH, self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return _problem(413, f"body larger than {MAX_BODY_BYTES} bytes")
        raw = await request.content.read(MAX_BODY_BYTES + 1)
        if len(raw) > MAX_BODY_BYTES:
            return _problem(413, f"body larger than {MAX_BODY_BYTES} bytes")
        refused = self._authenticate(request, raw)
        if refused is not None:
            return refused
        try:
            body = webhook_json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return _problem(400, "body is not JSON")
        if not isinstance(body, dict):
            return _problem(400, "body must be a JSON object (one event)")
        settings = self.app.services.settings
        now = self.app.services.clock()
        try:
            facts = validate(
                body,
                source="api",
                code_pattern=settings.dossier_code_pattern,
                timezone=settings.timezone,
                now=now,
            )
        except EventError as exc:
            log.warning("dossier event refused: %s", "; ".join(f"{f}: {r}" for f, r in exc.problems))
            return _problem(
                422, "invalid event", problems=[{"field": f, "reason": r} for f, r in exc.problems]
            )
        for attempt in (1, 2):
            try:
                async with self.app.db.session() as db:
                    outcome = await ingest(db, self.app.services, facts, now)
                    await db.commit()
                break
            except IntegrityError:
                # two events created the same new dossier at once: the second one retries
                if attempt == 2:
                    raise
        status = "duplicate" if outcome.duplicate else "accepted"
        log.info("dossier event %s %s (%d followers notified)", facts.event_id, status, outcome.notified)
        return web.json_response({"status": status, "event_id": facts.event_id, "notified": outcome.notified})

    def _authenticate(self, request: web.Request, raw: bytes) -> web.Response | None:
        header = request.headers.get(SIGNATURE_HEADER, "").strip()
        stamp = request.headers.get(TIMESTAMP_HEADER, "").strip()
        if not header or not stamp:
            log.warning("dossier event without %s/%s: refused", SIGNATURE_HEADER, TIMESTAMP_HEADER)
            return _problem(401, f"{SIGNATURE_HEADER} and {TIMESTAMP_HEADER} are required")
        expected = signature(self.app.settings.dossier_api_secret, stamp, raw)
        if not hmac.compare_digest(header.lower().encode(), expected.encode()):
            log.warning("dossier event with a wrong signature: refused")
            return _problem(401, "signature does not match")
        try:
            sent = int(stamp)
        except ValueError:
            return _problem(401, f"{TIMESTAMP_HEADER} must be Unix seconds")
        skew = self.app.settings.dossier_api_max_skew_seconds
        if abs(self.clock() - sent) > skew:
            log.warning(
                "dossier event with a timestamp %d s away: refused as a replay", int(self.clock() - sent)
            )
            return _problem(401, f"timestamp is more than {skew} s from the server's clock (replay?)")
        return None
