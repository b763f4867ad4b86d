"""/dangky and /huy: explicit opt-in, topic toggles, area, unsubscribe one or all."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import User
from tests.conftest import Chat


async def stored(chat: Chat) -> User:
    async with chat.app.db.session() as s:
        return await s.scalar(select(User).where(User.platform_id == chat.user))


async def test_dangky_starts_unsubscribed_and_asks_permission(fixture_chat: Chat) -> None:
    await fixture_chat.say("/dangky")
    assert "chưa đăng ký" in fixture_chat.text
    assert "Xin phép" in fixture_chat.text
    assert "s:t:chung" in fixture_chat.actions and "s:t:luadao" in fixture_chat.actions
    assert (await stored(fixture_chat)).subscriptions == []


async def test_choose_topics_and_area_then_save(fixture_chat: Chat) -> None:
    await fixture_chat.say("/dangky")
    await fixture_chat.press("s:t:luadao")
    assert any(label.startswith("✅") and "lừa đảo" in label for label in fixture_chat.labels)
    assert fixture_chat.last[0].edit
    await fixture_chat.press("s:t:tiepdan")
    await fixture_chat.press("s:a")
    await fixture_chat.tap("Khu phố 2")
    assert "Khu vực: Khu phố 2" in fixture_chat.labels
    # nothing is stored before «Xong»
    assert (await stored(fixture_chat)).subscriptions == []
    await fixture_chat.tap("Xong")
    assert "Xin cảm ơn" in fixture_chat.text
    assert "Lịch tiếp công dân, Cảnh báo lừa đảo" in fixture_chat.text
    assert "Khu phố 2" in fixture_chat.text
    user = await stored(fixture_chat)
    assert user.subscriptions == ["tiepdan", "luadao"] and user.area == "Khu phố 2"


async def test_toggle_twice_removes_and_nothing_chosen_is_refused(fixture_chat: Chat) -> None:
    await fixture_chat.say("/dangky")
    await fixture_chat.press("s:t:yte")
    await fixture_chat.press("s:t:yte")
    await fixture_chat.press("s:ok")
    assert "chưa chọn chủ đề nào" in fixture_chat.text
    assert (await stored(fixture_chat)).subscriptions == []


async def test_area_only_adds_general_news(fixture_chat: Chat) -> None:
    await fixture_chat.say("/dangky")
    await fixture_chat.press("s:a")
    await fixture_chat.press("s:ap:0")
    await fixture_chat.press("s:ok")
    user = await stored(fixture_chat)
    assert user.subscriptions == ["chung"] and user.area == "Khu phố 1"
    assert "Thông báo chung" in fixture_chat.text


async def test_forged_area_index_is_ignored(fixture_chat: Chat) -> None:
    await fixture_chat.say("/dangky")
    await fixture_chat.press("s:ap:99")
    await fixture_chat.press("s:t:chung")
    await fixture_chat.press("s:ok")
    user = await stored(fixture_chat)
    assert user.area is None and user.subscriptions == ["chung"]


async def test_dangky_again_shows_current_choice(fixture_chat: Chat) -> None:
    await fixture_chat.say("/dangky")
    await fixture_chat.press("s:t:duan")
    await fixture_chat.press("s:ok")
    await fixture_chat.say("/dangky")
    assert "Dự án và giải phóng mặt bằng" in fixture_chat.text
    assert any(label.startswith("✅") and "Dự án" in label for label in fixture_chat.labels)


async def test_huy_one_topic_then_all(fixture_chat: Chat) -> None:
    await fixture_chat.say("/dangky")
    for key in ("chung", "thutuc", "yte"):
        await fixture_chat.press(f"s:t:{key}")
    await fixture_chat.press("s:ok")
    await fixture_chat.say("/huy")
    assert "đang nhận thông báo về" in fixture_chat.text
    await fixture_chat.tap("Hủy «Thủ tục mới")
    assert "đã hủy mục «Thủ tục mới hoặc thay đổi»" in fixture_chat.text
    assert "Thông báo chung, Y tế - giáo dục" in fixture_chat.text
    assert (await stored(fixture_chat)).subscriptions == ["chung", "yte"]
    await fixture_chat.say("/huy")
    await fixture_chat.tap("Hủy tất cả")
    assert "không nhận thông báo nào nữa" in fixture_chat.text
    user = await stored(fixture_chat)
    assert user.subscriptions == [] and user.area is None


async def test_huy_tat_ca_in_one_command_and_typed_phrase(fixture_chat: Chat) -> None:
    await fixture_chat.say("/dangky")
    await fixture_chat.press("s:t:chung")
    await fixture_chat.press("s:ok")
    await fixture_chat.say("/huy tất cả")
    assert (await stored(fixture_chat)).subscriptions == []
    await fixture_chat.say("/dangky")
    await fixture_chat.press("s:t:chung")
    await fixture_chat.press("s:ok")
    await fixture_chat.say("Hủy đăng ký")
    assert "Hủy tất cả" in fixture_chat.labels


async def test_huy_when_not_subscribed_says_so(fixture_chat: Chat) -> None:
    await fixture_chat.say("/huy")
    assert "chưa đăng ký nhận thông báo nào" in fixture_chat.text


async def test_menu_button_opens_subscription(fixture_chat: Chat) -> None:
    await fixture_chat.say("/start")
    await fixture_chat.press("m:subscribe")
    assert "s:t:chung" in fixture_chat.actions


async def test_forged_actions_do_not_crash(fixture_chat: Chat) -> None:
    for action in ("s", "s:t:evil", "s:u:evil", "s:zz:1", "s:ap:-1"):
        replies = await fixture_chat.press(action)
        assert replies and "sự cố" not in fixture_chat.text
    assert (await stored(fixture_chat)).subscriptions == []
