"""GeoReport v2 documents: dates, the JSON and XML forms, errors, and a complaint as a request.

The spec (wiki.open311.org/GeoReport_v2, read 2026-12-01) defines XML as the
required format and JSON as its mechanical mapping (the Spark convention), so
both are rendered here from the same list of dictionaries: a root element,
one element per item, one child per field, `null` as an empty element. Dates
follow the W3C profile of ISO 8601 and always carry a time zone. Which fields
hold personal data, and so are left empty for a key not allowed to see it, is
decided here once for every endpoint.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

from aiohttp import web

from handlers import texts
from handlers.feedback_core import categories, category_label, status_label
from storage.models_feedback import Complaint

Fields = dict[str, Any]
JSON_TYPE = "application/json"
XML_TYPE = "text/xml"
# The W3C note's forms (http://www.w3.org/TR/NOTE-datetime): a complete date, or a date and
# time to the minute, second or fraction with a time zone designator (Z or +hh:mm / -hh:mm).
_W3C = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:T(?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?P<tz>Z|[+-]\d{2}:\d{2}))?"
)
# Fields of a request that say who filed it or what they wrote or where they are.
PERSONAL_FIELDS = ("description", "address", "address_id", "lat", "long", "media_url")
# Extensions beyond the spec, shown only to keys allowed personal data (docs/open311.md).
PERSONAL_EXTENSIONS = ("reporter_name", "phone", "email")


def w3c(moment: dt.datetime, tz: str) -> str:
    """A moment as 2026-12-01T20:37:25+07:00 (the commune's local time, its offset stated)."""
    return moment.astimezone(ZoneInfo(tz)).replace(microsecond=0).isoformat()


def parse_w3c(text: str, tz: str) -> dt.datetime:
    """A W3C date-time in UTC; a bare date is the start of that day in the commune's time zone.

    A time without a zone is refused: the spec requires one, and guessing would
    shift a province's window by hours.
    """
    m = _W3C.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"{text!r} is not a W3C date-time such as 2026-01-01T00:00:00+07:00")
    if m["time"] is None:
        day = dt.date.fromisoformat(m["date"])
        return dt.datetime.combine(day, dt.time(0, 0), tzinfo=ZoneInfo(tz)).astimezone(dt.UTC)
    zone = "+00:00" if m["tz"] == "Z" else m["tz"]
    return dt.datetime.fromisoformat(f"{m['date']}T{m['time']}{zone}").astimezone(dt.UTC)


# ---------------------------------------------------------------- rendering
def _xml_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_children(parent: ET.Element, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        child = ET.SubElement(parent, name)
        if isinstance(value, list):
            # a list of dictionaries (the attributes of a service definition): one element each
            for entry in value:
                _xml_children(ET.SubElement(child, name.removesuffix("s")), entry)
        else:
            child.text = _xml_text(value)


def to_xml(root: str, item: str | None, body: Sequence[Fields] | Fields) -> bytes:
    """`body` under `<root>`: a list as one `<item>` per entry, a dictionary as the root's children."""
    top = ET.Element(root)
    if isinstance(body, Mapping):
        _xml_children(top, body)
    else:
        assert item is not None
        for entry in body:
            _xml_children(ET.SubElement(top, item), entry)
    return ET.tostring(top, encoding="utf-8", xml_declaration=True)


def respond(
    fmt: str, root: str, item: str | None, body: Sequence[Fields] | Fields, *, status: int = 200
) -> web.Response:
    if fmt == "xml":
        return web.Response(
            body=to_xml(root, item, body), status=status, content_type=XML_TYPE, charset="utf-8"
        )
    text = json.dumps(body, ensure_ascii=False)
    return web.Response(text=text, status=status, content_type=JSON_TYPE, charset="utf-8")


def error(fmt: str, status: int, *descriptions: str) -> web.Response:
    """The spec's error document: a list of {code, description}, code = the HTTP status."""
    body = [{"code": status, "description": d} for d in descriptions]
    return respond(fmt, "errors", "error", body, status=status)


# ---------------------------------------------------------------- documents
def service_list() -> list[Fields]:
    """The complaint categories as GeoReport services: no extra fields, a code at once."""
    return [
        {
            "service_code": code,
            "service_name": name,
            "description": texts.OPEN311_SERVICE_DESCRIPTIONS.get(code, name),
            "metadata": False,
            "type": "realtime",
            "keywords": texts.OPEN311_SERVICE_KEYWORDS.get(code, ""),
            "group": texts.OPEN311_GROUP,
        }
        for code, name in categories().items()
    ]


def service_definition(code: str) -> Fields:
    return {"service_code": code, "attributes": []}


def spec_status(c: Complaint) -> str:
    """open while the office still has to act (received, assigned, reopened); closed otherwise."""
    return "open" if c.is_open else "closed"


def media_url(c: Complaint) -> str | None:
    """The first photo that is a public URL; a Telegram file id means nothing outside the bot."""
    return next((p for p in c.photos or [] if p.startswith(("http://", "https://"))), None)


def request_fields(c: Complaint, *, tz: str, agency: str, personal: bool) -> Fields:
    """One complaint as a GeoReport service request, every field of the spec present."""
    closed = spec_status(c) == "closed"
    notes = status_label(c.status)
    if personal and c.answer and closed:
        notes = c.answer  # the office's answer may quote the citizen: for allowed keys only
    updated = c.closed_at if c.status == "closed" and c.closed_at else c.updated_at
    fields: Fields = {
        "service_request_id": c.code,
        "status": spec_status(c),
        "status_notes": notes,
        "service_name": category_label(c.category),
        "service_code": c.category,
        "description": c.description,
        "agency_responsible": agency,
        "service_notice": None,
        "requested_datetime": w3c(c.created_at, tz),
        "updated_datetime": w3c(updated, tz),
        "expected_datetime": w3c(c.due_at, tz),
        "address": c.address,
        "address_id": c.address_id,
        "zipcode": None,
        "lat": c.latitude,
        "long": c.longitude,
        "media_url": media_url(c),
    }
    if not personal:
        return {**fields, **dict.fromkeys(PERSONAL_FIELDS)}
    return {**fields, "reporter_name": c.reporter_name, "phone": c.phone, "email": c.email}
