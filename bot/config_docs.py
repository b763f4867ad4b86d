"""What each setting is for, in one line: shown by `motcua run --help` and in deploy/.env.example.

Kept beside bot/config.py rather than in it so the settings class stays a
plain list of fields; tests/test_ops_config.py fails when a field has no line
here, so a new setting is documented where deployers look.
"""

from __future__ import annotations

# Fields whose values never print (config show masks them).
SECRET_FIELDS = frozenset(
    {
        "telegram_token",
        "telegram_webhook_secret",
        "zalo_oa_secret_key",
        "zalo_oa_app_secret",
        "zalo_bot_token",
        "zalo_bot_webhook_secret",
    }
)

DESCRIPTIONS: dict[str, str] = {
    "database_url": "sqlite+aiosqlite:///path.db or postgresql+asyncpg://user:pass@host:5432/db (default: SQLite file in the data directory)",
    "data_dir": "SQLite file, staff file, pid file, texts.yaml overlay",
    "knowledge_dir": "a directory of topic YAML files (default: the bundled knowledge/data)",
    "locality_file": "the commune's office, hours, schedule, areas (default: locality.yaml of the knowledge directory)",
    "staff_file": "staff identities file (default: $MOTCUA_DATA_DIR/staff.txt)",
    "staff": "inline staff list, e.g. telegram:123=admin,zalo_oa:456=staff",
    "timezone": "time zone of working hours and schedules",
    "kb_max_age_days": "`kb check` warns on topics checked longer ago (days)",
    "log_level": "DEBUG, INFO, WARNING or ERROR for `motcua run` (--log-level wins over it)",
    "http_host": "address of the HTTP server (webhooks, /healthz, /metrics); 0.0.0.0 in a container",
    "http_port": "port of the HTTP server",
    "telegram_token": "the bot token from @BotFather; `motcua run` serves Telegram when set (secret)",
    "telegram_api_url": "Bot API base URL (a self-hosted Bot API server, test fakes)",
    "telegram_webhook_url": "public https URL of the webhook; empty means long polling",
    "telegram_webhook_secret": "X-Telegram-Bot-Api-Secret-Token; set it when several workers share the webhook (secret)",
    "guide_expiry_days": "days before an unfinished walkthrough is closed",
    "guide_resume_after_hours": "a citizen back after this many hours is asked whether to continue a walkthrough",
    "zalo_oa_app_id": "the Zalo app linked to the Official Account; enables the OA channel",
    "zalo_oa_secret_key": "OA Secret Key of the webhook settings: verifies X-ZEvent-Signature (secret)",
    "zalo_oa_app_secret": "App Secret Key, used to refresh the OA access token (secret)",
    "zalo_oa_webhook_path": "local path of the Zalo OA webhook",
    "zalo_oa_api_url": "Zalo OA API base URL",
    "zalo_oauth_url": "Zalo OAuth base URL",
    "zalo_oa_info_image_url": "optional picture on the 'share your phone' card",
    "zalo_bot_token": "Zalo Bot Platform token (<bot id>:<secret>); enables the Zalo bot channel (secret)",
    "zalo_bot_api_url": "Zalo Bot Platform API base URL",
    "zalo_bot_webhook_url": "public https URL of the Zalo bot webhook; empty means long polling",
    "zalo_bot_webhook_secret": "8-256 characters echoed by Zalo in X-Bot-Api-Secret-Token (secret)",
    "zalo_bot_webhook_path": "local route of the Zalo bot webhook (default: the path of its URL)",
    "zalo_bot_poll_timeout": "seconds one Zalo getUpdates call waits",
    "telegram_poll_timeout": "seconds one Telegram long-polling request waits",
    "telegram_concurrency": "updates handled at once (different chats in parallel, one chat in order)",
    "telegram_webhook_max_connections": "setWebhook max_connections (1-100)",
    "telegram_shutdown_grace": "seconds SIGTERM waits for updates in progress (keep stop_grace_period longer)",
    "complaint_due_days": "working days to answer a complaint before it is overdue",
    "staff_chat": "channel:id of a staff group chat for notices; empty: each staff member",
    "complaints_per_day": "new complaints one citizen may send per day",
    "complaint_max_chars": "longest complaint description (characters)",
    "complaint_max_photos": "photos one complaint may carry",
    "complaint_max_photo_mb": "largest complaint photo (MB)",
    "reminder_hour": "local hour of the daily overdue-complaint reminder to staff",
    "handoff_wait_minutes": "a 'gặp cán bộ' request nobody takes in this time becomes a call-back offer",
    "retention_question_log_days": "days questions are kept to improve the answers (then deleted; docs/privacy.md)",
    "retention_session_days": "days of silence after which conversation state, names and walkthroughs go",
    "retention_complaint_person_days": "days after closing that a complaint keeps who sent it",
    "retention_phone_days": "days call-back phone numbers are kept (after the call, or the last message)",
    "retention_photo_days": "days after closing that a complaint keeps its photos",
    "retention_outbox_days": "days the text of a delivered or failed outbound message is kept",
    "retention_audit_days": "days the audit log of staff actions is kept",
    "privacy_purge_hour": "local hour of the daily retention purge",
    "rate_burst": "messages a citizen may send at once before being asked to slow down",
    "rate_per_minute": "messages a citizen may send per minute on average",
    "outbox_rate_telegram": "announcements and replies per second on Telegram for the whole bot (at most 30)",
    "outbox_rate_zalo_oa": "messages per second on the Zalo OA",
    "outbox_rate_zalo_bot": "messages per second on the Zalo bot",
    "outbox_concurrency": "sends in flight per worker; also the bound on duplicates after a crash",
    "outbox_max_attempts": "network errors or 5xx answers before a delivery is failed",
    "outbox_lease_seconds": "a killed worker's claimed deliveries are retried after this many seconds",
    "outbox_backoff_seconds": "first retry delay in seconds, doubled each attempt",
    "outbox_backoff_max_seconds": "longest retry delay in seconds",
    "outbox_per_chat_seconds": "minimum gap between two messages to one chat (seconds)",
    "outbox_poll_seconds": "how often an idle worker looks for deliveries (seconds)",
    "broadcast_progress_seconds": "how often staff see their broadcast's progress (seconds)",
    "log_format": "text (for a terminal) or json (one JSON object per line, for log collectors)",
    "texts_file": "YAML overlay rewording the bot's sentences (default: $MOTCUA_DATA_DIR/texts.yaml when present)",
}
