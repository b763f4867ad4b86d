"""Open311 GeoReport v2 over the complaints, so a province's systems can pull and push them.

Served by `motcua run` under /open311/v2/ (docs/open311.md maps every field).
Reading follows the spec: no key needed (when MOTCUA_OPEN311_PUBLIC_READ is
on), at most 90 days and 1000 requests per answer. Personal data (who filed a
complaint, what they wrote, where) goes only to a key allowed to see it.
Filing needs a key and goes through the same function as the chat form
(handlers/feedback_core.file_complaint), so staff are told of it the same way
and its tracking code is the `service_request_id`.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.open311_format import (
    error,
    parse_w3c,
    request_fields,
    respond,
    service_definition,
    service_list,
    w3c,
)
from handlers import observe, texts
from handlers.complaint_draft import MIN_DESCRIPTION
from handlers.feedback_core import Filing, categories, file_complaint, local_text, make_office
from handlers.phone import normalize_phone
from storage import complaints as complaints_repo
from storage import open311 as repo
from storage.models_feedback import Complaint
from storage.models_open311 import Open311Key
from storage.repos import audit

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger("motcua.open311")

PREFIX = "/open311/v2"
WINDOW = dt.timedelta(days=90)  # the spec's default span, and the longest one asked for
MAX_RESULTS = 1000  # the spec's default limit of requests in one answer
MAX_DESCRIPTION = 4000  # the spec's limit of a description
FORMATS = "{fmt:(json|xml)}"
KEY_HEADER = "X-Api-Key"
# the spec sends application/x-www-form-urlencoded; multipart is the same form with files
GENERAL_ERROR = "the service cannot answer right now; try again later"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class Refused(Exception):
    """A request the spec says to refuse: HTTP status and what to tell the client."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(descriptions[0] if descriptions else "")
        self.status = status
        self.descriptions = descriptions or ("request refused",)


@dataclass(frozen=True)
class Caller:
    key: Open311Key | None

    @property
    def personal(self) -> bool:
        return bool(self.key and self.key.personal_data)

    @property
    def actor(self) -> str:
        return f"open311:{self.key.name}" if self.key else "open311:public"


class Open311Api:
    def __init__(self, app: App) -> None:
        self.app = app

    def add_routes(self, web_app: web.Application) -> None:
        r = web_app.router
        r.add_get(f"{PREFIX}/services.{FORMATS}", self.services)
        r.add_get(f"{PREFIX}/services/{{code}}.{FORMATS}", self.service)
        r.add_get(f"{PREFIX}/requests.{FORMATS}", self.requests)
        r.add_post(f"{PREFIX}/requests.{FORMATS}", self.create)
        r.add_get(f"{PREFIX}/requests/{{request_id}}.{FORMATS}", self.request)

    # ------------------------------------------------------------ helpers
    @property
    def tz(self) -> str:
        return self.app.settings.timezone

    def now(self) -> dt.datetime:
        return self.app.services.clock()

    async def _caller(self, db: AsyncSession, given: str | None, *, required: bool) -> Caller:
        """The key presented (form field, query parameter or header); 403 when missing or unknown."""
        if not given:
            if required:
                raise Refused(403, "api_key is required")
            return Caller(None)
        key = await repo.find_key(db, given)
        if key is None:
            raise Refused(403, "invalid api_key")
        return Caller(key)

    async def _reader(self, db: AsyncSession, request: web.Request) -> Caller:
        given = request.query.get("api_key") or request.headers.get(KEY_HEADER)
        return await self._caller(db, given, required=not self.app.settings.open311_public_read)

    async def _used(self, db: AsyncSession, caller: Caller, codes: list[str]) -> None:
        """A key's last use; a read of personal data is audited with what it read (codes only)."""
        if caller.key is None:
            return
        caller.key.last_used_at = self.now()
        if caller.personal and codes:
            await audit(db, caller.actor, "open311.read", ",".join(codes[:20])[:96], count=len(codes))
        await db.commit()

    def _fields(self, complaint: Complaint, caller: Caller) -> dict[str, object]:
        agency = self.app.knowledge.kb.locality.office_name
        return request_fields(complaint, tz=self.tz, agency=agency, personal=caller.personal)

    # ------------------------------------------------------------ GET services
    async def services(self, request: web.Request) -> web.Response:
        return respond(request.match_info["fmt"], "services", "service", service_list())

    async def service(self, request: web.Request) -> web.Response:
        fmt, code = request.match_info["fmt"], request.match_info["code"]
        if code not in categories():
            return error(fmt, 404, f"service_code {code!r} was not found")
        return respond(fmt, "service_definition", None, service_definition(code))

    # ------------------------------------------------------------ GET requests
    async def requests(self, request: web.Request) -> web.Response:
        fmt = request.match_info["fmt"]
        try:
            async with self.app.db.session() as db:
                caller = await self._reader(db, request)
                rows = await self._search(db, request.query)
                await self._used(db, caller, [c.code for c in rows])
                return respond(fmt, "service_requests", "request", [self._fields(c, caller) for c in rows])
        except Refused as exc:
            return error(fmt, exc.status, *exc.descriptions)
        except Exception:  # the database is down: the spec's "general service error"
            log.exception("open311: listing requests failed")
            return error(fmt, 400, GENERAL_ERROR)

    async def _search(self, db: AsyncSession, query: Mapping[str, str]) -> list[Complaint]:
        ids = _comma_list(query.get("service_request_id"))
        if ids:  # "This overrides all other arguments."
            codes = [complaints_repo.parse_code(i) for i in ids[:MAX_RESULTS]]
            bad = [i for i, code in zip(ids, codes, strict=False) if code is None]
            if bad:
                raise Refused(400, *(f"service_request_id {i!r} is not a tracking code" for i in bad[:10]))
            return await repo.by_codes(db, [c for c in codes if c])
        start, end = self._window(query.get("start_date"), query.get("end_date"))
        states = _comma_list(query.get("status"))
        unknown = [s for s in states if s not in ("open", "closed")]
        if unknown:
            raise Refused(400, f"status must be open or closed, not {unknown[0]!r}")
        open_states = None if len(set(states)) != 1 else states[0] == "open"
        return await repo.search(
            db,
            start=start,
            end=end,
            service_codes=_comma_list(query.get("service_code")),
            open_states=open_states,
            limit=MAX_RESULTS,
        )

    def _window(self, start_text: str | None, end_text: str | None) -> tuple[dt.datetime, dt.datetime]:
        """The spec's range: the most recent 90 days by default, never more than 90 days."""
        problems = []
        start = end = None
        for name, text in (("start_date", start_text), ("end_date", end_text)):
            if not text:
                continue
            try:
                moment = parse_w3c(text, self.tz)
            except ValueError as exc:
                problems.append(f"{name}: {exc}")
                continue
            if name == "start_date":
                start = moment
            else:
                end = moment
        if problems:
            raise Refused(400, *problems)
        if start is None and end is None:
            end = self.now()
        if start is None:
            assert end is not None
            start = end - WINDOW
        if end is None:
            end = start + WINDOW
        if end < start:
            raise Refused(400, "end_date is before start_date")
        if end - start > WINDOW:
            raise Refused(400, "start_date and end_date may not span more than 90 days")
        return start, end

    async def request(self, request: web.Request) -> web.Response:
        fmt, given = request.match_info["fmt"], request.match_info["request_id"]
        try:
            async with self.app.db.session() as db:
                caller = await self._reader(db, request)
                code = complaints_repo.parse_code(given)
                complaint = await complaints_repo.get_by_code(db, code) if code else None
                if complaint is None:
                    raise Refused(404, f"service_request_id {given!r} was not found")
                await self._used(db, caller, [complaint.code])
                return respond(fmt, "service_requests", "request", [self._fields(complaint, caller)])
        except Refused as exc:
            return error(fmt, exc.status, *exc.descriptions)
        except Exception:
            log.exception("open311: reading a request failed")
            return error(fmt, 400, GENERAL_ERROR)

    # ------------------------------------------------------------ POST requests
    async def create(self, request: web.Request) -> web.Response:
        fmt = request.match_info["fmt"]
        if request.content_type not in FORM_TYPES:  # a JSON body would read as an empty form
            return error(fmt, 400, "the body must be application/x-www-form-urlencoded")
        try:
            form = await request.post()
        except ValueError:  # a malformed multipart body
            return error(fmt, 400, "the body could not be read as a form")
        values = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
        try:
            async with self.app.db.session() as db:
                given = values.get("api_key") or request.headers.get(KEY_HEADER)
                caller = await self._caller(db, given, required=True)
                filing = self._filing(values)
                return await self._file(db, fmt, caller, filing)
        except Refused as exc:
            return error(fmt, exc.status, *exc.descriptions)
        except Exception:  # the key could not even be looked up
            log.exception("open311: a filing could not be checked")
            return error(fmt, 400, "the request could not be stored; nothing was recorded, try again")

    def _filing(self, v: Mapping[str, str]) -> Filing:
        """The complaint a form describes; every problem with it at once, as the spec's 400/404."""
        code = v.get("service_code", "")
        if not code:
            raise Refused(400, "service_code is required")
        if code not in categories():
            raise Refused(404, f"service_code {code!r} was not found")
        problems: list[str] = []
        lat, lon = _coordinates(v.get("lat"), v.get("long"), problems)
        address, address_id = v.get("address_string") or None, v.get("address_id") or None
        if lat is None and not address and not address_id and not problems:
            problems.append("a location is required: lat and long, address_string or address_id")
        if address and len(address) > 300:
            problems.append("address_string is longer than 300 characters")
        if address_id and len(address_id) > 64:
            problems.append("address_id is longer than 64 characters")
        description = v.get("description", "")
        limit = min(MAX_DESCRIPTION, self.app.settings.complaint_max_chars)
        if len(description) < MIN_DESCRIPTION:
            problems.append(f"description is required (at least {MIN_DESCRIPTION} characters)")
        elif len(description) > limit:
            problems.append(f"description is longer than {limit} characters")
        phone = None
        if v.get("phone"):
            phone = normalize_phone(v["phone"])
            if phone is None:
                problems.append("phone is not a Vietnamese phone number")
        email = v.get("email") or None
        if email and (len(email) > 254 or "@" not in email.strip("@") or any(ch.isspace() for ch in email)):
            problems.append("email is not an e-mail address")
        media = v.get("media_url") or None
        if media and (not media.startswith(("http://", "https://")) or len(media) > 1000):
            problems.append("media_url must be an http(s) URL of at most 1000 characters")
        if problems:
            raise Refused(400, *problems)
        # Vietnamese names put the family name first
        name = " ".join(p for p in (v.get("last_name"), v.get("first_name")) if p)[:128] or None
        return Filing(
            category=code,
            description=description,
            reporter_name=name,
            phone=phone,
            email=email,
            photos=(media,) if media else (),
            latitude=lat,
            longitude=lon,
            address=address,
            address_id=address_id,
        )

    async def _file(self, db: AsyncSession, fmt: str, caller: Caller, filing: Filing) -> web.Response:
        now = self.now()
        services = self.app.services
        locality = services.knowledge.kb.locality
        try:
            office = make_office(services.staff, services.settings, locality)
            complaint = await file_complaint(db, office, filing, now)
            assert caller.key is not None
            caller.key.last_used_at = now
            await audit(db, caller.actor, "open311.create", complaint.code)
            await db.commit()
        except Exception:
            log.exception("could not store a complaint sent over Open311 by %s", caller.actor)
            await db.rollback()
            return error(fmt, 400, "the request could not be stored; nothing was recorded, try again")
        observe.complaint("opened")
        notice = texts.OPEN311_SERVICE_NOTICE.format(
            office=locality.office_name,
            code=complaint.code,
            days=services.settings.complaint_due_days,
            due=local_text(complaint.due_at, self.tz, with_time=False),
        )
        body = [{"service_request_id": complaint.code, "service_notice": notice, "account_id": None}]
        log.info(
            "open311: %s filed %s (due %s)", caller.actor, complaint.code, w3c(complaint.due_at, self.tz)
        )
        return respond(fmt, "service_requests", "request", body)


def _comma_list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _coordinates(lat: str | None, lon: str | None, problems: list[str]) -> tuple[float | None, float | None]:
    """WGS84 lat & long, both or neither (the spec sends them as two parameters)."""
    if not lat and not lon:
        return None, None
    if not lat or not lon:
        problems.append("lat and long must be sent together")
        return None, None
    try:
        la, lo = float(lat), float(lon)
    except ValueError:
        problems.append("lat and long must be numbers (WGS84 degrees)")
        return None, None
    if not (math.isfinite(la) and math.isfinite(lo) and -90 <= la <= 90 and -180 <= lo <= 180):
        problems.append("lat must be within -90..90 and long within -180..180")
        return None, None
    return la, lo
