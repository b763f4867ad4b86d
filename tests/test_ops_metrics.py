"""Metrics and event lines in process: deliveries, 429s, complaints, the outbox gauges, JSON format."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator

import pytest
from prometheus_client import generate_latest

from bot.app import App
from bot.channels.base import RateLimited
from bot.logs import JsonFormatter
from bot.metrics import Metrics, install
from bot.outbox_sender import OutboxWorker
from handlers import observe
from tests.conftest import Chat
from tests.outbox_fakes import FakeClock, FakeSender
from tests.test_ops_run import metric
from tests.test_outbox import cfg, queue


@pytest.fixture
def metrics(app: App) -> Iterator[Metrics]:
    yield install(app)
    observe.clear()


async def test_deliveries_and_429s_are_counted_and_logged(
    app: App, metrics: Metrics, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    await queue(app.db, clock, ["p1", "p2"])
    sender = FakeSender(clock)
    sender.script["p1"] = [RateLimited(retry_after=1)]
    await metrics.refresh(app)
    body = generate_latest(metrics.registry).decode()
    assert metric(body, "motcua_outbox_rows", status="pending", channel="test") == 2
    with caplog.at_level(logging.INFO, logger="motcua.events"):
        await OutboxWorker(app.db, sender, cfg(rate=25.0), clock=clock).drain()
    await metrics.refresh(app)
    body = generate_latest(metrics.registry).decode()
    assert metric(body, "motcua_deliveries_total", channel="test", status="sent") == 2
    assert metric(body, "motcua_rate_limited_total", channel="test") == 1
    assert metric(body, "motcua_outbox_rows", status="sent", channel="test") == 2
    assert metric(body, "motcua_outbox_rows", status="pending", channel="test") == 0
    deliveries = [r for r in caplog.records if getattr(r, "event", None) == "delivery"]
    assert len(deliveries) == 2
    line = json.loads(JsonFormatter().format(deliveries[0]))
    assert line["event"] == "delivery" and line["status"] == "sent" and line["channel"] == "test"
    assert "p1" not in json.dumps(line) and "p2" not in json.dumps(line)  # no chat ids


async def test_complaints_opened_and_closed_are_counted(app: App, metrics: Metrics) -> None:
    from handlers.complaint_service import set_status
    from handlers.feedback_core import make_office
    from tests.feedback_support import file_complaint

    code = await file_complaint(Chat(app, user="c1"))
    body = generate_latest(metrics.registry).decode()
    assert metric(body, "motcua_complaints_total", action="opened") == 1
    async with app.db.session() as db:
        office = make_office(app.services.staff, app.services.settings, app.knowledge.kb.locality)
        await set_status(db, office, code, "cli:test", "closed", dt.datetime.now(dt.UTC))
        await db.commit()
    body = generate_latest(metrics.registry).decode()
    assert metric(body, "motcua_complaints_total", action="closed") == 1
    assert code not in body


def test_json_formatter_one_line_with_fields() -> None:
    record = logging.LogRecord("motcua.events", logging.INFO, "x", 1, "update handled", None, None)
    record.channel = "telegram"
    record.latency_ms = 3.2
    text = JsonFormatter().format(record)
    assert "\n" not in text
    doc = json.loads(text)
    assert doc["message"] == "update handled" and doc["channel"] == "telegram" and doc["latency_ms"] == 3.2


def test_text_format_shows_the_fields_after_the_message() -> None:
    from bot.logs import TextFormatter

    record = logging.LogRecord("motcua.events", logging.INFO, "x", 1, "update handled", None, None)
    record.channel = "telegram"
    assert TextFormatter().format(record).endswith("motcua.events: update handled channel=telegram")
