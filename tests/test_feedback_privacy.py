# ruff: noqa: F811  (pytest fixtures imported from tests.feedback_support)
"""/dulieucuatoi and /xoadulieu: what is stored, and erasing the person but not the record."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import App
from storage.models import ChatSession, Outbox, QuestionLog, User
from storage.models_feedback import Complaint, Rating
from tests.conftest import Chat
from tests.feedback_support import (  # noqa: F401  (fixtures)
    complaints,
    fb_app_any,
    file_complaint,
    outbox,
)


async def test_my_data_then_erase(fb_app_any: App) -> None:
    fb_app = fb_app_any
    citizen = Chat(fb_app, user="c1", name="Nguyễn Văn An")
    staff = Chat(fb_app, user="staff1", name="Cán bộ Bình")
    code = await file_complaint(citizen, phone="0912345678")
    await citizen.say("khai sinh")  # a logged question
    await citizen.press("r:t:khai-sinh:1")
    await staff.press(f"cs:reply:{code}")
    await staff.say("Đã xử lý.")
    await citizen.say("/dulieucuatoi")
    text = citizen.text
    assert "Nguyễn Văn An" in text and "0912345678" in text and code in text
    assert "Câu hỏi đã lưu để cải thiện trả lời: 1" in text and "Đánh giá: 1" in text

    await citizen.say("/xoadulieu")
    assert "Xin phép xác nhận" in citizen.text
    await citizen.tap("Không xóa")
    async with fb_app.db.session() as db:
        assert (await db.scalar(select(User).where(User.platform_id == "c1"))).phone == "0912345678"

    await citizen.say("/xoadulieu")
    await citizen.tap("Đồng ý xóa")
    assert "đã xóa dữ liệu cá nhân" in citizen.text
    async with fb_app.db.session() as db:
        user = await db.scalar(select(User).where(User.platform_id == "c1"))
        assert (user.display_name, user.phone, user.consent_at, user.area, user.subscriptions) == (
            None,
            None,
            None,
            None,
            [],
        )
        complaint = await db.scalar(select(Complaint))
        # the record stays, without the person
        assert complaint.code == code and "ngập" in complaint.description
        assert (complaint.user_id, complaint.channel, complaint.platform_id, complaint.reporter_name, complaint.phone) == (
            None, None, None, None, None,
        )  # fmt: skip
        assert await db.scalar(select(func.count()).select_from(QuestionLog)) == 0
        assert (
            await db.scalar(select(func.count()).select_from(Outbox).where(Outbox.platform_id == "c1")) == 0
        )
        assert (await db.scalar(select(Rating))).user_id is None
        session = await db.get(ChatSession, user.id)
        assert session.flow is None and "mem" not in session.data
    # the author is gone: the code is no longer theirs; staff still see the content
    await citizen.say(f"/tracuu {code}")
    assert "không phải là phản ánh do anh/chị gửi" in citizen.text
    await staff.say(f"/xemphananh {code}")
    assert "ngập" in staff.text and "Nguyễn Văn An" not in staff.text
    # a staff answer now is stored but cannot be sent to anyone
    await staff.press(f"cs:reply:{code}")
    await staff.say("Bổ sung: đã hoàn thành.")
    assert "không gửi được" in staff.text
    await citizen.say("/dulieucuatoi")
    assert "0912345678" not in citizen.text and "Đồng ý cung cấp thông tin lúc: không có" in citizen.text
    # every message arrives with the display name again: it is not stored again
    assert citizen.name == "Nguyễn Văn An"
    await citizen.say("khai sinh")
    async with fb_app.db.session() as db:
        user = await db.scalar(select(User).where(User.platform_id == "c1"))
        assert user.display_name is None and user.store_name is False
    # other people's names are still kept as before
    async with fb_app.db.session() as db:
        assert (
            await db.scalar(select(User).where(User.platform_id == "staff1"))
        ).display_name == "Cán bộ Bình"
