"""Normalization: properties (hypothesis) and the abbreviation table."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.normalize import ABBREVIATIONS, fold, normalize, strip_diacritics

VI_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
vi_text = st.text(alphabet=VI_LETTERS + VI_LETTERS.upper() + " ,.?!-/0123456789", max_size=60)
any_text = st.text(max_size=60)

FAST = settings(max_examples=100, deadline=None)


@FAST
@given(any_text)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@FAST
@given(vi_text)
def test_fold_ignores_diacritics(text: str) -> None:
    assert fold(text) == fold(strip_diacritics(text))


@FAST
@given(any_text)
def test_nfc_and_nfd_agree(text: str) -> None:
    assert normalize(unicodedata.normalize("NFD", text)) == normalize(unicodedata.normalize("NFC", text))


@FAST
@given(vi_text)
def test_fold_is_ascii_for_vietnamese(text: str) -> None:
    assert fold(text).isascii()


OLD_NEW = [
    ("hòa", "hoà"),
    ("Hóa", "hoá"),
    ("thủy", "thuỷ"),
    ("khỏe", "khoẻ"),
    ("ủy ban", "uỷ ban"),
    ("xóa", "xoá"),
    ("lũy", "luỹ"),
    ("Hòe", "hoè"),
]


@pytest.mark.parametrize(("old", "new"), OLD_NEW)
def test_old_and_new_tone_placement_agree(old: str, new: str) -> None:
    assert normalize(old) == normalize(new) == new.lower()


@FAST
@given(st.sampled_from(OLD_NEW), vi_text)
def test_tone_placement_agrees_inside_text(pair: tuple[str, str], text: str) -> None:
    old, new = pair
    assert normalize(f"{text} {old} {text}") == normalize(f"{text} {new} {text}")


@pytest.mark.parametrize("word", ["hoàng", "quý", "thuyền", "huỳnh", "khuya", "của", "người"])
def test_tone_placement_leaves_closed_and_other_syllables(word: str) -> None:
    assert normalize(word) == word


def test_strip_diacritics_handles_d_bar() -> None:
    assert strip_diacritics("Đăng ký đất đai") == "Dang ky dat dai"


def test_punctuation_and_whitespace_collapse() -> None:
    assert normalize("  Khai   sinh,  ở đâu???\n\t(gấp!!) ") == "khai sinh ở đâu gấp"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("dk tam tru", "đăng ký tam tru"),
        ("Đk tạm trú", "đăng ký tạm trú"),
        ("làm cccd ko", "làm căn cước công dân không"),
        ("can giay to j", "can giay to gì"),
        ("doi gplx", "doi giấy phép lái xe"),
        ("mua bhyt, bhxh", "mua bảo hiểm y tế bảo hiểm xã hội"),
        ("UBND xã", "uỷ ban nhân dân xã"),
        ("dang ky nvqs", "dang ky nghĩa vụ quân sự"),
        ("xin CT07", "xin xác nhận thông tin cư trú"),
        ("dang ki ket hon", "đăng ký ket hon"),
        ("cmnd k dc", "chứng minh nhân dân không được"),
    ],
)
def test_abbreviations_expand(typed: str, expected: str) -> None:
    assert normalize(typed) == expected


def test_expansions_are_fixed_points() -> None:
    for value in ABBREVIATIONS.values():
        assert normalize(value) == normalize(normalize(value))


def test_garbage_is_safe() -> None:
    assert normalize("") == ""
    assert normalize("😀😀 !!! ...") == ""
    assert fold("\x00\x01\ufffd") == ""


@FAST
@given(any_text)
def test_fold_is_stripped_normalize(text: str) -> None:
    assert fold(text) == strip_diacritics(normalize(text))
