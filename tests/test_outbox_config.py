"""Outbox settings: defaults, env parsing, clear errors; which channels get a worker in `motcua run`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings
from bot.outbox_sender import SenderConfig, channel_configured, outbox_runner_factories, progress_bar


def test_defaults_and_env(tmp_path: Path) -> None:
    s = Settings.from_env({"MOTCUA_DATA_DIR": str(tmp_path)})
    assert s.outbox_rate_for("telegram") == 25.0 and s.outbox_concurrency == 8
    s = Settings.from_env(
        {
            "MOTCUA_DATA_DIR": str(tmp_path),
            "MOTCUA_OUTBOX_RATE_TELEGRAM": "12.5",
            "MOTCUA_OUTBOX_LEASE_SECONDS": "5",
        }
    )
    cfg = SenderConfig.from_settings(s, "telegram")
    assert cfg.rate == 12.5 and cfg.lease_seconds == 5.0


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MOTCUA_OUTBOX_RATE_TELEGRAM", "31", "above Telegram's limit"),
        ("MOTCUA_OUTBOX_RATE_TELEGRAM", "fast", "is not a number"),
        ("MOTCUA_OUTBOX_RATE_ZALO_OA", "0", "between 0 and 1000"),
        ("MOTCUA_OUTBOX_CONCURRENCY", "0", "between 1 and 100"),
        ("MOTCUA_OUTBOX_LEASE_SECONDS", "1", "too short"),
        ("MOTCUA_OUTBOX_MAX_ATTEMPTS", "0", "at least 1"),
    ],
)
def test_bad_values_name_the_variable(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        Settings.from_env({"MOTCUA_DATA_DIR": str(tmp_path), name: value})
    assert name in str(err.value) and message in str(err.value)


async def test_runner_only_for_configured_channels(fixture_app) -> None:  # type: ignore[no-untyped-def]
    app = fixture_app
    assert not channel_configured(app.settings, "telegram")
    assert [f(app) for f in outbox_runner_factories()] == [None, None, None]
    app.senders = {"zalo_bot": object()}
    runners = [r for r in (f(app) for f in outbox_runner_factories()) if r is not None]
    assert [r.name for r in runners] == ["outbox:zalo_bot"]


def test_progress_bar() -> None:
    assert progress_bar(0, 0) == "[" + "-" * 20 + "]"
    assert progress_bar(1200, 5000) == "[#####---------------] 24%"
    assert progress_bar(5, 5, 4) == "[####] 100%"
