# ruff: noqa: F811  (pytest fixtures imported from tests.feedback_support)
"""The citizen's complaint flow and the whole life cycle with a staff member, through the dispatcher."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.app import App
from handlers import texts
from handlers.phone import normalize_phone
from storage.models import AuditLog, User
from storage.models_feedback import Rating
from tests.conftest import Chat
from tests.feedback_support import (  # noqa: F401  (fixtures)
    citizen,
    complaints,
    events,
    fb_app,
    fb_app_any,
    file_complaint,
    outbox,
    payload_replies,
    payload_text,
    staff,
)


async def test_whole_life_cycle_citizen_and_staff(fb_app_any: App) -> None:
    fb_app = fb_app_any
    citizen = Chat(fb_app, user="c1", name="Nguyễn Văn An")
    staff = Chat(fb_app, user="staff1", name="Cán bộ Bình")
    # the citizen starts from the menu
    await citizen.say("/start")
    await citizen.press("m:complaint")
    assert "Thái độ phục vụ" in citizen.labels and "pa:cat:ha-tang" in citizen.actions
    await citizen.tap("Hạ tầng")
    assert "mô tả" in citizen.text
    await citizen.say("Đường thôn 3 đoạn gần trường học bị ngập sâu mỗi khi mưa lớn")
    assert "ảnh" in citizen.text
    from handlers.messages import Location, Photo

    await citizen.send(photo=Photo("photo-file-1", size=200_000))
    assert "1/5" in citizen.text
    await citizen.send(location=Location(20.65, 106.05))
    assert "vị trí" in citizen.text.lower()
    await citizen.tap("Tiếp tục")
    # permission is asked before the phone number
    assert "Xin phép" in citizen.text
    await citizen.tap("Đồng ý")
    assert any(r.request_contact for r in citizen.last)
    await citizen.say("091 234 5678")
    assert "kiểm tra lại" in citizen.text
    assert "091****678" in citizen.text and "Hạ tầng - môi trường" in citizen.text
    await citizen.tap("Gửi phản ánh")
    code = re.search(r"PA-2026-\d{6}", citizen.text).group(0)
    assert code == "PA-2026-000001"
    assert "Xin cảm ơn" in citizen.text and "10 ngày làm việc" in citizen.text
    # due date: 10 working days after Monday 30/11/2026 is Monday 14/12/2026
    assert "14/12/2026" in citizen.text

    # consent and phone recorded with time
    async with fb_app.db.session() as db:
        user = await db.scalar(select(User).where(User.platform_id == "c1"))
        assert user.phone == "0912345678" and user.consent_at is not None

    # staff are told, in the same transaction
    notices = await outbox(fb_app, kind="notice", ref=code)
    assert {n.platform_id for n in notices} == {"staff1", "staff2"}
    assert "Đường thôn 3" in payload_text(notices[0]) and "0912345678" in payload_text(notices[0])

    # the citizen tracks it
    await citizen.say(f"tra cứu {code.lower()}")
    assert "Đã tiếp nhận" in citizen.text and "Tiếp nhận phản ánh" in citizen.text

    # staff: inbox, open, assign, reply
    await staff.say("/hopthu")
    assert code in staff.text and f"cs:open:{code}" in staff.actions
    await staff.press(f"cs:open:{code}")
    assert "Nguyễn Văn An" in staff.text and "0912345678" in staff.text
    assert [r.photo for r in staff.last if r.photo] == ["photo-file-1"]  # same channel: the photo is shown
    await staff.tap("Giao cán bộ")
    assert staff.actions == [f"cs:to:{code}:test:staff1", f"cs:to:{code}:test:staff2"]
    await staff.press(f"cs:to:{code}:test:staff2")
    assert "test:staff2" in staff.text
    await staff.press(f"cs:reply:{code}")
    await staff.say("Xã đã cử đội khơi thông cống thoát nước, dự kiến xong trong tuần này.")
    assert "Đã lưu câu trả lời" in staff.text
    c = (await complaints(fb_app))[0]
    assert c.status == "answered" and c.answer.startswith("Xã đã cử")

    # the answer goes to the citizen's channel through the outbox, with the rating question
    replies = await outbox(fb_app, kind="complaint_reply", platform_id="c1")
    assert len(replies) == 1 and replies[0].channel == "test" and replies[0].status == "pending"
    sent = payload_replies(replies[0])
    assert "khơi thông cống" in sent[0].text
    assert [b.action for b in sent[1].flat_buttons] == [f"pa:rate:{code}:1", f"pa:rate:{code}:0"]

    # the citizen is satisfied; staff close it
    await citizen.press(f"pa:rate:{code}:1")
    assert "Xin cảm ơn" in citizen.text
    await staff.press(f"cs:close:{code}")
    assert (await complaints(fb_app))[0].status == "closed"
    assert await events(fb_app, code) == ["received", "assigned", "answered", "rated", "closed"]
    closed_notice = await outbox(fb_app, kind="complaint_reply", platform_id="c1")
    assert len(closed_notice) == 2 and "đã được đóng" in payload_text(closed_notice[1])

    # every staff action is audit-logged: who, what, when
    async with fb_app.db.session() as db:
        logs = list(await db.scalars(select(AuditLog).order_by(AuditLog.id)))
    actions = [(a.actor, a.action, a.target) for a in logs]
    assert ("test:staff1", "complaint.assign", code) in actions
    assert ("test:staff1", "complaint.reply", code) in actions
    assert ("test:staff1", "complaint.status", code) in actions
    assert all(a.at is not None for a in logs)

    # the final history, as the citizen sees it
    await citizen.say(f"/tracuu {code}")
    for step in ("Tiếp nhận phản ánh", "Chuyển cán bộ xử lý", "Cán bộ trả lời", "Đóng phản ánh"):
        assert step in citizen.text


async def test_unsatisfied_rating_reopens_with_reason(fb_app: App, citizen: Chat, staff: Chat) -> None:
    code = await file_complaint(citizen)
    await staff.press(f"cs:reply:{code}")
    await staff.say("Đã xử lý xong.")
    await citizen.press(f"pa:rate:{code}:0")
    assert "lý do" in citizen.text
    await citizen.say("Đường vẫn ngập, chưa ai đến xem.")
    assert "mở lại" in citizen.text
    c = (await complaints(fb_app))[0]
    assert c.status == "reopened"
    assert (await events(fb_app, code))[-1] == "reopened"
    async with fb_app.db.session() as db:
        rating = await db.scalar(select(Rating).where(Rating.target_id == code))
    assert rating.target_kind == "complaint" and rating.value == 0 and "vẫn ngập" in rating.comment
    # the staff member who answered hears about it
    reopened = [r for r in await outbox(fb_app, kind="notice", ref=code) if "mở lại" in payload_text(r)]
    assert len(reopened) == 1 and reopened[0].platform_id == "staff1"
    assert "vẫn ngập" in payload_text(reopened[0])
    # it is back in the inbox
    await staff.say("/hopthu")
    assert code in staff.text


async def test_only_the_author_and_staff_can_track(fb_app: App, citizen: Chat, staff: Chat) -> None:
    code = await file_complaint(citizen)
    other = Chat(fb_app, user="c2", name="Người khác")
    await other.say(f"/tracuu {code}")
    assert "không phải là phản ánh do anh/chị gửi" in other.text
    assert "ngập" not in other.text
    # a code that does not exist gets the same answer: existence is not revealed
    await other.say("/tracuu PA-2026-000999")
    assert "không phải là phản ánh do anh/chị gửi" in other.text
    # rating someone else's complaint does nothing
    await other.press(f"pa:rate:{code}:0")
    assert (await complaints(fb_app))[0].status == "received"
    await staff.say(f"tra cứu {code}")
    assert "ngập" in staff.text and "Nguyễn Văn An" in staff.text


async def test_draft_survives_leaving_and_coming_back(fb_app: App, citizen: Chat) -> None:
    await citizen.say("/phananh")
    await citizen.press("pa:cat:thai-do")
    await citizen.say("Cán bộ tiếp nhận hồ sơ sáng thứ Hai nói chuyện thiếu tôn trọng")
    await citizen.say("/menu")  # leaves the flow
    await citizen.say("khai sinh")  # asks something else
    await citizen.say("/phananh")
    assert "soạn dở" in citizen.text and "thiếu tôn trọng" in citizen.text
    await citizen.tap("Tiếp tục phản ánh")
    assert "ảnh" in citizen.text
    await citizen.press("pa:next")
    await citizen.press("pa:phone:no")
    assert "Thái độ phục vụ" in citizen.text and "thiếu tôn trọng" in citizen.text
    # the summary can be edited before sending
    await citizen.tap("Sửa")
    assert len(citizen.actions) <= 5  # Zalo OA shows at most five buttons
    await citizen.tap("Sửa nội dung")
    await citizen.say("Cán bộ tiếp nhận hồ sơ sáng thứ Hai 30/11 nói chuyện thiếu tôn trọng với người già")
    assert "kiểm tra lại" in citizen.text and "người già" in citizen.text
    await citizen.press("pa:edit")
    await citizen.tap("Đổi loại")
    await citizen.tap("Giải quyết hồ sơ")
    assert "kiểm tra lại" in citizen.text and "Giải quyết hồ sơ" in citizen.text
    await citizen.tap("Gửi phản ánh")
    c = (await complaints(fb_app))[0]
    assert c.category == "ho-so" and "người già" in c.description and c.phone is None


async def test_free_text_wish_prefills_the_description(fb_app: App, citizen: Chat) -> None:
    await citizen.say("tôi muốn phản ánh đường làng bị ngập nước mấy hôm nay")
    assert "Tôi đã ghi lại nội dung" in citizen.text and "pa:cat:khac" in citizen.actions
    await citizen.press("pa:cat:ha-tang")
    assert "ảnh" in citizen.text  # description step skipped: already given
    await citizen.press("pa:next")
    await citizen.press("pa:phone:no")
    assert "đường làng bị ngập" in citizen.text
    # a bare wish starts the flow without a description
    other = Chat(fb_app, user="c9")
    await other.say("khiếu nại")
    assert "pa:cat:khac" in other.actions and "Tôi đã ghi lại" not in other.text


async def test_matcher_topic_phan_anh_starts_the_flow(fb_app: App, citizen: Chat, monkeypatch) -> None:
    from knowledge.matcher import Candidate, MatchResult

    def match(text: str, limit: int = 5) -> MatchResult:
        return MatchResult(text, text, "answer", [Candidate("phan-anh", "Gửi phản ánh, kiến nghị", 0.95)])

    monkeypatch.setattr(fb_app.knowledge.matcher, "match", match)
    await citizen.say("đường làng bị ngập")
    assert "pa:cat:ha-tang" in citizen.actions and "đường làng bị ngập" in citizen.text
    # from a button (no text) it starts without a description
    other = Chat(fb_app, user="c3")
    await other.press("t:phan-anh")
    assert "pa:cat:ha-tang" in other.actions and "Tôi đã ghi lại" not in other.text


async def test_storage_failure_at_saving_keeps_the_draft(fb_app_any: App, monkeypatch) -> None:
    fb_app = fb_app_any
    citizen = Chat(fb_app, user="c1", name="Nguyễn Văn An")
    from sqlalchemy.exc import OperationalError

    from storage import complaints as repo

    real = repo.create_complaint

    async def broken(db, **kwargs):  # writes half of the complaint, then the database fails
        await real(db, **kwargs)
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    await citizen.say("/phananh")
    await citizen.press("pa:cat:an-ninh")
    await citizen.say("Nhóm thanh niên tụ tập đua xe trên đường đê mỗi tối")
    await citizen.press("pa:next")
    await citizen.press("pa:phone:no")
    monkeypatch.setattr(repo, "create_complaint", broken)
    await citizen.tap("Gửi phản ánh")
    assert "CHƯA được ghi nhận" in citizen.text and "pa:send" in citizen.actions
    assert not re.search(r"PA-\d{4}-\d{6}", citizen.text)
    # nothing half-written: no complaint, no history, no notice
    assert await complaints(fb_app) == []
    assert await outbox(fb_app) == []
    # the draft is still there, even after leaving
    await citizen.say("/menu")
    monkeypatch.setattr(repo, "create_complaint", real)
    await citizen.say("/phananh")
    assert "đua xe" in citizen.text
    await citizen.tap("Tiếp tục phản ánh")
    await citizen.tap("Gửi lại" if "pa:send" not in citizen.actions else "Gửi phản ánh")
    assert "PA-2026-000001" in citizen.text  # the failed attempt did not use up a number
    assert len(await complaints(fb_app)) == 1


async def test_commit_failure_tells_the_citizen_and_nothing_is_stored(
    fb_app: App, citizen: Chat, monkeypatch
) -> None:
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.ext.asyncio import AsyncSession

    await citizen.say("/phananh")
    await citizen.press("pa:cat:khac")
    await citizen.say("Loa phát thanh của thôn bật quá to lúc 5 giờ sáng")
    await citizen.press("pa:next")
    await citizen.press("pa:phone:no")

    real_commit = AsyncSession.commit
    calls = {"n": 0}

    async def failing_commit(self):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("COMMIT", {}, Exception("database is locked"))
        return await real_commit(self)

    monkeypatch.setattr(AsyncSession, "commit", failing_commit)
    await citizen.press("pa:send")
    monkeypatch.setattr(AsyncSession, "commit", real_commit)
    assert "CHƯA được ghi nhận" in citizen.text
    assert await complaints(fb_app) == [] and await outbox(fb_app) == []
    await citizen.press("pa:send")
    assert "PA-2026-000001" in citizen.text


async def test_database_down_at_saving_still_says_not_recorded(
    fb_app: App, citizen: Chat, monkeypatch
) -> None:
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.ext.asyncio import AsyncSession

    await citizen.say("/phananh")
    await citizen.press("pa:cat:khac")
    await citizen.say("Loa phát thanh của thôn bật quá to lúc 5 giờ sáng")
    await citizen.press("pa:next")
    await citizen.press("pa:phone:no")

    async def always_failing(self):
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(AsyncSession, "commit", always_failing)
    replies = await citizen.press("pa:send")
    assert "CHƯA được ghi nhận" in replies[0].text


async def test_typing_huy_cancels_the_draft(fb_app: App, citizen: Chat) -> None:
    await citizen.say("/phananh")
    await citizen.press("pa:cat:khac")
    await citizen.say("Hủy")
    assert citizen.last[0].text == texts.PA_CANCELLED
    await citizen.say("/phananh")
    assert "soạn dở" not in citizen.text and "pa:cat:khac" in citizen.actions


async def test_validation_and_limits(fb_app: App, citizen: Chat) -> None:
    await citizen.say("/phananh")
    await citizen.press("pa:cat:khac")
    await citizen.say("ngập")
    assert "hơi ngắn" in citizen.text
    await citizen.say("x" * 2500)
    assert "vượt quá 2000" in citizen.text
    await citizen.say("Xem thêm http://a.example http://b.example http://c.example khuyến mãi")
    assert "đường link" in citizen.text
    await citizen.say("Cống thoát nước trước chợ bị tắc, nước thải tràn ra đường")
    from handlers.messages import Photo

    await citizen.send(photo=Photo("big", size=30 * 1024 * 1024))
    assert "lớn hơn 10 MB" in citizen.text
    for n in range(5):
        await citizen.send(photo=Photo(f"p{n}", size=1000))
    await citizen.send(photo=Photo("p6", size=1000))
    assert "tối đa 5 ảnh" in citizen.text
    await citizen.press("pa:next")
    await citizen.press("pa:phone:yes")
    await citizen.say("12345")
    assert "chưa đúng dạng" in citizen.text
    await citizen.say("+84 912-345-678")
    assert "kiểm tra lại" in citizen.text and "091****678" in citizen.text


async def test_duplicate_resend_is_not_stored_twice(fb_app: App, citizen: Chat) -> None:
    text = "Cống thoát nước trước chợ bị tắc, nước thải tràn ra đường"
    code = await file_complaint(citizen, text)
    await citizen.say("/phananh")
    await citizen.press("pa:cat:ha-tang")
    await citizen.say(text)
    assert code in citizen.text and "giống" in citizen.text


async def test_daily_limit(tmp_path) -> None:
    from tests.feedback_support import make_feedback_app

    app, clock = await make_feedback_app(tmp_path, complaints_per_day=2)
    try:
        chat = Chat(app, user="c1")
        await file_complaint(chat, "Cống thoát nước trước chợ bị tắc, nước thải tràn ra")
        await file_complaint(chat, "Đèn đường ngõ 5 bị hỏng đã một tuần nay rồi")
        await chat.say("/phananh")
        assert "tối đa 2 phản ánh" in chat.text
        clock.advance(days=1)
        await chat.say("/phananh")
        assert "pa:cat:khac" in chat.actions
    finally:
        await app.close()


async def test_contact_button_and_saved_phone(fb_app: App, citizen: Chat) -> None:
    from handlers.messages import Contact

    await file_complaint(citizen, phone="0987654321")
    await citizen.say("/phananh")
    await citizen.press("pa:cat:khac")
    await citizen.say("Chó thả rông ở khu phố 2 cắn người đi đường")
    await citizen.press("pa:next")
    assert "pa:phone:keep" in citizen.actions
    await citizen.press("pa:phone:yes")
    await citizen.send(contact=Contact("+84 903 111 222", "An"))
    assert "090****222" in citizen.text


def test_vietnamese_phone_numbers() -> None:
    assert normalize_phone("0912345678") == "0912345678"
    assert normalize_phone("+84 912 345 678") == "0912345678"
    assert normalize_phone("84912345678") == "0912345678"
    assert normalize_phone("0221.3863.555") == "02213863555"
    assert normalize_phone("0112345678") is None  # no such prefix
    assert normalize_phone("091234567") is None  # too short
    assert normalize_phone("gọi tôi nhé") is None
    assert normalize_phone("1" * 40) is None


async def test_a_new_complaint_never_silently_replaces_a_draft(fb_app: App, citizen: Chat) -> None:
    await citizen.say("/phananh")
    await citizen.press("pa:cat:an-ninh")
    await citizen.say("Nhóm thanh niên tụ tập đua xe trên đường đê mỗi tối")
    await citizen.say("/menu")
    await citizen.say("tôi muốn phản ánh đèn đường ngõ 5 bị hỏng cả tuần nay")
    assert "soạn dở" in citizen.text and "đua xe" in citizen.text
    await citizen.tap("Soạn phản ánh mới")
    assert "đèn đường ngõ 5" in citizen.text and "pa:cat:ha-tang" in citizen.actions


async def test_a_question_about_how_to_complain_is_not_taken_as_the_complaint(
    fb_app: App, citizen: Chat
) -> None:
    await citizen.say("làm sao để gửi phản ánh về đường hỏng?")
    assert "pa:cat:ha-tang" in citizen.actions and "Tôi đã ghi lại" not in citizen.text
    assert "113" in citizen.text  # emergencies go to the emergency numbers


async def test_send_pressed_again_after_the_save_shows_the_stored_code(fb_app: App, citizen: Chat) -> None:
    """A crash between the commit and the reply: the redelivered «Gửi» must show the code (issue 17)."""
    code = await file_complaint(citizen, "Cống thoát nước trước chợ bị tắc, nước thải tràn ra đường")
    replies = await citizen.press("pa:send")  # the same press again (redelivered after a crash)
    assert code in replies[0].text and texts.PA_NO_DRAFT not in citizen.text
    assert len(await complaints(fb_app)) == 1  # shown, not stored twice
