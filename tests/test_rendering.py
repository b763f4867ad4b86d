"""Splitting long messages keeps the text's own line breaks (issue 17, item 10)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.rendering import split_text


def test_line_break_before_an_over_long_line_is_kept() -> None:
    summary = "• Loại: Hạ tầng - môi trường\n• Nội dung: " + "đường hỏng " * 200
    parts = split_text(summary, 500)
    assert parts[0].startswith("• Loại: Hạ tầng - môi trường\n• Nội dung: ")
    assert all(len(p) <= 500 for p in parts)


def test_over_long_first_line_does_not_start_with_a_break() -> None:
    parts = split_text("a " * 100 + "\nb", 50)
    assert not parts[0].startswith("\n")
    assert all(len(p) <= 50 for p in parts)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab \n", min_size=1, max_size=400), st.integers(min_value=5, max_value=60))
def test_parts_fit_and_keep_every_line_break_between_words(text: str, limit: int) -> None:
    parts = split_text(text, limit)
    assert all(len(p) <= limit for p in parts)
    # nothing is lost or reordered; a word longer than the limit is cut inside, so compare characters
    assert "".join("".join(parts).split()) == "".join(text.split())
