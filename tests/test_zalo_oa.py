"""End-to-end conversations through the Zalo OA adapter against a fake OA API."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.app import App
from bot.channels.base import OutsideWindow, PermanentError, RateLimited, Unreachable
from bot.channels.zalo_oa import ZaloOARunner, render, signature_for, verify_signature
from bot.channels.zalo_tokens import TokenPair, ZaloAuthError, save_pair
from handlers.messages import Button, Contact, LinkButton, Location, Photo, Reply
from storage.models import User
from storage.models_zalo import TOKEN_REAUTH, ZaloToken
from tests.fake_zalo_oa import FakeZaloOA
from tests.zalo_harness import Recorder, days_ago, serve, zalo_app

USER = "2512523625412515"


@dataclass
class OA:
    fake: FakeZaloOA
    app: App
    runner: ZaloOARunner
    url: str
    sleeps: list[float]
    alerts: list[str]
    recorder: Recorder

    async def push(self, event: dict, **kw) -> int:
        status = await self.fake.push(self.url, event, **kw)
        await self.runner.queue.idle()
        return status

    async def say(self, text: str, user: str = USER) -> list[str]:
        before = len(self.fake.sent)
        assert await self.push(self.fake.text_event(user, text)) == 200
        return [s.text for s in self.fake.sent[before:]]

    async def token_row(self) -> ZaloToken:
        async with self.app.db.session() as db:
            row = await db.get(ZaloToken, "oa")
            assert row is not None
            return row

    async def user(self, platform_id: str = USER) -> User | None:
        async with self.app.db.session() as db:
            return await db.scalar(
                select(User).where(User.channel == "zalo_oa", User.platform_id == platform_id)
            )


async def start_oa(tmp_path: Path, database_url: str = "", *, alert_hook: bool = True, **extra: str) -> OA:
    fake = FakeZaloOA()
    await fake.start()
    app = await zalo_app(
        tmp_path,
        database_url,
        zalo_oa_app_id=fake.app_id,
        zalo_oa_secret_key=fake.oa_secret_key,
        zalo_oa_app_secret=fake.app_secret,
        zalo_oa_api_url=fake.url,
        zalo_oauth_url=fake.url,
        **extra,
    )
    app.services.clock = fake.now  # the app and the fake share one (movable) clock
    alerts: list[str] = []

    async def alert(text: str) -> None:
        alerts.append(text)

    if alert_hook:
        app.alert_admins = alert
    access, refresh, lifetime = fake.issue_pair()
    await save_pair(app.db, TokenPair(access, refresh, fake.now() + dt.timedelta(seconds=lifetime)))
    sleeps: list[float] = []

    async def no_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    runner = ZaloOARunner(app, sleep=no_sleep)
    recorder = Recorder()
    recorder.install(app)
    web_runner, url = await serve(runner.add_routes)
    await runner.start()
    oa = OA(fake, app, runner, url + app.settings.zalo_oa_webhook_path, sleeps, alerts, recorder)
    oa._web_runner = web_runner  # type: ignore[attr-defined]
    return oa


async def stop_oa(oa: OA) -> None:
    await oa.runner.stop()
    await oa._web_runner.cleanup()  # type: ignore[attr-defined]
    await oa.app.close()
    await oa.fake.stop()


@pytest.fixture
async def oa(tmp_path: Path) -> AsyncIterator[OA]:
    harness = await start_oa(tmp_path)
    yield harness
    await stop_oa(harness)


# ---------------------------------------------------------------- conversations
async def test_follow_greets_with_menu_buttons(oa: OA) -> None:
    assert await oa.push(oa.fake.event("follow", USER)) == 200
    assert len(oa.fake.sent) == 1
    greeting = oa.fake.sent[0]
    assert greeting.text.startswith("Xin chào")
    assert "trợ lý tự động" in greeting.text  # says it is an automatic assistant
    assert [b["type"] for b in greeting.buttons] == ["oa.query.hide"] * 5
    assert greeting.buttons[0]["payload"] == "#a:m:ask"


async def test_question_then_button_press_then_typed_number(oa: OA) -> None:
    replies = await oa.say("làm giấy khai sinh cho con")
    assert any("Đăng ký khai sinh" in text for text in replies)
    # the press of an oa.query.hide button arrives as the user's text "#a:<action>"
    replies = await oa.say("#a:m:contact")
    assert any("18001096" in text for text in replies)
    await oa.say("menu")
    contact_number = [b["payload"] for b in oa.fake.sent[-1].buttons].index("#a:m:contact") + 1
    replies = await oa.say(str(contact_number))
    assert any("18001096" in text for text in replies)


async def test_more_than_five_choices_arrive_as_a_numbered_list_answered_by_number(oa: OA) -> None:
    async def many(ctx, msg):  # a feature offering seven choices
        rows = [[Button(f"Lựa chọn {i}", "m:home")] for i in range(1, 6)]
        rows.insert(5, [Button("Liên hệ", "m:contact")])
        rows.append([Button("Lựa chọn 7", "m:home")])
        return [Reply("Anh/chị chọn:", buttons=rows)]

    oa.app.services.router.command("baylua", many, "test")
    (listing,) = await oa.say("/baylua")
    assert "6. Liên hệ" in listing and "7. Lựa chọn 7" in listing
    assert oa.fake.sent[-1].buttons == []  # no Zalo buttons: the list is text
    replies = await oa.say("6")
    assert any("18001096" in text for text in replies)


async def test_complaint_with_photo_location_and_shared_contact(oa: OA) -> None:
    await oa.say("/phananhthu")
    card = oa.fake.sent[-1]
    assert card.template_type == "request_user_info"  # "xin phép" for name and phone
    await oa.push(oa.fake.image_event(USER, "https://photo.zdn.vn/abc.jpg", text="Ổ gà trước nhà số 5"))
    await oa.push(oa.fake.location_event(USER, 20.6464, 106.0511))
    await oa.push(oa.fake.submit_info_event(USER, "Nguyễn Văn A", "84912345678"))
    seen = oa.recorder.seen
    assert seen[0].photo == Photo(ref="https://photo.zdn.vn/abc.jpg")
    assert seen[1].text == "Ổ gà trước nhà số 5"  # the caption is not lost
    assert seen[2].location == Location(20.6464, 106.0511)
    assert seen[3].contact == Contact(phone="0912345678", name="Nguyễn Văn A")
    assert "0912345678" in oa.fake.sent[-1].text


async def test_sticker_gets_a_polite_answer(oa: OA) -> None:
    event = oa.fake.event(
        "user_send_sticker",
        USER,
        message={"msg_id": "st1", "attachments": [{"type": "sticker", "payload": {"id": "x", "url": "u"}}]},
    )
    await oa.push(event)
    assert oa.fake.sent and oa.fake.sent[0].text.startswith("Xin cảm ơn")


async def test_unfollow_marks_user_unreachable_and_unsubscribed(oa: OA) -> None:
    await oa.say("xin chào")
    async with oa.app.db.session() as db:
        await db.execute(update(User).values(subscriptions=["tin-tuc"]))
        await db.commit()
    sent = len(oa.fake.sent)
    await oa.push(oa.fake.event("unfollow", USER))
    assert len(oa.fake.sent) == sent  # nothing is sent to someone who left
    user = await oa.user()
    assert user is not None and user.blocked and user.subscriptions == []
    with pytest.raises(Unreachable):
        await oa.runner.sender.send(USER, [Reply("Thông báo")])


async def test_unfollow_during_an_active_flow_still_stops_messages(oa: OA) -> None:
    await oa.say("/phananhthu")  # the stand-in flow answers everything it receives
    sent = len(oa.fake.sent)
    await oa.push(oa.fake.event("unfollow", USER))
    assert len(oa.fake.sent) == sent
    user = await oa.user()
    assert user is not None and user.blocked and user.subscriptions == []


# ---------------------------------------------------------------- webhook security and hygiene
async def test_forged_webhooks_are_rejected_and_nothing_is_processed(oa: OA) -> None:
    event = oa.fake.text_event(USER, "xin chào")
    assert await oa.push(event, signature=None) == 401
    assert await oa.push(event, signature="mac=" + "0" * 64) == 403
    other = json.dumps(oa.fake.text_event(USER, "khác")).encode()
    forged_header = oa.fake.sign(other, event["timestamp"])  # valid for another body
    assert await oa.push(event, signature=forged_header) == 403
    assert await oa.push(event, signature="mac=abc", raw=b"not json") == 400  # nothing to verify
    assert oa.fake.sent == []
    assert await oa.user() is None


async def test_unsigned_empty_probe_is_acknowledged_without_processing(oa: OA) -> None:
    assert await oa.push({}, signature=None, raw=b"{}") == 200
    assert oa.fake.sent == []


async def test_duplicate_deliveries_and_echoes_are_ignored(oa: OA) -> None:
    event = oa.fake.text_event(USER, "xin chào", msg_id="same-id")
    await oa.push(event)
    await oa.push(event)
    assert len(oa.fake.sent) == 1
    echo = oa.fake.event("oa_send_text", USER, message={"msg_id": "echo1", "text": "Xin chào"})
    await oa.push(echo)
    seen = oa.fake.event("user_seen_message", USER, message={"msg_ids": ["x"]})
    await oa.push(seen)
    assert len(oa.fake.sent) == 1


async def test_messages_of_one_user_are_processed_in_order(oa: OA) -> None:
    events = [oa.fake.text_event(USER, text) for text in ("/phananhthu", "một", "hai", "ba")]
    statuses = await asyncio.gather(*(oa.fake.push(oa.url, e) for e in events[:1]))
    assert statuses == [200]
    for event in events[1:]:
        assert await oa.fake.push(oa.url, event) == 200
    await oa.runner.queue.idle()
    assert [m.text for m in oa.recorder.seen] == ["một", "hai", "ba"]


async def test_replayed_old_event_is_ignored(oa: OA) -> None:
    event = oa.fake.text_event(USER, "xin chào")
    event["timestamp"] = str(int((oa.fake.now() - dt.timedelta(days=2)).timestamp() * 1000))
    assert await oa.push(event) == 200  # signed correctly, but two days old
    assert oa.fake.sent == []


async def test_signed_event_without_a_body_timestamp_still_meets_the_replay_guard(oa: OA) -> None:
    """The time signed in X-ZEvent-Timestamp counts when the body has none (it used to skip the guard)."""
    import aiohttp

    event = oa.fake.text_event(USER, "xin chào")
    del event["timestamp"]
    raw = json.dumps(event).encode()
    old = str(int((oa.fake.now() - dt.timedelta(days=2)).timestamp() * 1000))
    headers = {
        "Content-Type": "application/json",
        "X-ZEvent-Signature": oa.fake.sign(raw, old),
        "X-ZEvent-Timestamp": old,
    }
    async with aiohttp.ClientSession() as http:
        async with http.post(oa.url, data=raw, headers=headers) as resp:
            assert resp.status == 200  # signed correctly, but two days old
    await oa.runner.queue.idle()
    assert oa.fake.sent == []
    assert await oa.user() is None


def test_signature_formula_and_header_forms() -> None:
    raw = b'{"event_name":"user_send_text","timestamp":"1750316131602"}'
    mac = signature_for("123", raw, "1750316131602", "secret")
    import hashlib

    assert mac == hashlib.sha256(b"123" + raw + b"1750316131602" + b"secret").hexdigest()
    assert verify_signature(f"mac={mac}", raw, ["1750316131602"], "123", "secret")
    assert verify_signature(mac.upper(), raw, ["", "1750316131602"], "123", "secret")
    assert not verify_signature(f"mac={mac}", raw + b" ", ["1750316131602"], "123", "secret")
    assert not verify_signature(f"mac={mac}", raw, ["1750316131603"], "123", "secret")


# ---------------------------------------------------------------- tokens
async def test_token_expiring_mid_conversation_is_refreshed_and_the_call_retried(oa: OA) -> None:
    await oa.say("xin chào")
    old = await oa.token_row()
    oa.fake.expire_access_tokens()
    replies = await oa.say("làm giấy khai sinh cho con")
    assert any("Đăng ký khai sinh" in text for text in replies)
    assert [e["error"] for e in oa.fake.errors] == [-220]
    assert oa.fake.token_requests == 1
    new = await oa.token_row()
    assert new.refresh_token != old.refresh_token and new.version == old.version + 1
    assert old.refresh_token in oa.fake.used_refresh_tokens


async def test_access_token_is_refreshed_before_it_expires(oa: OA) -> None:
    await oa.say("xin chào")
    oa.fake.advance(hours=24, minutes=30)  # 30 minutes left of 25 hours
    await oa.say("xin chào")
    assert oa.fake.token_requests == 1
    assert oa.fake.errors == []  # refreshed before Zalo had to refuse anything


async def test_concurrent_refreshes_are_single_flight(oa: OA) -> None:
    row = await oa.token_row()
    oa.fake.expire_access_tokens()
    oa.fake.refresh_delay = 0.1
    tokens = await asyncio.gather(*(oa.runner.tokens.refresh(stale=row.access_token) for _ in range(5)))
    assert len(set(tokens)) == 1
    assert oa.fake.token_requests == 1
    users = [f"u{i}" for i in range(4)]
    oa.fake.expire_access_tokens()
    for user in users:
        await oa.fake.push(oa.url, oa.fake.text_event(user, "xin chào"))
    await oa.runner.queue.idle()
    assert oa.fake.token_requests == 2
    assert {s.user_id for s in oa.fake.sent} == set(users)


async def test_two_processes_refreshing_at_once_do_not_lose_the_pair(oa: OA) -> None:
    """Two workers without a shared lock (SQLite has no row lock) race for one single-use
    refresh token: Zalo accepts one, refuses the other; the stored pair must stay usable."""
    other = ZaloOARunner(oa.app)  # a second process: its own token manager and lock
    try:
        row = await oa.token_row()
        oa.fake.expire_access_tokens()
        oa.fake.refresh_delay = 0.05
        results = await asyncio.gather(
            oa.runner.tokens.refresh(stale=row.access_token),
            other.tokens.refresh(stale=row.access_token),
            return_exceptions=True,
        )
        assert oa.fake.token_requests == 2
        assert any(isinstance(r, str) for r in results)
        final = await oa.token_row()
        assert final.status == "ok"
        assert final.access_token in oa.fake.access_tokens and final.refresh_token in oa.fake.refresh_tokens
        oa.runner.tokens.forget()
        replies = await oa.say("xin chào")
        assert replies and replies[0].startswith("Xin chào")
    finally:
        await other.stop()


async def test_rejected_refresh_token_alerts_the_admin_and_never_logs_tokens(
    oa: OA, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    row = await oa.token_row()
    oa.fake.refresh_tokens.clear()  # e.g. someone refreshed with it elsewhere
    oa.fake.expire_access_tokens()
    await oa.say("xin chào")
    assert oa.fake.sent == []
    row = await oa.token_row()
    assert row.status == TOKEN_REAUTH
    assert oa.alerts and "motcua zalo authorize" in oa.alerts[0]
    assert any(r.levelno == logging.CRITICAL for r in caplog.records)
    with pytest.raises(ZaloAuthError):
        await oa.runner.tokens.access_token()
    assert oa.fake.token_requests == 1  # no hammering once re-authorisation is needed
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in [*oa.fake.access_tokens, *oa.fake.used_refresh_tokens]:
        assert secret not in logged
    assert "AT-" not in logged and "RT-" not in logged


async def test_wrong_app_secret_keeps_the_refresh_token(oa: OA) -> None:
    oa.runner.tokens.app_secret = "not-the-app-secret"
    oa.fake.expire_access_tokens()
    await oa.say("xin chào")
    row = await oa.token_row()
    assert row.status == "ok" and "MOTCUA_ZALO_OA_APP_SECRET" in (row.last_error or "")
    assert row.refresh_token in oa.fake.refresh_tokens  # still valid: not consumed, not condemned
    assert oa.alerts == []
    oa.runner.tokens.app_secret = oa.fake.app_secret
    replies = await oa.say("xin chào")
    assert replies and replies[0].startswith("Xin chào")


async def test_without_a_hook_admins_on_other_channels_get_a_queued_alert(tmp_path: Path) -> None:
    from storage.models import Outbox

    harness = await start_oa(tmp_path, alert_hook=False, staff="telegram:42=admin,zalo_oa:7=admin,telegram:9")
    try:
        harness.fake.refresh_tokens.clear()
        harness.fake.expire_access_tokens()
        await harness.say("xin chào")
        await harness.say("xin chào")  # the second failure does not alert again
        async with harness.app.db.session() as db:
            rows = (await db.scalars(select(Outbox))).all()
        assert [(r.channel, r.platform_id, r.kind, r.ref) for r in rows] == [
            ("telegram", "42", "notice", "zalo_reauth")
        ]
        assert "motcua zalo authorize" in rows[0].payload[0]["text"]
    finally:
        await stop_oa(harness)


# ---------------------------------------------------------------- the sender and the 7-day window
async def set_last_seen(oa: OA, when: dt.datetime, user: str = USER) -> None:
    async with oa.app.db.session() as db:
        await db.execute(
            update(User).where(User.platform_id == user, User.channel == "zalo_oa").values(last_seen_at=when)
        )
        await db.commit()


async def test_proactive_send_inside_the_window(oa: OA) -> None:
    await oa.say("xin chào")
    message_id = await oa.runner.sender.send(USER, [Reply("Phản ánh của anh/chị đã được xử lý.")])
    assert message_id == oa.fake.sent[-1].message_id
    assert oa.fake.sent[-1].text == "Phản ánh của anh/chị đã được xử lý."


async def test_proactive_send_outside_the_window_is_not_attempted(oa: OA) -> None:
    await oa.say("xin chào")
    await set_last_seen(oa, days_ago(8))
    sent, errors = len(oa.fake.sent), len(oa.fake.errors)
    with pytest.raises(OutsideWindow, match="outside the Zalo window"):
        await oa.runner.sender.send(USER, [Reply("Thông báo")])
    with pytest.raises(OutsideWindow):
        await oa.runner.sender.send("never-wrote", [Reply("Thông báo")])
    assert (len(oa.fake.sent), len(oa.fake.errors)) == (sent, errors)  # Zalo was not called


async def test_sender_maps_zalo_error_codes(oa: OA) -> None:
    await oa.say("xin chào")
    oa.fake.rate_limit_next = 1
    with pytest.raises(RateLimited):
        await oa.runner.sender.send(USER, [Reply("a")])
    oa.fake.unfollowed.add(USER)
    with pytest.raises(Unreachable):
        await oa.runner.sender.send(USER, [Reply("a")])
    oa.fake.unfollowed.clear()
    oa.fake.interactions[USER] = days_ago(7.5)  # Zalo's own record says outside
    with pytest.raises(OutsideWindow):
        await oa.runner.sender.send(USER, [Reply("a")])
    oa.fake.interactions[USER] = days_ago(0)
    too_long_title = Reply("a", buttons=[[Button("x" * 100, "m:home")]])
    assert await oa.runner.sender.send(USER, [too_long_title])  # clipped to fit, accepted
    oa.fake.interactions[USER] = days_ago(0)
    await oa.runner.sender.send(USER, [Reply("b")])
    bad = Reply("c", links=[LinkButton("Cổng", "ftp://x")])
    with pytest.raises(PermanentError):
        await oa.runner.sender.send(USER, [bad])


async def test_live_reply_backs_off_on_rate_limit(oa: OA) -> None:
    await oa.say("xin chào")
    oa.fake.rate_limit_next = 1
    replies = await oa.say("làm giấy khai sinh cho con")
    assert any("Đăng ký khai sinh" in text for text in replies)
    assert len(oa.sleeps) == 1 and 0.5 < oa.sleeps[0] <= 1.0  # the pause, less the moment since the 429


# ---------------------------------------------------------------- rendering
def test_long_text_is_split_on_paragraphs_with_buttons_on_the_last_part() -> None:
    paragraphs = [f"Đoạn {i}: " + "chữ " * 120 for i in range(8)]
    reply = Reply("\n\n".join(paragraphs), buttons=[[Button("Menu chính", "m:home")]])
    messages = render([reply])
    assert len(messages) > 1
    assert all(len(m["text"]) <= 2000 for m in messages)
    assert all("attachment" not in m for m in messages[:-1])
    assert messages[-1]["attachment"]["payload"]["buttons"][0]["payload"] == "#a:m:home"
    assert "\n\n".join(m["text"] for m in messages) == reply.text


def test_more_than_five_choices_become_a_numbered_list_continuing_across_replies() -> None:
    first = Reply("Chọn nhóm", buttons=[[Button("A", "x:a")], [Button("B", "x:b")]])
    many = Reply("Chọn thủ tục", buttons=[[Button(f"Thủ tục {i}", f"t:{i}")] for i in range(7)])
    messages = render([first, many])
    assert len(messages[0]["attachment"]["payload"]["buttons"]) == 2
    assert "attachment" not in messages[1]
    assert "3. Thủ tục 0" in messages[1]["text"] and "9. Thủ tục 6" in messages[1]["text"]


def test_links_fill_free_button_slots_or_are_written_out() -> None:
    links = [LinkButton(f"Cổng {i}", f"https://dvc{i}.gov.vn") for i in range(3)]
    reply = Reply("Liên hệ", buttons=[[Button(f"B{i}", f"m:{i}")] for i in range(4)], links=links)
    (message,) = render([reply])
    kinds = [b["type"] for b in message["attachment"]["payload"]["buttons"]]
    assert kinds == ["oa.query.hide"] * 4 + ["oa.open.url"]
    assert "https://dvc1.gov.vn" in message["text"] and "https://dvc2.gov.vn" in message["text"]


async def test_tokens_dedup_and_window_on_each_database(tmp_path: Path, db_url: str) -> None:
    """The row lock around refreshes and the unique seen-event key behave the same on PostgreSQL."""
    harness = await start_oa(tmp_path, db_url)
    try:
        event = harness.fake.text_event(USER, "xin chào", msg_id="dup")
        await harness.push(event)
        await harness.push(event)
        assert len(harness.fake.sent) == 1
        harness.fake.expire_access_tokens()
        harness.fake.refresh_delay = 0.05
        row = await harness.token_row()
        tokens = await asyncio.gather(
            *(harness.runner.tokens.refresh(stale=row.access_token) for _ in range(3))
        )
        assert len(set(tokens)) == 1 and harness.fake.token_requests == 1
        await set_last_seen(harness, days_ago(8))
        with pytest.raises(OutsideWindow):
            await harness.runner.sender.send(USER, [Reply("Thông báo")])
    finally:
        await stop_oa(harness)


async def test_standalone_sender_for_an_outbox_process(oa: OA) -> None:
    from bot.channels.zalo_oa import standalone_sender

    await oa.say("xin chào")
    sender = standalone_sender(oa.app)
    assert sender is not None and sender.channel == "zalo_oa"
    try:
        oa.fake.expire_access_tokens()  # it shares the stored pair and rotates it like the runner
        assert await sender.send(USER, [Reply("Thông báo của phường")])
        assert oa.fake.sent[-1].text == "Thông báo của phường"
    finally:
        await sender.close()
    replies = await oa.say("xin chào")  # the runner picks up the rotated pair
    assert replies and replies[0].startswith("Xin chào")


async def test_user_queue_orders_per_user_and_caps_concurrency() -> None:
    from bot.channels.zalo_common import UserQueue

    queue = UserQueue(limit=2)
    running, peak, order = 0, 0, []

    def job(user: str, n: int):
        async def run() -> None:
            nonlocal running, peak
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.01 * (3 - n))  # later jobs are quicker: order must still hold
            order.append((user, n))
            running -= 1

        return run

    for n in range(3):
        for user in ("a", "b", "c"):
            queue.submit(user, job(user, n))
    await queue.idle()
    assert peak <= 2
    for user in ("a", "b", "c"):
        assert [n for u, n in order if u == user] == [0, 1, 2]
