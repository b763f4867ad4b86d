"""Small-talk intents: only when the message is (mostly) just that."""

from __future__ import annotations

import pytest

from knowledge.matcher import detect_intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("xin chào", "greeting"),
        ("Chào ad", "greeting"),
        ("chao ban nhe", "greeting"),
        ("hello", "greeting"),
        ("alo", "greeting"),
        ("cảm ơn", "thanks"),
        ("cám ơn ạ", "thanks"),
        ("cam on ad nhieu", "thanks"),
        ("thanks", "thanks"),
        ("tks", "thanks"),
        ("thank you", "thanks"),
        ("ok cảm ơn", "thanks"),
        ("menu", "menu"),
        ("Danh mục", "menu"),
        ("xem menu", "menu"),
        ("trợ giúp", "menu"),
        ("bắt đầu lại", "restart"),
        ("bat dau lai", "restart"),
        ("làm lại từ đầu", "restart"),
        ("tạm biệt", "goodbye"),
        ("bye", "goodbye"),
        ("tam biet nhe", "goodbye"),
        ("gặp cán bộ", "human"),
        ("cho tôi gặp cán bộ", "human"),
        ("muốn nói chuyện với người thật", "human"),
        ("gap nhan vien", "human"),
        ("có", "yes"),
        ("ừ", "yes"),
        ("đúng rồi", "yes"),
        ("vâng ạ", "yes"),
        ("ok", "yes"),
        ("dạ vâng", "yes"),
        ("dung roi", "yes"),
        ("yes", "yes"),
        ("không", "no"),
        ("ko", "no"),
        ("k", "no"),
        ("không phải", "no"),
        ("sai rồi", "no"),
        ("no", "no"),
        ("dạ không", "no"),
        ("dạ", "yes"),
    ],
)
def test_detects(text: str, intent: str) -> None:
    assert detect_intent(text) == intent


@pytest.mark.parametrize(
    "text",
    [
        "chào ad, cho em hỏi làm khai sinh ở đâu",
        "cảm ơn, nhưng đổi cccd cần gì",
        "đăng ký kết hôn",
        "có cần mang căn cước không",
        "không có giấy chứng sinh thì làm khai sinh thế nào",
        "",
        "   ",
        "😀",
        "x" * 500,
    ],
)
def test_questions_are_not_small_talk(text: str) -> None:
    assert detect_intent(text) is None
