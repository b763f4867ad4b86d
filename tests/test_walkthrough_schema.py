"""Walkthrough integrity: an officer's editing mistake stops the load with a clear reason."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from knowledge.loader import KnowledgeError, load_knowledge
from knowledge.walkthrough_schema import Walkthrough, check_links
from tests.conftest import FIXTURE_KB, Chat


def wt(steps: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"id": "thu", "title": "Thử", "skill": "ung-dung", "steps": steps, **extra}


def s(step_id: str, **extra: Any) -> dict[str, Any]:
    return {"id": step_id, "title": step_id, "text": "Làm việc này.", **extra}


def test_a_sound_walkthrough_and_its_numbers() -> None:
    w = Walkthrough.model_validate(
        wt(
            [
                s("a", choices=[{"label": "Một", "next": "b"}, {"label": "Hai", "next": "c"}]),
                s("b", next="c"),
                s("c"),
            ]
        )
    )
    assert w.first.id == "a"
    assert (w.remaining("a"), w.remaining("b"), w.remaining("c")) == (2, 1, 0)
    assert w.step("zz") is None


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([s("a", next="khong-co")], "leads to unknown step 'khong-co'"),
        (
            [s("a", choices=[{"label": "X", "next": "a2"}, {"label": "Y", "next": "b"}]), s("b")],
            "unknown step 'a2'",
        ),
        ([s("a"), s("a")], "duplicate step ids: a"),
        ([s("a", next="b"), s("b"), s("lac")], "never reached from the first step: lac"),
        ([s("a", next="b"), s("b", next="a")], "circle"),
        (
            [s("a", next="b", choices=[{"label": "X", "next": "b"}, {"label": "Y", "next": "b"}]), s("b")],
            "both",
        ),
        ([s("a", choices=[{"label": "X", "next": "b"}]), s("b")], "single choice"),
        (
            [s("a", choices=[{"label": "X", "next": "b"}, {"label": "X", "next": "c"}]), s("b"), s("c")],
            "same label",
        ),
        ([s("a", next="b"), s("b", completes=False)], "no final step completes"),
        ([s("A")], "pattern"),
        ([s("a", link="http://insecure.example")], "pattern"),
        ([s("a", unknown_field=1)], "Extra inputs"),
    ],
)
def test_broken_walkthroughs_are_refused(steps: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Walkthrough.model_validate(wt(steps))


def test_links_between_walkthroughs_are_checked() -> None:
    a = Walkthrough.model_validate({**wt([s("a", see="khong-co")]), "id": "mot"})
    b = Walkthrough.model_validate({**wt([s("a", see="mot")]), "id": "hai"})
    assert check_links([a, b]) == ["walkthrough 'mot', step 'a': see: unknown walkthrough 'khong-co'"]
    assert check_links([a, b, b])[0] == "walkthrough id 'hai' is used more than once"


def _guide(topic_id: str, walkthroughs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": topic_id,
        "kind": "guide",
        "group": "Hướng dẫn",
        "name": f"Hướng dẫn {topic_id}",
        "summary": "Thử.",
        "source": {"title": "Thử", "checked": "2026-11-28"},
        "intro": "Thử.",
        "walkthroughs": walkthroughs,
    }


def test_loader_reports_broken_walkthroughs_with_file_and_field(tmp_path: Path) -> None:
    kb_dir = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, kb_dir)
    broken = _guide("huong-dan-a", [wt([s("a", next="b")])])
    (kb_dir / "huong-dan-a.yaml").write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(kb_dir)
    assert any("huong-dan-a.yaml" in p and "unknown step 'b'" in p for p in err.value.problems)

    ok_a = _guide("huong-dan-a", [wt([s("a", see="khong-co")])])
    ok_b = _guide("huong-dan-b", [wt([s("a")])])  # same walkthrough id "thu" as in huong-dan-a
    (kb_dir / "huong-dan-a.yaml").write_text(yaml.safe_dump(ok_a, allow_unicode=True), encoding="utf-8")
    (kb_dir / "huong-dan-b.yaml").write_text(yaml.safe_dump(ok_b, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(kb_dir)
    text = "\n".join(err.value.problems)
    assert "unknown walkthrough 'khong-co'" in text and "'thu' is used more than once" in text


async def test_tailored_walkthrough_without_a_general_template(fixture_chat: Chat) -> None:
    """A knowledge base without guide topics still gets tailored walkthroughs for its procedures."""
    await fixture_chat.press("t:khai-sinh")
    await fixture_chat.tap("Hướng dẫn nộp trực tuyến")
    assert "Bước 1/" in fixture_chat.text
    for _ in range(15):
        forward = [a for a in fixture_chat.actions if a.startswith(("g:c:", "g:n:"))]
        if not forward:
            break
        await fixture_chat.press(forward[0])
    assert fixture_chat.actions == ["g:y", "g:no"]
    await fixture_chat.say("/huongdan")  # no YAML walkthroughs in this base: a polite way to a human
    assert "chưa có hướng dẫn" in fixture_chat.text


async def test_free_text_request_naming_a_procedure_starts_its_walkthrough(fixture_chat: Chat) -> None:
    await fixture_chat.say("chỉ tôi cách nộp khai sinh online với")
    assert "nộp «Đăng ký khai sinh» trực tuyến" in fixture_chat.text and "Bước 1/" in fixture_chat.text
    # a procedure that cannot be done online (in this fixture base): said plainly, the run stays
    await fixture_chat.say("huong dan nop ho so tam tru truc tuyen")
    assert "chưa nộp trực tuyến được" in fixture_chat.text and "Đăng ký tạm trú" in fixture_chat.text
    await fixture_chat.say("hướng dẫn nộp khai sinh trực tuyến")
    assert "đang làm hướng dẫn này" in fixture_chat.text and "Bước 1/" in fixture_chat.text
