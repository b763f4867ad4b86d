"""The configuration traps a deployer hits (issue 19), through the real command line."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings
from bot.config_docs import DESCRIPTIONS, SECRET_FIELDS
from bot.config_sources import env_example, load
from tests.test_cli import ROOT, motcua


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    from tests.conftest import FIXTURE_KB

    return {"MOTCUA_DATA_DIR": str(tmp_path / "data"), "MOTCUA_KNOWLEDGE_DIR": str(FIXTURE_KB)}


def test_mistyped_variable_is_named_with_the_closest_known_one(env: dict[str, str]) -> None:
    out = motcua("config", "show", env={**env, "MOTCUA_TELEGRAM_TOKNE": "123:abc"})
    assert out.returncode == 0
    assert "MOTCUA_TELEGRAM_TOKNE is not a motcua setting" in out.stderr
    assert "did you mean MOTCUA_TELEGRAM_TOKEN?" in out.stderr


def test_run_help_lists_every_variable_with_its_default() -> None:
    out = motcua("run", "--help")
    assert out.returncode == 0
    for f in fields(Settings):
        assert f"MOTCUA_{f.name.upper()}  (default:" in out.stdout
    assert "MOTCUA_HTTP_PORT  (default: 8080)" in out.stdout


def test_every_setting_is_documented_and_in_the_example_file() -> None:
    names = {f.name for f in fields(Settings)}
    assert names - set(DESCRIPTIONS) == set(), "describe new settings in bot/config_docs.py"
    example = (ROOT / "deploy" / ".env.example").read_text()
    assert example == env_example(), "regenerate it: motcua config example > deploy/.env.example"


def test_version_flag() -> None:
    out = motcua("--version")
    assert out.returncode == 0 and out.stdout.startswith("motcua ")


def test_log_level_flag_wins_over_the_environment(env: dict[str, str], tmp_path: Path) -> None:
    """`--log-level DEBUG` with MOTCUA_LOG_LEVEL=ERROR: DEBUG lines appear (before, the variable won)."""
    code = (
        "import logging, sys\n"
        "from bot.commands import run\n"
        "# stop where the app would open, reporting the root logger's level as the exit code\n"
        "run.open_app = lambda *a, **k: (_ for _ in ()).throw(SystemExit(logging.getLogger().level))\n"
        "from bot.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    full = {**env, "MOTCUA_LOG_LEVEL": "ERROR", "MOTCUA_TELEGRAM_TOKEN": "1:x", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code, "--log-level", "DEBUG", "run"], env=full, capture_output=True, text=True
    )
    assert out.returncode == 10, out.stderr  # logging.DEBUG
    out = subprocess.run([sys.executable, "-c", code, "run"], env=full, capture_output=True, text=True)
    assert out.returncode == 40, out.stderr  # logging.ERROR from the environment


def test_run_without_a_channel_refuses_before_touching_the_database(
    env: dict[str, str], tmp_path: Path
) -> None:
    out = motcua("run", env=env)
    assert out.returncode == 2 and "no channel is configured" in out.stderr
    assert not (tmp_path / "data" / "motcua.db").exists(), "the database was created (migrated) anyway"


def test_dotenv_file_and_config_show_masks_secrets_and_names_sources(
    env: dict[str, str], tmp_path: Path
) -> None:
    dotenv = tmp_path / "motcua.env"
    dotenv.write_text('MOTCUA_TELEGRAM_TOKEN="123456:secret-token"\nexport MOTCUA_HTTP_PORT=9000\n')
    url = "postgresql+asyncpg://bot:hunter2@db:5432/motcua"
    out = motcua(
        "config",
        "show",
        env={**env, "MOTCUA_ENV_FILE": str(dotenv), "MOTCUA_HTTP_PORT": "9001", "MOTCUA_DATABASE_URL": url},
    )
    assert out.returncode == 0, out.stderr
    lines = dict(line.split("=", 1) for line in out.stdout.splitlines() if not line.startswith("#"))
    assert lines["MOTCUA_TELEGRAM_TOKEN"] == f"********\t# .env file {dotenv}"
    assert lines["MOTCUA_HTTP_PORT"] == "9001\t# environment"  # the environment wins over the file
    assert lines["MOTCUA_TIMEZONE"] == "Asia/Ho_Chi_Minh\t# default"
    assert "hunter2" not in out.stdout and "secret-token" not in out.stdout
    assert "bot:***@db:5432/motcua" in lines["MOTCUA_DATABASE_URL"]


def test_values_from_the_env_file_keep_the_one_line_errors(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("MOTCUA_HTTP_PORT=eighty\n")
    with pytest.raises(ConfigError, match=r"MOTCUA_HTTP_PORT='eighty' is not a whole number"):
        load({"MOTCUA_DATA_DIR": str(tmp_path)}, env_file=dotenv)
    with pytest.raises(ConfigError, match="MOTCUA_LOG_FORMAT='xml' must be text or json"):
        load({"MOTCUA_DATA_DIR": str(tmp_path), "MOTCUA_LOG_FORMAT": "xml"})


def test_unknown_names_in_the_env_file_are_warned_too(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("MOTCUA_OUTBOX_RATE_TELEGRM=20\nOTHER=1\n")
    loaded = load({"MOTCUA_DATA_DIR": str(tmp_path)}, env_file=dotenv)
    assert loaded.unknown == [("MOTCUA_OUTBOX_RATE_TELEGRM", "MOTCUA_OUTBOX_RATE_TELEGRAM")]


def test_secrets_are_the_credential_fields() -> None:
    assert SECRET_FIELDS <= {f.name for f in fields(Settings)}
    assert all(("token" in n or "secret" in n) for n in SECRET_FIELDS)


def test_db_current_history_downgrade_and_packaged_alembic_ini(env: dict[str, str], tmp_path: Path) -> None:
    assert motcua("db", "upgrade", env=env).returncode == 0
    current = motcua("db", "current", env=env)
    assert current.returncode == 0 and "0401_zalo (head)" in current.stdout
    history = motcua("db", "history", env=env)
    assert "0001_foundation -> 0201_feedback" in history.stdout
    down = motcua("db", "downgrade", "0401_zalo@-1", env=env)
    assert down.returncode == 0, down.stderr
    assert "0401_zalo" not in motcua("db", "current", env=env).stdout
    assert motcua("db", "upgrade", env=env).returncode == 0
    # plain alembic with the packaged ini, as pyproject's package-data promises
    ini = ROOT / "storage" / "alembic.ini"
    url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'motcua.db'}"
    out = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ini), "current"],
        env={"MOTCUA_DATABASE_URL": url, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert "0401_zalo (head)" in out.stdout
