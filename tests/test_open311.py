"""Open311 GeoReport v2, checked field by field against the spec (wiki.open311.org/GeoReport_v2).

The API runs on a local aiohttp test server over a real app (SQLite, and
PostgreSQL when configured); what it files is checked in the tables staff
work from and in the staff notices of the outbox.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import App
from bot.web.open311 import MAX_RESULTS, Open311Api
from bot.web.open311_format import parse_w3c
from handlers import texts
from handlers.feedback_core import categories, make_office, set_status, staff_reply
from storage import open311 as keys_repo
from storage.models import AuditLog
from storage.models_feedback import Complaint
from storage.models_open311 import Open311Key
from tests.conftest import Chat
from tests.feedback_support import (
    MONDAY_9AM,
    Clock,
    complaints,
    make_feedback_app,
    outbox,
    payload_text,
)

# "Returned in w3 format, eg 2010-01-01T00:00:00Z"; a time zone must be included
W3C_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})")
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
    "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip
PERSONAL = ("description", "address", "address_id", "lat", "long", "media_url")
EXTENSIONS = {"reporter_name", "phone", "email"}
FORM = {
    "service_code": "ha-tang",
    "lat": "21.0285",
    "long": "105.8542",
    "address_string": "Ngõ 5, thôn Đông, xã Yên Thường",
    "first_name": "Bình",
    "last_name": "Trần Thị",
    "phone": "0912 345 678",
    "email": "binh@example.vn",
    "description": "Cống thoát nước trước nhà văn hóa thôn bị tắc, nước tràn ra đường",
    "media_url": "https://tinh.example.vn/anh/123.jpg",
}


@dataclass
class Api:
    app: App
    clock: Clock
    client: TestClient[Any, Any]
    reader: str  # a key without personal data
    officer: str  # a key allowed personal data

    async def get(self, path: str, expect: int = 200, **params: str) -> Any:
        resp = await self.client.get(f"/open311/v2/{path}", params=params)
        assert resp.status == expect, await resp.text()
        assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
        return await resp.json()

    async def post(self, form: dict[str, str], status: int = 200) -> Any:
        resp = await self.client.post("/open311/v2/requests.json", data=form)
        assert resp.status == status, await resp.text()
        return await resp.json()

    async def file(self, **changes: str) -> str:
        body = await self.post({**FORM, "api_key": self.officer, **changes})
        return str(body[0]["service_request_id"])


async def _serve(app: App, clock: Clock) -> AsyncIterator[Api]:
    async with app.db.session() as db:
        reader = await keys_repo.add_key(db, "so-tttt", personal_data=False, now=clock())
        officer = await keys_repo.add_key(db, "ttpvhcc-tinh", personal_data=True, now=clock())
        await db.commit()
    web_app = web.Application()
    Open311Api(app).add_routes(web_app)
    async with TestClient(TestServer(web_app, host="127.0.0.1")) as client:
        yield Api(app, clock, client, reader, officer)


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    app, clock = await make_feedback_app(tmp_path)
    async for served in _serve(app, clock):
        yield served
    await app.close()


@pytest.fixture
async def api_any(tmp_path: Path, db_url: str) -> AsyncIterator[Api]:
    app, clock = await make_feedback_app(tmp_path, database_url=db_url)
    async for served in _serve(app, clock):
        yield served
    await app.close()


def assert_error(body: Any, code: int) -> None:
    """The spec's error body: a list of {code, description}, the code matching the HTTP status."""
    assert isinstance(body, list) and body
    for entry in body:
        assert set(entry) == {"code", "description"}
        assert entry["code"] == code
        assert isinstance(entry["description"], str) and entry["description"]


def assert_request(r: dict[str, Any], *, personal: bool) -> None:
    """Every field of GET Service Request(s), with its type and format."""
    assert set(r) == (REQUEST_FIELDS | EXTENSIONS if personal else REQUEST_FIELDS)
    assert re.fullmatch(r"PA-\d{4}-\d{6}", r["service_request_id"])
    assert r["status"] in ("open", "closed")
    assert isinstance(r["status_notes"], str) and r["status_notes"]
    assert r["service_code"] in categories()
    assert r["service_name"] == categories()[r["service_code"]]
    assert isinstance(r["agency_responsible"], str) and r["agency_responsible"]
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C_DATETIME.fullmatch(r[name]), (name, r[name])
        assert r[name].endswith("+07:00")  # the commune's time, with its offset
    assert r["zipcode"] is None
    if not personal:
        assert all(r[name] is None for name in PERSONAL)


# ---------------------------------------------------------------- GET services
async def test_services_list_every_category_with_the_spec_fields(api: Api) -> None:
    body = await api.get("services.json")
    assert [s["service_code"] for s in body] == list(categories())
    for s in body:
        assert set(s) == {
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        }
        assert s["service_name"] == categories()[s["service_code"]]
        assert s["description"] == texts.OPEN311_SERVICE_DESCRIPTIONS[s["service_code"]]
        assert s["metadata"] is False  # no extra form fields: GET Service Definition is not needed
        assert s["type"] == "realtime"  # the tracking code comes back at once
        assert isinstance(s["keywords"], str) and s["keywords"]
        assert s["group"] == texts.OPEN311_GROUP


async def test_services_xml_is_the_same_document(api: Api) -> None:
    resp = await api.client.get("/open311/v2/services.xml")
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "text/xml; charset=utf-8"
    raw = await resp.read()
    assert raw.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(raw)
    assert root.tag == "services"
    services = root.findall("service")
    assert [s.findtext("service_code") for s in services] == list(categories())
    assert {s.findtext("metadata") for s in services} == {"false"}
    assert services[0].findtext("service_name") == categories()["thai-do"]


async def test_service_definition_and_unknown_service(api: Api) -> None:
    body = await api.get("services/ha-tang.json")
    assert body == {"service_code": "ha-tang", "attributes": []}
    assert_error(await api.get("services/khong-co.json", 404), 404)
    resp = await api.client.get("/open311/v2/services/ha-tang.xml")
    root = ET.fromstring(await resp.read())
    assert root.tag == "service_definition" and root.findtext("service_code") == "ha-tang"


# ---------------------------------------------------------------- POST requests
async def test_post_files_a_complaint_staff_see(api_any: Api) -> None:
    api = api_any
    body = await api.post({**FORM, "api_key": api.officer, "jurisdiction_id": "yenthuong.gov.vn"})
    assert isinstance(body, list) and len(body) == 1
    created = body[0]
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    code = created["service_request_id"]
    assert re.fullmatch(r"PA-2026-\d{6}", code)
    assert code in created["service_notice"] and created["account_id"] is None
    [c] = await complaints(api.app)
    assert c.code == code and c.status == "received" and c.category == "ha-tang"
    assert c.description == FORM["description"]
    assert (c.reporter_name, c.phone, c.email) == ("Trần Thị Bình", "0912345678", "binh@example.vn")
    assert (c.latitude, c.longitude, c.address) == (21.0285, 105.8542, FORM["address_string"])
    assert c.photos == [FORM["media_url"]]
    assert c.user_id is None and c.channel is None
    # the staff notice of a complaint filed in the chat, to each staff member
    notices = await outbox(api.app, kind="notice", ref=code)
    assert {n.platform_id for n in notices} == {"staff1", "staff2"}
    assert all(payload_text(n).startswith(texts.CS_NEW_COMPLAINT) for n in notices)
    assert "Trần Thị Bình" in payload_text(notices[0]) and FORM["address_string"] in payload_text(notices[0])
    staff = Chat(api.app, user="staff1", name="Cán bộ Bình")
    await staff.say("/hopthu")
    assert code in staff.text
    async with api.app.db.session() as db:
        audit = await db.scalar(select(AuditLog).where(AuditLog.action == "open311.create"))
        assert audit is not None and audit.actor == "open311:ttpvhcc-tinh" and audit.target == code
        key = await db.scalar(select(Open311Key).where(Open311Key.name == "ttpvhcc-tinh"))
        assert key is not None and key.last_used_at == MONDAY_9AM


async def test_post_xml_answer(api: Api) -> None:
    resp = await api.client.post("/open311/v2/requests.xml", data={**FORM, "api_key": api.officer})
    assert resp.status == 200 and resp.headers["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(await resp.read())
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert re.fullmatch(r"PA-2026-\d{6}", request.findtext("service_request_id") or "")
    account = request.find("account_id")
    assert account is not None and account.text is None  # null: an empty element


@pytest.mark.parametrize(
    ("changes", "status", "says"),
    [
        ({"api_key": ""}, 403, "api_key is required"),
        ({"api_key": "doan-bua"}, 403, "invalid api_key"),
        ({"service_code": ""}, 400, "service_code is required"),
        ({"service_code": "o-ga"}, 404, "'o-ga' was not found"),
        ({"lat": "", "long": "", "address_string": ""}, 400, "a location is required"),
        ({"long": "", "address_string": ""}, 400, "lat and long must be sent together"),
        ({"lat": "bắc"}, 400, "must be numbers"),
        ({"lat": "95"}, 400, "within -90..90"),
        ({"description": "ngập"}, 400, "description is required"),
        ({"description": "x" * 4001}, 400, "longer than"),
        ({"phone": "gọi tôi"}, 400, "phone is not"),
        ({"email": "binh-at-example"}, 400, "email is not"),
        ({"media_url": "file:///etc/passwd"}, 400, "media_url"),
    ],
)
async def test_post_refuses_bad_requests_with_the_spec_error(
    api: Api, changes: dict[str, str], status: int, says: str
) -> None:
    body = await api.post({**FORM, "api_key": api.officer, **changes}, status)
    assert_error(body, status)
    assert any(says in e["description"] for e in body), body
    assert await complaints(api.app) == []  # nothing half-filed
    assert await outbox(api.app, kind="notice") == []


async def test_post_refuses_a_body_that_is_not_a_form(api: Api) -> None:
    resp = await api.client.post("/open311/v2/requests.json", json={**FORM, "api_key": api.officer})
    assert resp.status == 400
    body = await resp.json()
    assert_error(body, 400)
    assert "x-www-form-urlencoded" in body[0]["description"]
    assert await complaints(api.app) == []


async def test_post_lists_every_problem_at_once(api: Api) -> None:
    body = await api.post({**FORM, "api_key": api.officer, "phone": "x", "email": "y", "lat": "200"}, 400)
    assert_error(body, 400)
    assert len(body) == 3


async def test_post_with_only_an_address_id(api: Api) -> None:
    code = await api.file(lat="", long="", address_string="", address_id="VN-HN-0001234")
    [c] = await complaints(api.app)
    assert c.code == code and c.address_id == "VN-HN-0001234" and c.latitude is None


# ---------------------------------------------------------------- GET requests
async def test_requests_field_by_field_with_and_without_personal_data(api_any: Api) -> None:
    api = api_any
    code = await api.file()
    officer = await api.get("requests.json", api_key=api.officer)
    [r] = officer
    assert_request(r, personal=True)
    assert r["service_request_id"] == code and r["status"] == "open"
    assert r["status_notes"] == texts.PA_STATUS["received"]
    assert r["requested_datetime"] == "2026-11-30T09:00:00+07:00"
    assert parse_w3c(r["expected_datetime"], "UTC") > MONDAY_9AM
    assert (r["lat"], r["long"], r["address"]) == (21.0285, 105.8542, FORM["address_string"])
    assert r["description"] == FORM["description"] and r["media_url"] == FORM["media_url"]
    assert (r["reporter_name"], r["phone"], r["email"]) == ("Trần Thị Bình", "0912345678", "binh@example.vn")
    [plain] = await api.get("requests.json", api_key=api.reader)
    assert_request(plain, personal=False)
    assert plain["service_request_id"] == code
    for name in ("Trần", "0912345678", "binh@", "Cống"):
        assert name not in str(plain)
    [one] = await api.get(f"requests/{code}.json", api_key=api.reader)
    assert one == plain
    async with api.app.db.session() as db:
        reads = list(await db.scalars(select(AuditLog).where(AuditLog.action == "open311.read")))
        used = {k.name: k.last_used_at for k in await keys_repo.list_keys(db)}
    # reading personal data is audited (which key, which codes); every key's last use is kept
    assert [(r.actor, r.target, r.detail) for r in reads] == [("open311:ttpvhcc-tinh", code, {"count": 1})]
    assert used["so-tttt"] is not None


async def test_reading_needs_a_key_unless_public_read_is_on(api: Api, tmp_path: Path) -> None:
    await api.file()
    assert_error(await api.get("requests.json", 403), 403)
    assert_error(await api.get("requests.json", 403, api_key="sai"), 403)
    header = await api.client.get("/open311/v2/requests.json", headers={"X-Api-Key": api.reader})
    assert header.status == 200
    app, clock = await make_feedback_app(tmp_path / "public", open311_public_read=True)
    async for public in _serve(app, clock):
        await public.file()
        [r] = await public.get("requests.json")
        assert_request(r, personal=False)
        assert_error(await public.get("requests.json", 403, api_key="sai"), 403)
    await app.close()


async def test_single_request_unknown_or_malformed_is_404(api: Api) -> None:
    assert_error(await api.get("requests/PA-2026-999999.json", 404, api_key=api.reader), 404)
    assert_error(await api.get("requests/abc.json", 404, api_key=api.reader), 404)
    resp = await api.client.get("/open311/v2/requests/abc.xml", params={"api_key": api.reader})
    assert resp.status == 404 and resp.headers["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(await resp.read())
    assert root.tag == "errors" and root.findtext("error/code") == "404"


async def test_status_maps_to_open_and_closed_with_notes(api_any: Api) -> None:
    api = api_any
    code = await api.file()
    api.clock.advance(days=2)
    office = make_office(api.app.services.staff, api.app.services.settings, api.app.knowledge.kb.locality)
    async with api.app.db.session() as db:
        await staff_reply(db, office, code, "test:staff1", "Đã cử tổ công tác thông cống.", api.clock())
        await set_status(db, office, code, "test:staff1", "closed", api.clock())
        await db.commit()
    [r] = await api.get(f"requests/{code}.json", api_key=api.officer)
    assert r["status"] == "closed"
    assert r["status_notes"] == "Đã cử tổ công tác thông cống."
    assert r["updated_datetime"] == "2026-12-02T09:00:00+07:00"  # when it was closed
    [plain] = await api.get(f"requests/{code}.json", api_key=api.reader)
    assert plain["status"] == "closed" and plain["status_notes"] == texts.PA_STATUS["closed"]
    assert await api.get("requests.json", api_key=api.reader, status="open") == []
    assert [
        x["service_request_id"] for x in await api.get("requests.json", api_key=api.reader, status="closed")
    ] == [code]
    both = await api.get("requests.json", api_key=api.reader, status="open,closed")
    assert len(both) == 1
    assert_error(await api.get("requests.json", 400, api_key=api.reader, status="pending"), 400)


async def test_filters_by_id_code_and_dates(api: Api) -> None:
    first = await api.file()
    api.clock.advance(days=10)
    second = await api.file(service_code="an-ninh")
    api.clock.advance(days=1)
    q = {"api_key": api.reader}
    ids = await api.get("requests.json", **q, service_request_id=f"{second}, {first.lower()}")
    assert {r["service_request_id"] for r in ids} == {first, second}
    # service_request_id overrides every other argument
    overriding = await api.get("requests.json", **q, service_request_id=first, service_code="an-ninh")
    assert [r["service_request_id"] for r in overriding] == [first]
    assert_error(await api.get("requests.json", 400, **q, service_request_id="PA-2026-1,xyz"), 400)
    by_code = await api.get("requests.json", **q, service_code="an-ninh")
    assert [r["service_request_id"] for r in by_code] == [second]
    both_codes = await api.get("requests.json", **q, service_code="an-ninh,ha-tang")
    assert [r["service_request_id"] for r in both_codes] == [second, first]  # newest first
    window = await api.get("requests.json", **q, start_date="2026-12-05T00:00:00+07:00")
    assert [r["service_request_id"] for r in window] == [second]
    until = await api.get("requests.json", **q, end_date="2026-12-01T00:00:00Z")
    assert [r["service_request_id"] for r in until] == [first]
    a_day = await api.get("requests.json", **q, start_date="2026-11-30", end_date="2026-12-01")
    assert [r["service_request_id"] for r in a_day] == [first]


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90 days"),
        ({"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"}, "before start_date"),
        ({"start_date": "01/12/2026"}, "start_date"),
        ({"end_date": "2026-12-01T10:00:00"}, "end_date"),  # a time without its zone
    ],
)
async def test_bad_date_ranges_are_refused(api: Api, params: dict[str, str], says: str) -> None:
    body = await api.get("requests.json", 400, api_key=api.reader, **params)
    assert_error(body, 400)
    assert any(says in e["description"] for e in body), body


async def test_default_window_is_the_last_90_days(api: Api) -> None:
    old = await api.file()
    api.clock.advance(days=91)
    new = await api.file()
    recent = await api.get("requests.json", api_key=api.reader)
    assert [r["service_request_id"] for r in recent] == [new]
    # an explicit window still reaches the older one
    back = await api.get("requests.json", api_key=api.reader, start_date="2026-11-30T00:00:00+07:00")
    assert [r["service_request_id"] for r in back] == [old]


async def test_at_most_1000_requests(api: Api) -> None:
    now = api.clock()
    async with api.app.db.session() as db:
        db.add_all(
            Complaint(
                code=f"PA-2026-{n:06d}",
                year=2026,
                number=n,
                category="khac",
                description="Phản ánh thử số " + str(n),
                photos=[],
                status="received",
                created_at=now - dt.timedelta(minutes=n),
                updated_at=now,
                due_at=now + dt.timedelta(days=14),
            )
            for n in range(1, MAX_RESULTS + 2)
        )
        await db.commit()
    body = await api.get("requests.json", api_key=api.reader)
    assert MAX_RESULTS == 1000 and len(body) == MAX_RESULTS
    assert body[0]["service_request_id"] == "PA-2026-000001"  # the most recent first


async def test_a_database_failure_is_the_specs_general_error(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = await api.file()

    async def down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(keys_repo, "search", down)
    monkeypatch.setattr(keys_repo, "find_key", down)
    assert_error(await api.get("requests.json", 400, api_key=api.reader), 400)
    assert_error(await api.get(f"requests/{code}.json", 400, api_key=api.reader), 400)
    assert_error(await api.post({**FORM, "api_key": api.officer}, 400), 400)
    assert len(await complaints(api.app)) == 1


async def test_requests_xml(api: Api) -> None:
    code = await api.file()
    resp = await api.client.get("/open311/v2/requests.xml", params={"api_key": api.reader})
    root = ET.fromstring(await resp.read())
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert {child.tag for child in request} == REQUEST_FIELDS
    assert request.findtext("service_request_id") == code
    assert request.findtext("status") == "open"
    description = request.find("description")
    assert description is not None and description.text is None  # no personal data for this key


# ---------------------------------------------------------------- keys and personal data
async def test_keys_are_stored_hashed(api: Api) -> None:
    async with api.app.db.session() as db:
        rows = await keys_repo.list_keys(db)
    assert {k.name for k in rows} == {"so-tttt", "ttpvhcc-tinh"}
    assert all(len(k.key_hash) == 64 and k.key_hash not in (api.reader, api.officer) for k in rows)
    assert {k.key_hash for k in rows} == {keys_repo.hash_key(api.reader), keys_repo.hash_key(api.officer)}


async def test_purge_removes_the_filer_of_an_api_complaint(api: Api) -> None:
    from handlers.privacy_purge import purge

    code = await api.file()
    office = make_office(api.app.services.staff, api.app.services.settings, api.app.knowledge.kb.locality)
    async with api.app.db.session() as db:
        await set_status(db, office, code, "test:staff1", "closed", api.clock())
        await db.commit()
    api.clock.advance(days=api.app.services.settings.retention.complaint_person_days + 1)
    async with api.app.db.session() as db:
        await purge(db, api.app.services.router, api.clock(), api.app.services.settings.retention)
        await db.commit()
    [c] = await complaints(api.app)
    assert (c.reporter_name, c.phone, c.email) == (None, None, None)
    assert c.description == FORM["description"]  # the record stays


def test_cli_adds_lists_and_removes_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main
    from tests.conftest import FIXTURE_KB

    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MOTCUA_KNOWLEDGE_DIR", str(FIXTURE_KB))
    monkeypatch.delenv("MOTCUA_DATABASE_URL", raising=False)
    assert main(["open311", "key", "add", "so-tttt", "--personal-data"]) == 0
    key = capsys.readouterr().out.strip()
    assert len(key) >= 40
    assert main(["open311", "key", "add", "so-tttt"]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["open311", "key", "add", "Sở TT"]) == 2
    capsys.readouterr()
    assert main(["open311", "key", "list"]) == 0
    listed = capsys.readouterr().out
    assert "so-tttt\tpersonal data" in listed and "never used" in listed and key not in listed
    assert (tmp_path / "motcua.db").read_bytes().find(key.encode()) == -1
    assert main(["open311", "key", "remove", "so-tttt"]) == 0
    assert main(["open311", "key", "remove", "so-tttt"]) == 2
    assert "no key named so-tttt" in capsys.readouterr().err
