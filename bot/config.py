"""Settings from MOTCUA_* environment variables, validated up front.

A commune's IT person configures the bot with environment variables; a wrong
value must stop the bot with one line that names the variable, says what is
wrong and how to fix it, instead of failing later with a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_type_hints

import platformdirs

PREFIX = "MOTCUA_"
SUPPORTED_DB_SCHEMES = ("sqlite+aiosqlite", "postgresql+asyncpg")


class ConfigError(Exception):
    """A configuration problem, phrased for the person deploying the bot."""


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("motcua", appauthor=False))


def normalize_database_url(url: str) -> str:
    """Accept the usual spellings and return the async driver URL, or raise ConfigError."""
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ConfigError(
            f"MOTCUA_DATABASE_URL={url!r} is not a URL; use sqlite+aiosqlite:///path/to/motcua.db "
            "or postgresql+asyncpg://user@host:5432/dbname"
        )
    aliases = {
        "sqlite": "sqlite+aiosqlite",
        "postgres": "postgresql+asyncpg",
        "postgresql": "postgresql+asyncpg",
    }
    scheme = aliases.get(scheme, scheme)
    if scheme not in SUPPORTED_DB_SCHEMES:
        raise ConfigError(
            f"MOTCUA_DATABASE_URL has unsupported scheme {url.partition('://')[0]!r}; "
            f"use one of: {', '.join(SUPPORTED_DB_SCHEMES)}"
        )
    return f"{scheme}://{rest}"


@dataclass(frozen=True)
class Settings:
    """Every setting with its default; the env name is MOTCUA_ + the upper-case field name."""

    database_url: str = ""
    data_dir: Path = field(default_factory=default_data_dir)
    knowledge_dir: Path | None = None
    locality_file: Path | None = None
    staff_file: Path | None = None
    staff: str = ""  # inline staff list: "telegram:123=admin,zalo_oa:456=staff"
    timezone: str = "Asia/Ho_Chi_Minh"
    kb_max_age_days: int = 180
    log_level: str = "INFO"
    # HTTP server shared by webhooks and the staff web
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    # Telegram
    telegram_token: str = ""
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""
    # flows
    session_expiry_hours: int = 72
    guide_expiry_days: int = 14
    # guides
    guide_resume_after_hours: int = 3  # a user back after this long is asked whether to continue

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in fields(cls):
            name = PREFIX + f.name.upper()
            raw = env.get(name)
            if raw is None or raw == "":
                continue
            values[f.name] = _convert(name, raw, hints[f.name])
        settings = cls(**values)
        return settings.resolved()

    def resolved(self) -> Settings:
        """Fill derived defaults (the SQLite file in the data dir) and validate."""
        url = self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'motcua.db'}"
        url = normalize_database_url(url)
        if self.knowledge_dir is not None and not Path(self.knowledge_dir).is_dir():
            raise ConfigError(
                f"MOTCUA_KNOWLEDGE_DIR={self.knowledge_dir} is not a readable directory; "
                "point it at a folder of topic YAML files or unset it to use the bundled one"
            )
        if self.locality_file is not None and not Path(self.locality_file).is_file():
            raise ConfigError(f"MOTCUA_LOCALITY_FILE={self.locality_file} does not exist")
        if self.staff_file is not None and not Path(self.staff_file).is_file():
            raise ConfigError(f"MOTCUA_STAFF_FILE={self.staff_file} does not exist")
        try:
            import zoneinfo

            zoneinfo.ZoneInfo(self.timezone)
        except Exception:
            raise ConfigError(
                f"MOTCUA_TIMEZONE={self.timezone!r} is not a known time zone; use e.g. Asia/Ho_Chi_Minh"
            ) from None
        if not 0 < self.http_port < 65536:
            raise ConfigError(f"MOTCUA_HTTP_PORT={self.http_port} is not a port number (1-65535)")
        if self.guide_expiry_days < 1:
            raise ConfigError(
                f"MOTCUA_GUIDE_EXPIRY_DAYS={self.guide_expiry_days} must be at least 1 (days before an "
                "unfinished walkthrough is closed)"
            )
        if not 0 < self.guide_resume_after_hours <= self.guide_expiry_days * 24:
            raise ConfigError(
                f"MOTCUA_GUIDE_RESUME_AFTER_HOURS={self.guide_resume_after_hours} must be at least 1 and "
                f"at most MOTCUA_GUIDE_EXPIRY_DAYS x 24 ({self.guide_expiry_days * 24})"
            )
        object.__setattr__(self, "database_url", url)
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _convert(name: str, raw: str, typ: Any) -> Any:
    text = str(typ)
    if typ is int or text == "int":
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if typ is bool or text == "bool":
        low = raw.strip().lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{name}={raw!r} is not a yes/no value; use true or false")
    if "Path" in text:
        return Path(raw).expanduser()
    return raw
