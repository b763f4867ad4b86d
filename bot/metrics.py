"""Prometheus metrics at /metrics, fed by the observation hooks of handlers/observe.py.

One module owns every metric so a deployer reads what exists in one place.
Labels are only channels, decisions, statuses and outcomes: never a user,
a chat, a text or a tracking code. Counters live in this process; the gauges
that describe shared state (outbox rows, broadcasts in progress) are read
from the database when Prometheus scrapes, so every worker reports the same.

`install(app)` also writes the JSON event lines (bot/logs.py) from the same
hooks, so metrics and logs never disagree about what happened.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from sqlalchemy import func, select

from handlers import observe

if TYPE_CHECKING:
    from bot.app import App

events = logging.getLogger("motcua.events")

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Every metric of one process, on its own registry (tests build several)."""

    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        self.updates = Counter(
            "motcua_updates", "Updates handled, by channel and outcome", ["channel", "outcome"], registry=r
        )
        self.replies = Counter("motcua_replies", "Replies sent in answer to updates", ["channel"], registry=r)
        self.latency = Histogram(
            "motcua_update_seconds",
            "Time from an update reaching the dispatcher to its replies",
            ["channel"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.decisions = Counter("motcua_matcher_decisions", "Matcher decisions", ["decision"], registry=r)
        self.deliveries = Counter(
            "motcua_deliveries", "Outbox delivery results", ["channel", "status"], registry=r
        )
        self.rate_limited = Counter(
            "motcua_rate_limited", "429 answers from a platform while delivering", ["channel"], registry=r
        )
        self.db_errors = Counter("motcua_database_errors", "Database errors", ["where"], registry=r)
        self.complaints = Counter("motcua_complaints", "Complaints opened and closed", ["action"], registry=r)
        self.outbox_rows = Gauge(
            "motcua_outbox_rows", "Outbox rows by state and channel", ["status", "channel"], registry=r
        )
        self.broadcasts_active = Gauge(
            "motcua_broadcasts_in_progress", "Broadcasts scheduled or sending", registry=r
        )
        self.kb_info = Gauge(
            "motcua_kb_info", "The knowledge base served (version label)", ["version"], registry=r
        )
        self.kb_topics = Gauge("motcua_kb_topics", "Topics in the knowledge base", registry=r)
        self.kb_loaded = Gauge(
            "motcua_kb_loaded_timestamp_seconds", "When the knowledge base was loaded", registry=r
        )
        self.kb_oldest_check = Gauge(
            "motcua_kb_oldest_check_age_days", "Days since the least recently checked topic", registry=r
        )

    # ------------------------------------------------------------ hook listeners
    def on_update(self, channel: str, seconds: float, outcome: str, replies: int, **facts: Any) -> None:
        self.updates.labels(channel, outcome).inc()
        self.latency.labels(channel).observe(seconds)
        if replies:
            self.replies.labels(channel).inc(replies)
        events.info(
            "update handled",
            extra={
                "event": "update",
                "channel": channel,
                "latency_ms": round(seconds * 1000, 1),
                "outcome": outcome,
                "decision": facts.get("decision"),
                "topic": facts.get("topic"),
                "replies": replies,
            },
        )

    def on_decision(self, decision: str) -> None:
        self.decisions.labels(decision).inc()

    def on_delivery(self, channel: str, status: str, seconds: float) -> None:
        self.deliveries.labels(channel, status).inc()
        events.info(
            "delivery",
            extra={
                "event": "delivery",
                "channel": channel,
                "status": status,
                "latency_ms": round(seconds * 1000, 1),
            },
        )

    def on_rate_limited(self, channel: str) -> None:
        self.rate_limited.labels(channel).inc()

    def on_db_error(self, where: str) -> None:
        self.db_errors.labels(where).inc()

    def on_complaint(self, action: str) -> None:
        self.complaints.labels(action).inc()

    # ------------------------------------------------------------ scrape
    async def refresh(self, app: App) -> None:
        """Read the shared state from the database and the live knowledge base."""
        from storage.models import Outbox
        from storage.models_broadcast import Broadcast

        kb = app.knowledge.kb
        self.kb_info.clear()
        self.kb_info.labels(kb_version(app)).set(1)
        self.kb_topics.set(len(kb.topics))
        self.kb_loaded.set(kb.loaded_at.timestamp())
        if kb.topics:
            oldest = min(t.source.checked for t in kb.topics.values())
            self.kb_oldest_check.set((dt.date.today() - oldest).days)
        try:
            async with app.db.session() as s:
                rows = (
                    await s.execute(
                        select(Outbox.status, Outbox.channel, func.count()).group_by(
                            Outbox.status, Outbox.channel
                        )
                    )
                ).all()
                active = await s.scalar(
                    select(func.count()).where(Broadcast.status.in_(("scheduled", "sending")))
                )
        except Exception:
            self.db_errors.labels("metrics").inc()
            return
        self.outbox_rows.clear()
        for status, channel, count in rows:
            self.outbox_rows.labels(status, channel).set(count)
        self.broadcasts_active.set(active or 0)

    def listen(self) -> None:
        """Register on the observation hooks (once per process)."""
        observe.listen("update", self.on_update)
        observe.listen("decision", self.on_decision)
        observe.listen("delivery", self.on_delivery)
        observe.listen("rate_limited", self.on_rate_limited)
        observe.listen("db_error", self.on_db_error)
        observe.listen("complaint", self.on_complaint)


_versions: dict[int, str] = {}


def kb_version(app: App) -> str:
    """A short fingerprint of the topics served: changes when the content does (cached per base)."""
    kb = app.knowledge.kb
    if id(kb) in _versions:
        return _versions[id(kb)]
    digest = hashlib.sha256()
    for topic_id in sorted(kb.topics):
        digest.update(kb.topics[topic_id].model_dump_json().encode())
    _versions.clear()  # only the live base matters
    _versions[id(kb)] = digest.hexdigest()[:12]
    return _versions[id(kb)]


def install(app: App) -> Metrics:
    """Metrics for this process, listening to the hooks (replacing any earlier listeners)."""
    metrics = Metrics()
    observe.clear()
    metrics.listen()
    return metrics


def add_route(web_app: web.Application, app: App, metrics: Metrics) -> None:
    async def scrape(_request: web.Request) -> web.Response:
        await metrics.refresh(app)
        body = generate_latest(metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    web_app.router.add_get("/metrics", scrape)
