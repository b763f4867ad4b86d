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

from handlers.settings import DOSSIER_CODE_PATTERN

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
    # connections each process keeps open, and may open beyond that under load (PostgreSQL's
    # max_connections must cover every worker's sum; conversations use all but 6 of them)
    database_pool_size: int = 10
    database_pool_overflow: int = 10
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
    # staff web console (bot/web/)
    public_url: str = ""  # where staff reach the server; default http://HTTP_HOST:HTTP_PORT
    web_session_hours: float = 12.0  # a console session ends this long after sign-in
    web_trust_proxy: bool = False  # the client address is the last X-Forwarded-For entry
    stats_api_token: str = (
        ""  # /staff/api/stats also answers requests carrying this key (province dashboards)
    )
    # Telegram
    telegram_token: str = ""
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""
    # flows
    guide_expiry_days: int = 14
    # guides
    guide_resume_after_hours: int = 3  # a user back after this long is asked whether to continue
    # zalo
    zalo_oa_app_id: str = ""  # the app linked to the OA (developers.zalo.me); enables the OA channel
    zalo_oa_secret_key: str = ""  # OA Secret Key of the webhook settings: verifies X-ZEvent-Signature
    zalo_oa_app_secret: str = ""  # App Secret Key: sent as `secret_key` when refreshing tokens
    zalo_oa_webhook_path: str = "/zalo/oa/webhook"
    zalo_oa_api_url: str = "https://openapi.zalo.me"
    zalo_oauth_url: str = "https://oauth.zaloapp.com"
    zalo_oa_info_image_url: str = ""  # optional picture on the "share your phone" card
    zalo_bot_token: str = ""  # Zalo Bot Platform token (<bot id>:<secret>); enables the bot channel
    zalo_bot_api_url: str = "https://bot-api.zaloplatforms.com/bot"
    zalo_bot_webhook_url: str = ""  # public HTTPS URL; empty means long polling with getUpdates
    zalo_bot_webhook_secret: str = ""  # 8-256 characters, echoed in X-Bot-Api-Secret-Token
    zalo_bot_webhook_path: str = ""  # local route; defaults to the path of the webhook URL
    zalo_bot_poll_timeout: int = 30  # seconds getUpdates waits for a message
    # telegram channel (token, API URL and webhook fields are above)
    telegram_poll_timeout: int = 25  # seconds one long-polling getUpdates call waits
    telegram_concurrency: int = 64  # updates processed at once (different chats in parallel)
    telegram_webhook_max_connections: int = 40  # setWebhook max_connections (1-100)
    telegram_shutdown_grace: int = 25  # seconds SIGTERM waits for in-flight updates
    telegram_max_in_flight: int = 100  # updates taken but not yet handled (polling asks for no more)
    telegram_update_lease: float = 60.0  # seconds before another webhook worker takes a dead one's updates
    # feedback (complaints, ratings, handoff, personal data)
    complaint_due_days: int = 10  # working days to answer a complaint before it is overdue
    staff_chat: str = ""  # channel:id of a staff group chat for notices; empty: each staff member
    complaints_per_day: int = 3  # new complaints one user may send per day
    complaint_max_chars: int = 2000  # longest complaint description
    complaint_max_photos: int = 5
    complaint_max_photo_mb: int = 10
    reminder_hour: int = 8  # local hour of the daily overdue reminder to staff
    handoff_wait_minutes: int = 10  # a "gặp cán bộ" nobody takes in this time becomes a call-back offer
    rate_burst: int = 30  # messages a user may send at once…
    rate_per_minute: int = 60  # …and on average per minute before being asked to slow down
    # broadcast / outbox delivery
    outbox_rate_telegram: float = 25.0  # messages per second for the whole bot (Telegram allows ~30)
    outbox_rate_zalo_oa: float = 10.0
    outbox_rate_zalo_bot: float = 10.0
    outbox_concurrency: int = 8  # sends in flight per worker; also the crash duplicate bound
    outbox_max_attempts: int = 6  # network errors / 5xx before a row is failed
    outbox_lease_seconds: float = 60.0  # a killed worker's claimed rows are retried after this
    outbox_backoff_seconds: float = 2.0  # first retry delay, doubled each attempt
    outbox_backoff_max_seconds: float = 600.0
    outbox_per_chat_seconds: float = 1.0  # minimum gap between two messages to one chat
    outbox_poll_seconds: float = 1.0
    broadcast_progress_seconds: float = 5.0  # how often staff see their broadcast's progress
    # personal data: days each kind is kept before the daily purge (handlers/settings.py)
    retention_question_log_days: int = 180
    retention_session_days: int = 90
    retention_complaint_person_days: int = 365
    retention_phone_days: int = 90
    retention_photo_days: int = 365
    retention_outbox_days: int = 30
    retention_audit_days: int = 730
    retention_dossier_days: int = 365
    privacy_purge_hour: int = 3  # local hour of the daily purge
    # Open311 GeoReport v2 (bot/web/open311.py): reading without an API key, as the spec allows
    open311_public_read: bool = False
    # dossiers (docs/dossiers.md)
    dossier_code_pattern: str = DOSSIER_CODE_PATTERN  # a regular expression; case is ignored
    dossier_api_secret: str = ""  # shared with the one-stop system; enables POST /api/v1/dossier-events
    dossier_api_max_skew_seconds: int = 300  # a signed request older (or newer) than this is a replay
    # Zalo OA templates (ZBS Template Message) for people outside the 7-day window (docs/zalo.md)
    zalo_oa_template_dossier_id: str = ""
    zalo_oa_template_dossier_params: str = (
        ""  # template param=value name, e.g. ma_ho_so=code,trang_thai=state
    )
    zalo_oa_template_complaint_id: str = ""
    zalo_oa_template_complaint_params: str = ""  # e.g. ma_phan_anh=code,noi_dung=answer
    # operations
    log_format: str = "text"  # text for a terminal, json for log collectors (bot/logs.py)
    texts_file: Path | None = None  # sentence overlay; default $MOTCUA_DATA_DIR/texts.yaml when present

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
        if not 1 <= self.database_pool_size <= 500 or not 0 <= self.database_pool_overflow <= 500:
            raise ConfigError(
                f"MOTCUA_DATABASE_POOL_SIZE={self.database_pool_size} must be 1-500 and "
                f"MOTCUA_DATABASE_POOL_OVERFLOW={self.database_pool_overflow} 0-500 (connections per process)"
            )
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
        _validate_zalo(self)
        self._check_web()
        self._check_operations()
        self._validate_telegram()
        self._check_feedback()
        self._check_outbox()
        _validate_dossiers(self)
        object.__setattr__(self, "database_url", url)
        return self

    def _check_web(self) -> None:
        url = self.public_url.strip().rstrip("/")
        if not url:
            host = "127.0.0.1" if self.http_host in ("0.0.0.0", "::", "") else self.http_host
            url = f"http://{host}:{self.http_port}"
        scheme, sep, rest = url.partition("://")
        if scheme not in ("http", "https") or not sep or not rest or "/" in rest or "?" in rest:
            raise ConfigError(
                f"MOTCUA_PUBLIC_URL={self.public_url!r} must be http(s)://host[:port] without a path, "
                "e.g. https://motcua.example.gov.vn (sign-in links point at it)"
            )
        object.__setattr__(self, "public_url", url)
        import re

        key = self.stats_api_token
        if key and (len(key) < 24 or not re.fullmatch(r"[A-Za-z0-9_.~-]+", key)):
            raise ConfigError(
                "MOTCUA_STATS_API_TOKEN must be at least 24 characters of letters, digits and -._~ "
                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        if not 0 < self.web_session_hours <= 24 * 30:
            raise ConfigError(
                f"MOTCUA_WEB_SESSION_HOURS={self.web_session_hours} must be more than 0 and at most 720 (30 days)"
            )

    def _check_operations(self) -> None:
        if self.log_format not in ("text", "json"):
            raise ConfigError(f"MOTCUA_LOG_FORMAT={self.log_format!r} must be text or json")
        if self.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ConfigError(
                f"MOTCUA_LOG_LEVEL={self.log_level!r} is not a log level; use DEBUG, INFO, WARNING or ERROR"
            )
        if self.texts_file is not None and not Path(self.texts_file).is_file():
            raise ConfigError(f"MOTCUA_TEXTS_FILE={self.texts_file} does not exist")

    @property
    def texts_path(self) -> Path | None:
        """The sentence overlay in use: the configured file, or texts.yaml in the data directory."""
        if self.texts_file is not None:
            return Path(self.texts_file)
        default = self.data_dir / "texts.yaml"
        return default if default.is_file() else None

    def _check_outbox(self) -> None:
        for channel in ("telegram", "zalo_oa", "zalo_bot"):
            rate = self.outbox_rate_for(channel)
            if not 0 < rate <= 1000:
                raise ConfigError(
                    f"MOTCUA_OUTBOX_RATE_{channel.upper()}={rate} must be between 0 and 1000 messages per second"
                )
        if self.outbox_rate_telegram > 30:
            raise ConfigError(
                f"MOTCUA_OUTBOX_RATE_TELEGRAM={self.outbox_rate_telegram} is above Telegram's limit of "
                "30 messages per second; use 25 or less"
            )
        if not 1 <= self.outbox_concurrency <= 100:
            raise ConfigError(
                f"MOTCUA_OUTBOX_CONCURRENCY={self.outbox_concurrency} must be between 1 and 100"
            )
        if self.outbox_max_attempts < 1:
            raise ConfigError(f"MOTCUA_OUTBOX_MAX_ATTEMPTS={self.outbox_max_attempts} must be at least 1")
        if self.outbox_lease_seconds < 2:
            raise ConfigError(
                f"MOTCUA_OUTBOX_LEASE_SECONDS={self.outbox_lease_seconds} is too short; use 2 or more "
                "(60 is a good value): a shorter lease makes live workers' rows look abandoned"
            )
        for name in ("backoff_seconds", "backoff_max_seconds", "per_chat_seconds", "poll_seconds"):
            if getattr(self, f"outbox_{name}") < 0:
                raise ConfigError(f"MOTCUA_OUTBOX_{name.upper()} must not be negative")
        if self.broadcast_progress_seconds <= 0:
            raise ConfigError("MOTCUA_BROADCAST_PROGRESS_SECONDS must be positive")

    def outbox_rate_for(self, channel: str) -> float:
        """The global send rate of a channel (messages per second); other channels get 10."""
        return float(getattr(self, f"outbox_rate_{channel}", 10.0))

    def _validate_telegram(self) -> None:
        """Telegram settings that Telegram itself would reject later, with an opaque error."""
        import re

        api = self.telegram_api_url.strip()
        if not api.startswith(("https://", "http://")):
            raise ConfigError(
                f"MOTCUA_TELEGRAM_API_URL={self.telegram_api_url!r} is not an http(s) URL; "
                "leave it unset for https://api.telegram.org/bot"
            )
        hook = self.telegram_webhook_url.strip()
        if hook:
            official = api.startswith("https://api.telegram.org/")
            if not hook.startswith("https://") and (official or not hook.startswith("http://")):
                raise ConfigError(
                    f"MOTCUA_TELEGRAM_WEBHOOK_URL={hook!r} must be an https:// URL that Telegram can reach; "
                    "unset it to use long polling instead"
                )
        secret = self.telegram_webhook_secret
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ConfigError(
                "MOTCUA_TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -; "
                "unset it to have one generated at each start"
            )
        if not 0 <= self.telegram_poll_timeout <= 50:
            raise ConfigError(
                f"MOTCUA_TELEGRAM_POLL_TIMEOUT={self.telegram_poll_timeout} must be 0-50 seconds"
            )
        if not 1 <= self.telegram_concurrency <= 1024:
            raise ConfigError(f"MOTCUA_TELEGRAM_CONCURRENCY={self.telegram_concurrency} must be 1-1024")
        if not 1 <= self.telegram_webhook_max_connections <= 100:
            raise ConfigError(
                f"MOTCUA_TELEGRAM_WEBHOOK_MAX_CONNECTIONS={self.telegram_webhook_max_connections} "
                "must be 1-100 (Telegram's limit)"
            )
        if not 1 <= self.telegram_max_in_flight <= 1000:
            raise ConfigError(f"MOTCUA_TELEGRAM_MAX_IN_FLIGHT={self.telegram_max_in_flight} must be 1-1000")
        if self.telegram_update_lease <= 0:
            raise ConfigError(f"MOTCUA_TELEGRAM_UPDATE_LEASE={self.telegram_update_lease} must be above 0")
        if self.telegram_shutdown_grace < 0:
            raise ConfigError("MOTCUA_TELEGRAM_SHUTDOWN_GRACE must be 0 or more seconds")

    def _check_feedback(self) -> None:
        """Validate the feedback settings; each message names the variable and a good value."""
        positive = {
            "MOTCUA_COMPLAINT_DUE_DAYS": (self.complaint_due_days, 1, 365),
            "MOTCUA_COMPLAINTS_PER_DAY": (self.complaints_per_day, 1, 1000),
            "MOTCUA_COMPLAINT_MAX_CHARS": (self.complaint_max_chars, 100, 20000),
            "MOTCUA_COMPLAINT_MAX_PHOTOS": (self.complaint_max_photos, 0, 20),
            "MOTCUA_COMPLAINT_MAX_PHOTO_MB": (self.complaint_max_photo_mb, 1, 50),
            "MOTCUA_REMINDER_HOUR": (self.reminder_hour, 0, 23),
            "MOTCUA_HANDOFF_WAIT_MINUTES": (self.handoff_wait_minutes, 1, 240),
            "MOTCUA_RATE_BURST": (self.rate_burst, 1, 1000),
            "MOTCUA_RATE_PER_MINUTE": (self.rate_per_minute, 1, 6000),
            "MOTCUA_PRIVACY_PURGE_HOUR": (self.privacy_purge_hour, 0, 23),
        }
        for f in fields(self):
            if f.name.startswith("retention_"):
                positive[PREFIX + f.name.upper()] = (getattr(self, f.name), 1, 36500)
        for name, (value, low, high) in positive.items():
            if not low <= value <= high:
                raise ConfigError(f"{name}={value} is out of range; use a whole number from {low} to {high}")
        if self.staff_chat:
            channel, sep, chat_id = self.staff_chat.partition(":")
            if not sep or not channel or not chat_id or " " in self.staff_chat:
                raise ConfigError(
                    f"MOTCUA_STAFF_CHAT={self.staff_chat!r} is not a chat; write it as channel:id, "
                    "e.g. telegram:-1001234567890 for a Telegram staff group"
                )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _validate_zalo(s: Settings) -> None:
    """Zalo settings come in groups; a half-configured channel must fail at start, not at the first message."""
    if s.zalo_oa_app_id:
        if not s.zalo_oa_app_id.strip().isdigit():
            raise ConfigError(
                f"MOTCUA_ZALO_OA_APP_ID={s.zalo_oa_app_id!r} is not a Zalo app id (digits only, "
                "see developers.zalo.me > your app > App ID)"
            )
        if not s.zalo_oa_secret_key:
            raise ConfigError(
                "MOTCUA_ZALO_OA_SECRET_KEY is empty: set it to the OA Secret Key of the app's Webhook "
                "settings (it verifies that webhook calls come from Zalo)"
            )
        if not s.zalo_oa_app_secret:
            raise ConfigError(
                "MOTCUA_ZALO_OA_APP_SECRET is empty: set it to the app's App Secret Key "
                "(developers.zalo.me > your app > Settings); it is needed to refresh the OA access token"
            )
    if not s.zalo_oa_webhook_path.startswith("/"):
        raise ConfigError(
            f"MOTCUA_ZALO_OA_WEBHOOK_PATH={s.zalo_oa_webhook_path!r} must start with '/', e.g. /zalo/oa/webhook"
        )
    for name in ("zalo_oa_api_url", "zalo_oauth_url", "zalo_bot_api_url"):
        value = getattr(s, name)
        if not value.startswith(("https://", "http://")):
            raise ConfigError(f"MOTCUA_{name.upper()}={value!r} must be an http(s) URL")
    token = s.zalo_bot_token
    if token and (any(c.isspace() for c in token) or "/" in token):
        raise ConfigError(
            "MOTCUA_ZALO_BOT_TOKEN contains spaces or '/'; paste the token exactly as Zalo Bot Creator sent it"
        )
    if s.zalo_bot_webhook_url:
        if not token:
            raise ConfigError("MOTCUA_ZALO_BOT_WEBHOOK_URL is set but MOTCUA_ZALO_BOT_TOKEN is empty")
        if not s.zalo_bot_webhook_url.startswith(("https://", "http://")):
            raise ConfigError(
                f"MOTCUA_ZALO_BOT_WEBHOOK_URL={s.zalo_bot_webhook_url!r} must be a public https:// URL"
            )
        if not 8 <= len(s.zalo_bot_webhook_secret) <= 256:
            raise ConfigError(
                "MOTCUA_ZALO_BOT_WEBHOOK_SECRET must be 8-256 characters when MOTCUA_ZALO_BOT_WEBHOOK_URL is set "
                "(Zalo echoes it in X-Bot-Api-Secret-Token so the bot knows the call is genuine)"
            )
    if s.zalo_bot_webhook_path and not s.zalo_bot_webhook_path.startswith("/"):
        raise ConfigError(f"MOTCUA_ZALO_BOT_WEBHOOK_PATH={s.zalo_bot_webhook_path!r} must start with '/'")
    if not 1 <= s.zalo_bot_poll_timeout <= 60:
        raise ConfigError(f"MOTCUA_ZALO_BOT_POLL_TIMEOUT={s.zalo_bot_poll_timeout} must be 1-60 seconds")


def _validate_dossiers(s: Settings) -> None:
    """The dossier code pattern, the API secret and the Zalo templates fail at start, not at the first event."""
    import re

    from bot.channels.zalo_templates import TemplateConfigError, parse_templates

    try:
        compiled = re.compile(s.dossier_code_pattern, re.IGNORECASE)
    except re.error as exc:
        raise ConfigError(f"MOTCUA_DOSSIER_CODE_PATTERN is not a regular expression: {exc}") from None
    if compiled.fullmatch(""):
        raise ConfigError(
            "MOTCUA_DOSSIER_CODE_PATTERN matches an empty text; it must describe a dossier code"
        )
    if s.dossier_api_secret and len(s.dossier_api_secret) < 32:
        raise ConfigError(
            "MOTCUA_DOSSIER_API_SECRET is shorter than 32 characters; generate one with "
            "`python -c 'import secrets; print(secrets.token_hex(32))'` and give it to the one-stop system"
        )
    if not 30 <= s.dossier_api_max_skew_seconds <= 3600:
        raise ConfigError(
            f"MOTCUA_DOSSIER_API_MAX_SKEW_SECONDS={s.dossier_api_max_skew_seconds} must be 30-3600 seconds"
        )
    try:
        parse_templates(s)
    except TemplateConfigError as exc:
        raise ConfigError(str(exc)) from None


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
    if typ is float or text == "float":
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"{name}={raw!r} is not a number") from None
    if "Path" in text:
        return Path(raw).expanduser()
    return raw
