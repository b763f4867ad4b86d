"""Zalo OA webhook events: the signature, the replay guard, and events as Incoming messages.

- Webhooks carry `X-ZEvent-Signature: mac=<hex>` where the hex is
  sha256(app_id + raw body + timestamp + OA secret key), a plain SHA-256 of
  the concatenation (not an HMAC); `timestamp` is the body's field (some
  deployments send `X-ZEvent-Timestamp`, accepted too). The raw bytes are
  hashed: re-serialised JSON would not match.
- A button press comes back as an ordinary `user_send_text` whose text is the
  payload (`#a:<action>`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

from bot.channels.zalo_common import as_dict, is_http_url, local_phone
from bot.channels.zalo_oa_api import ACTION_PREFIX, CHANNEL
from handlers.messages import MAX_ACTION_BYTES, Contact, Incoming, Location, Photo

MAX_EVENT_AGE = dt.timedelta(days=1)  # older signed events are treated as replays

# events that are not a citizen talking to us: echoes of our own sends, receipts
IGNORED_EVENTS = {
    "user_received_message",
    "user_seen_message",
    "user_reacted_message",
    "user_click_chatnow",
    "add_user_to_tag",
    "oa_send_consent",
    "user_reply_consent",
}
OTHER_KINDS = {
    "user_send_sticker": "sticker",
    "user_send_gif": "sticker",
    "user_send_audio": "voice",
    "user_send_video": "video",
    "user_send_file": "file",
    "user_send_link": "link",
    "user_send_business_card": "business_card",
}


# ---------------------------------------------------------------- signature
def signature_for(app_id: str, raw: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The hex mac Zalo puts in X-ZEvent-Signature (after `mac=`)."""
    return hashlib.sha256(app_id.encode() + raw + timestamp.encode() + oa_secret_key.encode()).hexdigest()


def verify_signature(header: str, raw: bytes, timestamps: list[str], app_id: str, oa_secret_key: str) -> bool:
    """Constant-time check of the header against every timestamp candidate."""
    given = header.strip()
    if given.lower().startswith("mac="):
        given = given[4:].strip()
    given = given.lower()
    ok = False
    for ts in timestamps:
        if ts:
            expected = signature_for(app_id, raw, ts, oa_secret_key)
            ok |= hmac.compare_digest(given.encode(), expected.encode())
    return ok


# ---------------------------------------------------------------- inbound
def _action_from_text(text: str) -> str | None:
    if not text.startswith(ACTION_PREFIX):
        return None
    action = text[len(ACTION_PREFIX) :].strip()
    if action and action.isascii() and len(action.encode()) <= MAX_ACTION_BYTES:
        return action
    return None


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def parse_event(payload: dict[str, Any]) -> tuple[str, str, list[Incoming]] | None:
    """(dedup key, user id, messages) for an event we act on; None for the rest.

    A photo with a caption becomes two messages (photo, then text), so
    nothing the citizen wrote is dropped.
    """
    event = str(payload.get("event_name") or "")
    if not event or event.startswith(("oa_send_", "anonymous_")) or event in IGNORED_EVENTS:
        return None
    message = as_dict(payload.get("message"))
    timestamp = str(payload.get("timestamp") or "")
    if event in ("follow", "unfollow"):
        follower = payload.get("follower") or {}
        user = str(follower.get("id") or "") if isinstance(follower, dict) else ""
        if not user:
            return None
        return f"{event}:{user}:{timestamp}", user, [Incoming(CHANNEL, user, other=event)]
    sender = payload.get("sender") or {}
    user = str(sender.get("id") or "") if isinstance(sender, dict) else ""
    if not user:
        return None
    msg_id = str(message.get("msg_id") or "")
    key = msg_id or f"{event}:{user}:{timestamp}"

    def make(**kind: Any) -> Incoming:
        return Incoming(CHANNEL, user, message_id=msg_id or None, **kind)

    attachments = [a for a in (message.get("attachments") or []) if isinstance(a, dict)]
    text = message.get("text")
    text = text if isinstance(text, str) else ""
    out: list[Incoming] = []
    if event == "user_send_text":
        if not text.strip():
            return None
        action = _action_from_text(text)
        out.append(make(action=action) if action else make(text=text))
    elif event == "user_send_image":
        for att in attachments:
            url = as_dict(att.get("payload")).get("url")
            if is_http_url(url):
                out.append(make(photo=Photo(ref=str(url))))
        if text.strip():
            out.append(make(text=text))
    elif event == "user_send_location":
        for att in attachments:
            data = as_dict(att.get("payload"))
            coords = as_dict(data.get("coordinates")) or data
            lat = _float(coords.get("latitude", coords.get("lat")))
            lon = _float(coords.get("longitude", coords.get("long", coords.get("lng"))))
            if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
                out.append(make(location=Location(lat, lon)))
                break
        if not out:
            out.append(make(other="location_unreadable"))
    elif event == "user_submit_info":
        info = payload.get("info") or {}
        phone = local_phone(str(info.get("phone") or "")) if isinstance(info, dict) else ""
        name = str(info.get("name") or "").strip() or None if isinstance(info, dict) else None
        # shared info without a phone is still an answer: say politely we cannot use it
        out.append(
            make(contact=Contact(phone=phone, name=name)) if phone else make(other="contact_unreadable")
        )
    elif event in OTHER_KINDS:
        out.append(make(other=OTHER_KINDS[event]))
    elif event.startswith("user_send_"):
        out.append(make(other="other"))
    else:
        return None
    return (key, user, out) if out else None


def is_stale(payload: dict[str, Any], header_timestamp: str, now: dt.datetime) -> bool:
    """Signed events from long ago are replays: the dedup memory does not reach that far.

    The time is the body's `timestamp`, else the header's (the one the signature
    covered). An event with neither is refused: a signed body without a time could be
    replayed forever, which is how the guard used to be skipped.
    """
    raw = payload.get("timestamp") or header_timestamp
    try:
        sent = dt.datetime.fromtimestamp(int(raw) / 1000, dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return True
    if sent.year <= 2000:
        return True
    return now - sent > MAX_EVENT_AGE
