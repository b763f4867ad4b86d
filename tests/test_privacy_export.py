# ruff: noqa: F811  (pytest fixtures imported from tests.feedback_support)
"""«Tải dữ liệu»: the person's data as a JSON file, private chats only, recorded; the time limits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from telegram import Bot

from bot.app import App
from bot.channels import console, zalo_bot, zalo_oa
from bot.channels.telegram import TelegramSender, render
from handlers import texts
from handlers.messages import Document, Incoming, Reply
from handlers.privacy_export import FORMAT
from handlers.serialize import reply_to_dict
from storage.models_privacy import REQUEST_KINDS, DataRequest
from storage.privacy import ACK_WORKING_DAYS, DUE_DAYS
from tests.conftest import Chat
from tests.fake_telegram import FakeTelegram
from tests.feedback_support import (  # noqa: F401  (fixtures)
    citizen,
    fb_app,
    file_complaint,
    make_feedback_app,
)

PHONE = "0912345678"
QUESTION = "làm giấy khai sinh cho con cần gì"
DESCRIPTION = "Đèn đường ngõ 12 thôn Đông hỏng đã hai tuần, buổi tối rất tối"


async def _export(citizen: Chat) -> tuple[Reply, dict[str, Any]]:
    await citizen.say("/dulieucuatoi")
    assert "pv:json" in citizen.actions
    await citizen.press("pv:json")
    [reply] = citizen.last
    assert reply.document is not None
    assert reply.document.filename == "du-lieu-ca-nhan-20261130.json"
    assert reply.document.mime_type == "application/json"
    return reply, json.loads(reply.document.content.decode("utf-8"))


async def test_the_file_holds_every_registration_with_the_register(fb_app: App, citizen: Chat) -> None:
    await citizen.say(QUESTION)
    code = await file_complaint(citizen, description=DESCRIPTION, phone=PHONE)
    reply, data = await _export(citizen)
    assert reply.text == texts.PV_EXPORT_SENT
    assert data["format"] == FORMAT
    assert data["exported_at"] == "2026-11-30T09:00:00+07:00"
    loc = fb_app.knowledge.kb.locality
    assert data["controller"] == {"name": loc.office_name, "hotline": loc.hotline, "address": loc.address}
    assert data["subject"] == {"channel": "test", "platform_id": "c1"}
    sections = {s["name"]: s for s in data["sections"]}
    router = fb_app.services.router
    assert next(iter(sections)) == "account" and set(sections) == set(router.personal)
    assert texts.PV_PHONE.format(phone=PHONE).removeprefix("• ") in sections["account"]["items"]
    assert any(code in item for item in sections["complaints"]["items"])
    # the person's own words come with the file, not only the counts /dulieucuatoi shows
    [complaint] = sections["complaints"]["records"]
    assert (complaint["code"], complaint["description"], complaint["phone"]) == (code, DESCRIPTION, PHONE)
    assert complaint["received_at"] == "2026-11-30T09:00:00+07:00" and complaint["status"] == "received"
    assert QUESTION in [q["text"] for q in sections["question_log"]["records"]]
    assert sections["account"]["records"] == []  # its describer's lines say it all
    complaints = sections["complaints"]
    registration = router.personal["complaints"]
    assert (complaints["purpose"], complaints["legal_basis"]) == (registration.purpose, registration.basis)
    assert complaints["retention_days"] == fb_app.services.settings.retention.complaint_person_days
    assert complaints["recipients"] == registration.recipients
    async with fb_app.db.session() as db:
        requests = list(await db.scalars(select(DataRequest).order_by(DataRequest.id)))
    assert [(r.kind, r.status) for r in requests] == [("view", "done"), ("provide", "done")]
    assert requests[1].outcome == "sent as a JSON file in the private chat"


async def test_never_in_a_group(fb_app: App, citizen: Chat) -> None:
    await file_complaint(citizen, phone=PHONE)
    pressed = await fb_app.dispatcher.handle(Incoming("test", "c1", action="pv:json", group="-100123"))
    assert [r.text for r in pressed] == [texts.PRIVATE_ONLY]
    assert all(r.document is None for r in pressed)
    async with fb_app.db.session() as db:
        assert await db.scalar(select(DataRequest).where(DataRequest.kind == "provide")) is None


async def test_not_even_in_the_staff_group(tmp_path: Path) -> None:
    app, _ = await make_feedback_app(tmp_path, staff_chat="test:-100777")
    try:
        pressed = await app.dispatcher.handle(Incoming("test", "staff1", action="pv:json", group="-100777"))
        assert [r.text for r in pressed] == [texts.PRIVATE_ONLY]
        assert all(r.document is None for r in pressed)
    finally:
        await app.close()


def test_a_document_is_never_queued_in_the_outbox() -> None:
    reply = Reply("x", document=Document("a.json", b'{"phone": "0912345678"}'))
    assert reply_to_dict(reply) == {"text": "x"}


async def test_telegram_sends_the_file_after_the_text() -> None:
    document = Document("du-lieu.json", json.dumps({"phone": PHONE}).encode())
    calls = render([Reply(texts.PV_EXPORT_SENT, document=document)])
    assert [c.kind for c in calls] == ["text", "document"] and calls[1].document == document
    fake = FakeTelegram()
    await fake.start()
    bot = Bot(fake.token, base_url=fake.api_url)
    await bot.initialize()
    try:
        fake.user(60)
        await TelegramSender(bot).send("60", [Reply(texts.PV_EXPORT_SENT, document=document)])
        text, sent = fake.messages_to(60)
        assert text["text"] == texts.PV_EXPORT_SENT
        assert sent["document"]["file_name"] == "du-lieu.json"
        assert json.loads(sent["_document"]["content"]) == {"phone": PHONE}
    finally:
        await bot.shutdown()
        await fake.stop()


def test_channels_without_files_write_the_document_out() -> None:
    content = json.dumps({"phone": PHONE}, ensure_ascii=False)
    reply = Reply(texts.PV_EXPORT_SENT, document=Document("du-lieu.json", content.encode()))
    calls = zalo_bot.render([reply])
    said = "\n".join(body.get("text", "") for method, body in calls if method == "sendMessage")
    assert texts.DOCUMENT_AS_TEXT.format(filename="du-lieu.json") in said and content in said
    shown = console.render([reply])
    assert texts.PV_EXPORT_SENT in shown and content in shown
    oa = "\n".join(m.get("text", "") for m in zalo_oa.render([reply]))
    assert texts.DOCUMENT_AS_TEXT.format(filename="du-lieu.json") in oa and content in oa


def test_the_time_limits_are_the_shortest_the_decree_summaries_give() -> None:
    # docs/privacy.md: 2 working days to respond; withdrawal, restriction, objection within 15
    # days; the other requests within 10 to 20 days, of which the code promises the shortest
    assert ACK_WORKING_DAYS == 2
    assert DUE_DAYS == {"view": 10, "provide": 10, "correct": 10, "withdraw": 15, "object": 15, "delete": 10}
    assert set(DUE_DAYS) == set(REQUEST_KINDS)  # every kind of request has its deadline
