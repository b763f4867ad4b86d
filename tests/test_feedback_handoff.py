# ruff: noqa: F811  (pytest fixtures imported from tests.feedback_support)
""" "Gặp cán bộ": live handoff in office hours, call-back requests outside them."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from handlers.messages import Contact
from storage.models import User
from storage.models_feedback import Handoff, Rating
from storage.models_guides import GuideCallback as CallbackRequest
from tests.conftest import Chat
from tests.feedback_support import (  # noqa: F401  (fixtures)
    MONDAY_8PM,
    citizen,
    fb_app,
    outbox,
    payload_replies,
    payload_text,
    staff,
)


async def _handoff(app: App) -> Handoff:
    async with app.db.session() as db:
        return await db.scalar(select(Handoff).order_by(Handoff.id.desc()))


async def test_handoff_in_hours_relays_both_ways_and_either_side_ends(
    fb_app: App, citizen: Chat, staff: Chat
) -> None:
    await citizen.say("/gapcanbo")
    assert "đã báo cán bộ trực" in citizen.text
    request = await outbox(fb_app, kind="handoff")
    assert {r.platform_id for r in request} == {"staff1", "staff2"}
    take = payload_replies(request[0])[0].flat_buttons[0].action
    # the citizen writes before anyone took it: relayed to all staff on duty
    await citizen.say("Cho tôi hỏi hồ sơ đất của tôi đến đâu rồi?")
    assert "Đã chuyển tin nhắn" in citizen.text
    relayed = [r for r in await outbox(fb_app, kind="handoff") if "hồ sơ đất" in payload_text(r)]
    assert {r.platform_id for r in relayed} == {"staff1", "staff2"}
    assert "Nguyễn Văn An" in payload_text(relayed[0])

    await staff.press(take)
    assert "đã nhận trò chuyện" in staff.text
    joined = [r for r in await outbox(fb_app, kind="handoff", platform_id="c1")]
    assert "Cán bộ đã tham gia" in payload_text(joined[-1])
    # a second staff member cannot take it over
    other_staff = Chat(fb_app, user="staff2")
    await other_staff.press(take)
    assert "cán bộ khác nhận" in other_staff.text

    # staff reply comes back to the citizen through the outbox
    replies = await staff.say("Hồ sơ của anh đang ở bước thẩm định, dự kiến thứ Sáu có kết quả.")
    assert replies == []
    back = await outbox(fb_app, kind="handoff", platform_id="c1")
    assert "thẩm định" in payload_text(back[-1]) and back[-1].channel == "test"
    # the citizen's next message goes to the staff member who took it only
    before = len(await outbox(fb_app, kind="handoff"))
    assert await citizen.say("Cảm ơn cán bộ, cho tôi hỏi thêm lệ phí bao nhiêu?") == []
    after = await outbox(fb_app, kind="handoff")
    assert len(after) == before + 1 and after[-1].platform_id == "staff1"

    # the citizen ends it with the button under the staff reply, and is asked for a rating
    end = [b.action for b in payload_replies(back[-1])[0].flat_buttons if b.action.startswith("ho:end:")]
    await citizen.press(end[0])
    assert "đã kết thúc" in citizen.text and any(a.startswith("r:h:") for a in citizen.actions)
    handoff = await _handoff(fb_app)
    assert handoff.status == "ended" and handoff.ended_by == "citizen" and handoff.staff_key == "test:staff1"
    told = await outbox(fb_app, kind="handoff", platform_id="staff1")
    assert "kết thúc" in payload_text(told[-1])
    await citizen.press(f"r:h:{handoff.id}:1")
    async with fb_app.db.session() as db:
        rating = await db.scalar(select(Rating))
    assert (rating.target_kind, rating.target_id, rating.value) == ("handoff", str(handoff.id), 1)
    # staff's next message is not relayed any more
    await staff.say("Anh còn đó không?")
    assert "đã kết thúc" in staff.text
    # after the handoff the citizen's text is ordinary again
    await citizen.say("khai sinh")
    assert "Đăng ký khai sinh" in citizen.text


async def test_staff_can_end_the_handoff(fb_app: App, citizen: Chat, staff: Chat) -> None:
    await citizen.say("/gapcanbo")
    handoff = await _handoff(fb_app)
    await staff.press(f"ho:take:{handoff.id}")
    await staff.say("/ketthuc")
    assert "Đã kết thúc" in staff.text
    ended = await outbox(fb_app, kind="handoff", platform_id="c1")
    assert "Cán bộ đã kết thúc" in payload_text(ended[-1])
    assert (await _handoff(fb_app)).ended_by == "staff"
    # the citizen's next message is no longer relayed: it is a normal question
    count = len(await outbox(fb_app, kind="handoff"))
    await citizen.say("khai sinh")
    assert "Đăng ký khai sinh" in citizen.text
    assert len(await outbox(fb_app, kind="handoff")) == count


async def test_handoff_with_a_staff_chat_goes_to_the_group(tmp_path) -> None:
    from tests.feedback_support import make_feedback_app

    app, _ = await make_feedback_app(tmp_path, staff_chat="test:-100555")
    try:
        await Chat(app, user="c1").say("/gapcanbo")
        rows = await outbox(app, kind="handoff")
        assert [r.platform_id for r in rows] == ["-100555"]
    finally:
        await app.close()


async def test_outside_hours_becomes_a_call_back_with_consent(
    fb_app: App, citizen: Chat, staff: Chat
) -> None:
    fb_app.services.clock.now = MONDAY_8PM
    await citizen.say("/gapcanbo")
    assert "ngoài giờ làm việc" in citizen.text and "Xin phép" in citizen.text
    assert await outbox(fb_app) == []  # nobody is disturbed at night without consent
    await citizen.tap("Đồng ý")
    assert any(r.request_contact for r in citizen.last)
    await citizen.send(contact=Contact("0912345678"))
    assert "gọi lại" in citizen.text and "091****678" in citizen.text
    async with fb_app.db.session() as db:
        request = await db.scalar(select(CallbackRequest))
        user = await db.scalar(select(User).where(User.platform_id == "c1"))
    assert request.phone == "0912345678" and request.consent_at == MONDAY_8PM
    assert user.consent_at == MONDAY_8PM
    # to be called at the next opening: Tuesday 07:30 local = 00:30 UTC
    assert request.call_after.isoformat() == "2026-12-01T00:30:00+00:00"
    notices = await outbox(fb_app, ref=f"cb:{request.id}")
    assert {n.platform_id for n in notices} == {"staff1", "staff2"}
    # one list of people to call for staff, shared with the guides' call-backs
    await staff.say("/goilai")
    assert "0912345678" in staff.text
    done = payload_replies(notices[0])[0].flat_buttons[0].action
    await staff.press(done)
    async with fb_app.db.session() as db:
        assert (await db.get(CallbackRequest, request.id)).status == "done"


async def test_outside_hours_declining_shows_contacts(fb_app: App, citizen: Chat) -> None:
    fb_app.services.clock.now = MONDAY_8PM
    await citizen.say("/gapcanbo")
    await citizen.tap("Không, cảm ơn")
    assert "18001096" in citizen.text
    async with fb_app.db.session() as db:
        assert await db.scalar(select(CallbackRequest)) is None


async def test_human_intent_starts_the_handoff(fb_app: App) -> None:
    from handlers import handoff

    assert fb_app.services.router.intents["human"] is handoff.start


async def test_plain_phrases_start_the_handoff(fb_app: App) -> None:
    for n, phrase in enumerate(["gặp cán bộ", "Cho tôi nói chuyện với nhân viên!", "gap can bo truc a"]):
        chat = Chat(fb_app, user=f"h{n}")
        await chat.say(phrase)
        assert "đã báo cán bộ trực" in chat.text, phrase
    chat = Chat(fb_app, user="h9")
    await chat.say("cán bộ thái độ kém quá")  # a complaint, not a wish to talk
    assert "đã báo cán bộ trực" not in chat.text


async def test_a_handoff_nobody_takes_becomes_a_call_back_offer(
    fb_app: App, citizen: Chat, staff: Chat
) -> None:
    from bot.complaint_reminders import ReminderRunner

    await citizen.say("/gapcanbo")
    runner = ReminderRunner(fb_app)
    await runner.tick()
    assert (await _handoff(fb_app)).status == "waiting"  # not yet
    fb_app.services.clock.advance(minutes=11)
    await runner.tick()
    handoff = await _handoff(fb_app)
    assert handoff.status == "ended" and handoff.ended_by == "timeout"
    offer = (await outbox(fb_app, kind="handoff", platform_id="c1"))[-1]
    assert "đang bận" in payload_text(offer)
    await citizen.press("ho:cb:yes")
    await citizen.say("0912 345 678")
    assert "gọi lại" in citizen.text
    async with fb_app.db.session() as db:
        assert (await db.scalar(select(CallbackRequest))).phone == "0912345678"
    # a late "take" is refused politely
    await staff.press(f"ho:take:{handoff.id}")
    assert "đã kết thúc" in staff.text
