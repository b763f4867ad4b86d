"""Every column of the models is classified; every personal one is registered with an eraser.

A feature that adds a table or column holding personal data (names, phones, free
text, photos, locations, channel identities) fails here until it registers it with
`router.personal_data(...)` (describe + erase), so /xoadulieu cannot forget it.
"""

from __future__ import annotations

from handlers.features import build_router
from storage.models import Base

# Personal data about citizens: each must be in some registration's `columns`.
PERSONAL = {
    "users.platform_id",
    "users.display_name",
    "users.phone",
    "users.consent_at",
    "users.subscriptions",
    "users.area",
    "sessions.user_id",
    "sessions.data",
    "question_log.user_id",
    "question_log.text",
    "question_log.normalized",
    "question_log.candidates",
    "outbox.platform_id",
    "outbox.user_id",
    "outbox.payload",
    "outbox.error",
    "complaints.user_id",
    "complaints.channel",
    "complaints.platform_id",
    "complaints.reporter_name",
    "complaints.phone",
    "complaints.email",
    "complaints.photos",
    "complaint_events.text",
    "ratings.user_id",
    "ratings.comment",
    "handoffs.user_id",
    "handoffs.channel",
    "handoffs.platform_id",
    "handoff_messages.text",  # the citizen's words (and the officer's answers)
    "handoff_messages.photo",
    "guide_runs.user_id",
    "guide_runs.comment",
    "guide_events.user_id",
    "guide_events.detail",
    "guide_callbacks.user_id",
    "guide_callbacks.phone",
    "guide_callbacks.name",
    "consent_records.user_id",
    "data_requests.user_id",
    "data_requests.detail",
    "audit_log.target",
    "audit_log.detail",
    "dossier_followers.user_id",
    "dossiers.phone_tail",  # last 4 digits of the applicant's phone, for the ownership check
    "dossiers.note",  # the office's note (what to add) may name the applicant's papers
    "dossier_events.note",
}

# What a complaint reported: kept for the office's record, detached from the person.
RECORD = {
    "complaints.description", "complaints.category", "complaints.latitude", "complaints.longitude",
    "complaints.address", "complaints.address_id",  # where the problem is (Open311), like lat/long
    "complaints.area",  # one of the locality's areas, set by staff (where the problem is)
    # a dossier as the one-stop system reports it: a case number and its procedure, no name
    "dossiers.code", "dossiers.procedure_code", "dossiers.procedure_name",
}  # fmt: skip

# Identities of staff acting in their official role (accountability), not of citizens.
STAFF = {
    "audit_log.actor",
    "broadcasts.created_by",
    "broadcasts.cancelled_by",
    "broadcasts.notify_channel",
    "broadcasts.notify_platform_id",
    "broadcasts.text",  # an announcement to the public
    "broadcasts.photo",
    "complaints.assignee",
    "complaints.answer",  # the office's answer
    "complaint_events.actor",
    "handoffs.staff_key",
    "handoff_messages.author",  # the officer's identity on their lines
    "data_requests.handled_by",  # "web:staff#12" or "cli": the account number, never a name
    "broadcast_photos.data",  # the photo of an announcement to the public
    "broadcast_photos.uploaded_by",
    "guide_callbacks.done_by",
    "kb_stamps.content",  # the knowledge-base overlay staff accepted (edited to hold no personal data)
    "kb_stamps.updated_by",
    "kb_reviews.actor",
    "staff_accounts.platform_id",  # a staff account's channel identity, name and password hash
    "staff_accounts.name",
    "staff_accounts.password_hash",
}

# Short-lived technical keys, cleared by their own maintenance (days), never shown.
TECHNICAL_PERSONAL = {
    "zalo_events.event_key",  # dedup memory of Zalo event ids (bot/channels/zalo_common.py clears it)
    "outbox.dedupe_key",  # broadcast id + user id, no name or words
    "outbox.platform_message_id",
    "web_sessions.flashes",  # a console message shown once on the next page, then cleared
    "web_sign_in_attempts.address_hash",  # hashed client address, kept for the rate-limit window
    "telegram_updates.payload",  # the raw update only until it is handled, then dropped (storage/telegram_updates.py)
}

IDS_AND_STATES = {
    "id", "at", "channel", "status", "created_at", "updated_at", "kind", "ref", "version",
}  # fmt: skip


def _not_personal(table: str, column: str) -> bool:
    """Columns that hold no personal data: ids, times, statuses, counters, tokens of the OA."""
    if column in IDS_AND_STATES or column.endswith("_at"):
        return True
    if column.endswith("_id") and column not in ("user_id", "platform_id"):
        return True  # ids of rows and topics; a person's id (user_id, platform_id) must be registered
    return table in {
        "complaint_counters", "feedback_jobs", "outbox_rate", "zalo_tokens", "health_probes",
        "question_daily",  # counts per day, topic and area: how many, never who
        "stats_rollups",
        "open311_keys",  # an organisation's label and a digest of its key
    } or f"{table}.{column}" in {
        "telegram_updates.claimed_by",  # the worker holding an update
        "users.blocked", "users.store_name", "sessions.flow",
        "question_log.topic_id", "question_log.score", "question_log.decision", "question_log.aspect",
        "outbox.attempts", "outbox.worker", "outbox.not_before", "guide_callbacks.call_after",
        "audit_log.action", "broadcasts.audience", "broadcasts.total", "broadcasts.progress_sent",
        "broadcasts.report", "broadcasts.send_at",
        "complaints.code", "complaints.year", "complaints.number",
        "ratings.target_kind", "ratings.value",
        "handoffs.ended_by", "handoffs.messages", "handoffs.via", "handoff_messages.sender",
        "broadcast_photos.token", "broadcast_photos.content_type",
        "guide_runs.skill", "guide_runs.step_id", "guide_runs.history", "guide_runs.outcome",
        "guide_runs.rating", "guide_events.skill", "guide_events.step_id", "guide_events.event",
        "guide_callbacks.step_id",
        "consent_records.purpose", "consent_records.what", "consent_records.granted",
        "consent_records.text_version", "data_requests.outcome",
        "kb_stamps.name", "kb_stamps.digest",
        "kb_reviews.digest",  # sha1 of a folded question text: marks a group handled, keeps no words
        "kb_reviews.action",
        "staff_accounts.role", "staff_accounts.source",
        "web_sign_in_links.token_hash", "web_sessions.session_hash", "web_sessions.csrf_token",
        "dossiers.state", "dossier_events.state", "dossier_events.source", "dossier_followers.verified",
        # the ownership check's lock across all chat accounts: counts and times, nobody's identity
        "dossiers.check_fails", "dossiers.check_window_at", "dossiers.check_locked_until",
    }  # fmt: skip


def test_every_column_is_classified() -> None:
    unclassified = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            key = f"{table.name}.{column.name}"
            if key in PERSONAL | RECORD | STAFF | TECHNICAL_PERSONAL:
                continue
            if not _not_personal(table.name, column.name):
                unclassified.append(key)
    assert unclassified == [], f"classify these columns (personal data? register an eraser): {unclassified}"


def test_every_personal_column_has_a_registered_eraser_and_describer() -> None:
    router = build_router()
    registered = {column for r in router.personal.values() for column in r.columns}
    assert PERSONAL - registered == set()
    for r in router.personal.values():
        assert callable(r.describe) and callable(r.erase), r.name
        assert r.purpose and r.basis and r.retention and r.recipients, f"{r.name}: the register needs them"


def test_registered_columns_exist() -> None:
    columns = {f"{t.name}.{c.name}" for t in Base.metadata.sorted_tables for c in t.columns}
    router = build_router()
    for r in router.personal.values():
        assert set(r.columns) <= columns, r.name


def test_a_second_registration_raises() -> None:
    import pytest

    router = build_router()
    existing = next(iter(router.personal.values()))
    with pytest.raises(ValueError):
        router.personal_data(existing.name, describe=existing.describe, erase=existing.erase, columns=())
