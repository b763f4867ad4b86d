"""The one reply vocabulary: every short answer people type, with and without diacritics."""

from __future__ import annotations

import pytest

from handlers.replies import Word, is_cancel, read_reply, read_word
from knowledge.normalize import strip_diacritics

YES = [
    "được",
    "đc",
    "dc",
    "ok",
    "oke",
    "okie",
    "uh",
    "ừ",
    "ừm",
    "vâng",
    "dạ",
    "có",
    "đồng ý",
    "được rồi ạ",
    "dạ vâng",
]
NO = [
    "không",
    "ko",
    "k",
    "kh",
    "hok",
    "hông",
    "chưa",
    "ko được",
    "ko dc",
    "k đc",
    "chưa được ạ",
    "dạ không",
    "không phải",
]
DONE = ["xong", "xong rồi", "rồi", "tiếp", "tiếp tục", "đã xong"]
CANCEL = ["hủy", "huỷ", "thôi", "hủy bỏ", "/huy", "dừng lại", "thôi không làm nữa", "cancel"]
SKIP = ["bỏ qua", "không có", "không cần", "để sau"]
BACK = ["quay lại", "trở lại"]


def _both(words: list[str]) -> list[str]:
    """Each word as typed with diacritics and as typed without them."""
    return sorted({w for word in words for w in (word, strip_diacritics(word), word.upper())})


@pytest.mark.parametrize("text", _both(YES))
def test_yes_words(text: str) -> None:
    assert read_word(text) is Word.YES


@pytest.mark.parametrize("text", _both(NO))
def test_no_words(text: str) -> None:
    assert read_word(text) is Word.NO


@pytest.mark.parametrize("text", _both(DONE))
def test_done_words(text: str) -> None:
    assert read_word(text) is Word.DONE


@pytest.mark.parametrize("text", _both(CANCEL))
def test_cancel_words(text: str) -> None:
    assert is_cancel(text)
    assert read_reply(text, {Word.YES, Word.NO}) is Word.CANCEL  # cancel is heard at every prompt


@pytest.mark.parametrize("text", _both(SKIP))
def test_skip_words(text: str) -> None:
    assert read_word(text) is Word.SKIP


@pytest.mark.parametrize("text", _both(BACK))
def test_back_words(text: str) -> None:
    assert read_word(text) is Word.BACK


def test_nearby_meanings_map_onto_what_the_prompt_accepts() -> None:
    yes_no = {Word.YES, Word.NO}
    assert read_reply("xong rồi", yes_no) is Word.YES  # «đã làm được chưa?» — «xong rồi»
    assert read_reply("không cần", yes_no) is Word.NO
    assert read_reply("ok", {Word.DONE}) is Word.DONE  # «gõ xong khi đã gửi hết ảnh» — «ok»
    assert read_reply("không", {Word.SKIP, Word.DONE}) is Word.SKIP
    assert read_reply("quay lại", yes_no) is None  # not an answer to this prompt


@pytest.mark.parametrize(
    "text",
    [
        "không biết làm giấy khai sinh ở đâu",  # a question that starts with a negator
        "chưa có căn cước thì làm thế nào",
        "được không ạ, cho tôi hỏi lệ phí",
        "tôi muốn hỏi về thủ tục kết hôn",
        "",
        "   ",
        "x" * 500,
    ],
)
def test_sentences_are_not_answers(text: str) -> None:
    assert read_word(text) is None
    assert not is_cancel(text)


def test_subscription_phrases_are_not_cancel() -> None:
    # «hủy đăng ký» is the unsubscribe phrase of the subscriptions feature, not «cancel this step»
    assert not is_cancel("hủy đăng ký")
    assert not is_cancel("huy dang ky nhan thong bao")


def test_a_flow_may_name_what_its_cancel_words_cancel() -> None:
    objects = ("phan anh", "kien nghi")
    assert is_cancel("hủy phản ánh", objects)
    assert is_cancel("thôi không gửi kiến nghị nữa ạ", objects)
    assert is_cancel("Huy phan anh nay", objects)
    assert not is_cancel("hủy phản ánh")  # without the flow naming it
    assert not is_cancel("phản ánh đường hỏng", objects)  # no cancel word at all
    assert not is_cancel("hủy đăng ký", objects)  # another feature's phrase stays its own
