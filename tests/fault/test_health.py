"""/readyz: channels started (and their own `ready` flag where they have one), database writable."""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.app import App
from bot.health import Health


@dataclass
class FakeRunner:
    name: str
    is_channel: bool = True
    ready: bool = True


async def status(health: Health) -> tuple[int, dict]:
    response = await health.readyz(None)  # type: ignore[arg-type]
    assert response.text is not None
    return response.status, json.loads(response.text)


async def test_ready_only_when_every_runner_started_and_ready(app: App) -> None:
    telegram, worker = FakeRunner("telegram"), FakeRunner("outbox")
    health = Health(app, [telegram, worker])
    code, body = await status(health)
    assert code == 503 and body["problems"] == ["telegram: not started", "outbox: not started"]
    health.started |= {"telegram", "outbox"}
    assert (await status(health))[0] == 200
    telegram.ready = False  # e.g. Telegram unreachable: the runner keeps retrying, not ready
    code, body = await status(health)
    assert code == 503 and body["problems"] == ["telegram: not ready"]
