"""Where settings come from: the environment, then a `.env` file, then defaults.

pydantic-settings reads the environment and the `.env` file (its parsing of
quotes, comments and `export` lines is the one deployers know from other
tools); bot/config.py still converts and validates every value, so mistakes
keep their one-line messages. This module also knows what each variable is
for (docs for `motcua run --help`, `motcua config show|example` and
deploy/.env.example) and warns about MOTCUA_* names that are no setting.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any

from pydantic import create_model
from pydantic_settings import BaseSettings, DotEnvSettingsSource, EnvSettingsSource, SettingsConfigDict

from bot.config import PREFIX, Settings
from bot.config_docs import DESCRIPTIONS, SECRET_FIELDS

ENV_FILE_VARIABLE = "MOTCUA_ENV_FILE"  # where the .env file is; default ./.env
# MOTCUA_* names read by something else than Settings (tests, this module)
OTHER_VARIABLES = {ENV_FILE_VARIABLE, "MOTCUA_TEST_DATABASE_URL", "MOTCUA_REQUIRE_POSTGRES"}


def variable(name: str) -> str:
    return PREFIX + name.upper()


def known_variables() -> set[str]:
    return {variable(f.name) for f in fields(Settings)} | OTHER_VARIABLES


def _raw_model() -> type[BaseSettings]:
    """A settings class with every field as an optional string: conversion is config.py's."""
    definitions: dict[str, Any] = {f.name: (str | None, None) for f in fields(Settings)}
    model: type[BaseSettings] = create_model(
        "RawSettings",
        __base__=BaseSettings,
        __config__=None,
        **definitions,
    )
    model.model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore", case_sensitive=False)
    return model


class _MappingSource(EnvSettingsSource):
    """The environment source over a given mapping (the real environment, or a test's)."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        self._given = {k.lower(): v for k, v in env.items()}
        super().__init__(settings_cls, env_prefix=PREFIX, case_sensitive=False)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return self._given


@dataclass
class Loaded:
    """Validated settings plus, for each field, where its value came from."""

    settings: Settings
    sources: dict[str, str]  # field name -> "environment", ".env file …" or "default"
    unknown: list[tuple[str, str | None]]  # (MOTCUA_ name, closest known name)
    env_file: Path | None


def env_file_path(env: Mapping[str, str]) -> Path | None:
    """The .env file to read: MOTCUA_ENV_FILE, or ./.env when it exists."""
    named = env.get(ENV_FILE_VARIABLE)
    if named:
        return Path(named).expanduser()
    default = Path(".env")
    return default if default.is_file() else None


def read_raw(
    env: Mapping[str, str], env_file: Path | None
) -> tuple[dict[str, str], dict[str, str], set[str]]:
    """(values by field, source by field, MOTCUA_ names present) from the environment and .env."""
    model = _raw_model()
    from_env = {k: v for k, v in _MappingSource(model, env)().items() if v not in (None, "")}
    from_file: dict[str, Any] = {}
    names = {k.upper() for k in env if k.upper().startswith(PREFIX)}
    if env_file is not None:
        if not env_file.is_file():
            from bot.config import ConfigError

            raise ConfigError(f"{ENV_FILE_VARIABLE}={env_file} does not exist")
        dotenv = DotEnvSettingsSource(model, env_file=env_file, env_prefix=PREFIX, case_sensitive=False)
        from_file = {k: v for k, v in dotenv().items() if v not in (None, "")}
        names |= {k.upper() for k in dotenv.env_vars if k.upper().startswith(PREFIX)}
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    for name, value in from_file.items():
        values[name], sources[name] = str(value), f".env file {env_file}"
    for name, value in from_env.items():  # the environment wins over the file
        values[name], sources[name] = str(value), "environment"
    return values, sources, names


def unknown_names(names: set[str]) -> list[tuple[str, str | None]]:
    """MOTCUA_* names that are no setting, each with the closest known name (a typo's fix)."""
    known = sorted(known_variables())
    out = []
    for name in sorted(names - set(known)):
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        out.append((name, close[0] if close else None))
    return out


def load(env: Mapping[str, str] | None = None, env_file: Path | None = None) -> Loaded:
    """Settings from `env` (default: os.environ) and the .env file, with their sources."""
    env = dict(os.environ if env is None else env)
    env_file = env_file or env_file_path(env)
    values, sources, names = read_raw(env, env_file)
    merged = {variable(name): value for name, value in values.items()}
    settings = Settings.from_env(merged)
    for f in fields(Settings):
        sources.setdefault(f.name, "default")
    return Loaded(settings, sources, unknown_names(names), env_file)


def unknown_warning(name: str, close: str | None) -> str:
    hint = f"; did you mean {close}?" if close else "; see `motcua run --help` for the settings"
    return f"motcua: warning: {name} is not a motcua setting and is ignored{hint}"


# ---------------------------------------------------------------- presenting settings
def default_text(name: str) -> str:
    f = next(f for f in fields(Settings) if f.name == name)
    if f.default is not MISSING:
        return "" if f.default is None else str(f.default)
    return {"data_dir": "the user data directory (~/.local/share/motcua)"}.get(name, "")


def masked(name: str, value: Any) -> str:
    """A value fit for a terminal or a ticket: secrets hidden, URLs without passwords."""
    if value is None or value == "":
        return ""
    if name in SECRET_FIELDS:
        return "********"
    if name == "database_url":
        from bot.app import _safe_url

        return _safe_url(str(value))
    return str(value)


def show_lines(loaded: Loaded) -> list[str]:
    """`motcua config show`: each variable, its effective value (masked) and its source."""
    lines = []
    for f in fields(Settings):
        value = masked(f.name, getattr(loaded.settings, f.name))
        source = loaded.sources[f.name]
        if source == "default" and f.name == "database_url":
            source = "default (SQLite file in MOTCUA_DATA_DIR)"
        lines.append(f"{variable(f.name)}={value}\t# {source}")
    return lines


def help_epilog() -> str:
    """Every variable with its default, for `motcua run --help`."""
    lines = ["environment variables (also read from ./.env or $MOTCUA_ENV_FILE):"]
    for f in fields(Settings):
        default = default_text(f.name)
        lines.append(f"  {variable(f.name)}  (default: {default or 'empty'})")
        lines.append(f"      {DESCRIPTIONS.get(f.name, '')}")
    return "\n".join(lines)


def env_example() -> str:
    """deploy/.env.example: every variable commented out with its meaning and default."""
    out = [
        "# motcua configuration: copy to .env (or pass as environment variables) and uncomment what you set.",
        "# Every variable is optional except a channel (MOTCUA_TELEGRAM_TOKEN or the MOTCUA_ZALO_* ones).",
        "# `motcua config show` prints the effective values and where each came from.",
        "",
        "# ---- deploy/docker-compose.yml only (not read by motcua itself)",
        "# the public name of the machine; Caddy gets its HTTPS certificate for it",
        "# PUBLIC_DOMAIN=motcua.example.gov.vn",
        "# password of the compose file's PostgreSQL (any long random string)",
        "# POSTGRES_PASSWORD=",
        "",
        "# ---- motcua",
    ]
    for f in fields(Settings):
        out.append(f"# {DESCRIPTIONS.get(f.name, '')}")
        out.append(f"# {variable(f.name)}={default_text(f.name) if f.default is not MISSING else ''}")
        out.append("")
    return "\n".join(out)
